# SPDX-License-Identifier: MIT
"""C trampolines for Python hook callables.

A Python exception must never cross the C library's frames (ctypes would print it and
return 0, i.e. success). Each trampoline catches whatever the hook raises, keeps it in the
HookBox, and returns 1 so the library fails the callback with the hook's status and leaves
the scheduler unchanged; the Scheduler then raises SGDRError with the kept exception as
__cause__.

The trampolines close over the HookBox, not over the Scheduler, so the Scheduler -> ctypes
function -> Scheduler reference cycle that would delay sgdr_destroy does not exist.
"""
from . import _lib


class HookBox:
    """The host's callables and the exception the most recent failing hook raised."""
    __slots__ = ("get_lr", "set_lr", "snapshot", "restore", "error")

    def __init__(self):
        self.get_lr = self.set_lr = self.snapshot = self.restore = None
        self.error = None

    def take_error(self):
        err, self.error = self.error, None
        return err


def _calling(box, attr, fn_type):
    """A C function object of fn_type whose call runs box.<attr>(arg)."""
    def trampoline(_user, arg):
        try:
            getattr(box, attr)(arg)
            return 0
        except BaseException as e:  # noqa: B036 -- must not unwind into C
            box.error = e
            return 1
    return fn_type(trampoline)


def _reading_lr(box):
    """The get_lr C function object: stores float(box.get_lr()) through its pointer."""
    def trampoline(_user, out):
        try:
            out[0] = float(box.get_lr())
            return 0
        except BaseException as e:  # noqa: B036
            box.error = e
            return 1
    return _lib.GET_LR_FN(trampoline)


def lr_trampolines(box):
    """(get_lr, set_lr) C function objects calling box.get_lr() / box.set_lr(lr); a NULL
    function pointer for an absent hook."""
    return (_lib.GET_LR_FN() if box.get_lr is None else _reading_lr(box),
            _lib.SET_LR_FN() if box.set_lr is None else
            _calling(box, "set_lr", _lib.SET_LR_FN))


def weight_trampolines(box):
    """(snapshot, restore) C function objects calling box.snapshot(cycle) /
    box.restore(cycle); a NULL function pointer for an absent hook."""
    return (_lib.SNAPSHOT_FN() if box.snapshot is None else
            _calling(box, "snapshot", _lib.SNAPSHOT_FN),
            _lib.RESTORE_FN() if box.restore is None else
            _calling(box, "restore", _lib.RESTORE_FN))
