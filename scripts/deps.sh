#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages the build, the demo and the tests need, if any is missing.
# Sourced by scripts/demo.sh and scripts/test.sh; safe to run again (no-op when complete).
set -euo pipefail

sgdr_need_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "deps: installing ${missing[*]}" >&2
    local sudo=""
    [ "$(id -u)" -eq 0 ] || sudo="sudo"
    # an i386 package (the 32-bit test build's cmocka) needs dpkg to know the architecture
    if [[ " ${missing[*]}" == *:i386* ]] && ! dpkg --print-foreign-architectures | grep -x i386 >/dev/null; then
      $sudo dpkg --add-architecture i386
    fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >&2
  fi
}

# What building the library and running the demo need.
SGDR_BUILD_PACKAGES=(gcc g++ make cmake pkg-config zlib1g-dev)
# What the whole test suite needs on top.
SGDR_TEST_PACKAGES=(libcmocka-dev clang libclang-rt-14-dev valgrind abigail-tools locales-all
                    python3 python3-numpy python3-pytest python3-torch
                    python3-build python3-venv python3-setuptools python3-wheel python3-pip
                    gcc-multilib g++-multilib libcmocka-dev:i386 lintian dpkg-dev fakeroot file
                    libtorch-dev libopenmpi-dev openmpi-bin time
                    darknet tiny-dnn libcereal-dev libgemmlowp-dev libstb-dev libdlib-dev)

# Node.js and npm for the JavaScript binding's tests. A Node.js that is already installed
# (from another repository, with its own npm) is kept; Debian's are installed only when there
# is no npm at all, since Debian's npm package conflicts with other nodejs builds.
sgdr_need_node() {
  command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && return 0
  sgdr_need_packages nodejs npm
}
