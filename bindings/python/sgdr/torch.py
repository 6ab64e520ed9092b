"""sgdr.torch.SGDR: libsgdr as a PyTorch learning-rate scheduler.

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

from ._enums import Progress, Status
from ._errors import SGDRError
from ._lib import lib
from .scheduler import Scheduler


class _WeightKeeper:
    """The weight hooks for a torch module: copies of its state_dict at cycle ends, on the
    tensors' own devices. Keeps the `keep` most recent (all when keep is None)."""

    def __init__(self, model, keep):
        self.model = model
        self.keep = keep
        self.snapshots = {}  # cycle -> {name: tensor}

    def snapshot(self, cycle):
        # A retried cycle overwrites its own copy (hooks are idempotent per cycle).
        self.snapshots[cycle] = {k: v.detach().clone()
                                 for k, v in self.model.state_dict().items()}
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
        ref = groups[0]["lr"]
        if not (isinstance(ref, (int, float)) and math.isfinite(ref) and ref > 0):
            raise SGDRError(Status.EVALUE, "group_scales: the first param group's lr (%r) "
                            "must be a positive number to scale the other groups by; pass "
                            "group_scales explicitly" % (ref,))
        return [g["lr"] / ref for g in groups]
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

    def __init__(self, optimizer, min_lr, max_lr, steps_per_epoch, lr_decay=1,
                 cycle_length=10, mult_factor=2, *, restart_mode="peak", warmup_epochs=0,
                 warmup_start_lr=0.0, max_cycles=0, restore_at_end=True, history=False,
                 model=None, keep_snapshots=1, group_scales=None, cycle_warmup_steps=0):
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
        # step() is the hot path: the C functions and the handle are looked up once here.
        self._h = self.scheduler._h
        self._batch_end = lib.sgdr_on_batch_end
        self._epoch_end = lib.sgdr_on_epoch_end
        self._lr = lib.sgdr_lr
        self._batch = 0  # batches counted in the current epoch
        self._epoch = 0  # epochs completed
        self.scheduler.on_train_begin()
        self._apply_lr()

    def _apply_lr(self):
        # optimizer.param_groups is looked up every time: Optimizer.load_state_dict()
        # replaces the list.
        groups = self.optimizer.param_groups
        if len(groups) != len(self._scales):
            raise SGDRError(Status.EVALUE, "the optimizer has %d param groups but the "
                            "scheduler was set up for %d" % (len(groups), len(self._scales)))
        lr = self._lr(self._h)
        for g, k in zip(groups, self._scales):
            g["lr"] = lr * k

    def _end_epoch(self):
        st = self._epoch_end(self._h, self._epoch, None, 0)
        if st != Status.OK:
            # Leave the optimizer at the scheduler's lr; the next step() retries this end.
            self._apply_lr()
            self.scheduler._fail(st)
        self._batch = 0
        self._epoch += 1

    def step(self):
        """Count one trained batch and set the next batch's lr in every param group; after
        every steps_per_epoch batches also end the epoch (restart, snapshot)."""
        if self._batch == self._spe:  # an epoch end that failed last time: retry it first
            self._end_epoch()
        st = self._batch_end(self._h, self._batch, None, 0)
        if st != Status.OK:
            self.scheduler._fail(st)
        self._batch += 1
        if self._batch == self._spe:
            self._end_epoch()
        self._apply_lr()

    def finish(self):
        """End the run (on_train_end): with a model, load the last end-of-cycle weights."""
        self.scheduler.on_train_end()

    def get_last_lr(self):
        """The lr of every param group, as set by the last step() (like PyTorch's)."""
        return [g["lr"] for g in self.optimizer.param_groups]

    @property
    def snapshots(self):
        """{cycle: state_dict copy} of the kept end-of-cycle weights (empty without model)."""
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

    def load_state_dict(self, state_dict):
        """Continue the run saved by state_dict(): counters, schedule and snapshots are
        replaced, and every param group's lr is set to the restored one."""
        scales = _scales(self.optimizer.param_groups, state_dict["group_scales"])
        snaps = {int(c): {k: v.clone() for k, v in sd.items()}
                 for c, sd in state_dict.get("snapshots", {}).items()}
        self.scheduler.load_state(state_dict["sgdr_state"])
        if self.scheduler.running:
            self.scheduler.on_train_begin()  # the resume path: keeps the counters
        self._scales = scales
        self._spe = int(self.scheduler.get_param("steps_per_epoch"))
        self._batch = self.scheduler.progress(Progress.BATCH_IN_EPOCH)
        self._epoch = self.scheduler.progress(Progress.EPOCH)
        if self._weights is not None:
            self._weights.snapshots = snaps
        self._apply_lr()

    def __repr__(self):
        return "<sgdr.torch.SGDR epoch=%d batch=%d lr=%r>" % (
            self._epoch, self._batch, self._lr(self._h))
