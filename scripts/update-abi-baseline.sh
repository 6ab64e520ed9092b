#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Regenerate the committed ABI baseline, tests/abi/libsgdr.so.1.abi, from the current
# sources. Run it deliberately, when a release fixes the ABI (or on purpose adds to it),
# and commit the result together with the change; scripts/checks/40-abi.sh compares every
# build against this file. Shows what changed against the previous baseline first.
# SGDR_ABI_DIR overrides the build directory (default build/abi).
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${SGDR_ABI_DIR:-build/abi}"
baseline=tests/abi/libsgdr.so.1.abi

# The preset pins gcc and RelWithDebInfo: the baseline and the check read the same kind of
# DWARF. Private types (defined outside include/) are dropped, locations kept as bare file
# names, so the file depends neither on where the tree is nor on the internal structs.
cmake --preset abi -B "$dir" >/dev/null
cmake --build "$dir" -j2 >/dev/null
next=$(mktemp)
trap 'rm -f "$next"' EXIT
abidw --no-corpus-path --no-comp-dir-path --short-locs --headers-dir include \
  --drop-private-types --out-file "$next" "$dir/libsgdr.so.1"

if [ -f "$baseline" ]; then
  echo "update-abi-baseline: changes against the previous baseline:"
  abidiff --no-show-locs "$baseline" "$next" || true
fi
mkdir -p "$(dirname "$baseline")"
cat "$next" >"$baseline"
echo "update-abi-baseline: wrote $baseline ($(grep -c '<elf-symbol ' "$baseline") symbols)"
