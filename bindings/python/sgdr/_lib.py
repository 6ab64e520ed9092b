# SPDX-License-Identifier: MIT
"""Finding libsgdr and declaring every public function of sgdr.h to ctypes.

The library is looked up, in order, at the path in SGDR_LIBRARY, next to this file (the
copy an installed wheel bundles), on the system (ctypes.util.find_library), and, in a source
checkout, in its build directories. An explicit
SGDR_LIBRARY that cannot be loaded is an error rather than a reason to look elsewhere, so a
test run never silently picks up a different build.
"""
import ctypes
import ctypes.util
import os

# The major version this binding speaks (the SONAME is libsgdr.so.<major>).
ABI_MAJOR = 1

# Build directories of this source tree, relative to its top, in order of preference.
_BUILD_DIRS = ("build/release", "build/debug", "build")
_LIB_NAMES = ("libsgdr.so.1", "libsgdr.1.dylib", "sgdr.dll")


class sgdr_metric(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("value", ctypes.c_double)]


class sgdr_param_desc(ctypes.Structure):
    """sgdr.h's sgdr_param_desc (since 1.2; fixed forever)."""
    _fields_ = [("name", ctypes.c_char_p), ("kind", ctypes.c_int), ("required", ctypes.c_int),
                ("default_value", ctypes.c_double), ("lower", ctypes.c_double),
                ("upper", ctypes.c_double), ("lower_inclusive", ctypes.c_int),
                ("upper_inclusive", ctypes.c_int), ("since", ctypes.c_uint)]


_SCHED = ctypes.c_void_p  # sgdr_scheduler * (opaque)
_STATUS = ctypes.c_int    # sgdr_status
_PARAM = ctypes.c_int     # sgdr_param / sgdr_progress enums
_U64 = ctypes.c_uint64
_SIZE = ctypes.c_size_t
_DBL = ctypes.c_double
_P = ctypes.POINTER

# Hook types (sgdr.h: sgdr_get_lr_fn, sgdr_set_lr_fn, sgdr_snapshot_fn, sgdr_restore_fn,
# sgdr_alloc_fn, sgdr_free_fn).
GET_LR_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, _P(_DBL))
SET_LR_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, _DBL)
SNAPSHOT_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32)
RESTORE_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_uint32)
ALLOC_FN = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, _SIZE)
FREE_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p)

# Every function of sgdr.h: name -> (restype, argtypes). Kept in the header's order; the
# test suite checks this table against src/sgdr.map. SINCE names the functions added after
# 1.0 and the library version that added them: an older library lacks them and still loads
# (bound functions: `has`).
SIGNATURES = {
    "sgdr_version_number": (ctypes.c_uint, []),
    "sgdr_version_string": (ctypes.c_char_p, []),
    "sgdr_create": (_STATUS, [_P(_SCHED)]),
    "sgdr_create_with_allocator": (_STATUS, [_P(_SCHED), ALLOC_FN, FREE_FN, ctypes.c_void_p]),
    "sgdr_destroy": (None, [_SCHED]),
    "sgdr_set_param": (_STATUS, [_SCHED, _PARAM, _DBL]),
    "sgdr_get_param": (_STATUS, [_SCHED, _PARAM, _P(_DBL)]),
    "sgdr_param_name": (ctypes.c_char_p, [_PARAM]),
    "sgdr_param_from_name": (_STATUS, [ctypes.c_char_p, _P(_PARAM)]),
    "sgdr_param_describe": (_STATUS, [_PARAM, _P(sgdr_param_desc)]),
    "sgdr_set_lr_hooks": (_STATUS, [_SCHED, GET_LR_FN, SET_LR_FN, ctypes.c_void_p]),
    "sgdr_set_weight_hooks": (_STATUS, [_SCHED, SNAPSHOT_FN, RESTORE_FN, ctypes.c_void_p]),
    "sgdr_on_train_begin": (_STATUS, [_SCHED]),
    "sgdr_on_batch_end": (_STATUS, [_SCHED, _U64, _P(sgdr_metric), _SIZE]),
    "sgdr_on_epoch_end": (_STATUS, [_SCHED, _U64, _P(sgdr_metric), _SIZE]),
    "sgdr_on_train_end": (_STATUS, [_SCHED, _P(sgdr_metric), _SIZE]),
    "sgdr_lr": (_DBL, [_SCHED]),
    "sgdr_lr_at": (_STATUS, [_SCHED, _U64, _P(_DBL)]),
    "sgdr_get_progress": (_STATUS, [_SCHED, _PARAM, _P(_U64)]),
    "sgdr_history_rows": (_STATUS, [_SCHED, _P(_SIZE)]),
    "sgdr_history_columns": (_STATUS, [_SCHED, _P(_SIZE)]),
    "sgdr_history_column_name": (_STATUS, [_SCHED, _SIZE, _P(ctypes.c_char_p)]),
    "sgdr_history_find": (_STATUS, [_SCHED, ctypes.c_char_p, _P(_SIZE)]),
    "sgdr_history_copy": (_STATUS, [_SCHED, _SIZE, _SIZE, _P(_DBL), _SIZE]),
    "sgdr_history_to_csv": (_STATUS, [_SCHED, ctypes.c_char_p, _SIZE, _P(_SIZE)]),
    "sgdr_history_write_csv": (_STATUS, [_SCHED, ctypes.c_char_p]),
    "sgdr_save_state": (_STATUS, [_SCHED, ctypes.c_void_p, _SIZE, _P(_SIZE)]),
    "sgdr_load_state": (_STATUS, [_SCHED, ctypes.c_void_p, _SIZE]),
    "sgdr_strerror": (ctypes.c_char_p, [_STATUS]),
    "sgdr_status_name": (ctypes.c_char_p, [_STATUS]),
    "sgdr_last_error": (ctypes.c_char_p, [_SCHED]),
}

SINCE = {"sgdr_param_describe": 10200, "sgdr_status_name": 10200}

_HERE = os.path.dirname(os.path.abspath(__file__))


def _source_top():
    """The top of the source checkout this package lies in (bindings/python/sgdr), or
    None for an installed package."""
    top = os.path.dirname(os.path.dirname(os.path.dirname(_HERE)))
    return top if os.path.isfile(os.path.join(top, "include", "sgdr.h")) else None


def _candidates():
    """(description, path-or-name) pairs in lookup order."""
    env = os.environ.get("SGDR_LIBRARY")
    if env:
        return [("SGDR_LIBRARY=" + env, env)], True
    found = []
    bundled = os.path.join(_HERE, _LIB_NAMES[0])
    found.append((bundled, bundled) if os.path.exists(bundled) else
                 (bundled + " (not bundled)", None))
    system = ctypes.util.find_library("sgdr")
    found.append(("ctypes.util.find_library('sgdr')" +
                  (" -> " + system if system else " (not found)"), system))
    top = _source_top()
    for d in _BUILD_DIRS if top is not None else ():
        for name in _LIB_NAMES:
            path = os.path.join(top, d, name)
            if os.path.exists(path):
                found.append((path, path))
                break
        else:
            found.append((os.path.join(top, d, _LIB_NAMES[0]) + " (not found)", None))
    return found, False


def _load():
    candidates, explicit = _candidates()
    tried = []
    for desc, target in candidates:
        if target is None:
            tried.append(desc)
            continue
        try:
            lib = ctypes.CDLL(target)
        except OSError as e:
            tried.append("%s: %s" % (desc, e))
            if explicit:
                break
            continue
        path = getattr(lib, "_name", target)
        try:
            major = lib.sgdr_version_number() // 10000
        except AttributeError as e:
            tried.append("%s: not libsgdr (%s)" % (desc, e))
            continue
        if major != ABI_MAJOR:
            tried.append("%s: libsgdr major version %d, this binding needs %d"
                         % (desc, major, ABI_MAJOR))
            continue
        return lib, path
    raise ImportError("sgdr: cannot load libsgdr; tried:\n  " + "\n  ".join(tried) +
                      "\nInstall the package with pip (it bundles the library), set "
                      "SGDR_LIBRARY to the path of libsgdr.so.1, or install the library.")


def _bind(lib):
    """Declare every function the library has; returns the names of those it has."""
    bound = set()
    for name, (restype, argtypes) in SIGNATURES.items():
        try:
            fn = getattr(lib, name)
        except AttributeError:
            if name in SINCE and lib.sgdr_version_number() < SINCE[name]:
                continue
            raise ImportError("sgdr: the loaded libsgdr has no function %s" % name) from None
        fn.restype = restype
        fn.argtypes = argtypes
        bound.add(name)
    return frozenset(bound)


lib, library_path = _load()
has = _bind(lib)
