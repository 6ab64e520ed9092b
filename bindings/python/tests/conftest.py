# SPDX-License-Identifier: MIT
"""Makes bindings/python importable, so the tests run from a source tree without
installing the package. The library itself is found as sgdr always finds it (SGDR_LIBRARY
first: scripts/checks/55-python.sh points it at an installed copy)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def pytest_sessionfinish(session, exitstatus):
    """A skipped test fails the run: nothing here may be skipped for want of a dependency."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1
