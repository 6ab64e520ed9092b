# SPDX-License-Identifier: MIT
"""sgdr: SGDR (cosine annealing with warm restarts) from libsgdr, through ctypes.

    import sgdr
    s = sgdr.Scheduler(min_lr=1e-5, max_lr=0.1, steps_per_epoch=100, set_lr=opt_set_lr)
    s.on_train_begin()
    ...  # s.on_batch_end(batch, {"loss": loss}) per batch, s.on_epoch_end(epoch) per epoch
    s.on_train_end()

For PyTorch, sgdr.torch.CosineAnnealingWarmRestarts is PyTorch's scheduler of that name
with exact restarts, and sgdr.torch.SGDR libsgdr's own schedule over an optimizer.

The shared library is found at SGDR_LIBRARY (a path), else next to this file (the copy a
wheel bundles), else on the system (ctypes.util.find_library("sgdr")), else, in a source
checkout, in its build/release, build/debug or build directory; `library_path` says which
one was loaded.
"""
from ._enums import BOOLEAN, ENUM, INTEGER, PARAMS, PHASES, REAL, RESTART_MODES, ParamInfo, \
    Param, Progress, Status
from ._errors import SGDRError, strerror
from ._lib import ABI_MAJOR, lib as _clib, library_path
from .scheduler import Scheduler

__all__ = ["Scheduler", "SGDRError", "Status", "Param", "Progress", "RESTART_MODES",
           "PHASES", "PARAMS", "ParamInfo", "REAL", "INTEGER", "ENUM", "BOOLEAN", "strerror", "version", "version_number", "library_path", "ABI_MAJOR"]


def version():
    """The loaded library's version, "major.minor.patch"."""
    return _clib.sgdr_version_string().decode()


def version_number():
    """The loaded library's version as 10000*major + 100*minor + patch."""
    return _clib.sgdr_version_number()


__version__ = version()
