#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# libsgdr for libtorch: the adapter include/sgdr_torch.hpp (tests/torch/test_sgdr_torch.cpp:
# SGD and Adam, two param groups, snapshots, resume after every batch, bad input), the C++
# digits trainer examples/libtorch (its lr trace equals sgdr-schedule's bit for bit, the
# restored snapshot reaches 0.95, the final weights equal the last snapshot exactly, stopping
# after any epoch and resuming ends exactly as the run that never stopped, resuming with
# another --batch-size follows sgdr-schedule for the new batches per epoch, bad flags exit 2),
# the guide docs/guides/libtorch.md (its CMake project builds against an installed libsgdr, its
# program prints what the guide shows, and its resume recipe in two processes ends with the
# same restored weights, bit for bit), and a build without libtorch that still works. The
# adapter's test loads every single-bit flip of a checkpoint in a forked child: each refused.
# libtorch missing is a failure: CI installs libtorch-dev for this check.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SGDR_TORCH_BUILD_DIR:-build/torch}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
problem() { echo "FAIL: $*"; fail=1; }
. scripts/checks/resume_lib.sh
seconds() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f s", e - s }'; }

start=$(date +%s.%N)
cmake -DSGDR_WERROR=ON -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSGDR_BUILD_TESTS=ON -DSGDR_BUILD_EXAMPLES=ON >"$tmp/configure.log"
if ! grep -q '^Torch_DIR:PATH=/' "$build/CMakeCache.txt" || grep -q 'libtorch not found' "$tmp/configure.log"; then
  echo "65-libtorch: libtorch not found by CMake (find_package(Torch)); install libtorch-dev" >&2
  exit 1
fi
cmake --build "$build" -j2 --target sgdr-torch-digits test_sgdr_torch sgdr-schedule >"$tmp/build.log" \
  || { cat "$tmp/build.log" >&2; exit 1; }
echo "built in $(seconds "$start")"
digits=$build/examples/libtorch/sgdr-torch-digits
schedule=$build/tools/sgdr-schedule

# 1. The adapter's own test program.
"$build/tests/torch/test_sgdr_torch" || problem "test_sgdr_torch failed"

accuracy() { # the accuracy on the line of $2 in file $1
  sed -n "s/^$2.*test accuracy \([0-9.]*\) .*/\1/p" "$1"
}
# The weights of one label of a --dump file, without the label.
weights() { awk -v l="$2" '$1 == l { $1 = ""; print }' "$1"; }

# 2. The default run (the C trainer's schedule: cycles of 2, 4, 8, 16 epochs): accuracy, the
#    lr trace against sgdr-schedule, the restored weights, and determinism.
start=$(date +%s.%N)
"$digits" --lr-csv "$tmp/default.csv" --dump "$tmp/default.dump" >"$tmp/default.txt"
echo "default run (30 epochs): $(seconds "$start")"
restored=$(accuracy "$tmp/default.txt" "restored snapshot")
ensemble=$(accuracy "$tmp/default.txt" "snapshot ensemble")
echo "  restored snapshot $restored, snapshot ensemble $ensemble"
awk -v a="$restored" 'BEGIN { exit !(a >= 0.95) }' || problem "restored snapshot accuracy '$restored' < 0.95"
[ -n "$ensemble" ] || problem "no snapshot ensemble line"
[ "$(grep -c 'end of cycle [0-9]*: snapshot' "$tmp/default.txt")" -eq 4 ] || problem "not 4 snapshots in 30 epochs"
"$schedule" --min-lr 0.001 --max-lr 0.1 --steps-per-epoch 45 --cycle-length 2 --mult-factor 2 \
  --epochs 30 --format csv >"$tmp/default.expected"
cmp -s "$tmp/default.csv" "$tmp/default.expected" || problem "default run: lr trace differs from sgdr-schedule"
"$digits" --lr-csv "$tmp/again.csv" --dump "$tmp/again.dump" >"$tmp/again.txt"
cmp -s "$tmp/again.txt" "$tmp/default.txt" && cmp -s "$tmp/again.dump" "$tmp/default.dump" \
  || problem "two runs with the same flags differ"
"$digits" --seed 2 --epochs 2 >"$tmp/seed2.txt"
cmp -s <(head -6 "$tmp/seed2.txt" | tail -2) <(head -6 "$tmp/default.txt" | tail -2) \
  && problem "--seed changes nothing"

# 3. Peak mode with lr_decay, warm-up and max_cycles: warm-up 2, cycles of 2, 4, 8 epochs at
#    peaks 0.1, 0.07, 0.049, then min_lr for the last 4 epochs.
sched=(--warmup-epochs 2 --warmup-start-lr 0.01 --lr-decay 0.7 --max-cycles 3 --cycle-length 2
       --mult-factor 2 --min-lr 0.001 --max-lr 0.1)
"$digits" --epochs 20 "${sched[@]}" --lr-csv "$tmp/peak.csv" --dump "$tmp/peak.dump" >"$tmp/peak.txt"
"$schedule" --steps-per-epoch 45 --epochs 20 "${sched[@]}" --format csv >"$tmp/peak.expected"
cmp -s "$tmp/peak.csv" "$tmp/peak.expected" || problem "warm-up/lr_decay/max_cycles run: lr trace differs from sgdr-schedule"
[ "$(wc -l <"$tmp/peak.csv")" -eq 901 ] || problem "peak run: $(wc -l <"$tmp/peak.csv") lines, expected 901"
# every schedule flag reaches the optimizer: cycle_warmup_steps (1.1) as well
cw=(--epochs 6 --cycle-warmup-steps 5 --cycle-length 2 --mult-factor 1 --min-lr 0.001 --max-lr 0.1)
"$digits" "${cw[@]}" --lr-csv "$tmp/cw.csv" >"$tmp/cw.txt"
"$schedule" --steps-per-epoch 45 "${cw[@]}" --format csv >"$tmp/cw.expected"
cmp -s "$tmp/cw.csv" "$tmp/cw.expected" || problem "--cycle-warmup-steps run: lr trace differs from sgdr-schedule"
for dump in default peak; do
  last=$(awk '$1 ~ /^cycle/ { l = $1 } END { print l }' "$tmp/$dump.dump")
  [ -n "$(weights "$tmp/$dump.dump" final)" ] || problem "$dump: no final weights in the dump"
  [ "$(weights "$tmp/$dump.dump" final)" = "$(weights "$tmp/$dump.dump" "$last")" ] \
    || problem "$dump: the final weights are not the last snapshot ($last) exactly"
  [ "$(weights "$tmp/$dump.dump" final)" != "$(weights "$tmp/$dump.dump" cycle1)" ] \
    || problem "$dump: the snapshots do not differ"
done
grep -q '^restored snapshot (end of cycle 3)' "$tmp/peak.txt" || problem "peak run: not cycle 3 restored"
# The guide quotes the default run's last lines.
/usr/bin/python3 scripts/checks/md_block.py docs/guides/libtorch.md text 1 >"$tmp/quoted.txt"
[ "$(grep -c 'test accuracy' "$tmp/quoted.txt")" -eq 2 ] || problem "docs/guides/libtorch.md: no accuracy lines quoted"
while IFS= read -r line; do
  grep -qxF -- "$line" "$tmp/default.txt" || problem "docs/guides/libtorch.md shows a line the trainer does not print: $line"
done <"$tmp/quoted.txt"

# 4. Stop after every epoch of a short run (warm-up, cycles of 1, 2, 4 epochs, one epoch held
#    at min_lr) and resume: the same lrs, snapshots, final weights and last lines.
short=(--epochs 9 --warmup-epochs 1 --warmup-start-lr 0.02 --cycle-length 1 --mult-factor 2
       --lr-decay 0.8 --max-cycles 3 --momentum 0.8)
start=$(date +%s.%N)
mkdir "$tmp/resume"
resume_every_epoch sgdr-torch-digits "$digits" "$tmp/resume" 9 "${short[@]}"
echo "stop after each of epochs 1..8 and resume: $(seconds "$start") for 16 runs"
[ "$(awk '$1 ~ /^cycle/ { print $1 }' "$tmp/resume/whole.dump" | sort -u | wc -l)" -eq 3 ] \
  || problem "short run: not 3 snapshots in the dump"

# 5. Bad flags: exit 2, a message, nothing on stdout; a bad checkpoint: exit 1 and a message.
# The trainer's exit status in $rc, its stdout and stderr in $tmp/out and $tmp/err.
status_of() { rc=0; "$digits" "$@" >"$tmp/out" 2>"$tmp/err" || rc=$?; }
for args in "--bogus" "--epochs 0" "--max-lr 0.0001" "--momentum 1" "--steps-per-epoch 3" \
            "--stop-after-epoch 2" "--checkpoint x.pt" "--epochs 3 --checkpoint x.pt --stop-after-epoch 4" \
            "--lr-csv=" "--restart-mode foo"; do
  status_of $args
  [ "$rc" -eq 2 ] && [ ! -s "$tmp/out" ] && [ -s "$tmp/err" ] \
    || problem "sgdr-torch-digits $args: exit status $rc, expected 2 with a message and no output"
done
status_of --resume "$tmp/resume/whole.csv"
[ "$rc" -eq 1 ] && [ -s "$tmp/err" ] || problem "--resume of a CSV file: exit $rc"
# Another --batch-size continues the run: 23 batches per epoch after epoch 3, with
# sgdr-schedule's learning rates for 23.
status_of "${short[@]}" --batch-size 64 --resume "$tmp/resume/ck3" --lr-csv "$tmp/b64.csv"
[ "$rc" -eq 0 ] || problem "--resume with another --batch-size: exit $rc, $(cat "$tmp/err")"
"$schedule" --min-lr 0.001 --max-lr 0.1 --steps-per-epoch 23 --epochs 9 --warmup-epochs 1 --warmup-start-lr 0.02 --cycle-length 1 \
  --mult-factor 2 --lr-decay 0.8 --max-cycles 3 --format csv >"$tmp/b64.expected"
[ "$(wc -l <"$tmp/b64.csv")" -eq $((1 + 6 * 23)) ] \
  && cmp -s <(tail -n +2 "$tmp/b64.csv") <(tail -n +$((2 + 3 * 23)) "$tmp/b64.expected") \
  || problem "--resume with --batch-size 64 after epoch 3: the lrs differ from sgdr-schedule's for 23 batches per epoch"
status_of "${short[@]}" --hidden 32 --resume "$tmp/resume/ck3"
[ "$rc" -eq 1 ] && grep -q 'another model' "$tmp/err" \
  || problem "--resume with another --hidden: exit $rc, $(cat "$tmp/err")"

# 6. The guide: its CMake project builds against an installed libsgdr (sgdr_torch.hpp is
#    installed), its program prints what the guide shows, and resuming from the checkpoint it
#    writes prints the same last lines.
guide=docs/guides/libtorch.md
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
[ -f "$tmp/prefix/include/sgdr_torch.hpp" ] || problem "sgdr_torch.hpp is not installed"
mkdir "$tmp/guide"
/usr/bin/python3 scripts/checks/md_block.py "$guide" cmake 0 >"$tmp/guide/CMakeLists.txt"
# The guide's program, plus a dump of the restored weights (hex floats, on stderr) after
# finish(), so that the two processes of its resume recipe can be compared bit for bit.
/usr/bin/python3 scripts/checks/md_block.py "$guide" cpp 0 |
  sed '/sched\.finish();/a for (const auto &p : net->parameters()) { auto t = p.detach().contiguous(); for (std::int64_t i = 0; i < t.numel(); i++) std::fprintf(stderr, "%a\\n", static_cast<double>(t.data_ptr<float>()[i])); }' \
  >"$tmp/guide/sine.cpp"
grep -q 'fprintf(stderr' "$tmp/guide/sine.cpp" || problem "$guide: no sched.finish(); line to dump the weights after"
/usr/bin/python3 scripts/checks/md_block.py "$guide" text 0 >"$tmp/guide/expected.txt"
start=$(date +%s.%N)
if cmake -S "$tmp/guide" -B "$tmp/guide/build" -DCMAKE_PREFIX_PATH="$tmp/prefix" >"$tmp/guide.log" 2>&1 &&
   cmake --build "$tmp/guide/build" -j2 >>"$tmp/guide.log" 2>&1; then
  echo "guide program built in $(seconds "$start")"
  (cd "$tmp/guide" && ./build/sine >out.txt 2>weights.txt &&
     ./build/sine sine-checkpoint.pt >resumed.txt 2>resumed-weights.txt) \
    || problem "$guide: the program failed"
  [ "$(wc -l <"$tmp/guide/weights.txt")" -gt 32 ] && cmp -s "$tmp/guide/weights.txt" "$tmp/guide/resumed-weights.txt" \
    || problem "$guide: the resumed run restores other weights than the whole run"
  [ "$(head -c 8 "$tmp/guide/sine-checkpoint.pt")" = "SGDR-PT1" ] || problem "$guide: the checkpoint has no SGDR-PT1 header"
  cmp -s "$tmp/guide/out.txt" "$tmp/guide/expected.txt" \
    || { problem "$guide: the program prints other lines than the guide shows:"; diff "$tmp/guide/expected.txt" "$tmp/guide/out.txt" || true; }
  cmp -s "$tmp/guide/resumed.txt" <(tail -n +8 "$tmp/guide/out.txt") \
    || problem "$guide: the resumed program does not end as the whole run"
else
  cat "$tmp/guide.log"
  problem "$guide: the CMake project does not build"
fi

# 7. Without libtorch everything else still builds, and the trainer is left out.
nt=$build-without
start=$(date +%s.%N)
cmake -DSGDR_WERROR=ON -S . -B "$nt" -DCMAKE_BUILD_TYPE=Release -DSGDR_BUILD_TESTS=ON -DSGDR_BUILD_EXAMPLES=ON -DSGDR_BUILD_BENCH=OFF -DSGDR_BUILD_FRAMEWORK_EXAMPLES=OFF \
  -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON >"$tmp/nt.log"
grep -q 'libtorch not found' "$tmp/nt.log" || problem "without libtorch: no message that the trainer is left out"
cmake --build "$nt" -j2 >"$tmp/nt-build.log" 2>&1 || { cat "$tmp/nt-build.log"; problem "without libtorch: the build fails"; }
[ ! -e "$nt/examples/libtorch/sgdr-torch-digits" ] || problem "without libtorch: the trainer was built"
echo "build without libtorch: $(seconds "$start")"

exit "$fail"
