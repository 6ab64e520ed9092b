# SPDX-License-Identifier: MIT
"""Finding and binding the library: SGDR_LIBRARY, the build-tree fallback, clear failures,
and a binding for every public function."""
import os
import re
import shutil
import subprocess
import sys

import sgdr
from sgdr import _lib
from support import TOP

PKG = os.path.dirname(os.path.dirname(os.path.abspath(sgdr.__file__)))

# Runs in a child interpreter: hide the system library (so only SGDR_LIBRARY and the build
# tree can be found), import sgdr from argv[1] and print what was loaded.
CHILD = """
import ctypes.util, sys
ctypes.util.find_library = lambda name: None
sys.path.insert(0, sys.argv[1])
import sgdr
print(sgdr.library_path)
"""


def child(pkg_dir, env_lib):
    env = {k: v for k, v in os.environ.items() if k != "SGDR_LIBRARY"}
    if env_lib is not None:
        env["SGDR_LIBRARY"] = env_lib
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return subprocess.run([sys.executable, "-c", CHILD, pkg_dir], env=env,
                          capture_output=True, text=True, timeout=60)


def real_library():
    return os.path.realpath(sgdr.library_path) if os.path.isabs(sgdr.library_path) else \
        next(line.split()[-1] for line in open("/proc/self/maps") if "libsgdr" in line)


def test_sgdr_library_is_used_when_set(tmp_path):
    copy = tmp_path / "libsgdr-copy.so"
    shutil.copy(real_library(), copy)
    r = child(PKG, str(copy))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(copy)


def test_missing_sgdr_library_is_an_import_error_naming_it(tmp_path):
    missing = str(tmp_path / "nowhere" / "libsgdr.so.1")
    r = child(PKG, missing)
    assert r.returncode != 0
    assert "ImportError" in r.stderr and "SGDR_LIBRARY=" + missing in r.stderr


def test_a_library_that_is_not_libsgdr_is_refused(tmp_path):
    libm = next(line.split()[-1] for line in open("/proc/self/maps") if "/libm." in line)
    r = child(PKG, libm)
    assert r.returncode != 0 and "not libsgdr" in r.stderr


def fake_tree(tmp_path):
    """A copy of the package in <tmp>/bindings/python, as in a source tree."""
    pkg = tmp_path / "bindings" / "python"
    shutil.copytree(os.path.join(PKG, "sgdr"), pkg / "sgdr",
                    ignore=shutil.ignore_patterns("__pycache__"))
    return pkg


def test_build_tree_is_the_fallback(tmp_path):
    pkg = fake_tree(tmp_path)
    (tmp_path / "build" / "debug").mkdir(parents=True)
    shutil.copy(real_library(), tmp_path / "build" / "debug" / "libsgdr.so.1")
    r = child(str(pkg), None)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(tmp_path / "build" / "debug" / "libsgdr.so.1")


def test_nothing_found_lists_what_was_tried(tmp_path):
    pkg = fake_tree(tmp_path)
    r = child(str(pkg), None)
    assert r.returncode != 0 and "ImportError" in r.stderr
    for d in ("build/release", "build/debug"):
        assert str(tmp_path / d / "libsgdr.so.1") in r.stderr
    assert "find_library" in r.stderr and "SGDR_LIBRARY" in r.stderr


def test_every_exported_function_is_bound():
    with open(os.path.join(TOP, "src", "sgdr.map")) as f:
        exported = set(re.findall(r"^\s*(sgdr_\w+);", f.read(), re.M))
    with open(os.path.join(TOP, "include", "sgdr.h")) as f:
        declared = set(re.findall(r"SGDR_API[^;(]*?\b(sgdr_\w+)\s*\(", f.read()))
    assert exported == declared
    assert set(_lib.SIGNATURES) == exported
    for name in exported:
        fn = getattr(_lib.lib, name)
        assert fn.argtypes is not None and fn.restype == _lib.SIGNATURES[name][0]


def test_library_path_matches_sgdr_library_when_set():
    # scripts/checks/55-python.sh runs this suite with SGDR_LIBRARY set to the installed
    # library; without it any found library will do, but it must be a real file.
    want = os.environ.get("SGDR_LIBRARY")
    if want:
        assert sgdr.library_path == want
    assert os.path.exists(real_library())
