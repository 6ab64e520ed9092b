# SPDX-License-Identifier: MIT
"""A real training run on the digits data: end-of-cycle snapshots, the restore at finish(),
and resuming from state_dict() exactly as if the run had never stopped."""
import io

import pytest
import torch

import sgdr.torch
from support import load_digits

BATCH = 128
SCHEDULE = dict(min_lr=1e-3, max_lr=0.5, cycle_length=1, mult_factor=2)


@pytest.fixture(scope="module")
def digits():
    x, y = load_digits()
    return torch.from_numpy(x), torch.from_numpy(y)


def make_model(seed):
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(),
                               torch.nn.Linear(32, 10))


def batches(data, epoch):
    """The batches of one epoch, shuffled by a generator seeded with the epoch, so a resumed
    run sees the same order as an uninterrupted one."""
    x, y = data
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(epoch))
    return [(x[order[i:i + BATCH]], y[order[i:i + BATCH]]) for i in range(0, len(x), BATCH)]


def steps_per_epoch(data):
    return (len(data[0]) + BATCH - 1) // BATCH


def train(model, opt, sched, data, start, stop, on_batch=None):
    """Train from (epoch, batch) `start` up to, not including, `stop`; returns the lr each
    batch trained with."""
    lrs = []
    loss_fn = torch.nn.CrossEntropyLoss()
    epoch, first = start
    while (epoch, first) < stop:
        for b, (xb, yb) in enumerate(batches(data, epoch)):
            if b < first or (epoch, b) >= stop:
                continue
            lrs.append(opt.param_groups[0]["lr"])
            opt.zero_grad()
            loss_fn(model(xb), yb).backward()
            opt.step()
            sched.step()
            if on_batch is not None:
                on_batch(epoch, b)
        epoch, first = epoch + 1, 0
    return lrs


def accuracy(model, data):
    with torch.no_grad():
        return (model(data[0]).argmax(1) == data[1]).float().mean().item()


def copy_state(model):
    return {k: v.clone() for k, v in model.state_dict().items()}


def same_weights(a, b):
    return a.keys() == b.keys() and all(torch.equal(a[k], b[k]) for k in a)


def test_finish_restores_the_last_end_of_cycle_weights(digits):
    spe = steps_per_epoch(digits)
    model = make_model(0)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = sgdr.torch.SGDR(opt, steps_per_epoch=spe, model=model, **SCHEDULE)
    # Cycles of 1, 2, 4, 8 epochs end after epochs 0, 2, 6 (14 is past this run).
    seen = {}

    def keep_epoch_ends(epoch, b):
        if b == spe - 1:
            seen[epoch] = copy_state(model)

    lrs = train(model, opt, sched, digits, (0, 0), (12, 0), keep_epoch_ends)
    assert lrs == [sched.lr_at(i) for i in range(12 * spe)]
    assert sorted(sched.snapshots) == [2]  # keep_snapshots=1: only the latest
    assert same_weights(sched.snapshots[2], seen[6])
    last = copy_state(model)
    assert not same_weights(last, seen[6])
    sched.finish()
    assert same_weights(model.state_dict(), seen[6])
    assert accuracy(model, digits) > 0.9  # it did learn


def test_keep_all_snapshots_for_an_ensemble(digits):
    spe = steps_per_epoch(digits)
    model = make_model(1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    sched = sgdr.torch.SGDR(opt, steps_per_epoch=spe, model=model, keep_snapshots=None,
                            **SCHEDULE)
    seen = {}
    train(model, opt, sched, digits, (0, 0), (7, 0),
          lambda e, b: seen.__setitem__(e, copy_state(model)) if b == spe - 1 else None)
    assert sorted(sched.snapshots) == [0, 1, 2]
    for cycle, epoch in ((0, 0), (1, 2), (2, 6)):
        assert same_weights(sched.snapshots[cycle], seen[epoch])


def new_run(digits, seed):
    spe = steps_per_epoch(digits)
    model = make_model(seed)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    return model, opt, sgdr.torch.SGDR(opt, steps_per_epoch=spe, model=model, **SCHEDULE)


def run_plain(digits, end):
    """An uninterrupted run to `end`, then finish(); (lrs, final weights)."""
    model, opt, sched = new_run(digits, 7)
    lrs = train(model, opt, sched, digits, (0, 0), end)
    sched.finish()
    return lrs, copy_state(model)


def run_resumed(digits, stop_at, end):
    """As run_plain, but stopped at stop_at and checkpointed through torch.save, then rebuilt
    from scratch (another init, a fresh optimizer and scheduler) and continued to `end`."""
    model, opt, sched = new_run(digits, 7)
    lrs = train(model, opt, sched, digits, (0, 0), stop_at)
    buf = io.BytesIO()
    torch.save({"model": model.state_dict(), "opt": opt.state_dict(),
                "sched": sched.state_dict()}, buf)
    del model, opt, sched

    buf.seek(0)
    ckpt = torch.load(buf)
    model, opt, sched = new_run(digits, 99)
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["opt"])
    sched.load_state_dict(ckpt["sched"])
    lrs += train(model, opt, sched, digits, stop_at, end)
    sched.finish()
    return lrs, copy_state(model)


@pytest.mark.parametrize("stop_at, end", [
    # mid-epoch, after the cycle-1 snapshot (end of epoch 2) and before the next one: the
    # weights finish() restores were kept before the interruption, in the state dict
    ((4, 5), (6, 0)),
    # exactly at an epoch end that restarted a cycle, then through another snapshot
    ((3, 0), (8, 0)),
])
def test_resume_from_state_dict_equals_an_uninterrupted_run(digits, stop_at, end):
    lrs, weights = run_plain(digits, end)
    lrs2, weights2 = run_resumed(digits, stop_at, end)
    assert lrs2 == lrs
    assert same_weights(weights2, weights)
