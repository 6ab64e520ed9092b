#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libsgdr driving three training frameworks it was not written with: the digits trainers in
# darknet, tiny-dnn and dlib (examples/darknet, examples/tinydnn, examples/dlib). For each:
# the learning rate it trained every batch with, read back from the framework, equals
# sgdr-schedule's (as float, bit for bit, for darknet and tiny-dnn; the double for dlib) for
# the default schedule and for one with warm-up, lr_decay 0.7 and max_cycles 3; the restored
# snapshot reaches 0.95 test accuracy; the final weights are the last snapshot exactly; the
# same flags give the same bytes; stopping after any epoch and resuming ends with the same
# learning rates, final weights, snapshots and accuracy lines, bit for bit (all three train on
# one thread); resuming with another --batch-size trains with sgdr-schedule's rates for the
# new batches per epoch; bad flags exit 2 and bad checkpoints 1; dlib refuses a schedule with a
# learning rate of 0 before training; each guide docs/guides/<framework>.md shows the
# trainer's glue file exactly (so the trainer's build compiles it), under 40 lines of code,
# and lines of output the trainer prints; and a build without the frameworks leaves them out.
# A framework missing is a failure: CI installs darknet, tiny-dnn, libcereal-dev,
# libgemmlowp-dev, libstb-dev and libdlib-dev (scripts/deps.sh).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SGDR_FRAMEWORKS_BUILD_DIR:-build/frameworks}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
problem() { echo "FAIL: $*"; fail=1; }
. scripts/checks/resume_lib.sh
seconds() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f s", e - s }'; }

start=$(date +%s.%N)
cmake -DSGDR_WERROR=ON -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DSGDR_BUILD_EXAMPLES=ON \
  >"$tmp/configure.log"
if grep 'not found: examples/\(darknet\|tinydnn\|dlib\)' "$tmp/configure.log"; then
  echo "69-frameworks: install darknet, tiny-dnn, libcereal-dev, libgemmlowp-dev, libstb-dev and libdlib-dev" >&2
  exit 1
fi
cmake --build "$build" -j2 --target sgdr-darknet-digits sgdr-tinydnn-digits sgdr-dlib-digits \
  sgdr-schedule >"$tmp/build.log" 2>&1 || { cat "$tmp/build.log" >&2; exit 1; }
echo "built in $(seconds "$start")"
schedule=$build/tools/sgdr-schedule

accuracy() { # the accuracy on the line of $2 in file $1
  sed -n "s/^$2.*test accuracy \([0-9.]*\) .*/\1/p" "$1"
}
weights() { awk -v l="$2" '$1 == l { $1 = ""; print }' "$1"; } # the tensors of one label
trace() { # trace EXPECTED ACTUAL KIND WHAT
  /usr/bin/python3 scripts/checks/lr_trace.py "$1" "$2" "$3" >"$tmp/trace.out" 2>&1 \
    || problem "$4: the learning rates differ from sgdr-schedule's: $(cat "$tmp/trace.out")"
}

"$schedule" --min-lr 0.001 --max-lr 0.1 --steps-per-epoch 45 --cycle-length 2 --mult-factor 2 \
  --epochs 30 --format csv >"$tmp/default.expected"
peak=(--warmup-epochs 2 --warmup-start-lr 0.01 --lr-decay 0.7 --max-cycles 3 --cycle-length 2
      --mult-factor 2 --min-lr 0.001 --max-lr 0.1)
"$schedule" --steps-per-epoch 45 --epochs 20 "${peak[@]}" --format csv >"$tmp/peak.expected"
# warm-up, cycles of 1, 2, 4 epochs, one epoch held at min_lr
short_schedule=(--epochs 9 --warmup-epochs 1 --warmup-start-lr 0.02 --cycle-length 1 --mult-factor 2
                --lr-decay 0.8 --max-cycles 3 --min-lr 0.001 --max-lr 0.1)
short=("${short_schedule[@]}" --momentum 0.8)
"$schedule" --steps-per-epoch 23 "${short_schedule[@]}" --format csv >"$tmp/short23.expected"

for fw in darknet tinydnn dlib; do
  bin=$build/examples/$fw/sgdr-$fw-digits
  kind=float
  [ "$fw" = dlib ] && kind=double
  d=$tmp/$fw
  mkdir "$d"
  echo "== $fw"

  # 1. The default run: accuracy, snapshots, the lr trace, determinism.
  start=$(date +%s.%N)
  "$bin" --lr-csv "$d/default.csv" --dump "$d/default.dump" >"$d/default.txt"
  restored=$(accuracy "$d/default.txt" "restored snapshot")
  ensemble=$(accuracy "$d/default.txt" "snapshot ensemble")
  echo "default run (30 epochs): $(seconds "$start"); restored snapshot $restored, snapshot ensemble $ensemble"
  awk -v a="$restored" 'BEGIN { exit !(a >= 0.95) }' || problem "$fw: restored snapshot accuracy '$restored' < 0.95"
  grep -q '^restored snapshot (end of cycle 4): ' "$d/default.txt" || problem "$fw: not cycle 4 restored"
  [ -n "$ensemble" ] || problem "$fw: no snapshot ensemble line"
  [ "$(grep -c 'end of cycle [0-9]*: snapshot' "$d/default.txt")" -eq 4 ] || problem "$fw: not 4 snapshots in 30 epochs"
  trace "$tmp/default.expected" "$d/default.csv" "$kind" "$fw, default schedule"
  "$bin" --lr-csv "$d/again.csv" --dump "$d/again.dump" >"$d/again.txt"
  cmp -s "$d/again.txt" "$d/default.txt" && cmp -s "$d/again.dump" "$d/default.dump" \
    && cmp -s "$d/again.csv" "$d/default.csv" || problem "$fw: two runs with the same flags differ"
  "$bin" --seed 2 --epochs 2 >"$d/seed2.txt"
  cmp -s <(sed -n 5p "$d/seed2.txt") <(sed -n 5p "$d/default.txt") && problem "$fw: --seed changes nothing"

  # 2. Warm-up, lr_decay 0.7 and max_cycles 3 over 20 epochs.
  "$bin" --epochs 20 "${peak[@]}" --lr-csv "$d/peak.csv" --dump "$d/peak.dump" >"$d/peak.txt"
  trace "$tmp/peak.expected" "$d/peak.csv" "$kind" "$fw, warm-up/lr_decay/max_cycles"
  grep -q '^restored snapshot (end of cycle 3): ' "$d/peak.txt" || problem "$fw: peak run: not cycle 3 restored"
  for run in default peak; do
    last=$(awk '$1 ~ /^cycle/ { l = $1 } END { print l }' "$d/$run.dump")
    [ -n "$(weights "$d/$run.dump" final)" ] || problem "$fw $run: no final weights in the dump"
    [ "$(weights "$d/$run.dump" final)" = "$(weights "$d/$run.dump" "$last")" ] \
      || problem "$fw $run: the final weights are not the last snapshot ($last) exactly"
    [ "$(weights "$d/$run.dump" final)" != "$(weights "$d/$run.dump" cycle1)" ] \
      || problem "$fw $run: the snapshots do not differ"
  done

  # 3. Stop after every epoch and resume: the same lrs, weights, snapshots and last lines.
  start=$(date +%s.%N)
  resume_every_epoch "$fw" "$bin" "$d" 9 "${short[@]}"
  echo "stop after each of epochs 1..8 and resume: $(seconds "$start") for 16 runs"
  [ "$(awk '$1 ~ /^cycle/ { print $1 }' "$d/whole.dump" | sort -u | wc -l)" -eq 3 ] \
    || problem "$fw: short run: not 3 snapshots in the dump"

  # 4. Bad flags: exit 2, a message, nothing on stdout; bad checkpoints: exit 1, a message.
  status_of() { rc=0; "$bin" "$@" >"$d/out" 2>"$d/err" || rc=$?; }
  for args in "--bogus" "--epochs 0" "--max-lr 0.0001" "--momentum 1" "--steps-per-epoch 3" \
              "--svg x.svg" "--constant-lr 0.1" "--csv x.csv" "--stop-after-epoch 2" \
              "--checkpoint x" "--epochs 3 --checkpoint x --stop-after-epoch 3" "--lr-csv="; do
    status_of $args
    [ "$rc" -eq 2 ] && [ ! -s "$d/out" ] && [ -s "$d/err" ] \
      || problem "sgdr-$fw-digits $args: exit status $rc, expected 2 with a message and no output"
  done
  status_of --resume "$d/whole.csv"
  [ "$rc" -eq 1 ] && grep -q 'not a checkpoint' "$d/err" || problem "$fw: --resume of a CSV file: exit $rc, $(cat "$d/err")"
  status_of "${short[@]}" --hidden 32 --resume "$d/ck3"
  [ "$rc" -eq 1 ] && grep -q 'another model' "$d/err" || problem "$fw: --resume with another --hidden: exit $rc, $(cat "$d/err")"
  # Another --batch-size continues the run: 23 batches per epoch after epoch 3, each trained
  # with sgdr-schedule's rate for 23 batches per epoch from the start.
  status_of "${short[@]}" --batch-size 64 --resume "$d/ck3" --lr-csv "$d/b64.csv"
  if [ "$rc" -eq 0 ]; then
    { head -n 1 "$tmp/short23.expected"; tail -n +$((2 + 3 * 23)) "$tmp/short23.expected"; } >"$d/b64.expected"
    trace "$d/b64.expected" "$d/b64.csv" "$kind" "$fw, --resume with --batch-size 64 after epoch 3"
    grep -q '^restored snapshot' "$d/out" || problem "$fw: --resume with --batch-size 64: no snapshot restored"
  else
    problem "$fw: --resume with another --batch-size: exit $rc, $(cat "$d/err")"
  fi
  head -c 2000 "$d/ck3" >"$d/short"
  status_of "${short[@]}" --resume "$d/short"
  [ "$rc" -eq 1 ] && grep -q 'truncated' "$d/err" || problem "$fw: a truncated checkpoint: exit $rc, $(cat "$d/err")"

  # 5. The guide shows the glue file in full (the trainer's build compiles it), under 40
  #    lines of code, and lines the default run prints.
  guide=$(printf '%s\n' docs/guides/darknet.md docs/guides/tinydnn.md docs/guides/dlib.md | grep "/$fw.md")
  glue=$(ls examples/$fw/glue.*)
  lang=cpp
  [ "$fw" = darknet ] && lang=c
  /usr/bin/python3 scripts/checks/md_block.py "$guide" "$lang" 0 >"$d/glue" || problem "$guide: no $lang block"
  cmp -s "$d/glue" "$glue" || { problem "$guide: its first $lang block is not $glue"; diff "$glue" "$d/glue" | head -5; }
  code=$(grep -cv '^ *\(//\|/\*\| \*\|$\)' "$glue")
  echo "glue: $code lines of code ($(wc -l <"$glue") with comments)"
  [ "$code" -lt 40 ] || problem "$glue: $code lines of code, not under 40"
  /usr/bin/python3 scripts/checks/md_block.py "$guide" text 0 >"$d/quoted.txt" || problem "$guide: no output quoted"
  [ "$(grep -c 'test accuracy' "$d/quoted.txt")" -eq 2 ] || problem "$guide: no accuracy lines quoted"
  while IFS= read -r line; do
    grep -qxF -- "$line" "$d/default.txt" || problem "$guide shows a line the trainer does not print: $line"
  done <"$d/quoted.txt"
done

# dlib refuses a learning rate of 0 up front: a warm-up from 0, or min_lr 0 held after
# max_cycles. Exit 2, nothing trained or printed.
for args in "--warmup-epochs 1 --warmup-start-lr 0" "--min-lr 0 --max-cycles 1 --epochs 4"; do
  rc=0
  "$build/examples/dlib/sgdr-dlib-digits" $args >"$tmp/zero.out" 2>"$tmp/zero.err" || rc=$?
  [ "$rc" -eq 2 ] && [ ! -s "$tmp/zero.out" ] && grep -q 'learning rate of 0.*dlib refuses' "$tmp/zero.err" \
    || problem "sgdr-dlib-digits $args: exit $rc, $(cat "$tmp/zero.err")"
done
# min_lr 0 that no batch trains with (the cycle's end value before a restart) is fine
"$build/examples/dlib/sgdr-dlib-digits" --min-lr 0 --epochs 2 >"$tmp/zero.out" 2>"$tmp/zero.err" \
  || problem "sgdr-dlib-digits --min-lr 0 --epochs 2: $(cat "$tmp/zero.err")"

# 6. Without the frameworks the rest still configures and builds, and the trainers are left
#    out with a message.
nf=$build-without
cmake -DSGDR_WERROR=ON -S . -B "$nf" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DSGDR_BUILD_EXAMPLES=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_dlib=ON -DDARKNET_LIBRARY=IGNORE -DTINYDNN_INCLUDE_DIR=IGNORE \
  >"$tmp/nf.log"
for fw in darknet tinydnn dlib; do
  grep -q "not found: examples/$fw" "$tmp/nf.log" || problem "without $fw: no message that its trainer is left out"
done
cmake --build "$nf" -j2 --target sgdr-digits >/dev/null || problem "without the frameworks: sgdr-digits does not build"
grep -q 'sgdr-\(darknet\|tinydnn\|dlib\)-digits' "$nf/Makefile" && problem "without the frameworks: a trainer is still a target"

exit "$fail"
