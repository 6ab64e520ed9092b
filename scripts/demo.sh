#!/usr/bin/env bash
# The main job: build libsgdr and its example, then run it.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
sgdr_need_packages "${SGDR_BUILD_PACKAGES[@]}"
cmake --preset release -DSGDR_BUILD_TESTS=OFF >/dev/null
cmake --build --preset release -j2 >/dev/null
./build/release/examples/sgdr-basic "$@"
