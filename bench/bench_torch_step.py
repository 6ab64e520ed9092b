# SPDX-License-Identifier: MIT
"""Time sgdr.torch.SGDR.step() against PyTorch's own CosineAnnealingWarmRestarts.step().

    SGDR_LIBRARY=build/release/libsgdr.so.1 /usr/bin/python3 bench/bench_torch_step.py [--reps N] [--steps N]

Each scheduler drives its own torch.optim.SGD over the same parameters; only the scheduler's
step() is timed (the optimizer is stepped once beforehand, as a training loop would). Every
repetition times each variant once, in an order that rotates from one repetition to the
next, and the ratio is taken within the repetition, so machine noise falls on all alike.

Variants:
  sgdr      sgdr.torch.SGDR.step(), once per batch
  torch     CosineAnnealingWarmRestarts.step(), T_0 in batches (one call per batch)
  torch-ep  CosineAnnealingWarmRestarts.step(epoch + batch / steps_per_epoch), the per-batch
            form PyTorch documents, T_0 in epochs
Then the parts of sgdr's step(), each timed alone, to show where its time goes.
The target is sgdr at least 3x faster than torch (the cheaper of PyTorch's two forms).
Speed is never asserted: the exit status is non-zero only if something failed.
"""
import argparse
import os
import statistics
import sys
import time
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "bindings", "python"))

import torch  # noqa: E402
from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts  # noqa: E402

import sgdr  # noqa: E402
import sgdr.torch  # noqa: E402
from sgdr._lib import lib  # noqa: E402

TARGET = 3.0
MIN_LR, MAX_LR, SPE, CYCLE, MULT = 1e-4, 0.1, 100, 2, 2


def summary(xs):
    """min, median, p90 of a list."""
    s = sorted(xs)
    return s[0], statistics.median(s), s[max(0, -(-len(s) * 9 // 10) - 1)]


def make_optimizer(params):
    opt = torch.optim.SGD(params, lr=MAX_LR, momentum=0.9)
    opt.step()  # as after the first batch: PyTorch warns if its scheduler steps first
    return opt


class Variant:
    """One scheduler and its optimizer; run(n) times n calls of its step and returns ns."""

    def __init__(self, name, params):
        self.name = name
        self.params = params
        self.reset()

    def reset(self):
        opt = make_optimizer(self.params)
        self.batch = 0
        if self.name == "sgdr":
            s = sgdr.torch.SGDR(opt, MIN_LR, MAX_LR, SPE, cycle_length=CYCLE,
                                mult_factor=MULT)
            self.step = s.step
            self.lr = lambda: opt.param_groups[0]["lr"]
        elif self.name == "torch":
            s = CosineAnnealingWarmRestarts(opt, T_0=SPE * CYCLE, T_mult=MULT, eta_min=MIN_LR)
            self.step = s.step
            self.lr = lambda: opt.param_groups[0]["lr"]
        else:
            s = CosineAnnealingWarmRestarts(opt, T_0=CYCLE, T_mult=MULT, eta_min=MIN_LR)
            self.sched = s
            self.step = self._step_fractional
            self.lr = lambda: opt.param_groups[0]["lr"]
        self.scheduler = s

    def _step_fractional(self):
        self.batch += 1
        self.sched.step(self.batch / SPE)

    def run(self, n):
        step = self.step
        t0 = time.perf_counter_ns()
        for _ in range(n):
            step()
        return time.perf_counter_ns() - t0


def check_agreement(params, n):
    """The three schedules hand the optimizer the same learning rates (so the comparison is
    of like with like): within 1e-12 * max_lr over n batches."""
    vs = [Variant(name, params) for name in ("sgdr", "torch", "torch-ep")]
    for i in range(n):
        for v in vs:
            v.step()
        lrs = [v.lr() for v in vs]
        if max(lrs) - min(lrs) > 1e-9 * MAX_LR:
            raise SystemExit("bench: batch %d: the schedulers disagree: %r" % (i, lrs))


def time_parts(params, n, reps):
    """ns per call of the pieces of SGDR.step(): the ctypes call of sgdr_on_batch_end,
    the ctypes call of sgdr_lr, and setting the lr of the param groups."""
    opt = make_optimizer(params)
    s = sgdr.torch.SGDR(opt, MIN_LR, MAX_LR, 10 ** 9, cycle_length=1, mult_factor=MULT)
    h, batch_end, lr = s.scheduler._h, lib.sgdr_on_batch_end, lib.sgdr_lr
    parts = {"ctypes sgdr_on_batch_end": [], "ctypes sgdr_lr": [],
             "set param_groups lr (_apply_lr)": [], "whole step()": [], "empty loop": []}
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        for i in range(n):
            batch_end(h, i, None, 0)
        t1 = time.perf_counter_ns()
        for _ in range(n):
            lr(h)
        t2 = time.perf_counter_ns()
        for _ in range(n):
            s._apply_lr()
        t3 = time.perf_counter_ns()
        for _ in range(n):
            s.step()
        t4 = time.perf_counter_ns()
        for _ in range(n):
            pass
        t5 = time.perf_counter_ns()
        for key, t in zip(parts, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)):
            parts[key].append(t / n)
    return {k: summary(v) for k, v in parts.items()}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--reps", type=int, default=31)
    ap.add_argument("--steps", type=int, default=2000, help="steps per variant per repetition")
    args = ap.parse_args()
    if args.reps < 1 or args.steps < 1:
        ap.error("--reps and --steps must be positive")
    warnings.simplefilter("error")  # a scheduler warning would be timed too: fail instead
    torch.set_num_threads(1)
    torch.manual_seed(0)
    model = torch.nn.Linear(64, 10)
    params = list(model.parameters())

    print("sgdr.torch.SGDR.step() against torch.optim.lr_scheduler.CosineAnnealingWarmRestarts"
          ".step()")
    print("torch %s, python %s, libsgdr %s at %s" % (
        torch.__version__, sys.version.split()[0], sgdr.version(),
        sgdr.library_path))
    print("%d repetitions of %d steps per variant, interleaved; SGD(momentum=0.9), "
          "%d batches per epoch" % (args.reps, args.steps, SPE))
    check_agreement(params, 3 * SPE * CYCLE)

    names = ("sgdr", "torch", "torch-ep")
    variants = {n: Variant(n, params) for n in names}
    ns = {n: [] for n in names}
    ratio = {n: [] for n in names}
    for r in range(args.reps + 1):  # repetition 0 warms up and is not kept
        t = {}
        for i in range(len(names)):
            v = variants[names[(i + r) % len(names)]]
            t[v.name] = v.run(args.steps)
        if r == 0:
            continue
        for n in names:
            ns[n].append(t[n] / args.steps)
            ratio[n].append(t[n] / t["sgdr"])

    print()
    print("  %-46s %9s %9s %9s   %s" % ("us per step()", "min", "median", "p90",
                                         "x sgdr: median [min, p90]"))
    labels = {"sgdr": "sgdr.torch.SGDR.step()",
              "torch": "CosineAnnealingWarmRestarts.step()",
              "torch-ep": "CosineAnnealingWarmRestarts.step(epoch)"}
    for n in names:
        lo, med, hi = summary(ns[n])
        rlo, rmed, rhi = summary(ratio[n])
        print("  %-46s %9.2f %9.2f %9.2f   %5.2f [%.2f, %.2f]" % (
            labels[n], lo / 1e3, med / 1e3, hi / 1e3, rmed, rlo, rhi))

    print()
    print("  where sgdr's step() goes, ns per call: min median p90")
    for k, (lo, med, hi) in time_parts(params, args.steps, max(3, args.reps // 3)).items():
        print("  %-46s %9.0f %9.0f %9.0f" % (k, lo, med, hi))

    print()
    speedup = min(statistics.median(ratio["torch"]), statistics.median(ratio["torch-ep"]))
    print("%s  sgdr.torch.SGDR.step(): %.2fx faster than PyTorch's step() (median; target "
          ">= %.1fx)" % ("PASS" if speedup >= TARGET else "MISS", speedup, TARGET))
    return 0


if __name__ == "__main__":
    sys.exit(main())
