# SPDX-License-Identifier: MIT
"""The enums of sgdr.h, with the names Python code uses. Values are fixed forever."""
import enum


class Status(enum.IntEnum):
    """sgdr_status from sgdr.h (values fixed forever)."""
    OK = 0
    ENULL = 1
    EBADPARAM = 2
    EVALUE = 3
    ECONFIG = 4
    EORDER = 5
    EEPOCH = 6
    EMETRIC = 7
    ENOMEM = 8
    EHOOK_GET_LR = 9
    EHOOK_SET_LR = 10
    EHOOK_SNAPSHOT = 11
    EHOOK_RESTORE = 12
    EBUFSIZE = 13
    ETRUNCATED = 14
    EMAGIC = 15
    EVERSION = 16
    ECHECKSUM = 17
    ECORRUPT = 18
    EIO = 19
    EINDEX = 20


class Param(enum.IntEnum):
    """sgdr_param: the schedule's parameters."""
    MIN_LR = 1
    MAX_LR = 2
    STEPS_PER_EPOCH = 3
    LR_DECAY = 4
    CYCLE_LENGTH = 5
    MULT_FACTOR = 6
    RESTART_MODE = 7
    WARMUP_EPOCHS = 8
    WARMUP_START_LR = 9
    MAX_CYCLES = 10
    RESTORE_AT_END = 11
    HISTORY = 12
    CYCLE_WARMUP_STEPS = 13  # since libsgdr 1.1


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
