# SPDX-License-Identifier: MIT
"""PyTorch learning-rate schedulers: CosineAnnealingWarmRestarts, PyTorch's scheduler with
exact restarts (see _cawr.py), and SGDR, libsgdr's schedule stepped after every batch:

    scheduler = sgdr.torch.SGDR(optimizer, min_lr=1e-5, max_lr=0.1,
                                steps_per_epoch=len(loader), model=model)
    for epoch in range(epochs):
        for x, y in loader:
            ...; optimizer.step()
            scheduler.step()          # once per batch; epoch ends are counted for you
    scheduler.finish()                # puts back the weights of the last cycle end

A checkpoint: scheduler.save(path) writes everything a resumed run needs (the scheduler, the
kept snapshots, the model's and the optimizer's state_dict) behind a SHA-256 that load(path)
checks before anything in the file is read.

Per-group learning rates: group i trains at `lr * group_scales[i]`, where lr is the
scheduler's learning rate (min_lr..max_lr). By default group_scales[i] is group i's lr at
construction divided by group 0's, so group 0 follows the schedule exactly and the others
keep their ratio to it (min_lr is scaled too). Pass group_scales to choose them yourself.
"""
import collections.abc
import copy
import hashlib
import io
import math
import numbers
import os

import torch  # noqa: F401 -- `import sgdr.torch` fails at once where PyTorch is missing

from ._cawr import CosineAnnealingWarmRestarts, lr_value, set_group_lr
from ._enums import PHASES, Progress, Status
from ._errors import SGDRError
from ._lib import lib
from .scheduler import Scheduler

__all__ = ["SGDR", "CosineAnnealingWarmRestarts"]

# The checkpoint file: this magic, the SHA-256 of the rest, then a torch.save payload.
_FILE_MAGIC = b"SGDR-PY1"
_HASH_BYTES = 32


class _WeightKeeper:
    """The weight hooks for a torch module: copies of its state_dict at cycle ends, on the
    tensors' own devices. Keeps the `keep` most recent (all when keep is None)."""

    def __init__(self, model, keep):
        self.model = model
        self.keep = keep
        self.snapshots = {}  # cycle -> {name: tensor}
        self.prepared = None  # a copy taken before the C calls of a cycle's last batch

    def take(self):
        return {k: v.detach().clone() for k, v in self.model.state_dict().items()}

    def snapshot(self, cycle):
        # The copy SGDR.step() prepared, so that the hook itself cannot fail; a retried
        # cycle overwrites its own copy (hooks are idempotent per cycle).
        copy, self.prepared = self.prepared, None
        self.snapshots[cycle] = self.take() if copy is None else copy
        if self.keep is not None:
            for old in sorted(self.snapshots)[:-self.keep]:
                del self.snapshots[old]

    def restore(self, cycle):
        if cycle not in self.snapshots:
            raise KeyError("no snapshot of cycle %d is kept (kept: %s)"
                           % (cycle, sorted(self.snapshots)))
        self.model.load_state_dict(self.snapshots[cycle])


def _scales(groups, given):
    if given is None:
        ref = lr_value(groups[0]["lr"])
        if not (isinstance(ref, (int, float)) and math.isfinite(ref) and ref > 0):
            raise SGDRError(Status.EVALUE, "group_scales: the first param group's lr (%r) "
                            "must be a positive number to scale the other groups by; pass "
                            "group_scales explicitly" % (ref,))
        return [lr_value(g["lr"]) / ref for g in groups]
    try:
        scales = [float(k) for k in given]
    except (TypeError, ValueError, OverflowError):
        raise SGDRError(Status.EVALUE, "group_scales (%r) must be a list of numbers"
                        % (given,)) from None
    if len(scales) != len(groups):
        raise SGDRError(Status.EVALUE, "group_scales has %d values for %d param groups"
                        % (len(scales), len(groups)))
    for i, k in enumerate(scales):
        if not (math.isfinite(k) and k >= 0):
            raise SGDRError(Status.EVALUE, "group_scales[%d] (%r) must be finite and >= 0"
                            % (i, k))
    return scales


class SGDR:
    """SGDR over a torch.optim optimizer; call step() after every optimizer.step().

    Arguments are sgdr.Scheduler's (the schedule), plus:
      model           a torch.nn.Module: its state_dict is copied at every cycle end and
                      finish() loads the most recent copy back (restore_at_end).
      keep_snapshots  how many end-of-cycle copies to keep (None: all, for ensembles).
      group_scales    per-param-group multipliers of the learning rate (see the module doc).
      history         record the lr of every batch (off by default, unlike sgdr.Scheduler).
    Construction starts the run (on_train_begin) and sets every group's lr.
    """

    def __init__(self, optimizer, min_lr, max_lr, steps_per_epoch, lr_decay=None,
                 cycle_length=None, mult_factor=None, *, restart_mode=None, warmup_epochs=None,
                 warmup_start_lr=None, max_cycles=None, restore_at_end=None, history=False,
                 model=None, keep_snapshots=1, group_scales=None, cycle_warmup_steps=None):
        if not hasattr(optimizer, "param_groups"):
            raise TypeError("optimizer (%r) has no param_groups" % (optimizer,))
        if keep_snapshots is not None and (not isinstance(keep_snapshots, numbers.Integral)
                                           or isinstance(keep_snapshots, bool)
                                           or keep_snapshots < 1):
            raise SGDRError(Status.EVALUE, "keep_snapshots (%r) must be an integer >= 1 or None"
                            % (keep_snapshots,))
        self.optimizer = optimizer
        self.model = model
        self._scales = _scales(optimizer.param_groups, group_scales)
        self._weights = None if model is None else _WeightKeeper(model, keep_snapshots)
        w = self._weights
        self.scheduler = Scheduler(
            min_lr, max_lr, steps_per_epoch, lr_decay, cycle_length, mult_factor,
            restart_mode=restart_mode, warmup_epochs=warmup_epochs,
            warmup_start_lr=warmup_start_lr, max_cycles=max_cycles,
            restore_at_end=restore_at_end, history=history,
            cycle_warmup_steps=cycle_warmup_steps,
            snapshot=None if w is None else w.snapshot,
            restore=None if w is None else w.restore)
        self._spe = int(steps_per_epoch)
        # No copy of the C handle is kept here: every call goes through self.scheduler,
        # which knows when it has been closed and holds its lock around C calls.
        self._batch = 0  # batches counted in the current epoch
        self._epoch = 0  # epochs completed
        self.scheduler.on_train_begin()
        self._apply_lr()

    def _groups(self):
        # optimizer.param_groups is looked up every time: Optimizer.load_state_dict()
        # replaces the list.
        groups = self.optimizer.param_groups
        if len(groups) != len(self._scales):
            raise SGDRError(Status.EVALUE, "the optimizer has %d param groups but the "
                            "scheduler was set up for %d" % (len(groups), len(self._scales)))
        return groups

    def _apply_lr(self, groups=None, lr=None):
        if lr is None:
            lr = self.scheduler.lr
        for g, k in zip(groups or self._groups(), self._scales):
            set_group_lr(g, lr * k)

    def _cycle_ends_after_this_batch(self):
        # The epoch this batch ends closes a cycle (snapshot time): its cycle_length
        # epochs of batches are then complete.
        s = self.scheduler
        return (PHASES[s.progress(Progress.PHASE)] == "cycle" and
                s.progress(Progress.CYCLE_POSITION) + 1 ==
                s.progress(Progress.CYCLE_LENGTH) * self._spe)

    def step(self):
        """Count one trained batch and set the next batch's lr in every param group; after
        every steps_per_epoch batches also end the epoch (restart, snapshot). A step() that
        raises has changed nothing: the scheduler, the groups' lr and the snapshots are as
        they were, and it may be retried."""
        s = self.scheduler
        with s._lock:
            s._handle()
            groups = self._groups()
            if self._batch == self._spe:  # an epoch end refused last time: retry it first
                self._end_epoch()
            ends_epoch = self._batch + 1 == self._spe
            w = self._weights
            if ends_epoch and w is not None and self._cycle_ends_after_this_batch():
                # Copy the weights before any C call, so that the snapshot hook cannot fail
                # after the batch has been counted.
                w.prepared = w.take()
            try:
                # The one C call of most batches, made here under the lock already held
                # (s._call would take it again): the per-batch cost is mostly Python's.
                s._depth += 1
                try:
                    st = lib.sgdr_on_batch_end(s._h, self._batch, None, 0)
                finally:
                    s._depth -= 1
                if st != Status.OK:
                    s._fail(st)
                if ends_epoch:
                    self._end_epoch()
                else:
                    self._batch += 1
            finally:
                if w is not None:
                    w.prepared = None
            self._apply_lr(groups, lib.sgdr_lr(s._h))

    def _end_epoch(self):
        s = self.scheduler  # its lock is held: step() is the only caller
        st = s._raw(lib.sgdr_on_epoch_end, self._epoch, None, 0)
        if st != Status.OK:
            # Only if the inner scheduler was driven behind this wrapper's back (the
            # snapshot is prepared, there are no lr hooks, epochs are counted here): the
            # batch stays counted and the next step() retries this epoch end first.
            self._batch = self._spe
            s._fail(st)
        self._batch = 0
        self._epoch += 1

    def finish(self):
        """End the run (on_train_end): with a model, load the last end-of-cycle weights."""
        self.scheduler.on_train_end()

    def get_last_lr(self):
        """The lr of every param group, as set by the last step() (like PyTorch's)."""
        self.scheduler._handle()
        return [g["lr"] for g in self.optimizer.param_groups]

    @property
    def snapshots(self):
        """{cycle: state_dict copy} of the kept end-of-cycle weights (empty without model)."""
        self.scheduler._handle()
        return {} if self._weights is None else self._weights.snapshots

    @property
    def epoch(self):
        """Epochs completed: the index of the next epoch to train (after load(), where to
        continue)."""
        self.scheduler._handle()
        return self._epoch

    def lr_at(self, step):
        """The scheduler's learning rate (group 0's at scale 1) of batch `step`."""
        return self.scheduler.lr_at(step)

    def state_dict(self):
        """Everything needed to resume exactly: the libsgdr state blob, the group scales and
        the kept snapshots (torch.save-able)."""
        return {"sgdr_state": self.scheduler.state_bytes(),
                "group_scales": list(self._scales),
                "snapshots": dict(self.snapshots)}

    def load_state_dict(self, state_dict, steps_per_epoch=None):
        """Continue the run saved by state_dict(): counters, schedule and snapshots are
        replaced, and every param group's lr is set to the restored one. With
        `steps_per_epoch`, the run continues with that many batches per epoch (a resume with
        another batch size or number of workers): at the same epoch, with the learning rates
        of a run that had it from the start (see Scheduler.set_params). Refused, with
        nothing changed, where the saved position has no exact counterpart."""
        self.scheduler._handle()
        if not isinstance(state_dict, collections.abc.Mapping) or \
                not {"sgdr_state", "group_scales"} <= state_dict.keys():
            raise SGDRError(Status.ECORRUPT, "load_state_dict: %r is not a state_dict() of an "
                            "sgdr.torch.SGDR (it needs 'sgdr_state' and 'group_scales')"
                            % (type(state_dict).__name__,))
        scales = _scales(self.optimizer.param_groups, state_dict["group_scales"])
        snaps = self._checked_snapshots(state_dict.get("snapshots", {}))
        blob = state_dict["sgdr_state"]
        if steps_per_epoch is not None:
            # changed on a scratch scheduler first, so that a refusal leaves this one as it was
            with Scheduler(0, 1, 1) as probe:
                probe.load_state(blob)
                probe.set_params(steps_per_epoch=steps_per_epoch)
                blob = probe.state_bytes()
        self.scheduler.load_state(blob)
        if self.scheduler.running:
            self.scheduler.on_train_begin()  # the resume path: keeps the counters
        self._scales = scales
        self._spe = int(self.scheduler.get_param("steps_per_epoch"))
        self._batch = self.scheduler.progress(Progress.BATCH_IN_EPOCH)
        self._epoch = self.scheduler.progress(Progress.EPOCH)
        if self._weights is not None:
            self._weights.snapshots = snaps
        self._apply_lr()

    def save(self, path):
        """Write everything a resumed run needs to the file at `path` (replaced whole): this
        state_dict(), the model's and the optimizer's state_dict. Save between batches."""
        self.scheduler._handle()
        buf = io.BytesIO()
        torch.save({"sgdr": self.state_dict(),
                    "model": None if self.model is None else self.model.state_dict(),
                    "optimizer": self.optimizer.state_dict()}, buf)
        payload = buf.getvalue()
        tmp = os.fspath(path) + ".tmp"
        try:
            with open(tmp, "wb") as f:
                f.write(_FILE_MAGIC + hashlib.sha256(payload).digest() + payload)
            os.replace(tmp, path)
        except OSError as e:
            try:
                os.remove(tmp)
            except OSError:
                pass  # never written, or gone: the save's own error is the one to report
            raise SGDRError(Status.EIO, "save: cannot write %s: %s" % (path, e)) from e

    def load(self, path):
        """Continue the run saved by save(path) in an SGDR built the same way: the scheduler,
        the snapshots, the model and the optimizer are replaced, and every group's lr set.
        The file's checksum is verified before anything in it is read; a refused file
        changes nothing."""
        self.scheduler._handle()
        try:
            with open(path, "rb") as f:
                data = f.read()
        except (OSError, TypeError, ValueError) as e:
            raise SGDRError(Status.EIO, "load: cannot read %r: %s" % (path, e)) from e
        head = len(_FILE_MAGIC) + _HASH_BYTES
        if len(data) < head or not data.startswith(_FILE_MAGIC):
            raise SGDRError(Status.EMAGIC, "load: %s is not an sgdr.torch.SGDR checkpoint (it "
                            "does not start with %s)" % (path, _FILE_MAGIC.decode()))
        if hashlib.sha256(data[head:]).digest() != data[len(_FILE_MAGIC):head]:
            raise SGDRError(Status.ECHECKSUM, "load: %s: the checksum does not match (the file "
                            "is damaged or truncated)" % (path,))
        try:
            ck = torch.load(io.BytesIO(data[head:]))
        except Exception as e:  # noqa: BLE001 -- whatever the unpickler raises
            raise SGDRError(Status.ECORRUPT, "load: %s: %s" % (path, e)) from e
        if not isinstance(ck, dict) or not {"sgdr", "model", "optimizer"} <= ck.keys() or \
                (ck["model"] is None) != (self.model is None):
            raise SGDRError(Status.ECORRUPT, "load: %s holds no checkpoint of this setup "
                            "(a model with exactly when this SGDR has one)" % (path,))
        # The model and optimizer first, put back if anything after them is refused
        # (load_state_dict may have copied some tensors before refusing others).
        model_before = None if self.model is None else \
            {k: v.clone() for k, v in self.model.state_dict().items()}
        opt_before = copy.deepcopy(self.optimizer.state_dict())
        try:
            if self.model is not None:
                self.model.load_state_dict(ck["model"])
            self.optimizer.load_state_dict(ck["optimizer"])
            self.load_state_dict(ck["sgdr"])
        except Exception as e:
            if model_before is not None:
                self.model.load_state_dict(model_before)
            self.optimizer.load_state_dict(opt_before)
            if isinstance(e, SGDRError):
                raise
            raise SGDRError(Status.ECORRUPT, "load: %s: %s" % (path, e)) from e

    def _checked_snapshots(self, given):
        """Copies of the snapshots of a state_dict, each checked against the model's own
        state_dict (names, shapes, types), so that a bad one is refused before anything
        changes rather than at the restore."""
        if not isinstance(given, collections.abc.Mapping):
            raise SGDRError(Status.ECORRUPT, "load_state_dict: snapshots (%r) is not a dict "
                            "of cycle -> state_dict" % (type(given).__name__,))
        if self._weights is None:  # no model: there is nothing to keep them for
            return {}
        live = self.model.state_dict()
        out = {}
        for cycle, sd in given.items():
            ok = isinstance(cycle, numbers.Integral) and isinstance(sd, collections.abc.Mapping) \
                and sd.keys() == live.keys() and all(
                    isinstance(v, torch.Tensor) and v.shape == live[k].shape and
                    v.dtype == live[k].dtype for k, v in sd.items())
            if not ok:
                raise SGDRError(Status.ECORRUPT, "load_state_dict: the snapshot of cycle %r is "
                                "not a state_dict of this model" % (cycle,))
            out[int(cycle)] = {k: v.clone() for k, v in sd.items()}
        return out

    def __reduce_ex__(self, protocol):
        raise TypeError("an sgdr.torch.SGDR cannot be copied or pickled (its libsgdr "
                        "scheduler is a C object with Python hooks); save state_dict() and "
                        "load_state_dict() it into a new SGDR")

    def __repr__(self):
        if self.scheduler._h is None:
            return "<sgdr.torch.SGDR (closed)>"
        return "<sgdr.torch.SGDR epoch=%d batch=%d lr=%r>" % (
            self._epoch, self._batch, self.scheduler.lr)
