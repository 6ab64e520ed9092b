# SPDX-License-Identifier: MIT
"""Which sgdr the tests import: by default this source tree's bindings/python (the library
found as sgdr always finds it: SGDR_LIBRARY first, then a build directory of the tree).
With SGDR_TEST_INSTALLED=<prefix> (scripts/checks/55-python.sh) the source tree is NOT put
on sys.path, and the sgdr imported must lie under <prefix> (an installed wheel)."""
import os
import sys

SOURCE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTALLED = os.environ.get("SGDR_TEST_INSTALLED")

if not INSTALLED:
    sys.path.insert(0, SOURCE)
else:
    import sgdr  # noqa: E402

    where = os.path.realpath(sgdr.__file__)
    if not where.startswith(os.path.realpath(INSTALLED) + os.sep):
        raise ImportError("SGDR_TEST_INSTALLED=%s but sgdr was imported from %s"
                          % (INSTALLED, where))


def pytest_sessionfinish(session, exitstatus):
    """A skipped test fails the run: nothing here may be skipped for want of a dependency."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1
