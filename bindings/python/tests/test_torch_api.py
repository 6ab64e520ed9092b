# SPDX-License-Identifier: MIT
"""sgdr.torch.SGDR as a PyTorch scheduler: param groups, state dict, errors, epoch ends."""
import weakref

import pytest
import torch

import sgdr
import sgdr.torch

S = sgdr.Status


def optimizer(*lrs):
    return torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(2))], "lr": lr}
                            for lr in lrs])


def test_construction_starts_the_run_and_sets_every_group():
    opt = optimizer(1.0, 0.1, 0.5)
    s = sgdr.torch.SGDR(opt, 1e-4, 0.2, 10)
    assert s.scheduler.running and s.scheduler.step == 0
    assert s.get_last_lr() == [0.2, 0.2 * 0.1, 0.2 * 0.5]
    assert s.get_last_lr() == [g["lr"] for g in opt.param_groups]


def test_explicit_group_scales():
    opt = optimizer(1.0, 1.0)
    s = sgdr.torch.SGDR(opt, 0.0, 0.2, 10, group_scales=[1.0, 0.25])
    s.step()
    lr = s.scheduler.lr
    assert s.get_last_lr() == [lr, lr * 0.25]


@pytest.mark.parametrize("kwargs, text", [
    (dict(group_scales=[1.0]), "group_scales has 1 values for 2 param groups"),
    (dict(group_scales=[1.0, -2.0]), "group_scales[1]"),
    (dict(keep_snapshots=0), "keep_snapshots"),
])
def test_bad_group_arguments(kwargs, text):
    with pytest.raises(sgdr.SGDRError) as e:
        sgdr.torch.SGDR(optimizer(0.1, 0.1), 0.0, 0.2, 10, **kwargs)
    assert e.value.status == S.EVALUE and text in e.value.message


def test_first_group_at_zero_needs_explicit_scales():
    with pytest.raises(sgdr.SGDRError, match="group_scales"):
        sgdr.torch.SGDR(optimizer(0.0, 0.1), 0.0, 0.2, 10)


@pytest.mark.parametrize("kwargs, name", [
    (dict(min_lr=0.5, max_lr=0.2), "max_lr"),
    (dict(steps_per_epoch=0), "steps_per_epoch"),
    (dict(lr_decay=-1), "lr_decay"),
    (dict(warmup_epochs=1.5), "warmup_epochs"),
])
def test_bad_schedule_arguments_name_the_parameter(kwargs, name):
    args = dict(min_lr=0.0, max_lr=0.2, steps_per_epoch=10)
    args.update(kwargs)
    opt = optimizer(0.1)
    with pytest.raises(sgdr.SGDRError) as e:
        sgdr.torch.SGDR(opt, **args)
    assert e.value.message.startswith(name + " (")
    assert opt.param_groups[0]["lr"] == 0.1  # nothing was set


def test_not_an_optimizer():
    with pytest.raises(TypeError):
        sgdr.torch.SGDR(object(), 0.0, 0.2, 10)


def test_every_feature_through_step_matches_lr_at():
    opt = optimizer(0.3)
    s = sgdr.torch.SGDR(opt, 1e-4, 0.3, 6, lr_decay=0.8, cycle_length=2, mult_factor=1.5,
                        warmup_epochs=2, warmup_start_lr=0.01, max_cycles=3)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(6 * 30):
        s.step()
        lrs.append(opt.param_groups[0]["lr"])
    assert lrs == [s.lr_at(i) for i in range(len(lrs))]
    assert s.scheduler.phase == "hold" and s.scheduler.epoch == 30


def test_load_state_dict_sets_the_restored_lr_whatever_construction_set():
    opt = optimizer(0.1, 0.05)
    s = sgdr.torch.SGDR(opt, 1e-3, 0.1, 4, cycle_length=2)
    for _ in range(11):
        s.step()
    saved, lrs = s.state_dict(), s.get_last_lr()
    assert lrs[0] not in (0.1, 1e-3)

    opt2 = optimizer(7.0, 3.0)  # another ratio: the saved scales win
    s2 = sgdr.torch.SGDR(opt2, 1e-3, 0.1, 4, cycle_length=2)
    s2.load_state_dict(saved)
    assert s2.get_last_lr() == lrs
    assert (s2.scheduler.epoch, s2.scheduler.batch_in_epoch) == (2, 3)
    s.step()
    s2.step()
    assert s2.get_last_lr() == s.get_last_lr()
    assert s2.scheduler.state_bytes() == s.scheduler.state_bytes()


def test_bad_state_dict_changes_nothing():
    opt = optimizer(0.1)
    s = sgdr.torch.SGDR(opt, 1e-3, 0.1, 4)
    s.step()
    before, lr = s.scheduler.state_bytes(), s.get_last_lr()
    bad = s.state_dict()
    bad["sgdr_state"] = bad["sgdr_state"][:-1] + b"\0"
    with pytest.raises(sgdr.SGDRError) as e:
        s.load_state_dict(bad)
    assert e.value.status == S.ECHECKSUM
    assert s.scheduler.state_bytes() == before and s.get_last_lr() == lr


def test_step_after_finish_is_refused():
    s = sgdr.torch.SGDR(optimizer(0.1), 1e-3, 0.1, 4)
    s.step()
    s.finish()
    with pytest.raises(sgdr.SGDRError) as e:
        s.step()
    assert e.value.status == S.EORDER


def test_a_param_group_added_later_is_refused():
    opt = optimizer(0.1)
    s = sgdr.torch.SGDR(opt, 1e-3, 0.1, 4)
    opt.add_param_group({"params": [torch.nn.Parameter(torch.zeros(1))], "lr": 0.1})
    with pytest.raises(sgdr.SGDRError, match="2 param groups"):
        s.step()


class FlakyModel(torch.nn.Linear):
    """A model whose state_dict() fails once while `broken` is set."""
    broken = False

    def state_dict(self, *args, **kwargs):
        if self.broken:
            self.broken = False
            raise MemoryError("no room for a snapshot")
        return super().state_dict(*args, **kwargs)


def test_a_failed_snapshot_copy_changes_nothing_and_the_retry_counts_once():
    model = FlakyModel(2, 2)
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    s = sgdr.torch.SGDR(opt, 0.0, 0.1, 3, cycle_length=1, model=model)
    s.step()
    s.step()
    lr = opt.param_groups[0]["lr"]
    model.broken = True
    with pytest.raises(MemoryError):
        s.step()  # the third batch ends epoch 0, which ends cycle 0: the copy fails
    # Nothing changed: the copy is taken before the batch is counted.
    assert (s.scheduler.step, s.scheduler.epoch, s.scheduler.snapshots) == (2, 0, 0)
    assert opt.param_groups[0]["lr"] == lr and s.snapshots == {}
    s.step()  # the retry counts the batch once, ends epoch 0 and keeps cycle 0's weights
    assert (s.scheduler.step, s.scheduler.epoch, s.scheduler.snapshots) == (3, 1, 1)
    assert list(s.snapshots) == [0]
    assert opt.param_groups[0]["lr"] == s.lr_at(3)


def test_no_reference_cycle_keeps_it_alive():
    model = torch.nn.Linear(2, 2)
    s = sgdr.torch.SGDR(torch.optim.SGD(model.parameters(), lr=0.1), 0.0, 0.1, 3,
                        model=model)
    ref = weakref.ref(s)
    inner = weakref.ref(s.scheduler)
    del s
    assert ref() is None and inner() is None


@pytest.mark.parametrize("name", ["peak_cycle_warmup.csv", "peak_cycle_warmup_max_cycles.csv"])
def test_cycle_warmup_steps_golden(name):
    """cycle_warmup_steps (libsgdr 1.1) through sgdr.torch.SGDR's keyword: every batch of the
    golden vector, and the same keyword on sgdr.Scheduler."""
    from support import GOLDEN, Golden
    g = Golden(GOLDEN + "/" + name)
    c = g.config
    assert c["cycle_warmup_steps"] > 0
    opt = optimizer(c["max_lr"])
    s = sgdr.torch.SGDR(opt, c["min_lr"], c["max_lr"], c["steps_per_epoch"], c["lr_decay"],
                        c["cycle_length"], c["mult_factor"], max_cycles=c["max_cycles"],
                        cycle_warmup_steps=c["cycle_warmup_steps"])
    assert s.scheduler.get_param("cycle_warmup_steps") == c["cycle_warmup_steps"]
    tol = 1e-12 * c["max_lr"]
    for i, want in enumerate(g.lrs):
        assert abs(opt.param_groups[0]["lr"] - want) <= tol, (i, want)
        s.step()
    plain = sgdr.Scheduler(c["min_lr"], c["max_lr"], c["steps_per_epoch"], c["lr_decay"],
                           c["cycle_length"], c["mult_factor"], max_cycles=c["max_cycles"],
                           cycle_warmup_steps=c["cycle_warmup_steps"])
    assert all(abs(plain.lr_at(i) - want) <= tol for i, want in enumerate(g.lrs))
    with pytest.raises(sgdr.SGDRError, match="cycle_warmup_steps .* warmup_epochs"):
        sgdr.Scheduler(0.0, 0.1, 10, warmup_epochs=1, cycle_warmup_steps=3)


def test_load_state_dict_with_other_steps_per_epoch():
    """Saved after 3 epochs of 4 batches, continued with 8 an epoch: the learning rates of a
    run with 8 from the start; a position with no exact counterpart is refused."""
    opt = optimizer(0.1)
    s = sgdr.torch.SGDR(opt, 1e-3, 0.1, 4, cycle_length=1, warmup_epochs=1)
    for _ in range(12):
        s.step()
    saved = s.state_dict()
    s2 = sgdr.torch.SGDR(optimizer(0.1), 1e-3, 0.1, 4, cycle_length=1, warmup_epochs=1)
    s2.load_state_dict(saved, steps_per_epoch=8)
    ref = sgdr.Scheduler(1e-3, 0.1, 8, cycle_length=1, warmup_epochs=1)
    for step in range(24, 60):
        assert s2.get_last_lr() == [ref.lr_at(step)]
        s2.step()
    assert s2.scheduler.step == 12 + 36 and s2.scheduler.epoch == 7

    s.step()  # 1 of 4 batches into epoch 3: 1 * 6 / 4 is not whole
    mid, before = s.state_dict(), s2.scheduler.state_bytes()
    with pytest.raises(sgdr.SGDRError) as e:
        s2.load_state_dict(mid, steps_per_epoch=6)
    assert e.value.status == S.EORDER and "exact are 0 and 2" in str(e.value)
    assert s2.scheduler.state_bytes() == before
