# SPDX-License-Identifier: MIT
"""Errors: bad arguments name the parameter; a failing Python hook fails the callback with
the hook's status, chains the Python exception, and leaves the scheduler unchanged."""
import pytest

import sgdr

S = sgdr.Status
GOOD = dict(min_lr=0.001, max_lr=0.1, steps_per_epoch=5)


@pytest.mark.parametrize("bad, name, status", [
    (dict(min_lr=-1), "min_lr", S.EVALUE),
    (dict(min_lr=float("inf")), "min_lr", S.EVALUE),
    (dict(min_lr="abc"), "min_lr", S.EVALUE),
    (dict(max_lr=float("nan")), "max_lr", S.EVALUE),
    (dict(max_lr=0.0001), "max_lr", S.ECONFIG),
    (dict(steps_per_epoch=0), "steps_per_epoch", S.EVALUE),
    (dict(steps_per_epoch=2.5), "steps_per_epoch", S.EVALUE),
    (dict(steps_per_epoch=2**53 + 1), "steps_per_epoch", S.EVALUE),
    (dict(lr_decay=0), "lr_decay", S.EVALUE),
    (dict(cycle_length=0), "cycle_length", S.EVALUE),
    (dict(mult_factor=0.5), "mult_factor", S.EVALUE),
    (dict(restart_mode="cosine"), "restart_mode", S.EVALUE),
    (dict(restart_mode=3), "restart_mode", S.EVALUE),
    (dict(warmup_epochs=-1), "warmup_epochs", S.EVALUE),
    (dict(warmup_start_lr=1.0), "warmup_start_lr", S.ECONFIG),
    (dict(max_cycles=1.5), "max_cycles", S.EVALUE),
    (dict(warmup_epochs=2, restart_mode="keras-seed"), "warmup_epochs", S.ECONFIG),
    (dict(max_cycles=2, restart_mode="keras-seed"), "max_cycles", S.ECONFIG),
    (dict(restore_at_end=2), "restore_at_end", S.EVALUE),
    (dict(history=0.5), "history", S.EVALUE),
])
def test_bad_argument_raises_naming_the_parameter(bad, name, status):
    with pytest.raises(sgdr.SGDRError) as e:
        sgdr.Scheduler(**dict(GOOD, **bad))
    assert e.value.status == status
    assert e.value.message.startswith(name + " (")
    assert name in str(e.value)


def test_unknown_parameter_name():
    s = sgdr.Scheduler(**GOOD)
    with pytest.raises(sgdr.SGDRError) as e:
        s.set_params(min_rl=0.1)
    assert e.value.status == S.EBADPARAM and "min_rl" in e.value.message


def test_set_params_is_all_or_nothing():
    s = sgdr.Scheduler(**GOOD)
    with pytest.raises(sgdr.SGDRError, match="cycle_length"):
        s.set_params(min_lr=0.01, cycle_length=0)
    assert s.get_param("min_lr") == 0.001 and s.get_param("cycle_length") == 10


def test_parameters_cannot_change_during_a_run():
    s = sgdr.Scheduler(**GOOD)
    s.on_train_begin()
    with pytest.raises(sgdr.SGDRError) as e:
        s.set_params(max_lr=0.2)
    assert e.value.status == S.EORDER and "max_lr" in e.value.message


def test_calls_out_of_order_and_wrong_epoch():
    s = sgdr.Scheduler(**GOOD)
    with pytest.raises(sgdr.SGDRError) as e:
        s.on_batch_end(0)
    assert e.value.status == S.EORDER
    s.on_train_begin()
    with pytest.raises(sgdr.SGDRError) as e:
        s.on_epoch_end(3)
    assert e.value.status == S.EEPOCH and "3" in e.value.message and "0" in e.value.message
    with pytest.raises(sgdr.SGDRError) as e:
        s.lr_at(-1)
    assert e.value.status == S.EVALUE and "step" in e.value.message


@pytest.mark.parametrize("logs", [{"": 1.0}, {"loss": "high"}])
def test_bad_metrics(logs):
    s = sgdr.Scheduler(**GOOD)
    s.on_train_begin()
    before = s.state_bytes()
    with pytest.raises(sgdr.SGDRError) as e:
        s.on_batch_end(0, logs)
    assert e.value.status == S.EMETRIC
    assert s.state_bytes() == before


class Flaky:
    """A hook that raises while `broken` is set, else records its argument."""

    def __init__(self, exc=ValueError):
        self.exc, self.broken, self.calls = exc, False, []

    def __call__(self, *args):
        if self.broken:
            self.broken = False
            raise self.exc("hook broke at %r" % (args,))
        self.calls.append(args)
        return 0.05


def failing_call(s, call, hook, status, exc=ValueError):
    """call(s) with `hook` broken: SGDRError with `status`, the hook's exception as cause,
    the scheduler's state and history unchanged; the retry then succeeds."""
    before, history = s.state_bytes(), s.history
    hook.broken = True
    with pytest.raises(sgdr.SGDRError) as e:
        call(s)
    assert e.value.status == status
    assert isinstance(e.value.__cause__, exc)
    assert "hook broke" in str(e.value.__cause__)
    assert e.value.message  # the library's message
    assert s.state_bytes() == before and s.history == history
    call(s)
    assert s.state_bytes() != before


def test_set_lr_hook_exception_is_chained():
    hook = Flaky()
    s = sgdr.Scheduler(**GOOD, set_lr=hook)
    s.on_train_begin()
    failing_call(s, lambda s: s.on_batch_end(0, {"loss": 1.0}), hook, S.EHOOK_SET_LR)


def test_get_lr_hook_exception_is_chained():
    hook = Flaky(KeyError)
    s = sgdr.Scheduler(**GOOD, get_lr=hook)
    s.on_train_begin()
    failing_call(s, lambda s: s.on_batch_end(0), hook, S.EHOOK_GET_LR, KeyError)
    assert s.history["lr"] == [0.05]  # what get_lr returned is what history records


def test_get_lr_returning_a_non_number_fails_the_hook():
    s = sgdr.Scheduler(**GOOD, get_lr=lambda: "fast")
    s.on_train_begin()
    with pytest.raises(sgdr.SGDRError) as e:
        s.on_batch_end(0)
    assert e.value.status == S.EHOOK_GET_LR and isinstance(e.value.__cause__, ValueError)


def test_snapshot_and_restore_hook_exceptions_are_chained():
    snap, restore = Flaky(RuntimeError), Flaky(OSError)
    s = sgdr.Scheduler(0.001, 0.1, 2, cycle_length=1, snapshot=snap, restore=restore)
    s.on_train_begin()
    s.on_batch_end(0)
    s.on_batch_end(1)
    failing_call(s, lambda s: s.on_epoch_end(0), snap, S.EHOOK_SNAPSHOT, RuntimeError)
    assert snap.calls == [(0,)] and s.epoch == 1
    failing_call(s, lambda s: s.on_train_end(), restore, S.EHOOK_RESTORE, OSError)
    assert restore.calls == [(0,)] and not s.running


def test_keyboard_interrupt_in_a_hook_is_not_wrapped():
    hook = Flaky(KeyboardInterrupt)
    s = sgdr.Scheduler(**GOOD, set_lr=hook)
    s.on_train_begin()
    before = s.state_bytes()
    hook.broken = True
    with pytest.raises(KeyboardInterrupt):
        s.on_batch_end(0)
    assert s.state_bytes() == before
