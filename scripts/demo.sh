#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The main job: install what the build needs, build libsgdr and the digits trainer, then
# train on the UCI handwritten digits with libsgdr driving the learning rate. Prints one
# line per epoch and the accuracies of the restored snapshot, the snapshot ensemble and a
# constant learning rate; writes out/digits-history.csv and out/digits-curves.svg.
# Extra arguments go to the trainer (try --help).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
sgdr_need_packages "${SGDR_BUILD_PACKAGES[@]}"
cmake --preset examples >/dev/null
cmake --build --preset examples -j2 --target sgdr-digits >/dev/null
# Its default outputs are out/digits-history.csv and out/digits-curves.svg, relative to here.
./build/examples/examples/digits/sgdr-digits "$@"
