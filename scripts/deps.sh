#!/usr/bin/env bash
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
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
      "${missing[@]}" >&2
  fi
}

# What building the library and running the demo need.
SGDR_BUILD_PACKAGES=(gcc g++ make cmake pkg-config zlib1g-dev)
# What the whole test suite needs on top.
SGDR_TEST_PACKAGES=(libcmocka-dev clang libclang-rt-14-dev valgrind abigail-tools locales-all
                    python3 python3-numpy python3-pytest python3-torch)
