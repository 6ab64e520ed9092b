#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The DistributedDataParallel digits trainer (examples/ddp/train.py, gloo on the CPU, 2
# ranks): every rank's learning rates are byte for byte what sgdr-schedule prints; the
# restored snapshot reaches 0.95 test accuracy; a run stopped after epoch 7 and resumed from
# its torch.save checkpoint trains with the same learning rates and ends with the same
# weights, optimizer state and snapshots, bit for bit, as the run that never stopped; resumed
# on 1 rank with batch 64 it trains with sgdr-schedule's rates for 23 steps per epoch; a rank
# given another max_lr is caught at the first epoch's end and named; a rank that raises inside
# a collective, or is killed by SIGKILL mid-training, is named and the run exits non-zero
# within 60 s; a rank still running --finish-timeout seconds after another ended is named and
# stopped; output directories are created. PyTorch or gloo missing is a failure, not a
# skip.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SGDR_TOOLS_BUILD_DIR:-build/ddp}  # its own, so that it runs beside the other checks
py=/usr/bin/python3
fail=0
problem() { echo "FAIL: $*"; fail=1; }
"$py" -c 'import torch.distributed as d; assert d.is_available() and d.is_gloo_available()' \
  || { echo "FAIL: PyTorch with torch.distributed and gloo is missing (python3-torch)"; exit 1; }
cmake -DSGDR_WERROR=ON -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSGDR_BUILD_TESTS=OFF -DSGDR_BUILD_EXAMPLES=ON >/dev/null
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

# 5. The directories of the output files are created.
$train --ranks 2 --epochs 1 --lr-csv "$tmp/new/lr" --weights-out "$tmp/new2/w.pt" >/dev/null 2>"$tmp/dirs.err" \
  || problem "a run writing into new directories failed: $(cat "$tmp/dirs.err")"
[ -s "$tmp/new/lr.rank1.csv" ] && [ -s "$tmp/new2/w.pt" ] || problem "the output files in new directories are missing"

# 6. A rank that raises inside a collective (all_reduce, wrapped by a sitecustomize on the
#    ranks' PYTHONPATH) is named, and the run exits non-zero within 60 s of the raise.
mkdir "$tmp/inject"
cat >"$tmp/inject/sitecustomize.py" <<'PY'
import os, sys, time
_rank, _call = (int(v) for v in os.environ["SGDR_TEST_RAISE"].split(":"))
import torch.distributed as _dist
_orig, _calls = _dist.all_reduce, [0]
def _all_reduce(*args, **kwargs):
    _calls[0] += 1
    if _dist.get_rank() == _rank and _calls[0] == _call:
        print("raising at %.3f" % time.time(), file=sys.stderr, flush=True)
        raise RuntimeError("raised inside all_reduce")
    return _orig(*args, **kwargs)
_dist.all_reduce = _all_reduce
PY
for r in 0 1; do
  rc=0
  PYTHONPATH="$tmp/inject${PYTHONPATH:+:$PYTHONPATH}" SGDR_TEST_RAISE="$r:100" timeout 300 $train --ranks 2 --epochs 5 \
    >"$tmp/raise.txt" 2>"$tmp/raise.err" || rc=$?
  end=$(date +%s.%N)
  raised=$(sed -n 's/^raising at //p' "$tmp/raise.err")
  [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || problem "rank $r raising inside all_reduce: exit status $rc"
  [ -n "$raised" ] && awk -v s="$raised" -v e="$end" 'BEGIN { exit !(e - s <= 60) }' \
    || problem "rank $r raising inside all_reduce: the run did not end within 60 s of the raise"
  grep -q "^train.py: rank $r exited with status 1; stopping rank" "$tmp/raise.err" \
    || problem "rank $r raising inside all_reduce is not named: $(tail -3 "$tmp/raise.err")"
done

# 6b. A rank that hangs after the others ended with status 0 (in destroy_process_group,
#     wrapped the same way) is named and stopped --finish-timeout seconds after the first
#     rank ended, and the run exits non-zero.
cat >"$tmp/inject/sitecustomize.py" <<'PY'
import os, time
_rank = int(os.environ["SGDR_TEST_HANG"])
import torch.distributed as _dist
_orig = _dist.destroy_process_group
def _destroy(*args, **kwargs):
    if _dist.get_rank() == _rank:
        time.sleep(1000)
    return _orig(*args, **kwargs)
_dist.destroy_process_group = _destroy
PY
rc=0
start=$(date +%s)
PYTHONPATH="$tmp/inject${PYTHONPATH:+:$PYTHONPATH}" SGDR_TEST_HANG=1 timeout 300 $train --ranks 2 --epochs 1 \
  --finish-timeout 5 >"$tmp/hang.txt" 2>"$tmp/hang.err" || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || problem "rank 1 hanging after rank 0 ended: exit status $rc"
[ $(( $(date +%s) - start )) -le 60 ] || problem "rank 1 hanging after rank 0 ended: the run took more than 60 s"
grep -q "^train.py: rank 0 ended; rank 1 still runs 5 s later; stopping it" "$tmp/hang.err" \
  || problem "rank 1 hanging after rank 0 ended is not named: $(tail -3 "$tmp/hang.err")"
for bad in 0 -1 x; do
  rc=0; $train --finish-timeout "$bad" >/dev/null 2>"$tmp/bad.err" || rc=$?
  [ "$rc" -eq 2 ] && grep -q -- "--finish-timeout" "$tmp/bad.err" || problem "--finish-timeout $bad: exit $rc"
done

# 7. SIGKILL to rank 1 mid-training (after epoch 2): named, every rank gone, non-zero exit
#    within 60 s. The ranks are the trainer's spawned children, started in rank order.
$train --ranks 2 >"$tmp/kill.txt" 2>"$tmp/kill.err" &
trainer=$!
for _ in $(seq 600); do grep -q '^ *2  ' "$tmp/kill.txt" && break; sleep 0.5; done
ranks=($(for c in $(pgrep -P "$trainer"); do
  grep -q spawn_main "/proc/$c/cmdline" 2>/dev/null && echo "$c"; done | sort -n))
if [ "${#ranks[@]}" -ne 2 ]; then
  problem "SIGKILL test: found ${#ranks[@]} rank processes, not 2"; kill "$trainer" 2>/dev/null || true
else
  kill -KILL "${ranks[1]}"
  killed=$(date +%s)
  rc=0
  for _ in $(seq 120); do kill -0 "$trainer" 2>/dev/null || break; sleep 1; done
  if kill -0 "$trainer" 2>/dev/null; then
    problem "SIGKILL of rank 1: the run still runs after 120 s"; kill -KILL "$trainer" "${ranks[0]}" 2>/dev/null || true
  fi
  wait "$trainer" || rc=$?
  [ $(( $(date +%s) - killed )) -le 60 ] || problem "SIGKILL of rank 1: the run took more than 60 s to end"
  [ "$rc" -ne 0 ] || problem "SIGKILL of rank 1: exit status 0"
  grep -q "^train.py: rank 1 was killed by SIGKILL; stopping rank 0" "$tmp/kill.err" \
    || problem "SIGKILL of rank 1: not named: $(tail -3 "$tmp/kill.err")"
  kill -0 "${ranks[0]}" 2>/dev/null && problem "SIGKILL of rank 1: rank 0 still runs"
fi

exit "$fail"
