# SPDX-License-Identifier: MIT
"""sgdr.torch.SGDR against PyTorch's own CosineAnnealingWarmRestarts, stepped with
fractional epochs after every batch (the way PyTorch documents per-batch use)."""
import itertools
import warnings

import pytest
import torch
from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts

import sgdr
import sgdr.torch


def pytorch_lrs(base_lrs, min_lr, spe, cycle_length, mult, epochs):
    """Every param group's lr after construction and after each batch's step()."""
    opt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr}
                           for lr in base_lrs])
    ref = CosineAnnealingWarmRestarts(opt, T_0=cycle_length, T_mult=mult, eta_min=min_lr)
    out = [[g["lr"] for g in opt.param_groups]]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # step(epoch) is deprecated but documented here
        for epoch in range(epochs):
            for batch in range(spe):
                ref.step(epoch + (batch + 1) / spe)
                out.append([g["lr"] for g in opt.param_groups])
    return out


def sgdr_lrs(base_lrs, min_lr, spe, cycle_length, mult, epochs):
    opt = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr}
                           for lr in base_lrs])
    s = sgdr.torch.SGDR(opt, min_lr, base_lrs[0], spe, cycle_length=cycle_length,
                        mult_factor=mult)
    out = [s.get_last_lr()]
    for _ in range(epochs * spe):
        s.step()
        out.append([g["lr"] for g in opt.param_groups])
    return out


def epochs_for(cycle_length, mult, cycles):
    return sum(cycle_length * mult ** k for k in range(cycles))


# cycle_length x mult_factor x steps_per_epoch x (min_lr, max_lr), each over several
# cycles. PyTorch finds the cycle of a fractional epoch with a floating-point logarithm,
# which lands one cycle short at some restarts (T_mult=3: the fifth restart); the runs
# stop before that (see test_restart_where_pytorch_closed_form_is_not_exact).
CONFIGS = [(c, m, spe, lrs, epochs_for(c, m, 4 if m == 3 else 5))
           for c, m, spe, lrs in itertools.product(
               (1, 2, 3, 5), (1, 2, 3), (1, 7, 32), ((0.0, 0.1), (1e-4, 0.5), (3e-5, 2.0)))]
CONFIGS += [(10, 2, 391, (1e-5, 0.05), 30), (10, 1, 50, (0.001, 0.01), 45),
            (1, 4, 3, (0.0, 1.0), epochs_for(1, 4, 5))]


@pytest.mark.parametrize("cycle_length, mult, spe, lrs, epochs", CONFIGS)
def test_matches_cosine_annealing_warm_restarts(cycle_length, mult, spe, lrs, epochs):
    min_lr, max_lr = lrs
    ours = sgdr_lrs([max_lr], min_lr, spe, cycle_length, mult, epochs)
    theirs = pytorch_lrs([max_lr], min_lr, spe, cycle_length, mult, epochs)
    assert len(ours) == len(theirs) == epochs * spe + 1
    worst = max(abs(a[0] - b[0]) for a, b in zip(ours, theirs))
    assert worst <= 1e-12 * max_lr


def test_param_groups_keep_their_ratio_like_base_lrs():
    # With min_lr 0 PyTorch's per-group base_lrs scale the whole curve, as group_scales do.
    base = [0.1, 0.01, 0.35]
    ours = sgdr_lrs(base, 0.0, 5, 2, 2, 14)
    theirs = pytorch_lrs(base, 0.0, 5, 2, 2, 14)
    for a, b in zip(ours, theirs):
        for x, y, lr in zip(a, b, base):
            assert abs(x - y) <= 1e-12 * lr


def test_restart_where_pytorch_closed_form_is_not_exact():
    # T_0=1, T_mult=3: cycles start at epochs 0, 1, 4, 13, 40, 121. PyTorch computes the
    # cycle of epoch 121 as int(log(243, 3)) = 4 (log gives 4.999...), so step(121) puts
    # the lr at the end of cycle 4 (eta_min) instead of the peak of cycle 5.
    min_lr, max_lr = 1e-4, 0.5
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=max_lr)
    ref = CosineAnnealingWarmRestarts(opt, T_0=1, T_mult=3, eta_min=min_lr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.step(121)
    assert abs(opt.param_groups[0]["lr"] - min_lr) <= 1e-12 * max_lr

    s = sgdr.Scheduler(min_lr, max_lr, 1, cycle_length=1, mult_factor=3)
    peak = s.lr_at(0)
    assert abs(peak - max_lr) <= 1e-15
    for restart in (1, 4, 13, 40, 121, 364, 1093):
        assert s.lr_at(restart) == peak
        assert s.lr_at(restart + 1) < peak

    # The torch scheduler sets exactly that value in the optimizer at step 121.
    opt2 = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=max_lr)
    t = sgdr.torch.SGDR(opt2, min_lr, max_lr, 1, cycle_length=1, mult_factor=3)
    for _ in range(121):
        t.step()
    assert opt2.param_groups[0]["lr"] == peak
