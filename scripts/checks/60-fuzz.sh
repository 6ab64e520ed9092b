#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libFuzzer on sgdr_load_state and on random sequences of API calls, 30 s each, built
# through CMake (the `fuzz` preset: the library target with its own flags, plus clang's
# fuzzer, address and undefined-behaviour sanitizers). Fails on any finding.
# SGDR_FUZZ_SECONDS changes the time per target; fuzz/run.sh [SECONDS] runs them by hand.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/deps.sh
sgdr_need_packages clang libclang-rt-14-dev  # the libFuzzer runtime is only recommended by clang
bash fuzz/run.sh "${SGDR_FUZZ_SECONDS:-30}"
