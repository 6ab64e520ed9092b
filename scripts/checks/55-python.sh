#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Python binding's tests (bindings/python, pytest) against an installed libsgdr: build,
# `cmake --install` to a temporary prefix, and point SGDR_LIBRARY at the installed
# libsgdr.so.1. Uses Debian's interpreter and its python3-torch, python3-numpy and
# python3-pytest; any of them missing is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
py=/usr/bin/python3
[ -x "$py" ] || { echo "python: $py is missing (Debian package python3)" >&2; exit 1; }
for mod in torch numpy pytest; do
  "$py" -c "import $mod" 2>/dev/null ||
    { echo "python: $py cannot import $mod (Debian package python3-$mod)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/sgdr-python.XXXXXX")
trap 'rm -rf "$work"' EXIT
source tests/consumers/install.sh
sgdr_install "$root" "$work/build" "$work/prefix"

export SGDR_LIBRARY="$SGDR_LIBDIR/libsgdr.so.1"
export PYTHONDONTWRITEBYTECODE=1
echo "python: $("$py" --version), torch $("$py" -c 'import torch; print(torch.__version__)'), SGDR_LIBRARY=${SGDR_LIBRARY#"$work/"}"
# A collection error (a missing module) fails the run, and the suite's conftest.py turns
# any skip into a failure; -rs names it.
"$py" -m pytest -q -rs bindings/python
