#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The digits trainer (examples/digits): the restored snapshot reaches 0.95 test accuracy for
# several seeds, two runs with the same flags print and write the same bytes, the history
# CSV and the SVG are written and well-formed, bad flags exit 2 with nothing on stdout, and
# a build without zlib reads an uncompressed copy of the data to the same result; the flags
# all digits trainers take: --lr-csv equals sgdr-schedule's output, and stopping after any
# epoch (--checkpoint, --stop-after-epoch) and resuming (--resume) ends with the same learning
# rates, weights, snapshots and accuracy lines as the run that never stopped (--dump).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SGDR_TOOLS_BUILD_DIR:-build/digits}  # its own, so that it runs beside the other checks
cmake -DSGDR_WERROR=ON -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DSGDR_BUILD_EXAMPLES=ON >/dev/null
cmake --build "$build" -j2 --target sgdr-digits sgdr-schedule >/dev/null
digits=$build/examples/digits/sgdr-digits
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
problem() { echo "FAIL: $*"; fail=1; }
. scripts/checks/resume_lib.sh

accuracy() { # the accuracy on the line of $2 in file $1
  sed -n "s/^$2.*test accuracy \([0-9.]*\) .*/\1/p" "$1"
}

# 1. The accuracy bar, for the default seed and two others (not one lucky seed).
for seed in 1 2 3; do
  start=$(date +%s.%N)
  "$digits" --seed "$seed" --csv "$tmp/s$seed/history.csv" --svg "$tmp/s$seed/curves.svg" \
    >"$tmp/s$seed.txt"
  echo "seed $seed: $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f s", e - s }')"
  restored=$(accuracy "$tmp/s$seed.txt" "restored snapshot")
  ensemble=$(accuracy "$tmp/s$seed.txt" "snapshot ensemble")
  constant=$(accuracy "$tmp/s$seed.txt" "constant learning rate")
  echo "  restored $restored, ensemble $ensemble, constant lr $constant"
  [ -n "$restored" ] && [ -n "$ensemble" ] && [ -n "$constant" ] \
    || { problem "seed $seed: an accuracy line is missing"; continue; }
  awk -v a="$restored" 'BEGIN { exit !(a >= 0.95) }' \
    || problem "seed $seed: restored snapshot accuracy $restored < 0.95"
  [ "$(grep -c '^ *[0-9]\+  ' "$tmp/s$seed.txt")" -eq 30 ] || problem "seed $seed: not 30 epoch lines"
  [ "$(grep -c 'snapshot [0-9]' "$tmp/s$seed.txt")" -eq 4 ] \
    || problem "seed $seed: expected 4 snapshots (cycles of 2, 4, 8, 16 epochs)"
  grep -q 'restart (next cycle: 4 epochs)' "$tmp/s$seed.txt" || problem "seed $seed: no restart line"
done
cmp -s "$tmp/s1.txt" "$tmp/s2.txt" && problem "--seed changes nothing"

# The README quotes the default run: every line it shows is in the output.
/usr/bin/python3 scripts/checks/md_block.py README.md text 0 | grep -v '^\.\.\.$' >"$tmp/readme.txt"
[ "$(grep -c 'test accuracy' "$tmp/readme.txt")" -eq 3 ] || problem "README: the digits sample has no accuracy lines"
while IFS= read -r line; do
  grep -qxF -- "$line" "$tmp/s1.txt" || problem "README shows a line the trainer does not print: $line"
done <"$tmp/readme.txt"

# 2. Determinism: the same flags again give the same stdout, CSV and SVG, byte for byte.
"$digits" --seed 1 --csv "$tmp/again/history.csv" --svg "$tmp/again/curves.svg" >"$tmp/again.txt"
sed "s#$tmp/again/#$tmp/s1/#" "$tmp/again.txt" | cmp -s - "$tmp/s1.txt" || problem "stdout differs between two runs"
cmp -s "$tmp/again/history.csv" "$tmp/s1/history.csv" || problem "the history CSV differs between two runs"
cmp -s "$tmp/again/curves.svg" "$tmp/s1/curves.svg" || problem "the SVG differs between two runs"

# 3. The files: the CSV has one row per batch (30 epochs x 45 batches) with the metrics, the
#    SVG is well-formed with three panels.
csv=$tmp/s1/history.csv
[ "$(head -1 "$csv")" = "step,lr,loss,test_accuracy" ] || problem "CSV header: $(head -1 "$csv")"
[ "$(wc -l <"$csv")" -eq 1351 ] || problem "CSV: $(wc -l <"$csv") lines, expected 1351"
[ "$(grep -vc ',nan$' "$csv")" -eq 31 ] || problem "CSV: test_accuracy should be set on the 30 epoch ends"
/usr/bin/python3 - "$tmp/s1/curves.svg" <<'PY' || problem "the SVG is not what it should be"
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
texts = [t.text for t in root.iter(ns + "text")]
ok = True
for want in ("learning rate", "accuracy", "epoch", "SGDR", "constant lr", "snapshot"):
    if want not in texts:
        print("missing text", want); ok = False
lines = list(root.iter(ns + "polyline"))
if len(lines) != 6:  # two runs in three panels
    print("polylines:", len(lines)); ok = False
sys.exit(0 if ok else 1)
PY

# 4. Bad flags: exit 2, a message, nothing on stdout.
for args in "--bogus" "--epochs 0" "--max-lr 0.0001" "--seed -1" "--momentum 1" \
            "--restart-mode foo" "--steps-per-epoch 3" "--epochs" "--csv="; do
  rc=0
  "$digits" $args >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
  [ "$rc" -eq 2 ] || problem "sgdr-digits $args: exit status $rc, expected 2"
  [ ! -s "$tmp/bad.out" ] || problem "sgdr-digits $args: wrote to stdout"
  [ -s "$tmp/bad.err" ] || problem "sgdr-digits $args: no message"
done
"$digits" --help | grep -- '--cycle-length N .*(default 2)' >/dev/null || problem "--help does not show the defaults"

# 5. --lr-csv against sgdr-schedule, and stop-and-resume after every epoch of a short run
#    (warm-up, cycles of 1, 2, 4 epochs, one epoch held at min_lr).
short=(--epochs 9 --warmup-epochs 1 --warmup-start-lr 0.02 --cycle-length 1 --mult-factor 2
       --lr-decay 0.8 --max-cycles 3 --momentum 0.8)
files() { echo --csv "$tmp/r/h.csv" --svg "$tmp/r/c.svg"; }
mkdir "$tmp/resume"
resume_every_epoch sgdr-digits "$digits" "$tmp/resume" 9 "${short[@]}" $(files)
"$build/tools/sgdr-schedule" --steps-per-epoch 45 --min-lr 0.001 --max-lr 0.1 --epochs 9 --warmup-epochs 1 \
  --warmup-start-lr 0.02 --cycle-length 1 --mult-factor 2 --lr-decay 0.8 --max-cycles 3 --format csv \
  >"$tmp/whole.expected"
cmp -s "$tmp/resume/whole.csv" "$tmp/whole.expected" || problem "--lr-csv differs from sgdr-schedule's output"
[ "$(grep -c '^cycle' "$tmp/resume/whole.dump")" -eq 3 ] || problem "the short run's dump has not 3 snapshots"
for args in "--stop-after-epoch 2" "--checkpoint x" "--epochs 3 --checkpoint x --stop-after-epoch 3" \
            "--lr-csv=" "--weights-out x" "--skew-rank 1"; do
  rc=0
  "$digits" $args >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
  [ "$rc" -eq 2 ] && [ ! -s "$tmp/bad.out" ] && [ -s "$tmp/bad.err" ] || problem "sgdr-digits $args: exit $rc"
done
# Resumed with another --batch-size (64: 23 batches per epoch), the epochs after the
# checkpoint train with sgdr-schedule's rates for 23 steps per epoch from the start.
"$build/tools/sgdr-schedule" --steps-per-epoch 23 --min-lr 0.001 --max-lr 0.1 --epochs 9 --warmup-epochs 1 \
  --warmup-start-lr 0.02 --cycle-length 1 --mult-factor 2 --lr-decay 0.8 --max-cycles 3 --format csv \
  >"$tmp/whole23.expected"
if "$digits" "${short[@]}" --batch-size 64 --resume "$tmp/resume/ck3" --lr-csv "$tmp/b64.csv" \
     >"$tmp/b64.txt" 2>"$tmp/bad.err"; then
  tail -n +2 "$tmp/b64.csv" | cmp -s - <(tail -n +$((2 + 3 * 23)) "$tmp/whole23.expected") \
    || problem "--resume with --batch-size 64: the rates after epoch 3 are not sgdr-schedule's for 23 steps per epoch"
  grep -q '^restored snapshot' "$tmp/b64.txt" || problem "--resume with --batch-size 64: no snapshot restored"
else
  problem "--resume with another --batch-size failed: $(cat "$tmp/bad.err")"
fi
rc=0
"$digits" --resume "$tmp/resume/whole.csv" >/dev/null 2>"$tmp/bad.err" || rc=$?
[ "$rc" -eq 1 ] && grep -q 'not a checkpoint' "$tmp/bad.err" || problem "--resume of a CSV file: exit $rc"

# 6. Without zlib: reads a plain copy and trains to the same numbers.
cmake -DSGDR_WERROR=ON -S . -B "$build-nozlib" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DSGDR_BUILD_EXAMPLES=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_ZLIB=ON >/dev/null
cmake --build "$build-nozlib" -j2 --target sgdr-digits >/dev/null
gzip -dc data/digits.csv.gz >"$tmp/digits.csv"
"$build-nozlib/examples/digits/sgdr-digits" --data "$tmp/digits.csv" \
  --csv "$tmp/plain/history.csv" --svg "$tmp/plain/curves.svg" >"$tmp/plain.txt"
cmp -s "$tmp/plain/history.csv" "$tmp/s1/history.csv" || problem "the zlib-less build trains differently"
rc=0
"$build-nozlib/examples/digits/sgdr-digits" --data data/digits.csv.gz >/dev/null 2>"$tmp/gz.err" || rc=$?
[ "$rc" -eq 1 ] && grep -q 'no zlib' "$tmp/gz.err" || problem "the zlib-less build does not explain a .gz file"

exit "$fail"
