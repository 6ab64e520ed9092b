#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The cmocka unit tests, through ctest, in the debug build.
# Tier: quick
set -euo pipefail
cmake --preset debug >/dev/null
cmake --build --preset debug -j2
ctest --preset debug
