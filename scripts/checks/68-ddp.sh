#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The DistributedDataParallel digits trainer (examples/ddp/train.py, gloo on the CPU, 2
# ranks): every rank's learning rates are byte for byte what sgdr-schedule prints; the
# restored snapshot reaches 0.95 test accuracy; a run stopped after epoch 7 and resumed from
# its torch.save checkpoint trains with the same learning rates and ends with the same
# weights, optimizer state and snapshots, bit for bit, as the run that never stopped; resumed
# on 1 rank with batch 64 it trains with sgdr-schedule's rates for 23 steps per epoch; a rank
# given another max_lr is caught at the first epoch's end and named. PyTorch or gloo missing
# is a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SGDR_TOOLS_BUILD_DIR:-build/tools}
py=/usr/bin/python3
fail=0
problem() { echo "FAIL: $*"; fail=1; }
"$py" -c 'import torch.distributed as d; assert d.is_available() and d.is_gloo_available()' \
  || { echo "FAIL: PyTorch with torch.distributed and gloo is missing (python3-torch)"; exit 1; }
cmake -DSGDR_WERROR=ON -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSGDR_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j2 --target sgdr sgdr-schedule >/dev/null
export SGDR_LIBRARY=$(cd "$build" && pwd)/libsgdr.so.1
train="$py examples/ddp/train.py"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
accuracy() { sed -n 's/^restored snapshot.*test accuracy \([0-9.]*\) .*/\1/p' "$1"; }
"$build/tools/sgdr-schedule" --min-lr 0.001 --max-lr 0.1 --cycle-length 2 --mult-factor 2 \
  --steps-per-epoch 45 --epochs 30 >"$tmp/schedule.csv"

# 1. The uninterrupted run: learning rates and accuracy.
start=$(date +%s.%N)
$train --ranks 2 --lr-csv "$tmp/full" --weights-out "$tmp/full.pt" >"$tmp/full.txt" 2>"$tmp/full.err" \
  || problem "the 2-rank run failed: $(cat "$tmp/full.err")"
acc=$(accuracy "$tmp/full.txt")
echo "2 ranks: $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f s", e - s }'), restored snapshot $acc"
[ -n "$acc" ] && awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }' || problem "restored snapshot accuracy '$acc' < 0.95"
[ "$(grep -c '^ *[0-9]\+  ' "$tmp/full.txt")" -eq 30 ] || problem "not 30 epoch lines"
for r in 0 1; do
  cmp -s "$tmp/full.rank$r.csv" "$tmp/schedule.csv" || problem "rank $r's learning rates differ from sgdr-schedule's"
done

# 2. Stop after epoch 7, resume from the checkpoint: the same learning rates, epoch lines,
#    final weights, optimizer state and snapshots.
$train --ranks 2 --lr-csv "$tmp/a" --checkpoint "$tmp/ckpt.pt" --stop-after-epoch 7 >"$tmp/a.txt" 2>"$tmp/a.err" \
  || problem "the run to epoch 7 failed: $(cat "$tmp/a.err")"
grep -q 'stopped after epoch 7' "$tmp/a.txt" || problem "no 'stopped after epoch 7'"
$train --ranks 2 --lr-csv "$tmp/b" --resume "$tmp/ckpt.pt" --weights-out "$tmp/b.pt" >"$tmp/b.txt" 2>"$tmp/b.err" \
  || problem "the resumed run failed: $(cat "$tmp/b.err")"
for r in 0 1; do
  [ "$(wc -l <"$tmp/a.rank$r.csv")" -eq $((1 + 7 * 45)) ] || problem "rank $r: the stopped run's CSV is not 7 epochs"
  cat "$tmp/a.rank$r.csv" <(tail -n +2 "$tmp/b.rank$r.csv") | cmp -s - "$tmp/full.rank$r.csv" \
    || problem "rank $r: the stopped and resumed runs' learning rates differ from the uninterrupted run's"
done
diff <(grep '^ *[0-9]\+  ' "$tmp/full.txt") \
     <(cat <(grep '^ *[0-9]\+  ' "$tmp/a.txt") <(grep '^ *[0-9]\+  ' "$tmp/b.txt")) >/dev/null \
  || problem "the epoch lines of the stopped and resumed runs differ from the uninterrupted run's"
"$py" - "$tmp/full.pt" "$tmp/b.pt" <<'PY' || problem "the resumed run ends with other weights, optimizer state or snapshots"
import sys, torch
a, b = torch.load(sys.argv[1]), torch.load(sys.argv[2])
def same(x, y):
    if isinstance(x, torch.Tensor):
        return isinstance(y, torch.Tensor) and x.dtype == y.dtype and torch.equal(x, y)
    if isinstance(x, dict):
        return isinstance(y, dict) and x.keys() == y.keys() and all(same(x[k], y[k]) for k in x)
    if isinstance(x, (list, tuple)):
        return len(x) == len(y) and all(same(i, j) for i, j in zip(x, y))
    return x == y
assert sorted(a["snapshots"]) == [0, 1, 2, 3], sorted(a["snapshots"])
assert a["optimizer"]["state"], "no momentum buffers saved"
sys.exit(0 if same(a, b) else 1)
PY

# 2b. Resume on another number of ranks with another global batch: 2 ranks of batch 32 (45
#     steps per epoch) stop after epoch 7; 1 rank of batch 64 (23 steps per epoch) goes on,
#     with sgdr-schedule's learning rates for 23 steps per epoch, and reaches 0.95.
"$build/tools/sgdr-schedule" --min-lr 0.001 --max-lr 0.1 --cycle-length 2 --mult-factor 2 \
  --steps-per-epoch 23 --epochs 30 >"$tmp/schedule23.csv"
if $train --ranks 1 --batch-size 64 --resume "$tmp/ckpt.pt" --lr-csv "$tmp/e" >"$tmp/e.txt" 2>"$tmp/e.err"; then
  grep -q "^(resumed from .* after epoch 7, saved with 45 steps per epoch)" "$tmp/e.txt" \
    || problem "batch 32 -> 64: no resume line"
  [ "$(wc -l <"$tmp/e.rank0.csv")" -eq $((1 + 23 * 23)) ] || problem "batch 32 -> 64: not 23 epochs of 23 batches"
  tail -n +2 "$tmp/e.rank0.csv" | cmp -s - <(tail -n +$((2 + 7 * 23)) "$tmp/schedule23.csv") \
    || problem "batch 32 -> 64: the learning rates after epoch 7 differ from sgdr-schedule's for 23 steps per epoch"
  acc=$(accuracy "$tmp/e.txt")
  echo "2 ranks, batch 32 -> 1 rank, batch 64 after epoch 7: restored snapshot $acc"
  awk -v a="${acc:-0}" 'BEGIN { exit !(a >= 0.95) }' || problem "batch 32 -> 64: restored snapshot accuracy '$acc' < 0.95"
else
  problem "2 ranks, batch 32 -> 1 rank, batch 64: the resumed run failed: $(cat "$tmp/e.err")"
fi

# Every schedule flag reaches the scheduler: cycle_warmup_steps (1.1) as well.
cw=(--epochs 2 --cycle-warmup-steps 5 --cycle-length 2 --mult-factor 1 --min-lr 0.001 --max-lr 0.1)
$train --ranks 2 "${cw[@]}" --lr-csv "$tmp/cw" >/dev/null 2>"$tmp/cw.err" || problem "the --cycle-warmup-steps run failed: $(cat "$tmp/cw.err")"
"$build/tools/sgdr-schedule" --steps-per-epoch 45 "${cw[@]}" >"$tmp/cw.expected"
for r in 0 1; do
  cmp -s "$tmp/cw.rank$r.csv" "$tmp/cw.expected" || problem "--cycle-warmup-steps: rank $r's learning rates differ from sgdr-schedule's"
done

# 3. A rank whose scheduler is configured differently (one bit of max_lr) is caught and named.
rc=0
$train --ranks 2 --skew-rank 1 >"$tmp/skew.txt" 2>"$tmp/skew.err" || rc=$?
[ "$rc" -ne 0 ] || problem "--skew-rank 1: exit status 0"
grep -q "epoch 1: rank 1's learning rates differ from rank 0's: step 0 trained with" "$tmp/skew.err" \
  || problem "--skew-rank 1: rank 1 is not named: $(cat "$tmp/skew.err")"
grep -q '^ *1  \|restored snapshot' "$tmp/skew.txt" && problem "--skew-rank 1: trained on after the mismatch"

# 4. Bad flags and a file that is no checkpoint: a non-zero exit and a message.
for args in "--stop-after-epoch 3" "--skew-rank 2" "--checkpoint $tmp/x --stop-after-epoch 30" \
            "--resume $tmp/schedule.csv"; do
  rc=0
  $train --ranks 2 $args >/dev/null 2>"$tmp/bad.err" || rc=$?
  [ "$rc" -ne 0 ] || problem "train.py $args: exit status 0"
  grep -q 'train.py: ' "$tmp/bad.err" || problem "train.py $args: no message"
done

exit "$fail"
