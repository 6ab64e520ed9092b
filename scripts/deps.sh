#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Install the Debian packages the build, the demo and the tests need, if any is missing.
# Sourced by scripts/demo.sh and scripts/test.sh; safe to run again (no-op when complete).
# It sets no shell option: a sourcing script keeps its own, and a failure is a return status
# (with one line saying which package and which index failed), never an exit.
#
# A mirror can fail now and then (a "Mirror sync in progress?" on one index): `apt-get
# update` is tried SGDR_APT_TRIES times (default 4), SGDR_APT_PAUSE seconds apart (default
# 15, doubling), and if it still fails the packages are installed from the indexes apt
# already has, which is enough unless one of them needs the index that failed.

# sgdr_need_packages PKG...: installs those of PKG that are not installed; returns non-zero
# (after one line on stderr naming the package and the failed index) if that fails.
sgdr_need_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep "install ok installed" >/dev/null || missing+=("$p")
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  echo "deps: installing ${missing[*]}" >&2
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  # an i386 package (the 32-bit test build's cmocka) needs dpkg to know the architecture
  local i386
  i386=$(printf '%s\n' "${missing[@]}" | grep ':i386$' | tr '\n' ' ')
  if [ -n "$i386" ] && ! dpkg --print-foreign-architectures | grep -x i386 >/dev/null; then
    $sudo dpkg --add-architecture i386 || { echo "deps: dpkg --add-architecture i386 failed" >&2; return 1; }
    echo "deps: added the i386 architecture to dpkg, for ${i386% } (undo, once no i386" \
      "package is left: dpkg --remove-architecture i386)" >&2
  fi

  local log tries=${SGDR_APT_TRIES:-4} pause=${SGDR_APT_PAUSE:-15} try updated=0
  log=$(mktemp)
  for ((try = 1; try <= tries; try++)); do
    if $sudo apt-get update -qq >"$log" 2>&1; then
      updated=1
      break
    fi
    echo "deps: apt-get update failed (try $try of $tries): $(_sgdr_apt_errors "$log" | head -n 1)" >&2
    if [ "$try" -lt "$tries" ]; then
      sleep "$pause"
      pause=$((pause * 2))
    fi
  done
  local failed_index=""
  if [ "$updated" -eq 0 ]; then
    failed_index=$(_sgdr_apt_errors "$log")
    echo "deps: going on with the package indexes apt already has" >&2
  fi

  local out rc=0
  out=$(DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" 2>&1) || rc=$?
  [ -z "$out" ] || printf '%s\n' "$out" >&2
  rm -f "$log"
  [ "$rc" -ne 0 ] || return 0
  _sgdr_install_failure "$out" "$failed_index" "${missing[@]}" >&2
  return 1
}

# The "Failed to fetch URL  REASON" lines of apt-get update's output, as "URL (REASON)".
_sgdr_apt_errors() {
  sed -n 's/^[EW]: Failed to fetch \([^ ]*\) *\(.*\)$/\1 (\2)/p' "$1"
  grep -q '^[EW]: Failed to fetch' "$1" || grep '^E:' "$1" || tail -n 1 "$1"
}

# One line: which package apt-get install could not install, and the index update that
# failed for its architecture (or the first that failed), if any did.
_sgdr_install_failure() {
  local out=$1 failed=$2 p pkg="" arch index=""
  shift 2
  for p in "$@"; do
    if grep -qF -e "package $p" -e "Package '$p'" -e "Package $p " -e "/${p%%:*}_" <<<"$out"; then
      pkg=$p
      break
    fi
  done
  [ -n "$pkg" ] || pkg="one of $*"
  if [ -n "$failed" ]; then
    arch=${pkg##*:}
    [ "$arch" != "$pkg" ] || arch=$(dpkg --print-architecture 2>/dev/null)
    index=$(grep -m 1 "binary-$arch/" <<<"$failed" || head -n 1 <<<"$failed")
  fi
  local why
  why=$(grep -m 1 '^E:' <<<"$out" | sed 's/^E: //')
  echo "deps: cannot install $pkg (${why:-apt-get install failed})${index:+; the index that failed to update: $index}"
}

# What building the library and running the demo need.
SGDR_BUILD_PACKAGES=(gcc g++ make cmake pkg-config zlib1g-dev)
# What scripts/test.sh --quick needs on top: cmocka for the unit tests (gcc brings its own
# sanitizers), python3 for the documentation's block check.
SGDR_QUICK_PACKAGES=(libcmocka-dev python3)
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
