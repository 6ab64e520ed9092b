"""Makes bindings/python importable, so the tests run from a source tree without
installing the package. The library itself is found as sgdr always finds it (SGDR_LIBRARY
first: scripts/checks/55-python.sh points it at an installed copy)."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
