# SPDX-License-Identifier: MIT
"""sgdr.Scheduler: the libsgdr scheduler as a Python object with Keras-style callbacks."""
import collections.abc
import ctypes
import math
import numbers
import operator
import os
import threading

from . import _enums
from ._enums import BOOLEAN, INTEGER, KNOWN_PARAMS, PARAMS, PHASES, RESTART_MODES, Param, \
    Progress, Status
from ._errors import SGDRError, strerror
from ._hooks import HookBox, lr_trampolines, weight_trampolines
from ._lib import lib, library_path, sgdr_metric

_MODE_NAMES = {v: k for k, v in RESTART_MODES.items()}
_LOADED = {p.id: p for p in PARAMS}


def _param(name):
    """The Param of a parameter the loaded library has."""
    info = KNOWN_PARAMS.get(name.lower()) if isinstance(name, str) else None
    if info is None:
        raise SGDRError(Status.EBADPARAM, "unknown parameter %r (known: %s)" % (
            name, ", ".join(p.name for p in PARAMS)))
    if info.id not in _LOADED:
        raise SGDRError(Status.EBADPARAM, "%s needs libsgdr %s or later; the loaded library "
                        "is %s (%s)" % (info.name, _enums.version_text(info.since),
                                        lib.sgdr_version_string().decode(), library_path))
    return Param(info.id)


def _as_double(p, value):
    """The double sgdr_set_param receives for parameter p. Range checks are the library's;
    here only what cannot reach it as a double is refused."""
    name = p.name.lower()
    if p == Param.RESTART_MODE and isinstance(value, str):
        if value not in RESTART_MODES:
            raise SGDRError(Status.EVALUE, "restart_mode (%r) must be one of %s" % (
                value, ", ".join(repr(m) for m in RESTART_MODES)))
        return float(RESTART_MODES[value])
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    try:
        d = float(value)
    except (TypeError, ValueError, OverflowError):
        raise SGDRError(Status.EVALUE, "%s (%r) is not a number" % (name, value)) from None
    if isinstance(value, numbers.Integral) and d != value:
        raise SGDRError(Status.EVALUE, "%s (%d) is not exactly representable as a double"
                        % (name, value))
    return d


def _from_double(p, d):
    """A parameter's value as Python code expects it: ints, bools, the mode's name."""
    if math.isnan(d):
        return d  # a required parameter that is not set
    if p == Param.RESTART_MODE:
        return _MODE_NAMES.get(int(d), int(d))
    kind = _LOADED[p].kind
    if kind == BOOLEAN:
        return bool(d)
    if kind == INTEGER:
        return int(d)
    return d


def _cstr(text, what, status=Status.EVALUE):
    """text as the bytes of a C string; a NUL inside would silently cut it, so it is refused."""
    try:
        b = text if isinstance(text, bytes) else str(text).encode()
    except UnicodeEncodeError:
        raise SGDRError(status, "%s (%r) cannot be encoded as UTF-8" % (what, text)) from None
    if b"\0" in b:
        raise SGDRError(status, "%s (%r) contains a NUL character" % (what, text))
    return b


def _metrics(logs, who):
    """(array, count) of sgdr_metric for a Keras-style logs dict (None or empty: no metrics).
    The array keeps the encoded names alive for the duration of the call."""
    if logs is None:
        return None, 0
    if not isinstance(logs, collections.abc.Mapping):
        raise SGDRError(Status.EMETRIC, "%s: logs (%r) must be a dict of metric name -> "
                        "number" % (who, logs))
    items = []
    for name, value in logs.items():
        if isinstance(name, bytes):
            # decoded now, so that .history can give every name back as a str
            try:
                name = name.decode("utf-8")
            except UnicodeDecodeError:
                raise SGDRError(Status.EMETRIC, "%s: metric name %r is not UTF-8"
                                % (who, name)) from None
        cname = _cstr(name, "%s: metric name" % who, Status.EMETRIC)
        try:
            items.append((cname, float(value)))
        except (TypeError, ValueError, OverflowError):
            raise SGDRError(Status.EMETRIC, "%s: metric %r has a non-numeric value %r"
                            % (who, name, value)) from None
    if not items:
        return None, 0
    return (sgdr_metric * len(items))(*items), len(items)


_U64_LIMIT = 2**64


def _index(name, value):
    """value as a uint64 the C call receives unchanged: any exact integer (int, bool, a
    numpy integer, an integral float) in 0..2^64-1; anything else is refused, never
    wrapped or truncated."""
    if isinstance(value, numbers.Integral):
        i = int(value)
    elif isinstance(value, numbers.Real) and math.isfinite(value) and \
            float(value).is_integer():
        i = int(value)
    else:
        try:
            i = operator.index(value)
        except TypeError:
            raise SGDRError(Status.EVALUE, "%s (%r) is not an integer" % (name, value)) \
                from None
    if not 0 <= i < _U64_LIMIT:
        raise SGDRError(Status.EVALUE, "%s (%r) must be in 0..2^64-1" % (name, value))
    return i


def _counter(what, doc):
    """A read-only property reading progress counter `what`."""
    return property(lambda self: self.progress(what), doc=doc)


class Scheduler:
    """SGDR (cosine annealing with warm restarts) driving a training loop.

    The arguments are the schedule's parameters (see the C header sgdr.h; a keyword left
    at None keeps the library's default, listed in sgdr.PARAMS) and four optional hooks: set_lr(lr) receives the learning rate of the next batch, get_lr() returns the
    one the optimizer actually used, snapshot(cycle) keeps the weights at the end of a cycle
    and restore(cycle) puts them back at on_train_end. A hook fails by raising; the callback
    then raises SGDRError (the hook's exception as __cause__) and the scheduler is as it
    was, so the call may be retried. Invalid parameters raise SGDRError naming them.

    Calls from several threads are serialised (a lock per scheduler). A Scheduler cannot
    be copied or pickled (it owns a C scheduler and Python hooks): save state_bytes() and
    load_state() it into a new one.
    """

    def __init__(self, min_lr, max_lr, steps_per_epoch, lr_decay=None, cycle_length=None,
                 mult_factor=None, *, restart_mode=None, warmup_epochs=None,
                 warmup_start_lr=None, max_cycles=None, restore_at_end=None, history=None,
                 set_lr=None, get_lr=None, snapshot=None, restore=None,
                 cycle_warmup_steps=None):
        # One lock per scheduler: ctypes releases the GIL during C calls, and the C
        # scheduler is not thread-safe. Reentrant, so that a hook may read its scheduler.
        self._lock = threading.RLock()
        self._depth = 0  # C calls in progress (on this thread, with the lock held)
        handle = ctypes.c_void_p()
        st = lib.sgdr_create(ctypes.byref(handle))
        if st != Status.OK:
            raise SGDRError(st, strerror(st))
        self._h = handle
        self._box = HookBox()
        self._lr_fns = self._weight_fns = (None, None)
        # None leaves a parameter at the library's default, so a library older than a
        # parameter still works when that parameter is not asked for.
        optional = dict(lr_decay=lr_decay, cycle_length=cycle_length, mult_factor=mult_factor,
                        restart_mode=restart_mode, warmup_epochs=warmup_epochs,
                        warmup_start_lr=warmup_start_lr, max_cycles=max_cycles,
                        restore_at_end=restore_at_end, history=history,
                        cycle_warmup_steps=cycle_warmup_steps)
        try:
            self.set_params(min_lr=min_lr, max_lr=max_lr, steps_per_epoch=steps_per_epoch,
                            **{k: v for k, v in optional.items() if v is not None})
            self.lr_at(0)  # checks the rules that involve two parameters, now
            self.set_lr_hooks(get_lr=get_lr, set_lr=set_lr)
            self.set_weight_hooks(snapshot=snapshot, restore=restore)
        except BaseException:
            self.close()
            raise

    # -- life cycle ---------------------------------------------------------------------

    def close(self):
        """Free the C scheduler now (also done when the object is collected). Refused from
        one of this scheduler's own hooks, which run inside a call that still uses it."""
        lock = getattr(self, "_lock", None)
        if lock is None:  # __init__ failed before creating anything
            return
        with lock:
            if self._depth:
                raise SGDRError(Status.EORDER, "close() called from inside one of the same "
                                "scheduler's hooks, while a call still uses it; close it "
                                "after that call returns")
            h, self._h = getattr(self, "_h", None), None
            if h is not None and lib is not None:
                lib.sgdr_destroy(h)

    def __reduce_ex__(self, protocol):
        raise TypeError("an sgdr.Scheduler cannot be copied or pickled (it owns a C "
                        "scheduler and Python hooks); save state_bytes() and load_state() "
                        "it into a new Scheduler")

    def __del__(self):
        self.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _handle(self):
        if self._h is None:
            raise SGDRError(Status.ENULL, "the scheduler has been closed")
        return self._h

    def _fail(self, st):
        """Raise the SGDRError for status st of the last call, chaining a hook's exception.
        KeyboardInterrupt and SystemExit from a hook propagate as themselves. (Called with
        the lock held.)"""
        cause = self._box.take_error()
        if cause is not None and not isinstance(cause, Exception):
            raise cause
        # The library cuts a long message at its buffer's size, possibly inside a
        # multibyte character.
        msg = lib.sgdr_last_error(self._h).decode("utf-8", "replace")
        raise SGDRError(st, msg) from cause

    def _raw(self, fn, *args):
        """fn(handle, *args), marked as in progress for close(); returns its status. The
        caller holds the lock (taking it here again would cost every call ~70 ns)."""
        h = self._handle()
        self._depth += 1
        try:
            return fn(h, *args)
        finally:
            self._depth -= 1

    def _call(self, fn, *args):
        """fn(handle, *args) under the lock; a failure raises its SGDRError."""
        with self._lock:
            st = self._raw(fn, *args)
            if st != Status.OK:
                self._fail(st)

    # -- configuration ------------------------------------------------------------------

    def set_params(self, **params):
        """Set parameters by name (allowed before on_train_begin and after on_train_end).
        All or nothing: if one is refused, the ones already set get their old values back.
        steps_per_epoch may also change during a run, or on a loaded state before
        on_train_begin (a resume with another batch size or number of workers): the run goes
        on at the same epoch as one with the new value from the start; mid-epoch only after
        b of S batches where b * new / S is whole (else SGDRError EORDER naming the nearest
        exact positions, nothing changed)."""
        with self._lock:
            self._set_params(params)

    def _set_params(self, params):
        h = self._handle()
        values = [(p, _as_double(p, value)) for p, value in
                  ((_param(name), value) for name, value in params.items())]
        self._try_params(values)
        old = []
        try:
            for p, d in values:
                prev = ctypes.c_double()
                self._call(lib.sgdr_get_param, p, ctypes.byref(prev))
                self._call(lib.sgdr_set_param, p, d)
                old.append((p, prev.value))
        except BaseException:
            for p, prev in reversed(old):
                if not math.isnan(prev):
                    lib.sgdr_set_param(h, p, prev)
            raise

    def _try_params(self, values):
        """Raise what setting values [(param, double)] would raise, on a scratch scheduler
        holding this one's parameters: the library cannot unset a required parameter, so
        the rollback of _set_params could not undo setting one that was unset."""
        probe = ctypes.c_void_p()
        st = lib.sgdr_create(ctypes.byref(probe))
        if st != Status.OK:
            raise SGDRError(st, strerror(st))
        try:
            v = ctypes.c_double()
            for p in Param:
                if lib.sgdr_get_param(self._h, p, ctypes.byref(v)) == Status.OK and \
                        not math.isnan(v.value):
                    lib.sgdr_set_param(probe, p, v.value)
            for p, d in values:
                st = lib.sgdr_set_param(probe, p, d)
                if st != Status.OK:
                    raise SGDRError(st, lib.sgdr_last_error(probe).decode("utf-8", "replace"))
        finally:
            lib.sgdr_destroy(probe)

    def get_param(self, name):
        """One parameter's value (NaN for an unset required one)."""
        p = _param(name)
        v = ctypes.c_double()
        self._call(lib.sgdr_get_param, p, ctypes.byref(v))
        return _from_double(p, v.value)

    @property
    def params(self):
        """Every parameter of the loaded library, as a dict name -> value."""
        return {p.name: self.get_param(p.name) for p in PARAMS}

    def set_lr_hooks(self, get_lr=None, set_lr=None):
        """Replace the learning-rate hooks (None removes one)."""
        with self._lock:
            self._handle()
            self._box.get_lr, self._box.set_lr = get_lr, set_lr
            fns = lr_trampolines(self._box)
            self._call(lib.sgdr_set_lr_hooks, fns[0], fns[1], None)
            self._lr_fns = fns  # the library holds these pointers: keep them alive

    def set_weight_hooks(self, snapshot=None, restore=None):
        """Replace the weight hooks (None removes one)."""
        with self._lock:
            self._handle()
            self._box.snapshot, self._box.restore = snapshot, restore
            fns = weight_trampolines(self._box)
            self._call(lib.sgdr_set_weight_hooks, fns[0], fns[1], None)
            self._weight_fns = fns

    # -- the four callbacks -------------------------------------------------------------

    def on_train_begin(self, logs=None):
        """Start (or, after load_state of a running state, resume) a run."""
        self._call(lib.sgdr_on_train_begin)

    def on_batch_end(self, batch, logs=None):
        """A batch has trained; `logs` is a dict of metrics, like Keras'."""
        m, n = _metrics(logs, "on_batch_end")
        self._call(lib.sgdr_on_batch_end, _index("batch", batch), m, n)

    def on_epoch_end(self, epoch, logs=None):
        """An epoch has ended; `epoch` must be the scheduler's count (0-based)."""
        m, n = _metrics(logs, "on_epoch_end")
        self._call(lib.sgdr_on_epoch_end, _index("epoch", epoch), m, n)

    def on_train_end(self, logs=None):
        """End the run, restoring the last snapshot if restore_at_end."""
        m, n = _metrics(logs, "on_train_end")
        self._call(lib.sgdr_on_train_end, m, n)

    # -- learning rate, progress, history -----------------------------------------------

    @property
    def lr(self):
        """The learning rate of the next batch (NaN before on_train_begin)."""
        with self._lock:
            return self._raw(lib.sgdr_lr)

    def lr_at(self, step):
        """The learning rate batch `step` (0-based) trains with, in closed form."""
        out = ctypes.c_double()
        self._call(lib.sgdr_lr_at, _index("step", step), ctypes.byref(out))
        return out.value

    def progress(self, what):
        """A progress counter by Progress value or name ("step", "cycle", ...)."""
        try:
            p = Progress[what.upper()] if isinstance(what, str) else Progress(what)
        except (KeyError, ValueError):
            raise SGDRError(Status.EBADPARAM, "unknown progress counter %r (known: %s)" % (
                what, ", ".join(c.name.lower() for c in Progress))) from None
        out = ctypes.c_uint64()
        self._call(lib.sgdr_get_progress, p, ctypes.byref(out))
        return out.value

    step = _counter(Progress.STEP, "Batches trained since on_train_begin.")
    epoch = _counter(Progress.EPOCH, "Epochs completed: the index the next on_epoch_end "
                     "must pass.")
    batch_in_epoch = _counter(Progress.BATCH_IN_EPOCH, "Batches trained in this epoch.")
    cycle = _counter(Progress.CYCLE, "Index of the current cycle (0 during warm-up).")
    cycle_position = _counter(Progress.CYCLE_POSITION, "Batches since this cycle began.")
    current_cycle_length = _counter(Progress.CYCLE_LENGTH, "Epochs in the current cycle.")
    snapshots = _counter(Progress.SNAPSHOTS, "Snapshots taken this run.")
    last_snapshot = _counter(Progress.LAST_SNAPSHOT, "Cycle of the most recent snapshot "
                             "(if snapshots > 0).")
    phase = property(lambda self: PHASES[self.progress(Progress.PHASE)],
                     doc='"warmup", "cycle" or "hold".')
    running = property(lambda self: bool(self.progress(Progress.RUNNING)),
                       doc="True between on_train_begin and on_train_end.")

    @property
    def history(self):
        """Per-batch history as the Keras callback keeps it: {"lr": [...], metric: [...]}.
        A metric missing in a batch reads NaN there."""
        with self._lock:
            return self._history()

    def _history(self):
        rows, cols = ctypes.c_size_t(), ctypes.c_size_t()
        self._call(lib.sgdr_history_rows, ctypes.byref(rows))
        self._call(lib.sgdr_history_columns, ctypes.byref(cols))
        out = {}
        for c in range(cols.value):
            name = ctypes.c_char_p()
            self._call(lib.sgdr_history_column_name, c, ctypes.byref(name))
            buf = (ctypes.c_double * rows.value)()
            self._call(lib.sgdr_history_copy, c, 0, buf, rows.value)
            out[name.value.decode()] = list(buf)
        return out

    def history_column(self, name):
        """One history column by name, as a list."""
        col, rows = ctypes.c_size_t(), ctypes.c_size_t()
        cname = _cstr(name, "history column name")
        with self._lock:
            self._call(lib.sgdr_history_find, cname, ctypes.byref(col))
            self._call(lib.sgdr_history_rows, ctypes.byref(rows))
            buf = (ctypes.c_double * rows.value)()
            self._call(lib.sgdr_history_copy, col.value, 0, buf, rows.value)
        return list(buf)

    def history_csv(self):
        """The history as CSV text ("step,lr,<metrics>" and one line per batch)."""
        n = ctypes.c_size_t()
        with self._lock:
            self._call(lib.sgdr_history_to_csv, None, 0, ctypes.byref(n))
            buf = ctypes.create_string_buffer(n.value + 1)
            self._call(lib.sgdr_history_to_csv, buf, len(buf), ctypes.byref(n))
        return buf.raw[:n.value].decode("utf-8", "replace")

    def write_history_csv(self, path):
        """Write the history CSV to the file at `path` (str, bytes or os.PathLike)."""
        try:
            path = os.fsencode(os.fspath(path))
        except TypeError:
            raise SGDRError(Status.EVALUE, "write_history_csv: path (%r) is not a str, bytes "
                            "or os.PathLike" % (path,)) from None
        self._call(lib.sgdr_history_write_csv, _cstr(path, "write_history_csv: path"))

    # -- checkpoint and resume ----------------------------------------------------------

    def state_bytes(self):
        """The scheduler's state as a versioned, checksummed blob (not hooks or history)."""
        n = ctypes.c_size_t()
        with self._lock:
            self._call(lib.sgdr_save_state, None, 0, ctypes.byref(n))
            buf = ctypes.create_string_buffer(n.value)
            self._call(lib.sgdr_save_state, buf, n.value, ctypes.byref(n))
        return buf.raw[:n.value]

    def load_state(self, data):
        """Replace configuration and counters with a blob from state_bytes(); on a running
        state, call on_train_begin() next to resume. A bad blob changes nothing."""
        try:
            data = memoryview(data).tobytes()
        except TypeError:
            raise SGDRError(Status.EVALUE, "load_state: the state (%r) is not bytes-like"
                            % (type(data).__name__,)) from None
        self._call(lib.sgdr_load_state, data, len(data))

    def __repr__(self):
        if getattr(self, "_h", None) is None:
            return "<sgdr.Scheduler (closed)>"
        p = self.params
        return ("<sgdr.Scheduler min_lr=%r max_lr=%r steps_per_epoch=%r cycle_length=%r "
                "mult_factor=%r lr_decay=%r step=%d lr=%r>" % (
                    p["min_lr"], p["max_lr"], p["steps_per_epoch"], p["cycle_length"],
                    p["mult_factor"], p["lr_decay"], self.step, self.lr))
