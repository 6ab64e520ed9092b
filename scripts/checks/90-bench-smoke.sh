#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Smoke run of the benchmarks (bench/): they build, run with tiny sizes, and print every
# row and a PASS or MISS line per target. Speed is never judged here (CI machines are
# shared and noisy; docs/PERFORMANCE.md has the measurements): a MISS passes, a missing
# row, a crash or a disagreement between the library and its floor fails.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=/usr/bin/python3
[ -x "$py" ] || { echo "bench: $py is missing (Debian package python3)" >&2; exit 1; }
"$py" -c "import torch" 2>/dev/null ||
  { echo "bench: $py cannot import torch (Debian package python3-torch)" >&2; exit 1; }

build=$(mktemp -d "${TMPDIR:-/tmp}/sgdr-bench.XXXXXX")
trap 'rm -rf "$build"' EXIT
cmake -DSGDR_WERROR=ON -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DSGDR_BUILD_EXAMPLES=OFF -DSGDR_BUILD_TOOLS=OFF -DSGDR_BUILD_BENCH=ON >/dev/null
cmake --build "$build" --target sgdr-bench sgdr-bench-worst -j2 >/dev/null

# Every line that must be there, as a fixed string.
expect() {
  local out=$1 missing=0 line
  shift
  for line in "$@"; do
    if ! grep -qF -- "$line" "$out"; then
      echo "bench: no line with '$line'" >&2
      missing=1
    fi
  done
  return "$missing"
}

out=$build/bench.txt
"$build/bench/sgdr-bench" --quick | tee "$out"
expect "$out" \
  "floor: inline cosine + hook" "on_batch_end, history off " \
  "on_batch_end, history off, 3 metrics given" "on_batch_end, history on, 1 metric" \
  "on_batch_end, history on, 3 metrics" "the same, history memory reused" \
  "step 2^10" "step 2^62" "growth exponent for 1.001" \
  "history off: " "history on, 3 metrics (4 columns)"
for f in "1 " "1.5 " "2 " "3 " "1.001 "; do
  grep -qE "^  $f +[0-9]" "$out" || { echo "bench: no sgdr_lr_at row for mult_factor $f" >&2; exit 1; }
done
[ "$(grep -cE '^  +[0-9]+ +[0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+$' "$out")" -eq 4 ] ||
  { echo "bench: expected 4 rows of allocation counts" >&2; exit 1; }
[ "$(grep -cE '^(PASS|MISS)  ' "$out")" -eq 6 ] ||
  { echo "bench: expected 6 PASS/MISS lines" >&2; exit 1; }

out=$build/worst.txt
"$build/bench/sgdr-bench-worst" --quick | tee "$out"
expect "$out" "bytes allocated by sgdr_create: " "1.0000000000000002 " "1.0001 " "10 " \
  "sweep 1 + 2^-u"
! grep -F "refused" "$out" || { echo "bench: a mult_factor was refused" >&2; exit 1; }

out=$build/torch.txt
SGDR_LIBRARY=$build/libsgdr.so.1 PYTHONDONTWRITEBYTECODE=1 \
  "$py" bench/bench_torch_step.py --reps 1 --steps 50 | tee "$out"
expect "$out" \
  "sgdr.torch.SGDR.step() " "CosineAnnealingWarmRestarts.step() " \
  "CosineAnnealingWarmRestarts.step(epoch)" "ctypes sgdr_on_batch_end" "ctypes sgdr_lr" \
  "set param_groups lr (_apply_lr)" "whole step()"
[ "$(grep -cE '^(PASS|MISS)  ' "$out")" -eq 1 ] ||
  { echo "bench: expected 1 PASS/MISS line from bench_torch_step.py" >&2; exit 1; }
echo "bench: every row printed (speed is not judged here)"
