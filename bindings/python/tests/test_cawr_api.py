# SPDX-License-Identifier: MIT
"""sgdr.torch.CosineAnnealingWarmRestarts as a drop-in: PyTorch's signature, attributes,
errors, warnings and printing; tensor lrs; and the same values as libsgdr's own schedule."""
import copy
import inspect
import math
import pickle
import warnings

import pytest
import torch
import torch.optim.lr_scheduler as ptl

import sgdr
import sgdr.torch

CAWR = sgdr.torch.CosineAnnealingWarmRestarts


def opt(*lrs):
    return torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr}
                            for lr in lrs])


def test_signature_and_base_class_are_pytorchs():
    ours = inspect.signature(CAWR).parameters
    theirs = inspect.signature(ptl.CosineAnnealingWarmRestarts).parameters
    assert list(ours) == list(theirs)
    assert [p.default for p in ours.values()] == [p.default for p in theirs.values()]
    base = getattr(ptl, "LRScheduler", None) or ptl._LRScheduler
    assert isinstance(CAWR(opt(0.1), 3), base)


def test_initial_lr_base_lrs_and_the_same_eta_min_for_every_group():
    o = opt(0.1, 0.02)
    s = CAWR(o, T_0=4, eta_min=0.001)
    assert [g["initial_lr"] for g in o.param_groups] == [0.1, 0.02] == s.base_lrs
    assert (s.T_0, s.T_i, s.T_mult, s.T_cur, s.last_epoch) == (4, 4, 1, 0, 0)
    s.step(2)  # the middle of the cycle: halfway between each group's lr and eta_min
    assert s.get_last_lr() == pytest.approx([0.0505, 0.0105], rel=1e-15)


@pytest.mark.parametrize("args, text", [
    (dict(T_0=0), "Expected positive integer T_0, but got 0"),
    (dict(T_0=2.0), "Expected positive integer T_0, but got 2.0"),
    (dict(T_0=2, T_mult=0), "Expected integer T_mult >= 1, but got 0"),
    (dict(T_0=2, T_mult=1.5), "Expected integer T_mult >= 1, but got 1.5"),
])
def test_bad_arguments_raise_pytorchs_errors(args, text):
    for cls in (CAWR, ptl.CosineAnnealingWarmRestarts):
        with pytest.raises(ValueError, match="^" + text.replace("(", r"\(") + "$"):
            cls(opt(0.1), **args)


def test_bad_epochs_and_eta_min_are_refused():
    s = CAWR(opt(0.1), 2)
    # PyTorch's exception classes (test_cawr_bad_inputs.py compares many more)
    for epoch, cls, text in [(-1, ValueError, "non-negative"), (-0.5, ValueError, "non-negative"),
                             (float("nan"), ValueError, "NaN"), (float("inf"), OverflowError, ""),
                             ("3", TypeError, "")]:
        with pytest.raises(cls, match=text):
            s.step(epoch)
    assert s.last_epoch == 0 and s.get_last_lr() == [0.1]
    with pytest.raises(ValueError, match="eta_min"):
        CAWR(opt(0.1), 2, eta_min=float("nan"))


def test_resume_with_last_epoch_needs_initial_lr_as_in_pytorch():
    for cls in (CAWR, ptl.CosineAnnealingWarmRestarts):
        with pytest.raises(KeyError, match="initial_lr"):
            cls(opt(0.1), 3, last_epoch=5)
    a, b = opt(0.1, 0.3), opt(0.1, 0.3)
    for o in (a, b):
        for g in o.param_groups:
            g["initial_lr"] = g["lr"] * 2
    ours = CAWR(a, 3, T_mult=2, eta_min=0.01, last_epoch=4)
    theirs = ptl.CosineAnnealingWarmRestarts(b, 3, T_mult=2, eta_min=0.01, last_epoch=4)
    assert ours.state_dict() == theirs.state_dict()
    assert ours.base_lrs == [0.2, 0.6]


def test_get_lr_outside_step_warns_as_pytorch_does():
    s = CAWR(opt(0.1), 2)
    with pytest.warns(UserWarning, match="get_last_lr"):
        assert s.get_lr() == [0.1]


def test_verbose_output_is_identical(capsys):
    outs = []
    for cls in (ptl.CosineAnnealingWarmRestarts, CAWR):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            s = cls(opt(0.1, 0.2), 2, verbose=True)
            s.step()
            s.step(2.5)
            s.step(7)
        outs.append(capsys.readouterr().out)
    assert outs[0] == outs[1] and outs[0].count("\n") == 8


def test_a_tensor_lr_is_updated_in_place():
    lr = torch.tensor(0.1, dtype=torch.float64)
    o = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lr},
                         {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.3}])
    s = CAWR(o, 4, eta_min=0.01)
    initial = o.param_groups[0]["initial_lr"]
    assert initial is not lr and float(initial) == 0.1
    for _ in range(3):
        s.step()
    assert o.param_groups[0]["lr"] is lr
    want = 0.01 + (0.1 - 0.01) * (1 + math.cos(math.pi * 3 / 4)) / 2
    assert float(lr) == pytest.approx(want, rel=1e-15) and float(initial) == 0.1
    last = s.get_last_lr()
    s.step()
    assert float(last[0]) == pytest.approx(want, rel=1e-15)  # a snapshot, not the tensor


def test_pickle_and_deepcopy_work_like_pytorchs():
    o = opt(0.1)
    s = CAWR(o, 3, T_mult=2)
    s.step(5.5)
    for c in (copy.deepcopy(s), pickle.loads(pickle.dumps(s))):
        assert c.state_dict() == s.state_dict()


@pytest.mark.parametrize("T_0, T_mult", [(1, 3), (1, 10), (2, 2), (3, 1), (5, 9), (1, 4)])
def test_integer_epochs_give_libsgdrs_values(T_0, T_mult):
    # With one batch per epoch, libsgdr's schedule is the same curve: its lr_at(e) and the
    # drop-in's step(e) agree at every integer epoch, restarts included (121 for 1, 3).
    lib = sgdr.Scheduler(min_lr=1e-4, max_lr=0.5, steps_per_epoch=1, cycle_length=T_0,
                         mult_factor=T_mult)
    o = opt(0.5)
    s = CAWR(o, T_0, T_mult=T_mult, eta_min=1e-4)
    for e in list(range(200)) + [121, 364, 1093, 7381, 29524, 111111]:
        s.step(e)
        assert abs(o.param_groups[0]["lr"] - lib.lr_at(e)) <= 1e-12 * 0.5, e


def test_the_per_batch_pattern_from_pytorchs_documentation():
    o = opt(0.1)
    s = CAWR(o, T_0=1, T_mult=3, eta_min=0.0)
    iters = 4
    seen = []
    for epoch in range(130):
        for i in range(iters):
            s.step(epoch + i / iters)
            seen.append(o.param_groups[0]["lr"])
    for restart in (1, 4, 13, 40, 121):
        assert seen[restart * iters] == 0.1  # every restart is a peak
