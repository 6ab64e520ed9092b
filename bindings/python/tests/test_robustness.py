# SPDX-License-Identifier: MIT
"""Nothing a caller does through the binding may crash the interpreter: copies, use after
close, close from a hook, two threads, out-of-range and inexact numbers, odd paths, failed
steps, cut messages. Each was a crash or a silent wrong answer once."""
import copy
import os
import pathlib
import pickle
import threading

import numpy as np
import pytest
import torch

import sgdr
import sgdr.torch

S = sgdr.Status


def sched(**kw):
    return sgdr.Scheduler(**dict(dict(min_lr=0.001, max_lr=0.1, steps_per_epoch=5), **kw))


# -- copies --------------------------------------------------------------------------------

@pytest.mark.parametrize("how", [copy.copy, copy.deepcopy, pickle.dumps,
                                 lambda s: pickle.dumps(s, protocol=0)])
def test_copying_or_pickling_a_scheduler_is_refused_clearly(how):
    s = sched()
    s.on_train_begin()
    s.on_batch_end(0)
    before = s.state_bytes()
    with pytest.raises(TypeError, match="state_bytes"):
        how(s)
    # The original still owns a live C scheduler (a shared handle freed twice crashed here).
    s.on_batch_end(1)
    assert s.step == 2 and s.state_bytes() != before


def test_a_copy_through_the_state_blob_is_independent():
    s = sched()
    s.on_train_begin()
    s.on_batch_end(0)
    c = sched()
    c.load_state(s.state_bytes())
    c.on_train_begin()
    del s
    c.on_batch_end(1)
    assert c.step == 2


def test_torch_sgdr_cannot_be_deep_copied_or_pickled_either():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    s = sgdr.torch.SGDR(opt, 0.0, 0.1, 4)
    for how in (copy.deepcopy, pickle.dumps):
        with pytest.raises(TypeError, match="state_dict"):
            how(s)
    s.step()
    assert s.scheduler.step == 1


# -- use after close -----------------------------------------------------------------------

def test_torch_sgdr_after_its_scheduler_is_closed():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    s = sgdr.torch.SGDR(opt, 0.0, 0.1, 4)
    s.step()
    saved = s.state_dict()
    s.scheduler.close()
    for call in (s.step, s.finish, s.get_last_lr, s.state_dict, lambda: s.lr_at(3),
                 lambda: s.load_state_dict(saved), lambda: s.snapshots):
        with pytest.raises(sgdr.SGDRError, match="closed") as e:
            call()
        assert e.value.status == S.ENULL
    assert "closed" in repr(s)


def test_every_scheduler_method_after_close():
    s = sched()
    s.close()
    s.close()  # twice is fine
    calls = [s.on_train_begin, lambda: s.on_batch_end(0), lambda: s.on_epoch_end(0),
             s.on_train_end, lambda: s.lr, lambda: s.lr_at(0), lambda: s.step,
             lambda: s.params, lambda: s.set_params(min_lr=0.0), lambda: s.history,
             s.history_csv, s.state_bytes, lambda: s.load_state(b"x"),
             lambda: s.set_lr_hooks(), lambda: s.set_weight_hooks()]
    for call in calls:
        with pytest.raises(sgdr.SGDRError, match="closed"):
            call()
    assert "closed" in repr(s)


def test_a_hook_closing_its_own_scheduler_is_refused():
    box = {}
    s = sched(set_lr=lambda lr: box["s"].close())
    box["s"] = s
    with pytest.raises(sgdr.SGDRError) as e:
        s.on_train_begin()
    assert e.value.status == S.EHOOK_SET_LR
    cause = e.value.__cause__
    assert isinstance(cause, sgdr.SGDRError) and cause.status == S.EORDER
    assert "close" in cause.message and "hook" in cause.message
    # Still alive and usable; close works outside the hook.
    s.set_lr_hooks()
    s.on_train_begin()
    s.on_batch_end(0)
    s.close()


def test_a_hook_of_another_scheduler_may_close_this_one():
    other = sched()
    s = sched(set_lr=lambda lr: other.close())
    s.on_train_begin()
    with pytest.raises(sgdr.SGDRError, match="closed"):
        other.lr_at(0)


# -- threads -------------------------------------------------------------------------------

def test_one_scheduler_from_several_threads_does_not_crash():
    s = sched(steps_per_epoch=1000000, set_lr=lambda lr: None)
    s.on_train_begin()
    errors, stop = [], threading.Event()

    def train():
        try:
            for b in range(1000):
                s.on_batch_end(b, {"loss": 1.0})
        except sgdr.SGDRError as e:
            errors.append(e)

    def read():
        try:
            while not stop.is_set():
                s.lr_at(123)
                s.history_csv()
                s.state_bytes()
        except sgdr.SGDRError as e:
            errors.append(e)

    threads = [threading.Thread(target=train), threading.Thread(target=train),
               threading.Thread(target=read)]
    for t in threads:
        t.start()
    for t in threads[:2]:
        t.join()
    stop.set()
    threads[2].join()
    assert errors == [] and s.step == 2000 and len(s.history["lr"]) == 2000


def test_close_from_another_thread_while_a_call_runs():
    for _ in range(20):
        s = sched(steps_per_epoch=1000000)
        s.on_train_begin()
        seen = []

        def train():
            try:
                for b in range(100000):
                    s.on_batch_end(b)
            except sgdr.SGDRError as e:
                seen.append(e)

        t = threading.Thread(target=train)
        t.start()
        s.close()
        t.join()
        assert all("closed" in e.message for e in seen)


# -- numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize("call, value", [
    ("on_epoch_end", 2**64), ("on_batch_end", 2**64), ("lr_at", 2**64 + 5),
    ("lr_at", 2**70), ("lr_at", -1), ("lr_at", 5.5), ("lr_at", float("nan")),
    ("lr_at", float("inf")), ("lr_at", np.float64(2.5)), ("lr_at", "5"), ("lr_at", None),
    ("lr_at", 2.0**64), ("on_epoch_end", 0.5),
])
def test_indices_that_are_not_exact_uint64_are_refused(call, value):
    s = sched()
    s.on_train_begin()
    before = s.state_bytes()
    with pytest.raises(sgdr.SGDRError) as e:
        getattr(s, call)(value)
    assert e.value.status == S.EVALUE
    assert repr(value) in e.value.message or str(value) in e.value.message
    assert s.state_bytes() == before


@pytest.mark.parametrize("value, same", [
    (5.0, 5), (True, 1), (False, 0), (np.int64(7), 7), (np.uint64(7), 7),
    (np.float64(9.0), 9), (np.int32(3), 3), (2**64 - 1, None),
])
def test_exact_integers_of_other_types_are_accepted(value, same):
    s = sched(mult_factor=1)
    got = s.lr_at(value)
    if same is not None:
        assert got == s.lr_at(same)


def test_epoch_as_exact_float_and_numpy():
    s = sched(steps_per_epoch=1)
    s.on_train_begin()
    s.on_batch_end(0.0)
    s.on_epoch_end(np.int64(0))
    s.on_batch_end(np.float64(0))
    s.on_epoch_end(1.0)
    assert s.epoch == 2


# -- paths and strings ---------------------------------------------------------------------

@pytest.mark.parametrize("kind", [str, os.fsencode, pathlib.Path])
def test_write_history_csv_takes_str_bytes_and_pathlike(tmp_path, kind):
    s = sched()
    s.on_train_begin()
    s.on_batch_end(0, {"loss": 0.5})
    path = tmp_path / "hist.csv"
    s.write_history_csv(kind(str(path)))
    assert path.read_text() == s.history_csv()
    assert os.listdir(tmp_path) == ["hist.csv"]


@pytest.mark.parametrize("bad", ["a\0b.csv", b"a\0b.csv", 42])
def test_write_history_csv_refuses_what_is_not_a_path(tmp_path, bad):
    s = sched()
    with pytest.raises(sgdr.SGDRError) as e:
        s.write_history_csv(bad)
    assert e.value.status == S.EVALUE and "path" in e.value.message


def test_a_nul_in_a_name_is_refused_not_truncated():
    s = sched()
    s.on_train_begin()
    with pytest.raises(sgdr.SGDRError) as e:
        s.on_batch_end(0, {"loss\0x": 1.0})
    assert e.value.status == S.EMETRIC
    with pytest.raises(sgdr.SGDRError) as e:
        s.history_column("lr\0")
    assert e.value.status == S.EVALUE
    assert s.step == 0


def test_a_message_cut_inside_a_multibyte_character():
    s = sched()
    with pytest.raises(sgdr.SGDRError) as e:
        s.history_column("é" * 200)
    assert e.value.status == S.EINDEX
    assert "éé" in e.value.message  # decoded; a cut character becomes U+FFFD


# -- a failed torch step changes nothing ---------------------------------------------------

def test_step_after_add_param_group_fails_without_advancing():
    opt = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    s = sgdr.torch.SGDR(opt, 1e-3, 0.1, 4)
    s.step()
    before, lrs = s.scheduler.state_bytes(), s.get_last_lr()
    opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.5})
    for _ in range(3):  # retries do not advance either
        with pytest.raises(sgdr.SGDRError, match="2 param groups"):
            s.step()
        assert s.scheduler.state_bytes() == before
        assert opt.param_groups[0]["lr"] == lrs[0] and opt.param_groups[1]["lr"] == 0.5
    opt.param_groups.pop()
    s.step()
    assert s.scheduler.step == 2 and s.get_last_lr() == [s.lr_at(2)]


def test_a_tensor_lr_is_accepted_and_kept_a_tensor():
    p = torch.nn.Parameter(torch.zeros(1))
    opt = torch.optim.SGD([{"params": [p], "lr": torch.tensor(0.1, dtype=torch.float64)},
                           {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.05}])
    lr_tensor = opt.param_groups[0]["lr"]
    s = sgdr.torch.SGDR(opt, 0.0, 0.1, 4)
    for _ in range(5):
        s.step()
    assert opt.param_groups[0]["lr"] is lr_tensor  # updated in place
    assert float(lr_tensor) == s.lr_at(5)
    assert opt.param_groups[1]["lr"] == s.lr_at(5) * 0.5


@pytest.mark.parametrize("kw", [
    dict(cycle_length=1, mult_factor=1), dict(cycle_length=2, mult_factor=2),
    dict(cycle_length=1, mult_factor=1.5, warmup_epochs=2, max_cycles=4),
    dict(cycle_length=3, mult_factor=1, lr_decay=0.5, max_cycles=2),
])
def test_every_snapshot_is_prepared_before_the_batch_is_counted(monkeypatch, kw):
    # step() predicts a cycle end from the progress counters and copies the weights first;
    # the hook must always find that copy (else it would copy, and could fail, too late).
    hook = sgdr.torch._WeightKeeper.snapshot
    unprepared, taken = [], []

    def checked(self, cycle):
        if self.prepared is None:
            unprepared.append(cycle)
        taken.append(cycle)
        hook(self, cycle)

    monkeypatch.setattr(sgdr.torch._WeightKeeper, "snapshot", checked)
    model = torch.nn.Linear(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    s = sgdr.torch.SGDR(opt, 0.0, 0.1, 3, model=model, keep_snapshots=None, **kw)
    for _ in range(3 * 40):
        s.step()
    assert unprepared == [] and taken == sorted(s.snapshots) and len(taken) >= 2
    assert taken == list(range(len(taken)))
