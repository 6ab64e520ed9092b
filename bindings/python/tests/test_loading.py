# SPDX-License-Identifier: MIT
"""Finding and binding the library: SGDR_LIBRARY, the bundled copy, the build-tree
fallback, clear failures, and a binding for every public function."""
import os
import re
import shutil
import subprocess
import sys

import sgdr
from sgdr import _lib
from support import TOP

PKG = os.path.dirname(os.path.dirname(os.path.abspath(sgdr.__file__)))

# Runs in a child interpreter: hide the system library (so only SGDR_LIBRARY, the bundled
# copy and the build tree can be found), import sgdr from argv[1] and print what was loaded.
CHILD = """
import ctypes.util, sys
ctypes.util.find_library = lambda name: None
sys.path.insert(0, sys.argv[1])
import sgdr
assert sgdr.__file__.startswith(sys.argv[1]), sgdr.__file__
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


def fake_tree(tmp_path, bundled=False):
    """A copy of the package in <tmp>/bindings/python, as in a source tree (with its
    include/sgdr.h), with the library bundled next to it or not."""
    pkg = tmp_path / "bindings" / "python"
    shutil.copytree(os.path.join(PKG, "sgdr"), pkg / "sgdr",
                    ignore=shutil.ignore_patterns("__pycache__", "libsgdr*"))
    (tmp_path / "include").mkdir()
    shutil.copy(os.path.join(TOP, "include", "sgdr.h"), tmp_path / "include")
    if bundled:
        shutil.copy(real_library(), pkg / "sgdr" / "libsgdr.so.1")
    return pkg


def test_the_bundled_copy_comes_before_the_build_tree(tmp_path):
    pkg = fake_tree(tmp_path, bundled=True)
    (tmp_path / "build" / "release").mkdir(parents=True)
    shutil.copy(real_library(), tmp_path / "build" / "release" / "libsgdr.so.1")
    r = child(str(pkg), None)
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(pkg / "sgdr" / "libsgdr.so.1")


def test_sgdr_library_comes_before_the_bundled_copy(tmp_path):
    pkg = fake_tree(tmp_path, bundled=True)
    copy = tmp_path / "libsgdr-env.so"
    shutil.copy(real_library(), copy)
    r = child(str(pkg), str(copy))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == str(copy)


def test_an_installed_package_has_no_build_tree_fallback(tmp_path):
    # Without include/sgdr.h three levels up, the package is not in a source checkout.
    pkg = tmp_path / "site-packages"
    shutil.copytree(os.path.join(PKG, "sgdr"), pkg / "sgdr",
                    ignore=shutil.ignore_patterns("__pycache__", "libsgdr*"))
    (tmp_path / "build" / "release").mkdir(parents=True)
    r = child(str(pkg), None)
    assert r.returncode != 0 and "ImportError" in r.stderr
    assert "not bundled" in r.stderr and "build/release" not in r.stderr


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


def test_library_path_is_the_one_expected():
    # scripts/checks/55-python.sh runs this suite against an installed wheel
    # (SGDR_TEST_INSTALLED): the bundled copy must be what loaded. 56-python-asan.sh sets
    # SGDR_LIBRARY. Otherwise any found library will do, but it must be a real file.
    want = os.environ.get("SGDR_LIBRARY")
    if want:
        assert sgdr.library_path == want
    elif os.environ.get("SGDR_TEST_INSTALLED"):
        assert sgdr.library_path == os.path.join(os.path.dirname(sgdr.__file__),
                                                 "libsgdr.so.1")
    assert os.path.exists(real_library())
