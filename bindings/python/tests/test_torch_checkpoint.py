# SPDX-License-Identifier: MIT
"""sgdr.torch.SGDR.save(path) / load(path): everything a resumed run needs in one file, whose
checksum is verified before anything in it is read. The pytorch guide's resume recipe runs in
two processes and ends with the uninterrupted run's weights; every single-bit flip of a
checkpoint is refused and changes nothing."""
import os
import subprocess
import sys

import pytest
import torch

import sgdr
import sgdr.torch
from support import TOP

S = sgdr.Status
GUIDE = os.path.join(TOP, "docs", "guides", "pytorch.md")


def block(lang, containing):
    """The first fenced block of the pytorch guide in `lang` that contains `containing`."""
    for n in range(100):
        r = subprocess.run([sys.executable, os.path.join(TOP, "scripts", "checks", "md_block.py"),
                            GUIDE, lang, str(n)], capture_output=True, text=True)
        assert r.returncode == 0, "no %s block with %r in %s" % (lang, containing, GUIDE)
        if containing in r.stdout:
            return r.stdout
    raise AssertionError("no %s block with %r" % (lang, containing))


def test_the_guides_resume_recipe_in_two_processes(tmp_path):
    (tmp_path / "resume.py").write_text(block("python", "scheduler.save("))
    want = block("text", "trained epochs 1 to")
    env = dict(os.environ, PYTHONPATH=os.path.dirname(os.path.dirname(sgdr.__file__)))

    def run(*args):
        r = subprocess.run([sys.executable, "resume.py", *args], cwd=tmp_path, env=env,
                           capture_output=True, text=True, timeout=600)
        assert r.returncode == 0, r.stderr
        return r.stdout

    whole = run()
    assert whole == want
    resumed = run("checkpoint.pt")
    assert resumed.splitlines()[0] == "trained epochs 8 to 12"
    assert resumed.splitlines()[1] == whole.splitlines()[1]


def make_run(seed, width=4):
    torch.manual_seed(seed)
    model = torch.nn.Sequential(torch.nn.Linear(3, width), torch.nn.ReLU(),
                                torch.nn.Linear(width, 1))
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = sgdr.torch.SGDR(opt, min_lr=0.001, max_lr=0.1, steps_per_epoch=3, cycle_length=1,
                            mult_factor=2, model=model, keep_snapshots=None)
    return model, opt, sched


def train(model, opt, sched, steps, lrs):
    torch.manual_seed(1000 + sched.scheduler.step)
    for _ in range(steps):
        x = torch.randn(4, 3)
        lrs.append(opt.param_groups[0]["lr"])
        opt.zero_grad()
        model(x).pow(2).mean().backward()
        opt.step()
        sched.step()


def flat(sd):
    return [v.clone() for v in sd.values()]


@pytest.mark.parametrize("stop", [1, 3, 5, 9, 10])
def test_save_and_load_continue_exactly(tmp_path, stop):
    total = 21  # cycles of 1, 2, 4 epochs of 3 batches
    model, opt, sched = make_run(1)
    want_lrs = []
    for s in range(total):
        train(model, opt, sched, 1, want_lrs)
    sched.finish()
    want = (flat(model.state_dict()), {c: flat(sd) for c, sd in sched.snapshots.items()})

    model, opt, sched = make_run(1)
    lrs = []
    for s in range(stop):
        train(model, opt, sched, 1, lrs)
    path = tmp_path / "ck.pt"
    sched.save(path)
    model, opt, sched = make_run(7)  # another initialisation: everything comes from the file
    sched.load(path)
    for s in range(stop, total):
        train(model, opt, sched, 1, lrs)
    sched.finish()
    assert lrs == want_lrs
    assert all(torch.equal(a, b) for a, b in zip(flat(model.state_dict()), want[0]))
    assert sched.snapshots.keys() == want[1].keys()
    for c, tensors in want[1].items():
        assert all(torch.equal(a, b) for a, b in zip(flat(sched.snapshots[c]), tensors))


def observed(model, opt, sched):
    return (sched.scheduler.state_bytes(), flat(model.state_dict()),
            [flat(s) for s in opt.state.values()], [g["lr"] for g in opt.param_groups],
            {c: flat(sd) for c, sd in sched.snapshots.items()})


def same(a, b):
    def eq(x, y):
        if isinstance(x, torch.Tensor):
            return torch.equal(x, y)
        if isinstance(x, dict):
            return x.keys() == y.keys() and all(eq(x[k], y[k]) for k in x)
        if isinstance(x, (list, tuple)):
            return len(x) == len(y) and all(eq(i, j) for i, j in zip(x, y))
        return x == y
    return eq(a, b)


def test_every_bit_flip_is_refused_and_changes_nothing(tmp_path):
    # a tiny model, so that every bit of its file is tried
    torch.manual_seed(0)
    model = torch.nn.Linear(1, 1)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    sched = sgdr.torch.SGDR(opt, min_lr=0.001, max_lr=0.1, steps_per_epoch=1, cycle_length=1,
                            model=model)
    for _ in range(2):
        opt.zero_grad()
        model(torch.ones(1, 1)).sum().backward()
        opt.step()
        sched.step()
    good = tmp_path / "good.pt"
    sched.save(good)
    data = good.read_bytes()
    before = observed(model, opt, sched)
    bad = tmp_path / "bad.pt"
    bad.write_bytes(data)
    wrong = []
    for bit in range(len(data) * 8):
        flipped = bytearray(data)
        flipped[bit >> 3] ^= 1 << (bit & 7)
        # overwritten in place: a file truncated and written again is flushed to disk at
        # close on ext4 (auto_da_alloc), which made this test 12 times slower here
        with open(bad, "r+b") as f:
            f.write(flipped)
        try:
            sched.load(bad)
            wrong.append((bit, "loaded"))
        except sgdr.SGDRError as e:
            if e.status not in (S.ECHECKSUM, S.EMAGIC):
                wrong.append((bit, e))
    assert wrong == [], wrong[:5]
    assert same(observed(model, opt, sched), before)
    print("checkpoint of %d bytes: all %d single-bit flips refused" % (len(data), len(data) * 8))
    sched.load(good)
    assert same(observed(model, opt, sched), before)


def test_a_checkpoint_of_another_setup_is_refused_and_changes_nothing(tmp_path):
    model, opt, sched = make_run(1)
    train(model, opt, sched, 5, [])
    sched.save(tmp_path / "ck.pt")
    model2, opt2, sched2 = make_run(2, width=5)  # another model
    train(model2, opt2, sched2, 2, [])
    before = observed(model2, opt2, sched2)
    with pytest.raises(sgdr.SGDRError) as e:
        sched2.load(tmp_path / "ck.pt")
    assert e.value.status == S.ECORRUPT
    assert same(observed(model2, opt2, sched2), before)
    plain_opt = torch.optim.SGD(torch.nn.Linear(3, 4).parameters(), lr=0.1)
    plain = sgdr.torch.SGDR(plain_opt, min_lr=0.001, max_lr=0.1, steps_per_epoch=3)
    with pytest.raises(sgdr.SGDRError) as e:
        plain.load(tmp_path / "ck.pt")  # saved with a model, loaded without one
    assert e.value.status == S.ECORRUPT
    for path, status in [(tmp_path / "missing.pt", S.EIO), (None, S.EIO)]:
        with pytest.raises(sgdr.SGDRError) as e:
            sched2.load(path)
        assert e.value.status == status
    (tmp_path / "empty.pt").write_bytes(b"")
    with pytest.raises(sgdr.SGDRError) as e:
        sched2.load(tmp_path / "empty.pt")
    assert e.value.status == S.EMAGIC
    assert same(observed(model2, opt2, sched2), before)


def test_a_failed_save_leaves_the_old_file_and_no_temporary(tmp_path):
    model, opt, sched = make_run(3)
    train(model, opt, sched, 2, [])
    target = tmp_path / "ck.pt"
    target.mkdir()  # the temporary file can be written, it cannot replace a directory
    with pytest.raises(sgdr.SGDRError) as e:
        sched.save(target)
    assert e.value.status == S.EIO
    assert str(target) in str(e.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ck.pt"]
    assert target.is_dir()
