# SPDX-License-Identifier: MIT
"""The enums of sgdr.h, with the names Python code uses, and the parameters as the loaded
library describes them. Values are fixed forever."""
import collections
import ctypes
import enum

from ._lib import has, lib, sgdr_param_desc


# sgdr_param_kind: how a parameter's double is read.
REAL, INTEGER, ENUM, BOOLEAN = 1, 2, 3, 4

ParamInfo = collections.namedtuple("ParamInfo", "id name kind required default since")
ParamInfo.__doc__ = """One parameter as the library describes it (sgdr_param_describe): its
id, name, kind (REAL, INTEGER, ENUM or BOOLEAN), whether it is required, its default (NaN
when required) and the library version that added it (10100 for 1.1.0)."""

_NAN = float("nan")

# What libsgdr 1.0 and 1.1 have: they cannot describe themselves (sgdr_param_describe and
# sgdr_status_name came with 1.2). Used only for such a library, and to name the release a
# parameter needs when the loaded library is older; tests/test_describe.py compares both
# tables with the library.
FALLBACK_PARAMS = (
    ParamInfo(1, "min_lr", REAL, True, _NAN, 10000),
    ParamInfo(2, "max_lr", REAL, True, _NAN, 10000),
    ParamInfo(3, "steps_per_epoch", INTEGER, True, _NAN, 10000),
    ParamInfo(4, "lr_decay", REAL, False, 1.0, 10000),
    ParamInfo(5, "cycle_length", INTEGER, False, 10.0, 10000),
    ParamInfo(6, "mult_factor", REAL, False, 2.0, 10000),
    ParamInfo(7, "restart_mode", ENUM, False, 0.0, 10000),
    ParamInfo(8, "warmup_epochs", INTEGER, False, 0.0, 10000),
    ParamInfo(9, "warmup_start_lr", REAL, False, 0.0, 10000),
    ParamInfo(10, "max_cycles", INTEGER, False, 0.0, 10000),
    ParamInfo(11, "restore_at_end", BOOLEAN, False, 1.0, 10000),
    ParamInfo(12, "history", BOOLEAN, False, 1.0, 10000),
    ParamInfo(13, "cycle_warmup_steps", INTEGER, False, 0.0, 10100),
)
FALLBACK_STATUS_NAMES = (
    "SGDR_OK", "SGDR_ENULL", "SGDR_EBADPARAM", "SGDR_EVALUE", "SGDR_ECONFIG", "SGDR_EORDER",
    "SGDR_EEPOCH", "SGDR_EMETRIC", "SGDR_ENOMEM", "SGDR_EHOOK_GET_LR", "SGDR_EHOOK_SET_LR",
    "SGDR_EHOOK_SNAPSHOT", "SGDR_EHOOK_RESTORE", "SGDR_EBUFSIZE", "SGDR_ETRUNCATED",
    "SGDR_EMAGIC", "SGDR_EVERSION", "SGDR_ECHECKSUM", "SGDR_ECORRUPT", "SGDR_EIO",
    "SGDR_EINDEX",
)
_UNKNOWN_STATUS = b"unknown status"  # what sgdr_status_name gives past the last code


def version_text(number):
    """"1.1" for 10100."""
    return "%d.%d" % (number // 10000, number // 100 % 100)


def _described():
    """The loaded library's parameters, in id order."""
    if "sgdr_param_describe" not in has:
        return tuple(p for p in FALLBACK_PARAMS if p.since <= lib.sgdr_version_number())
    out, d = [], sgdr_param_desc()
    while lib.sgdr_param_describe(len(out) + 1, ctypes.byref(d)) == 0:
        out.append(ParamInfo(len(out) + 1, d.name.decode(), d.kind, bool(d.required),
                             d.default_value, d.since))
    return tuple(out)


def _status_names():
    if "sgdr_status_name" not in has:
        return FALLBACK_STATUS_NAMES
    out = []
    while lib.sgdr_status_name(len(out)) != _UNKNOWN_STATUS:
        out.append(lib.sgdr_status_name(len(out)).decode())
    return tuple(out)


# The parameters of the loaded library, and every one this binding can name: those and the
# ones a newer release added (an older library refuses them by name, see scheduler.py).
PARAMS = _described()
KNOWN_PARAMS = {p.name: p for p in PARAMS}
for _p in FALLBACK_PARAMS:
    KNOWN_PARAMS.setdefault(_p.name, _p)

Status = enum.IntEnum("Status", [(n[len("SGDR_"):], i) for i, n in enumerate(_status_names())],
                      module=__name__)
Status.__doc__ = "sgdr_status, as the loaded library names its codes (values fixed forever)."

Param = enum.IntEnum("Param", [(p.name.upper(), p.id) for p in
                               sorted(KNOWN_PARAMS.values(), key=lambda p: p.id)],
                     module=__name__)
Param.__doc__ = "sgdr_param: the schedule's parameters (PARAMS: those of the loaded library)."


class Progress(enum.IntEnum):
    """sgdr_progress: the counters sgdr_get_progress() reads."""
    STEP = 1
    EPOCH = 2
    BATCH_IN_EPOCH = 3
    CYCLE = 4
    CYCLE_POSITION = 5
    CYCLE_LENGTH = 6
    PHASE = 7
    SNAPSHOTS = 8
    LAST_SNAPSHOT = 9
    RUNNING = 10


# SGDR_PARAM_RESTART_MODE values by their names in the C API, the CLI and the bindings.
RESTART_MODES = {"peak": 0, "keras-seed": 1}

# SGDR_PROGRESS_PHASE values (SGDR_PHASE_WARMUP, _CYCLE, _HOLD) by index.
PHASES = ("warmup", "cycle", "hold")
