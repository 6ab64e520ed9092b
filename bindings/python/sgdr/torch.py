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

Per-group learning rates: group i trains at `lr * group_scales[i]`, where lr is the
scheduler's learning rate (min_lr..max_lr). By default group_scales[i] is group i's lr at
construction divided by group 0's, so group 0 follows the schedule exactly and the others
keep their ratio to it (min_lr is scaled too). Pass group_scales to choose them yourself.
"""
import math

import torch  # noqa: F401 -- `import sgdr.torch` fails at once where PyTorch is missing

from ._cawr import CosineAnnealingWarmRestarts, lr_value, set_group_lr
from ._enums import PHASES, Progress, Status
from ._errors import SGDRError
from ._lib import lib
from .scheduler import Scheduler

__all__ = ["SGDR", "CosineAnnealingWarmRestarts"]


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
    scales = [float(k) for k in given]
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
        if keep_snapshots is not None and keep_snapshots < 1:
            raise SGDRError(Status.EVALUE, "keep_snapshots (%r) must be >= 1 or None"
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
        scales = _scales(self.optimizer.param_groups, state_dict["group_scales"])
        snaps = {int(c): {k: v.clone() for k, v in sd.items()}
                 for c, sd in state_dict.get("snapshots", {}).items()}
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

    def __reduce_ex__(self, protocol):
        raise TypeError("an sgdr.torch.SGDR cannot be copied or pickled (its libsgdr "
                        "scheduler is a C object with Python hooks); save state_dict() and "
                        "load_state_dict() it into a new SGDR")

    def __repr__(self):
        if self.scheduler._h is None:
            return "<sgdr.torch.SGDR (closed)>"
        return "<sgdr.torch.SGDR epoch=%d batch=%d lr=%r>" % (
            self._epoch, self._batch, self.scheduler.lr)
