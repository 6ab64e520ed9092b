# SPDX-License-Identifier: MIT
"""sgdr.torch.CosineAnnealingWarmRestarts against the installed PyTorch's scheduler over bad
arguments (wrong types, None, NaN, inf, negative, huge, tensors) to the constructor and to
step(epoch): the drop-in raises the same exception class, and accepts what PyTorch accepts.

PyTorch 1.13 runs get_lr() inside a context manager whose __exit__ swallows exceptions: an
eta_min it cannot compute with is accepted and the lr left as it was. Where that happens the
expected outcome is the exception its get_lr() raises when called directly: the drop-in
raises it instead of copying the silence. Where PyTorch computes a NaN or infinite rate
(eta_min NaN or inf) the drop-in refuses the value with ValueError."""
import math
import warnings

import pytest
import torch
from torch.optim.lr_scheduler import CosineAnnealingWarmRestarts as TorchCAWR

import sgdr.torch

HUGE_INT = 2**2000
BAD = ["3", None, float("nan"), float("inf"), -float("inf"), -1, 0, -0.5, 2.5, 2**70,
       HUGE_INT, 1e300, torch.tensor(3), torch.tensor(0.5), torch.tensor([1, 2]), True, [3]]


def optimizer():
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(2))], lr=0.1)


def outcome(make, act=None):
    """The class of the exception raised (or swallowed, see above), "non-finite lr" where
    the rates computed are NaN or infinite, or "ok"."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            s = make()
            if act is not None:
                act(s)
            s._get_lr_called_within_step = True
            values = [float(v) for v in s.get_lr()]
        except Exception as e:  # noqa: BLE001 -- the class is what is compared
            return type(e).__name__
    return "ok" if all(math.isfinite(v) for v in values) else "non-finite lr"


CASES = []
for v in BAD:
    CASES += [("T_0", v, {}), ("T_mult", v, {}), ("eta_min", v, {})]
    CASES += [("epoch", v, {"T_mult": 1}), ("epoch", v, {"T_mult": 2})]
CASES += [("last_epoch", v, {}) for v in ["3", None, float("nan"), 2.5, -2, 5]]


def ids(case):
    name, v, kw = case
    return "%s=%s%s" % (name, type(v).__name__ if isinstance(v, torch.Tensor) else repr(v)[:12],
                        "".join(",%s=%s" % kv for kv in kw.items()))


@pytest.mark.parametrize("case", CASES, ids=[ids(c) for c in CASES])
def test_same_outcome_as_pytorch(case):
    name, v, kw = case
    args = dict(T_0=3, T_mult=kw.get("T_mult", 2), eta_min=0.001)
    act = None
    if name == "epoch":
        act = lambda s: s.step(v)  # noqa: E731
    elif name == "last_epoch":
        args["last_epoch"] = v
    else:
        args[name] = v

    def make(cls):
        return lambda: cls(optimizer(), **args)

    want = outcome(make(TorchCAWR), act)
    got = outcome(make(sgdr.torch.CosineAnnealingWarmRestarts), act)
    if want == "non-finite lr":  # PyTorch would train at NaN or inf: the drop-in refuses
        assert got == "ValueError", got
    else:
        assert got == want, "PyTorch: %s, drop-in: %s" % (want, got)


def test_the_list_meets_both_sides():
    """The list holds inputs PyTorch accepts and inputs it refuses with each class."""
    seen = set()
    for name, v, kw in CASES:
        args = dict(T_0=3, T_mult=kw.get("T_mult", 2), eta_min=0.001)
        act = (lambda s, v=v: s.step(v)) if name == "epoch" else None
        if name != "epoch":
            args[name] = v
        seen.add(outcome(lambda: TorchCAWR(optimizer(), **args), act))
    assert {"ok", "TypeError", "ValueError", "OverflowError"} <= seen, seen


def test_eta_min_tensor_is_accepted_as_pytorch_does():
    opt, ref = optimizer(), optimizer()
    mine = sgdr.torch.CosineAnnealingWarmRestarts(opt, T_0=3, eta_min=torch.tensor(0.01))
    theirs = TorchCAWR(ref, T_0=3, eta_min=torch.tensor(0.01))
    for _ in range(5):
        mine.step()
        theirs.step()
        # PyTorch computes in the tensor's float32, the drop-in in float64
        assert float(opt.param_groups[0]["lr"]) == \
            pytest.approx(float(ref.param_groups[0]["lr"]), rel=1e-6)
