# SPDX-License-Identifier: MIT
"""What the binding knows about parameters and statuses is the library's: read from it
(sgdr_param_describe, sgdr_status_name), or, for the 1.0 and 1.1 libraries that cannot
describe themselves, from the fallback tables, which are compared here with the library and
with real 1.0 and 1.1 builds (built from this repository's history). Against such an old
library Scheduler() works, and only a parameter it lacks is refused, naming the versions."""
import inspect
import json
import math
import os
import subprocess
import sys

import pytest

import sgdr
from sgdr import _enums, _lib
from support import TOP

PKG = os.path.dirname(os.path.dirname(os.path.abspath(sgdr.__file__)))

# The last commits of releases 1.0.0 and 1.1.0 (their headers say so; 82-doc-blocks and
# 05-versions held them to it then).
RELEASES = {"1.0.0": "7b12e1e2e0857771f0cd03773065f4a5fbafde3d",
            "1.1.0": "82eda5983a0a7f1e03fcc210a27afc6a69bc6742"}


def same(a, b):
    return a == b or (math.isnan(a) and math.isnan(b))


def test_the_library_describes_itself():
    # This suite runs against the library of this tree, which has the 1.2 functions.
    assert {"sgdr_param_describe", "sgdr_status_name"} <= _lib.has
    assert sgdr.version_number() >= 10200


def test_fallback_params_are_the_library_s():
    described = {p.id: p for p in sgdr.PARAMS}
    for f in _enums.FALLBACK_PARAMS:
        d = described[f.id]
        assert (f.name, f.kind, f.required, f.since) == (d.name, d.kind, d.required, d.since)
        assert same(f.default, d.default), (f.name, f.default, d.default)
    # ... and complete for every release before 1.2.
    assert {p.id for p in sgdr.PARAMS if p.since < 10200} == \
        {f.id for f in _enums.FALLBACK_PARAMS}


def test_fallback_status_names_are_the_library_s():
    names = [_lib.lib.sgdr_status_name(i).decode() for i in range(len(sgdr.Status) + 1)]
    assert names[-1] == "unknown status"
    assert tuple(names[:-1]) == _enums.FALLBACK_STATUS_NAMES
    assert [("SGDR_" + s.name, int(s)) for s in sgdr.Status] == \
        [(n, i) for i, n in enumerate(names[:-1])]


def test_params_enum_and_defaults_are_the_library_s():
    assert [(p.name, int(p)) for p in sgdr.Param] == \
        [(p.name.upper(), p.id) for p in sgdr.PARAMS]
    s = sgdr.Scheduler(min_lr=0.1, max_lr=1.0, steps_per_epoch=3)
    got = s.params
    assert list(got) == [p.name for p in sgdr.PARAMS]
    for p in sgdr.PARAMS:
        if p.required:
            continue
        d = _lib.sgdr_param_desc()
        assert _lib.lib.sgdr_param_describe(p.id, d) == 0
        want = {sgdr.BOOLEAN: bool, sgdr.INTEGER: int}.get(p.kind, float)(d.default_value)
        if p.name == "restart_mode":
            want = {v: k for k, v in sgdr.RESTART_MODES.items()}[want]
        assert got[p.name] == want and type(got[p.name]) is type(want), p.name


def release_library(version):
    """libsgdr.so.1 of an earlier release, built once from git history into build/."""
    out = os.path.join(TOP, "build", "releases", version)
    lib = os.path.join(out, "build", "libsgdr.so.1")
    if os.path.exists(lib):
        return lib
    src = out + ".src.%d" % os.getpid()
    os.makedirs(src)
    archive = subprocess.run(["git", "-C", TOP, "archive", RELEASES[version]],
                             capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", src], input=archive, check=True)
    build = os.path.join(src, "build")
    subprocess.run(["cmake", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=Release",
                    "-DBUILD_TESTING=OFF", "-DSGDR_BUILD_TESTS=OFF",
                    "-DSGDR_BUILD_EXAMPLES=OFF", "-DSGDR_BUILD_TOOLS=OFF",
                    "-DSGDR_BUILD_BENCH=OFF", "-DSGDR_INSTALL=OFF"],
                   capture_output=True, check=True)
    subprocess.run(["cmake", "--build", build, "-j2", "--target", "sgdr"],
                   capture_output=True, check=True)
    try:
        os.rename(src, out)  # whole or not at all, should two runs build at once
    except OSError:
        pass
    return lib


# Runs in a child interpreter against SGDR_LIBRARY: what the binding makes of that library.
CHILD = r"""
import ctypes, json, math, sys
sys.path.insert(0, sys.argv[1])
import sgdr
from sgdr import _enums, _lib
out = {"version": sgdr.version(), "has": sorted(_lib.has & set(_lib.SINCE)),
       "params": [list(p) for p in sgdr.PARAMS], "status": [s.name for s in sgdr.Status],
       "param_enum": sgdr.Param.CYCLE_WARMUP_STEPS.value}
s = sgdr.Scheduler(min_lr=0.1, max_lr=1.0, steps_per_epoch=3, cycle_length=2)
out["values"] = {k: (None if isinstance(v, float) and math.isnan(v) else v)
                 for k, v in sgdr.Scheduler(0.1, 1.0, 3).params.items()}
out["lr"] = [s.lr_at(i) for i in range(12)]
for call in ("sgdr.Scheduler(0.1, 1.0, 3, cycle_warmup_steps=2)",
             "s.set_params(cycle_warmup_steps=0)", "s.get_param('cycle_warmup_steps')"):
    try:
        eval(call)
        out[call] = "ok"
    except sgdr.SGDRError as e:
        out[call] = [e.status.name, str(e)]
# A library that cannot describe itself is described by the fallback tables: each row
# against what the library itself does (its names, a new scheduler's values).
if "sgdr_param_describe" not in _lib.has:
    fresh, v = ctypes.c_void_p(), ctypes.c_double()
    assert _lib.lib.sgdr_create(ctypes.byref(fresh)) == 0
    for p in sgdr.PARAMS:
        assert _lib.lib.sgdr_param_name(p.id).decode() == p.name
        assert _lib.lib.sgdr_get_param(fresh, p.id, ctypes.byref(v)) == 0
        assert (math.isnan(v.value) if p.required else v.value == p.default), p
    _lib.lib.sgdr_destroy(fresh)
    assert _lib.lib.sgdr_param_name(len(sgdr.PARAMS) + 1) is None
    for i, n in enumerate(_enums.FALLBACK_STATUS_NAMES):
        assert _lib.lib.sgdr_strerror(i) != b"unknown status"
    assert _lib.lib.sgdr_strerror(len(_enums.FALLBACK_STATUS_NAMES)) == b"unknown status"
print(json.dumps(out))
"""


def run_against(library):
    env = dict(os.environ, SGDR_LIBRARY=library, PYTHONDONTWRITEBYTECODE="1")
    r = subprocess.run([sys.executable, "-c", CHILD, PKG], env=env, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


@pytest.mark.parametrize("version", sorted(RELEASES))
def test_an_older_library_works_without_what_it_lacks(version):
    lib = release_library(version)
    got = run_against(lib)
    assert got["version"] == version
    assert got["has"] == []  # neither describing function: the fallback tables speak
    assert got["status"] == [n[len("SGDR_"):] for n in _enums.FALLBACK_STATUS_NAMES]
    assert got["param_enum"] == 13  # the name stays known, whatever the library
    names = [p[1] for p in got["params"]]
    assert list(got["values"]) == names
    assert got["values"]["cycle_length"] == 10 and got["values"]["history"] is True
    # the same schedule as this tree's library gives
    here = sgdr.Scheduler(min_lr=0.1, max_lr=1.0, steps_per_epoch=3, cycle_length=2)
    assert got["lr"] == [here.lr_at(i) for i in range(12)]
    calls = ("sgdr.Scheduler(0.1, 1.0, 3, cycle_warmup_steps=2)",
             "s.set_params(cycle_warmup_steps=0)", "s.get_param('cycle_warmup_steps')")
    if version == "1.0.0":
        assert "cycle_warmup_steps" not in names
        for call in calls:
            status, message = got[call]
            assert status == "EBADPARAM"
            assert message.startswith("cycle_warmup_steps needs libsgdr 1.1 or later; the "
                                      "loaded library is 1.0.0 (" + lib + ")"), message
    else:
        assert names[-1] == "cycle_warmup_steps" and got["values"][names[-1]] == 0
        assert got[calls[0]] == "ok" and got[calls[1]] == "ok" and got[calls[2]] == "ok"


@pytest.mark.parametrize("cls", [sgdr.Scheduler, "SGDR"])
def test_every_parameter_is_a_keyword_defaulting_to_the_library_s(cls):
    if cls == "SGDR":
        from sgdr import torch as sgdr_torch
        cls, extra = sgdr_torch.SGDR, {"optimizer", "model", "keep_snapshots", "group_scales"}
    else:
        extra = {"set_lr", "get_lr", "snapshot", "restore"}
    signature = inspect.signature(cls.__init__).parameters
    names = [n for n in signature if n != "self" and n not in extra]
    assert sorted(names) == sorted(p.name for p in sgdr.PARAMS)
    for p in sgdr.PARAMS:
        default = signature[p.name].default
        if p.required:
            assert default is inspect.Parameter.empty, p.name
        elif not (cls is not sgdr.Scheduler and p.name == "history"):  # off for torch
            assert default is None, p.name  # None: the library's default
