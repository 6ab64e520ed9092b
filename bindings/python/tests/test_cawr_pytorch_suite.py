# SPDX-License-Identifier: MIT
"""PyTorch's own CosineAnnealingWarmRestarts tests, run against the drop-in
sgdr.torch.CosineAnnealingWarmRestarts.

The cases (configurations, epoch sequences, expected T_cur/T_i values, the two-group
optimizer with lrs 0.05 and 0.5, eta_min 1e-10) are those of test_CosineAnnealingWarmRestarts_
lr1, _lr2, _lr3 and _lr_state_dict in PyTorch's test/optim/test_lrscheduler.py (PyTorch,
BSD-3-Clause licence, Copyright (c) Facebook, Inc. and its affiliates and the PyTorch
contributors); the code here is written for this project. PyTorch checks with an absolute
tolerance of 1e-5; here the tolerance is 1e-12 of the group's lr. Each test also runs
against PyTorch's own scheduler, which shows that the port asks what PyTorch's tests ask.
"""
import math

import pytest
import torch
import torch.optim.lr_scheduler

import sgdr.torch

ETA_MIN = 1e-10
BASE = (0.05, 0.5)


@pytest.fixture(params=["sgdr", "pytorch"])
def CAWR(request):
    return {"sgdr": sgdr.torch.CosineAnnealingWarmRestarts,
            "pytorch": torch.optim.lr_scheduler.CosineAnnealingWarmRestarts}[request.param]


def two_groups():
    """PyTorch's test optimizer: two param groups, the default lr 0.05 and 0.5."""
    return torch.optim.SGD(
        [{"params": [torch.nn.Parameter(torch.zeros(3))]},
         {"params": [torch.nn.Parameter(torch.zeros(2))], "lr": 0.5}], lr=0.05)


def cosine(base, T_cur, T_i):
    return ETA_MIN + (base - ETA_MIN) * (1 + math.cos(math.pi * T_cur / T_i)) / 2


def check(opt, want, where):
    for group, base, lr in zip(opt.param_groups, BASE, want):
        assert abs(group["lr"] - lr) <= 1e-12 * base, (where, group["lr"], lr)


@pytest.mark.parametrize("T_mult", [1, 2, 4])
def test_lr1_step_by_step(CAWR, T_mult):
    # 100 epochs of step(); the expected T_cur/T_i follow the restart rule by hand.
    opt = two_groups()
    sched = CAWR(opt, T_0=10, T_mult=T_mult, eta_min=ETA_MIN)
    T_cur, T_i = 0, 10
    check(opt, BASE, 0)
    for epoch in range(1, 100):
        opt.step()
        sched.step()
        T_cur += 1
        if T_cur >= T_i:
            T_cur, T_i = T_cur - T_i, T_i * T_mult
        check(opt, [cosine(b, T_cur, T_i) for b in BASE], epoch)


@pytest.mark.parametrize("T_mult", [1, 2, 4])
def test_lr2_fractional_epochs(CAWR, T_mult):
    # step(epoch) at epochs 0, 0.1, ..., 29.9 (torch.arange rounded to one decimal).
    opt = two_groups()
    sched = CAWR(opt, T_0=10, T_mult=T_mult, eta_min=ETA_MIN)
    T_cur, T_i = 0.0, 10
    for index, e in enumerate(torch.arange(0, 30, 0.1)):
        epoch = round(e.item(), 1)
        if index:
            T_cur = round(T_cur + 0.1, 1)
            if T_cur >= T_i:
                T_cur, T_i = T_cur - T_i, T_i * T_mult
        sched.step(epoch)
        check(opt, [cosine(b, T_cur, T_i) for b in BASE], epoch)


LR3 = [  # T_mult, the epochs passed to step(epoch), then the expected (T_cur, T_i)
    (1, [0, 1, 2, 3, 4, 5, 12, 27, 3, 4, 5, 6, 13],
     [(1, 10), (2, 10), (3, 10), (4, 10), (5, 10), (2, 10), (7, 10), (3, 10), (4, 10),
      (5, 10), (6, 10), (3, 10)]),
    (2, [0, 1, 2, 3, 4, 5, 25, 32, 33, 34, 80, 81, 3],
     [(1, 10), (2, 10), (3, 10), (4, 10), (5, 10), (15, 20), (2, 40), (3, 40), (4, 40),
      (10, 80), (11, 80), (3, 10)]),
    (3, [0, 0.1, 0.2, 0.3, 1.3, 2.3, 17.5, 18.5, 19.5, 29.5, 30.5, 31.5, 50],
     [(0.1, 10), (0.2, 10), (0.3, 10), (1.3, 10), (2.3, 10), (7.5, 30), (8.5, 30),
      (9.5, 30), (19.5, 30), (20.5, 30), (21.5, 30), (10, 90)]),
]


@pytest.mark.parametrize("T_mult, epochs, positions", LR3)
def test_lr3_interleaved_epochs(CAWR, T_mult, epochs, positions):
    # Jumps forwards and backwards; the first step(0) is the constructor's epoch again.
    opt = two_groups()
    sched = CAWR(opt, T_0=10, T_mult=T_mult, eta_min=ETA_MIN)
    want = [BASE] + [[cosine(b, c, i) for b in BASE] for c, i in positions]
    for epoch, lrs in zip(epochs, want):
        sched.step(epoch)
        check(opt, lrs, epoch)


def test_lr_state_dict(CAWR):
    # Ten steps, then the state dict into a scheduler built with other arguments: every
    # attribute but the optimizer, and get_last_lr(), are then equal.
    opt = two_groups()
    sched = CAWR(opt, T_0=10, T_mult=2)
    for _ in range(10):
        opt.step()
        sched.step()
    other = CAWR(opt, T_0=100)
    other.load_state_dict(sched.state_dict())
    for key, value in sched.__dict__.items():
        if key != "optimizer":
            assert other.__dict__[key] == value, key
    assert other.get_last_lr() == sched.get_last_lr()
