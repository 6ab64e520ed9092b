# SPDX-License-Identifier: MIT
"""sgdr.torch.CosineAnnealingWarmRestarts: PyTorch's scheduler of that name, with the same
signature, attributes (T_0, T_i, T_mult, eta_min, T_cur, base_lrs, last_epoch), state_dict
and step()/step(epoch) behaviour, except that step(epoch) finds the cycle of an epoch
exactly. PyTorch computes it as int(log(epoch / T_0 * (T_mult - 1) + 1, T_mult)), a
floating-point logarithm that lands one cycle short (or long) at some restarts: for T_0=1,
T_mult=3, step(121) gives eta_min instead of the peak that starts the sixth cycle. Here the
cycle starts T_0 * (T_mult^n - 1) / (T_mult - 1) are walked in integers and compared with
the epoch exactly (Python compares ints and floats exactly), so every restart is a peak.
"""
import inspect
import math
import numbers
import warnings

import torch
from torch.optim import lr_scheduler as _sched

# torch 2.x names the base class LRScheduler; 1.13 only _LRScheduler.
_Base = getattr(_sched, "LRScheduler", None) or _sched._LRScheduler
# The installed PyTorch's default for verbose (False in 1.13, "deprecated" in later ones).
_VERBOSE = inspect.signature(_sched.CosineAnnealingWarmRestarts).parameters["verbose"].default


def lr_value(lr):
    """A param group's lr as a number (it may be a one-element tensor)."""
    return lr.item() if isinstance(lr, torch.Tensor) else lr


def set_group_lr(group, lr):
    """Set a param group's lr; a tensor lr is updated in place (optimizers may hold it)."""
    old = group["lr"]
    # type() first: isinstance() on torch.Tensor goes through its metaclass, which costs
    # more than the rest of a step.
    if type(old) is not float and isinstance(old, torch.Tensor):
        old.fill_(lr)
    else:
        group["lr"] = lr


def cycle_of(epoch, T_0, T_mult):
    """(T_cur, T_i) of `epoch` (a number >= 0): its distance from the start of its cycle and
    that cycle's length, with the cycle found exactly."""
    if epoch < T_0:
        return epoch, T_0
    if T_mult == 1:
        return epoch % T_0, T_0
    start, length = 0, T_0
    while epoch >= start + length:
        start += length
        length *= T_mult
    # An int epoch is subtracted exactly, then rounded once; a float one as PyTorch does.
    return (float(epoch - start) if isinstance(epoch, int) else epoch - start), length


class CosineAnnealingWarmRestarts(_Base):
    """torch.optim.lr_scheduler.CosineAnnealingWarmRestarts with exact restarts.

    Every param group anneals from its own initial lr (`initial_lr`, as PyTorch sets it) to
    eta_min over T_i epochs, then restarts with T_i *= T_mult. step() advances one epoch;
    step(epoch) jumps to any epoch, integer or fractional (step(epoch + i / iters) after
    every batch), earlier or later. A tensor lr is updated in place.
    """

    def __init__(self, optimizer, T_0, T_mult=1, eta_min=0.0, last_epoch=-1,
                 verbose=_VERBOSE):
        # PyTorch's tests, in its order: a str, None or a list fails the comparison with
        # TypeError, a tensor of several values fails its truth value with RuntimeError.
        if T_0 <= 0 or not isinstance(T_0, int):
            raise ValueError("Expected positive integer T_0, but got {}".format(T_0))
        if T_mult < 1 or not isinstance(T_mult, int):
            raise ValueError("Expected integer T_mult >= 1, but got {}".format(T_mult))
        # PyTorch takes any eta_min and fails (silently) when computing with it; here a
        # value it cannot compute with raises that error from the first step(), and one
        # that would make every rate NaN or infinite is refused now.
        if isinstance(eta_min, torch.Tensor) and eta_min.numel() != 1:
            raise ValueError("Expected a number eta_min, but got a tensor of {} values"
                             .format(eta_min.numel()))
        if isinstance(eta_min, float) and not math.isfinite(eta_min):
            raise ValueError("Expected a finite number eta_min, but got {}".format(eta_min))
        self.T_0 = T_0
        self.T_i = T_0
        self.T_mult = T_mult
        self.eta_min = eta_min
        self.T_cur = last_epoch
        if last_epoch == -1 and hasattr(optimizer, "param_groups"):
            # The base class would keep the group's own tensor as initial_lr, which the
            # in-place updates would then change.
            for group in optimizer.param_groups:
                if isinstance(group["lr"], torch.Tensor):
                    group.setdefault("initial_lr", group["lr"].detach().clone())
        super().__init__(optimizer, last_epoch, verbose)

    def get_lr(self):
        if not getattr(self, "_get_lr_called_within_step", False):
            warnings.warn("To get the last learning rate computed by the scheduler, "
                          "please use `get_last_lr()`.", UserWarning)
        anneal = (1 + math.cos(math.pi * self.T_cur / self.T_i)) / 2
        eta_min = lr_value(self.eta_min)
        return [eta_min + (lr_value(base_lr) - eta_min) * anneal for base_lr in self.base_lrs]

    def step(self, epoch=None):
        """Advance one epoch, or go to `epoch` (any number >= 0, e.g. epoch + i / iters
        after batch i)."""
        if epoch is None and self.last_epoch < 0:
            epoch = 0
        if epoch is None:
            epoch = self.last_epoch + 1
            self.T_cur = self.T_cur + 1
            if self.T_cur >= self.T_i:
                self.T_cur = self.T_cur - self.T_i
                self.T_i = self.T_i * self.T_mult
        else:
            # PyTorch's comparison first (a str or None: TypeError), then its floor (NaN:
            # ValueError, inf: OverflowError), before anything changes.
            if epoch < 0:
                raise ValueError("Expected non-negative epoch, but got {}".format(epoch))
            epoch = lr_value(epoch)
            math.floor(epoch)
            self.T_cur, self.T_i = cycle_of(epoch, self.T_0, self.T_mult)
        self.last_epoch = math.floor(epoch)

        self._get_lr_called_within_step = True
        try:
            values = self.get_lr()
        finally:
            self._get_lr_called_within_step = False
        for lr in values:
            if not math.isfinite(lr):
                raise ValueError("the learning rate computed at epoch {} is {} (eta_min {})"
                                 .format(epoch, lr, self.eta_min))
        for i, (group, lr) in enumerate(zip(self.optimizer.param_groups, values)):
            set_group_lr(group, lr)
            if self.verbose:
                self.print_lr(self.verbose, i, lr, epoch)
        # A snapshot: a tensor lr is the group's own tensor, which later steps update.
        self._last_lr = [lr.clone() if isinstance(lr, torch.Tensor) else lr
                         for lr in (group["lr"] for group in self.optimizer.param_groups)]
