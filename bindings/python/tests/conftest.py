# SPDX-License-Identifier: MIT
"""Which sgdr the tests import: by default this source tree's bindings/python, with the
library found as sgdr always finds it (SGDR_LIBRARY first, then a build directory of the
tree); when no build directory has one, it is built as a contributor would, with the
`release` preset into build/release. The header of the run says which library it is.
With SGDR_TEST_INSTALLED=<prefix> (scripts/checks/55-python.sh) the source tree is NOT put
on sys.path, and the sgdr imported must lie under <prefix> (an installed wheel)."""
import ast
import os
import subprocess
import sys

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOP = os.path.dirname(os.path.dirname(SOURCE))
INSTALLED = os.environ.get("SGDR_TEST_INSTALLED")


def _build_if_missing():
    """Builds the library with the release preset unless SGDR_LIBRARY is set or a build
    directory of the tree has one (the places sgdr looks in, sgdr/_lib.py)."""
    if os.environ.get("SGDR_LIBRARY"):
        return
    # the lookup's own lists, read from sgdr/_lib.py (importing sgdr would load a library)
    with open(os.path.join(SOURCE, "sgdr", "_lib.py")) as f:
        lists = {node.targets[0].id: ast.literal_eval(node.value)
                 for node in ast.parse(f.read()).body if isinstance(node, ast.Assign)
                 and getattr(node.targets[0], "id", "") in ("_BUILD_DIRS", "_LIB_NAMES")}
    _BUILD_DIRS, _LIB_NAMES = lists["_BUILD_DIRS"], lists["_LIB_NAMES"]
    if any(os.path.exists(os.path.join(TOP, d, n)) for d in _BUILD_DIRS for n in _LIB_NAMES):
        return
    sys.stderr.write("conftest: no libsgdr in %s; building it: cmake --preset release\n"
                     % ", ".join(_BUILD_DIRS))
    for args in (["--preset", "release"], ["--build", "--preset", "release", "--target", "sgdr"]):
        subprocess.run(["cmake"] + args, cwd=TOP, check=True, stdout=subprocess.DEVNULL)


if not INSTALLED:
    _build_if_missing()
    sys.path.insert(0, SOURCE)
else:
    import sgdr  # noqa: E402

    where = os.path.realpath(sgdr.__file__)
    if not where.startswith(os.path.realpath(INSTALLED) + os.sep):
        raise ImportError("SGDR_TEST_INSTALLED=%s but sgdr was imported from %s"
                          % (INSTALLED, where))


def pytest_report_header(config):
    import sgdr
    return "sgdr %s from %s, libsgdr from %s" % (sgdr.__version__, os.path.dirname(sgdr.__file__),
                                                sgdr.library_path)


def pytest_sessionfinish(session, exitstatus):
    """A skipped test fails the run: nothing here may be skipped for want of a dependency."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1
