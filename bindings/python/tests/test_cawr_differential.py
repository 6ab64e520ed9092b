# SPDX-License-Identifier: MIT
"""sgdr.torch.CosineAnnealingWarmRestarts against PyTorch's scheduler of that name, driven
through the same random sequences of step(), step(int), step(float), state_dict() /
load_state_dict() (also across the two implementations) and construction with last_epoch,
on optimizers with one to three param groups (a float64 tensor lr among them).

Everywhere the two agree within 1e-12 of each group's lr, and their T_cur, T_i and
last_epoch are equal, except after a step(epoch) where PyTorch's logarithm picks the wrong
cycle. Those points are found exactly here (rational arithmetic on the epoch); there the
drop-in must give the exact value, and PyTorch's state is then corrected to the exact one so
that the comparison goes on.
"""
import math
import random
import warnings
from fractions import Fraction

import pytest
import torch
from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts as TorchCAWR

import sgdr.torch

SEQUENCES = 400
OPS = 150
SEEDS = range(SEQUENCES)
# What the sequences met, for the summary test at the end.
SEEN = {"compared": 0, "max_rel": 0.0, "pytorch_wrong": set()}


def cycle_start(T_0, T_mult, n):
    return T_0 * n if T_mult == 1 else T_0 * (T_mult ** n - 1) // (T_mult - 1)


def exact_position(epoch, T_0, T_mult):
    """(n, T_cur as a Fraction, T_i) of epoch >= 0, by rational arithmetic."""
    e = Fraction(epoch)
    n = 0
    while e >= cycle_start(T_0, T_mult, n + 1):
        n += 1
    return n, e - cycle_start(T_0, T_mult, n), T_0 * T_mult ** n


def pytorch_cycle(epoch, T_0, T_mult):
    """The cycle PyTorch 1.13's step(epoch) takes for epoch >= T_0, T_mult > 1."""
    return int(math.log((epoch / T_0 * (T_mult - 1) + 1), T_mult))


def optimizers(rng):
    groups = []
    for i in range(rng.randint(1, 3)):
        lr = rng.choice([0.05, 0.5, 1.0, rng.uniform(1e-4, 2.0)])
        groups.append(lr)
    tensor_group = rng.random() < 0.3

    def make():
        params = []
        for i, lr in enumerate(groups):
            if tensor_group and i == len(groups) - 1:
                lr = torch.tensor(lr, dtype=torch.float64)
            params.append({"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr})
        return torch.optim.SGD(params, lr=0.1)
    return make(), make(), groups


def lrs(opt):
    return [float(g["lr"]) for g in opt.param_groups]


def random_epoch(rng, T_0, T_mult):
    kind = rng.random()
    if kind < 0.3:
        return rng.randint(0, 10 ** rng.randint(1, 6))
    if kind < 0.55:
        iters = rng.randint(1, 500)
        return rng.randint(0, 10 ** rng.randint(1, 5)) + rng.randrange(iters) / iters
    # Near a restart, where a logarithm can go wrong.
    n = rng.randint(0, 30 if T_mult == 1 else max(1, int(40 / math.log2(T_mult + 1))))
    s = cycle_start(T_0, T_mult, n)
    iters = rng.randint(2, 400)
    return rng.choice([s, float(s), s + 1 / iters, s - 1 / iters if s else 0,
                       math.nextafter(float(s), math.inf), s + rng.randrange(iters) / iters,
                       math.nextafter(float(s), -math.inf) if s else 0.0])


class Pair:
    def __init__(self, rng, last_epoch=-1, pair=None):
        if pair is None:
            self.opt_t, self.opt_s, self.base = optimizers(rng)
            self.T_0 = rng.randint(1, 10)
            self.T_mult = rng.choice([1, 1, 2, 2, 3, 3, 4, 5, 7, 10])
            self.eta_min = rng.choice([0.0, 1e-10, 1e-6, rng.uniform(0, 1e-2)])
        else:
            self.__dict__.update({k: getattr(pair, k) for k in
                                  ("opt_t", "opt_s", "base", "T_0", "T_mult", "eta_min")})
        args = dict(T_0=self.T_0, T_mult=self.T_mult, eta_min=self.eta_min,
                    last_epoch=last_epoch)
        self.ref = TorchCAWR(self.opt_t, **args)
        self.ours = sgdr.torch.CosineAnnealingWarmRestarts(self.opt_s, **args)

    def step(self, epoch):
        wrong = None
        if epoch is not None and epoch >= self.T_0 and self.T_mult > 1:
            n, T_cur, T_i = exact_position(epoch, self.T_0, self.T_mult)
            if pytorch_cycle(epoch, self.T_0, self.T_mult) != n:
                wrong = (T_cur, T_i)
        self.ref.step(epoch)
        self.ours.step(epoch)
        if wrong is None:
            return
        # PyTorch took the wrong cycle: the drop-in must be exact; then PyTorch's state is
        # put right, so that both go on from the same place.
        T_cur, T_i = wrong
        SEEN["pytorch_wrong"].add((self.T_0, self.T_mult, epoch))
        assert self.ours.T_i == T_i and Fraction(self.ours.T_cur) == T_cur
        cos = math.cos(math.pi * float(T_cur / T_i))
        for lr, base in zip(lrs(self.opt_s), self.base):
            exact = self.eta_min + (base - self.eta_min) * (1 + cos) / 2
            assert abs(lr - exact) <= 1e-12 * base
        self.ref.T_cur, self.ref.T_i = self.ours.T_cur, self.ours.T_i
        for g, lr in zip(self.opt_t.param_groups, lrs(self.opt_s)):
            g["lr"] = lr
        self.ref._last_lr = lrs(self.opt_s)

    def compare(self, where):
        assert (self.ours.T_i, self.ours.T_cur, self.ours.last_epoch) == \
            (self.ref.T_i, self.ref.T_cur, self.ref.last_epoch), where
        assert self.ours.base_lrs == self.ref.base_lrs
        for a, b, base in zip(lrs(self.opt_s), lrs(self.opt_t), self.base):
            rel = abs(a - b) / base
            SEEN["max_rel"] = max(SEEN["max_rel"], rel)
            assert rel <= 1e-12, (where, a, b)
        for a, b, base in zip(self.ours.get_last_lr(), self.ref.get_last_lr(), self.base):
            assert abs(float(a) - float(b)) <= 1e-12 * base, where
        SEEN["compared"] += 1


@pytest.mark.parametrize("seed", SEEDS)
def test_same_random_sequence(seed):
    rng = random.Random(seed)
    p = Pair(rng)
    p.compare("construction")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PyTorch's step(epoch) deprecation warning
        for op in range(OPS):
            r = rng.random()
            if r < 0.45:
                p.step(None)
            elif r < 0.88:
                p.step(random_epoch(rng, p.T_0, p.T_mult))
            elif r < 0.96:
                # A checkpoint: new schedulers (other arguments) load the state dicts;
                # half the time each loads the other implementation's.
                sd_t, sd_s = p.ref.state_dict(), p.ours.state_dict()
                assert sd_s.keys() == sd_t.keys()
                if rng.random() < 0.5:
                    sd_t, sd_s = sd_s, sd_t
                q = Pair(rng, pair=p)
                q.ref.load_state_dict(sd_t)
                q.ours.load_state_dict(sd_s)
                p = q
            else:
                # Resume by construction: last_epoch=k with initial_lr in the groups.
                p = Pair(rng, last_epoch=rng.randint(0, 3 * p.T_0), pair=p)
            p.compare((seed, op))


def test_zz_the_sequences_met_what_they_are_for():
    # Runs after the sequences (pytest keeps the file's order): they compared many points
    # and met restarts where PyTorch's logarithm is wrong, including T_0=1, T_mult=3 at 121.
    assert SEEN["compared"] >= SEQUENCES * OPS
    assert SEEN["max_rel"] <= 1e-12
    assert len(SEEN["pytorch_wrong"]) >= 10
    print("\ndifferential: %d comparisons, max deviation %.3g * lr, %d points where PyTorch "
          "takes the wrong cycle" % (SEEN["compared"], SEEN["max_rel"],
                                     len(SEEN["pytorch_wrong"])))


@pytest.mark.parametrize("T_0, T_mult, epoch", [(1, 3, 121), (1, 3, 121.0)])
def test_the_restart_pytorch_misses(T_0, T_mult, epoch):
    pair = Pair(random.Random(0))
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5)
    s = sgdr.torch.CosineAnnealingWarmRestarts(opt, T_0=T_0, T_mult=T_mult, eta_min=1e-4)
    s.step(epoch)
    assert (s.T_cur, s.T_i) == (0, 243) and opt.param_groups[0]["lr"] == 0.5
    ref_opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.5)
    ref = TorchCAWR(ref_opt, T_0=T_0, T_mult=T_mult, eta_min=1e-4)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref.step(epoch)
    assert (ref.T_cur, ref.T_i) == (81, 81)  # the end of the fifth cycle: eta_min
    assert abs(ref_opt.param_groups[0]["lr"] - 1e-4) <= 1e-15
    del pair
