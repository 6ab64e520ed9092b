# SPDX-License-Identifier: MIT
"""sgdr.Scheduler: callbacks, hooks, history, progress and state through ctypes."""
import math
import weakref

import pytest

import sgdr
from support import Golden, golden_files


def run_golden(g, scheduler=None):
    """Drive a scheduler through golden file g's run; returns (lrs each batch trained with,
    epochs whose end took a snapshot, epoch restored at the end or None)."""
    lrs, snap_epochs, restored = [], {}, []
    current = {"lr": None, "epoch": 0}
    s = scheduler or sgdr.Scheduler(**g.scheduler_kwargs())
    s.set_lr_hooks(set_lr=lambda lr: current.__setitem__("lr", lr))
    s.set_weight_hooks(snapshot=lambda c: snap_epochs.__setitem__(c, current["epoch"]),
                       restore=lambda c: restored.append(snap_epochs[c]))
    s.on_train_begin()
    spe = g.config["steps_per_epoch"]
    for epoch in range(g.config["epochs"]):
        current["epoch"] = epoch
        for batch in range(spe):
            lrs.append(current["lr"])
            s.on_batch_end(batch, {"loss": 1.0 / (1 + epoch * spe + batch)})
        s.on_epoch_end(epoch)
    s.on_train_end()
    return lrs, sorted(snap_epochs.values()), (restored[0] if restored else None)


@pytest.mark.parametrize("path", golden_files(), ids=lambda p: p.rsplit("/", 1)[-1])
def test_golden_vectors_through_the_binding(path):
    g = Golden(path)
    lrs, snaps, restored = run_golden(g)
    assert len(lrs) == len(g.lrs)
    tol = 1e-12 * g.config["max_lr"]
    bad = [(i, a, b) for i, (a, b) in enumerate(zip(lrs, g.lrs)) if abs(a - b) > tol]
    assert bad == []
    assert snaps == g.snapshot_epochs
    assert restored == g.restored_epoch


def test_lr_at_gives_the_bits_the_callbacks_set():
    s = sgdr.Scheduler(1e-4, 0.3, 7, lr_decay=0.8, cycle_length=2, mult_factor=1.5,
                       warmup_epochs=1, warmup_start_lr=0.01, max_cycles=3)
    s.on_train_begin()
    for epoch in range(30):
        for batch in range(7):
            s.on_batch_end(batch)
        s.on_epoch_end(epoch)
    lrs = s.history["lr"]
    assert len(lrs) == 210
    assert [s.lr_at(i) for i in range(210)] == lrs
    assert s.lr == s.lr_at(210)


def test_history_is_a_dict_of_lists_like_the_keras_callback():
    s = sgdr.Scheduler(0.001, 0.1, 2, cycle_length=1)
    s.on_train_begin()
    s.on_batch_end(0, {"loss": 2.0})
    s.on_batch_end(1, {"loss": 1.5, "acc": 0.25})
    s.on_epoch_end(0)
    s.on_batch_end(0)
    h = s.history
    assert list(h) == ["lr", "loss", "acc"]
    assert h["lr"] == [0.1, s.lr_at(1), 0.1]
    assert h["loss"][:2] == [2.0, 1.5] and math.isnan(h["loss"][2])
    assert math.isnan(h["acc"][0]) and h["acc"][1] == 0.25
    assert s.history_column("loss")[:2] == [2.0, 1.5]
    csv = s.history_csv().splitlines()
    assert csv[0] == "step,lr,loss,acc" and len(csv) == 4
    assert csv[2].split(",")[3] == "0.25"


def test_history_csv_file(tmp_path):
    s = sgdr.Scheduler(0.001, 0.1, 2)
    s.on_train_begin()
    s.on_batch_end(0, {"loss": 0.5})
    path = tmp_path / "history.csv"
    s.write_history_csv(path)
    assert path.read_text() == s.history_csv()


def test_history_off_records_nothing():
    s = sgdr.Scheduler(0.001, 0.1, 2, history=False)
    s.on_train_begin()
    s.on_batch_end(0, {"loss": 0.5})
    assert s.history == {"lr": []}


def test_params_read_back_with_python_types():
    s = sgdr.Scheduler(0.001, 0.1, 5, restart_mode="keras-seed", restore_at_end=False)
    p = s.params
    assert p == {"min_lr": 0.001, "max_lr": 0.1, "steps_per_epoch": 5, "lr_decay": 1.0,
                 "cycle_length": 10, "mult_factor": 2.0, "restart_mode": "keras-seed",
                 "warmup_epochs": 0, "warmup_start_lr": 0.0, "max_cycles": 0,
                 "restore_at_end": False, "history": True, "cycle_warmup_steps": 0}
    s.set_params(cycle_length=3, restart_mode="peak")
    assert s.get_param("cycle_length") == 3 and s.get_param("restart_mode") == "peak"


def test_progress_properties_follow_the_run():
    s = sgdr.Scheduler(0.0, 0.1, 4, cycle_length=1, mult_factor=1, warmup_epochs=1,
                       max_cycles=2, snapshot=lambda c: None)
    assert not s.running
    s.on_train_begin()
    assert s.running and s.phase == "warmup"
    for epoch in range(4):
        if epoch == 1:
            assert (s.phase, s.cycle, s.current_cycle_length) == ("cycle", 0, 1)
        for batch in range(4):
            s.on_batch_end(batch)
        if epoch == 1:
            assert (s.step, s.batch_in_epoch, s.cycle_position) == (8, 4, 4)
        s.on_epoch_end(epoch)
    assert (s.epoch, s.phase, s.snapshots, s.last_snapshot) == (4, "hold", 2, 1)
    assert s.lr == 0.0
    s.on_train_end()
    assert not s.running


def test_state_resume_is_bit_identical():
    kw = dict(min_lr=1e-5, max_lr=0.05, steps_per_epoch=3, lr_decay=0.7, cycle_length=2,
              mult_factor=1.5)
    full, part = [], []
    a = sgdr.Scheduler(**kw, set_lr=full.append)
    a.on_train_begin()
    b = sgdr.Scheduler(**kw, set_lr=part.append)
    b.on_train_begin()
    for epoch in range(20):
        for batch in range(3):
            a.on_batch_end(batch)
            if epoch < 7 or (epoch == 7 and batch < 2):
                b.on_batch_end(batch)
        a.on_epoch_end(epoch)
        if epoch < 7:
            b.on_epoch_end(epoch)
    blob = b.state_bytes()
    saved = len(part)
    # A scheduler built with other parameters takes the saved configuration over.
    c = sgdr.Scheduler(0.0, 1.0, 11, set_lr=part.append)
    c.load_state(blob)
    c.on_train_begin()  # resumes: hands the restored lr to set_lr
    assert c.state_bytes() == blob
    for batch in range(2, 3):
        c.on_batch_end(batch)
    c.on_epoch_end(7)
    for epoch in range(8, 20):
        for batch in range(3):
            c.on_batch_end(batch)
        c.on_epoch_end(epoch)
    # part holds: the run up to the save, then the resumed lr again, then the rest.
    assert len(part) == len(full) + 1  # the resume hands the restored lr over once more
    assert part[saved] == part[saved - 1]
    assert part[:saved] + part[saved + 1:] == full
    assert c.state_bytes() == a.state_bytes()


@pytest.mark.parametrize("damage, status", [
    (lambda b: b[:40], sgdr.Status.ETRUNCATED),
    (lambda b: b"XXXXXXXX" + b[8:], sgdr.Status.EMAGIC),
    (lambda b: b[:100] + bytes([b[100] ^ 1]) + b[101:], sgdr.Status.ECHECKSUM),
])
def test_bad_state_blob_is_refused_and_changes_nothing(damage, status):
    s = sgdr.Scheduler(0.001, 0.1, 5)
    s.on_train_begin()
    s.on_batch_end(0)
    before = s.state_bytes()
    with pytest.raises(sgdr.SGDRError) as e:
        s.load_state(damage(before))
    assert e.value.status == status and e.value.message
    assert s.state_bytes() == before


def test_no_reference_cycle_keeps_a_scheduler_alive():
    s = sgdr.Scheduler(0.001, 0.1, 5, set_lr=lambda lr: None, snapshot=lambda c: None)
    ref = weakref.ref(s)
    del s
    assert ref() is None


def test_closed_scheduler_raises():
    with sgdr.Scheduler(0.001, 0.1, 5) as s:
        s.on_train_begin()
    with pytest.raises(sgdr.SGDRError, match="closed"):
        s.on_batch_end(0)


def test_version_and_strerror():
    assert sgdr.version() == sgdr.__version__
    major, minor, patch = (int(x) for x in sgdr.version().split("."))
    assert sgdr.version_number() == 10000 * major + 100 * minor + patch
    assert major == sgdr.ABI_MAJOR
    assert sgdr.strerror(sgdr.Status.ENOMEM) == "out of memory"


def test_steps_per_epoch_changes_during_a_run():
    """A resume with another batch size: 5 epochs of 30, then 45 an epoch, with the learning
    rates of a run with 45 from the start; mid-epoch only where b * 45 / 30 is whole."""
    kw = dict(min_lr=1e-3, max_lr=0.1, lr_decay=0.5, cycle_length=2, mult_factor=2,
              warmup_epochs=1, warmup_start_lr=0.01, max_cycles=3)
    handed = []
    ref = sgdr.Scheduler(steps_per_epoch=45, **kw)
    s = sgdr.Scheduler(steps_per_epoch=30, set_lr=handed.append, **kw)
    s.on_train_begin()
    for epoch in range(5):
        for batch in range(30):
            s.on_batch_end(batch)
        s.on_epoch_end(epoch)
    s.set_params(steps_per_epoch=45)
    assert handed[-1] == s.lr == ref.lr_at(5 * 45)
    for batch in range(3):
        s.on_batch_end(batch)
    with pytest.raises(sgdr.SGDRError) as e:
        s.set_params(steps_per_epoch=60)  # 3 * 60 / 45 = 4 is whole: fine; 7 is not
        s.on_batch_end(4)
        s.set_params(steps_per_epoch=7)
    assert e.value.status == sgdr.Status.EORDER
    assert "the nearest batch positions where the change is exact are 0 and 60" in str(e.value)
    assert s.get_param("steps_per_epoch") == 60
    assert s.batch_in_epoch == 5 and s.step == 5 * 30 + 4
    ref60 = sgdr.Scheduler(steps_per_epoch=60, **kw)
    assert s.lr == handed[-1] == ref60.lr_at(5 * 60 + 5)
    with pytest.raises(sgdr.SGDRError) as e:
        s.set_params(max_lr=0.2)
    assert e.value.status == sgdr.Status.EORDER
