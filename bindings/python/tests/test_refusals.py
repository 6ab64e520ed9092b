# SPDX-License-Identifier: MIT
"""Bad input to sgdr.Scheduler and sgdr.torch.SGDR: every failure is an SGDRError, a
TypeError or a ValueError naming the problem (no KeyError, OverflowError, AttributeError or
UnicodeDecodeError), and a refused call changes nothing."""
import ctypes

import pytest
import torch

import sgdr
import sgdr.torch
from sgdr._lib import lib

S = sgdr.Status
GOOD = dict(min_lr=0.001, max_lr=0.1, steps_per_epoch=5)
ALLOWED = (sgdr.SGDRError, TypeError, ValueError)


def state(s):
    return s.state_bytes(), s.history_csv()


def test_progress_of_an_unknown_counter():
    s = sgdr.Scheduler(**GOOD)
    for what in ("bogus", "", 999, None):
        with pytest.raises(sgdr.SGDRError) as e:
            s.progress(what)
        assert e.value.status == S.EBADPARAM and "progress counter" in e.value.message


@pytest.mark.parametrize("logs, text", [
    ({"loss": 10**400}, "loss"),
    ({"loss": -10**400}, "loss"),
    ([("loss", 1.0)], "dict"),
    ("loss", "dict"),
    (3, "dict"),
    ({b"\xff\xfe": 1.0}, "UTF-8"),
    ({"a\0b": 1.0}, "NUL"),
    ({b"a\0b": 1.0}, "NUL"),
])
def test_bad_logs_are_refused_and_change_nothing(logs, text):
    s = sgdr.Scheduler(**GOOD)
    s.on_train_begin()
    s.on_batch_end(0, {"loss": 1.0})
    before = state(s)
    for call in (lambda: s.on_batch_end(1, logs), lambda: s.on_epoch_end(0, logs),
                 lambda: s.on_train_end(logs)):
        with pytest.raises(sgdr.SGDRError) as e:
            call()
        assert e.value.status == S.EMETRIC and text in e.value.message, e.value.message
        assert state(s) == before
    s.history  # noqa: B018 -- readable


def test_bytes_metric_names_are_decoded():
    s = sgdr.Scheduler(**GOOD)
    s.on_train_begin()
    s.on_batch_end(0, {b"loss": 1.0, "acc": 0.5})
    s.on_batch_end(1, {"loss": 2.0, b"acc": 0.25})
    assert s.history == {"lr": s.history["lr"], "loss": [1.0, 2.0], "acc": [0.5, 0.25]}


@pytest.mark.parametrize("call", [
    lambda s: s.history_column("lr\0x"),
    lambda s: s.write_history_csv("report.csv\0.txt"),
    lambda s: s.write_history_csv(b"report.csv\0.txt"),
])
def test_nul_in_strings_is_refused(call, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    s = sgdr.Scheduler(**GOOD)
    s.on_train_begin()
    s.on_batch_end(0)
    with pytest.raises(sgdr.SGDRError) as e:
        call(s)
    assert "NUL" in e.value.message
    assert list(tmp_path.iterdir()) == []


def unset_scheduler():
    """A Scheduler whose C scheduler has no parameter set (as after sgdr_create)."""
    s = sgdr.Scheduler(**GOOD)
    fresh = ctypes.c_void_p()
    assert lib.sgdr_create(ctypes.byref(fresh)) == S.OK
    lib.sgdr_destroy(s._h)
    s._h = fresh
    return s


@pytest.mark.parametrize("params", [
    dict(min_lr=0.01, max_lr=-1),
    dict(max_lr=0.1, steps_per_epoch=0),
    dict(steps_per_epoch=4, min_lr=0.01, bogus=1),
    dict(min_lr=0.01, max_lr=10**400),
])
def test_set_params_rolls_back_required_parameters_that_were_unset(params):
    s = unset_scheduler()
    before = s.params
    with pytest.raises(sgdr.SGDRError):
        s.set_params(**params)
    after = s.params
    assert {k for k, v in after.items() if v != v} == {k for k, v in before.items() if v != v}
    assert {k: v for k, v in after.items() if v == v} == \
        {k: v for k, v in before.items() if v == v}


def test_set_params_rolls_back_set_parameters():
    s = sgdr.Scheduler(**GOOD)
    before = s.params
    with pytest.raises(sgdr.SGDRError):
        s.set_params(min_lr=0.002, cycle_length=3, max_lr="x")
    assert s.params == before


def model_and_opt():
    torch.manual_seed(0)
    m = torch.nn.Linear(3, 2)
    return m, torch.optim.SGD(m.parameters(), lr=0.1)


@pytest.mark.parametrize("kwargs", [
    dict(keep_snapshots=1.5), dict(keep_snapshots="2"), dict(keep_snapshots=0),
    dict(group_scales=[10**400]), dict(group_scales=["x"]), dict(group_scales=3),
    dict(group_scales=[float("nan")]), dict(steps_per_epoch=10**400),
    dict(steps_per_epoch="five"), dict(min_lr=None), dict(restart_mode=b"peak"),
])
def test_sgdr_construction_errors_are_the_allowed_kinds(kwargs):
    m, opt = model_and_opt()
    args = dict(GOOD, model=m)
    args.update(kwargs)
    with pytest.raises(ALLOWED):
        sgdr.torch.SGDR(opt, **args)


@pytest.mark.parametrize("bad", [
    {}, {"sgdr_state": b"x"}, {"group_scales": [1.0]}, "state", None, [1, 2],
    "missing snapshots", "snapshot not a dict", "snapshot of tensors of another model",
    "scales too many",
])
def test_sgdr_load_state_dict_refuses_and_changes_nothing(bad):
    m, opt = model_and_opt()
    s = sgdr.torch.SGDR(opt, model=m, **GOOD)
    for _ in range(12):
        opt.step()
        s.step()
    good = s.state_dict()
    if bad == "missing snapshots":
        bad = {k: v for k, v in good.items() if k != "snapshots"}
        bad["snapshots"] = None
    elif bad == "snapshot not a dict":
        bad = dict(good, snapshots={0: [1, 2]})
    elif bad == "snapshot of tensors of another model":
        bad = dict(good, snapshots={0: {"weight": torch.zeros(7)}})
    elif bad == "scales too many":
        bad = dict(good, group_scales=[1.0, 1.0])
    before = (s.scheduler.state_bytes(), opt.param_groups[0]["lr"],
              {c: {k: v.clone() for k, v in sd.items()} for c, sd in s.snapshots.items()})
    with pytest.raises(ALLOWED):
        s.load_state_dict(bad)
    assert s.scheduler.state_bytes() == before[0]
    assert opt.param_groups[0]["lr"] == before[1]
    assert s.snapshots.keys() == before[2].keys()
    for c, sd in s.snapshots.items():
        assert all(torch.equal(sd[k], before[2][c][k]) for k in sd)
    s.step()  # still usable


BAD_VALUES = [None, "x", "", b"\xff", b"ok", 10**400, -10**400, -1, 2.5, float("nan"),
              float("inf"), [], [1], {}, {"a": "b"}, object(), torch.tensor([1.0, 2.0]),
              torch.tensor(float("nan")), "a\0b"]


def calls_with(v):
    """Every public call of Scheduler and SGDR, given v where an argument goes."""
    return [
        ("on_batch_end", lambda s, g: s.on_batch_end(v)),
        ("on_batch_end logs", lambda s, g: s.on_batch_end(0, v)),
        ("on_epoch_end", lambda s, g: s.on_epoch_end(v)),
        ("on_train_end logs", lambda s, g: s.on_train_end(v)),
        ("lr_at", lambda s, g: s.lr_at(v)),
        ("progress", lambda s, g: s.progress(v)),
        ("get_param", lambda s, g: s.get_param(v)),
        ("set_params", lambda s, g: s.set_params(max_lr=v)),
        ("set_params name", lambda s, g: s.set_params(**{str(v): 1})),
        ("history_column", lambda s, g: s.history_column(v)),
        ("write_history_csv", lambda s, g: s.write_history_csv(v)),
        ("load_state", lambda s, g: s.load_state(v)),
        ("set_lr_hooks", lambda s, g: s.set_lr_hooks(set_lr=v)),
        ("set_weight_hooks", lambda s, g: s.set_weight_hooks(snapshot=v)),
        ("SGDR lr_at", lambda s, g: g.lr_at(v)),
        ("SGDR load_state_dict", lambda s, g: g.load_state_dict(v)),
        ("SGDR load", lambda s, g: g.load(v)),
        ("SGDR min_lr", lambda s, g: sgdr.torch.SGDR(g.optimizer, min_lr=v, max_lr=0.1,
                                                     steps_per_epoch=3)),
        ("SGDR cycle_length", lambda s, g: sgdr.torch.SGDR(g.optimizer, min_lr=0.001,
                                                           max_lr=0.1, steps_per_epoch=3,
                                                           cycle_length=v)),
    ]


@pytest.mark.parametrize("v", BAD_VALUES, ids=lambda v: type(v).__name__)
def test_every_failure_is_one_of_the_allowed_kinds(v, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name, call in calls_with(v):
        s = sgdr.Scheduler(**GOOD)
        s.on_train_begin()
        m, opt = model_and_opt()
        g = sgdr.torch.SGDR(opt, model=m, **GOOD)
        try:
            call(s, g)
        except ALLOWED:
            pass
        except Exception as e:  # noqa: BLE001 -- what this test is about
            pytest.fail("%s(%r) raised %s: %s" % (name, v, type(e).__name__, e))
