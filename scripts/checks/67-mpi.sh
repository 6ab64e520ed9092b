#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The data-parallel digits trainer (examples/mpi, sgdr-digits-mpi) under OpenMPI, at 1, 2 and
# 4 ranks (oversubscribed): every rank's learning rates are byte for byte what sgdr-schedule
# prints for the same schedule; the restored snapshot reaches 0.95 test accuracy; a run
# stopped after epoch 7 and resumed from its checkpoint trains with the same learning rates
# and ends with the same snapshots, weights and momentum, bit for bit, as the run that never
# stopped; one resumed on 2 ranks with batch 64 from 4 ranks with batch 32 trains with
# sgdr-schedule's learning rates for the new steps per epoch and reaches 0.95; a rank given
# another max_lr is caught at the first epoch's end and named; the output
# docs/guides/distributed.md shows is real; bad flags fail with a message; output directories
# are created; a rank killed by SIGKILL mid-training, or one that exits inside a
# collective (MPI_Allreduce, wrapped by an LD_PRELOAD library), is named and the run exits
# non-zero within 60 s; and a build without MPI still builds the rest (the library, the tool,
# the other examples but those of libtorch and the frameworks, which have their own checks).
# MPI missing is a failure, not a skip.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SGDR_TOOLS_BUILD_DIR:-build/mpi}  # its own, so that it runs beside the other checks
fail=0
problem() { echo "FAIL: $*"; fail=1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v mpirun >/dev/null || { echo "FAIL: mpirun not found (install openmpi-bin)"; exit 1; }
cmake -DSGDR_WERROR=ON -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSGDR_BUILD_TESTS=OFF -DSGDR_BUILD_EXAMPLES=ON >"$tmp/configure.log" 2>&1 \
  || { cat "$tmp/configure.log"; exit 1; }
if grep -q 'MPI not found' "$tmp/configure.log"; then
  echo "FAIL: CMake found no MPI (install libopenmpi-dev)"; exit 1
fi
cmake --build "$build" -j2 --target sgdr-digits-mpi sgdr-digits sgdr-schedule >/dev/null
mpi=$build/examples/mpi/sgdr-digits-mpi
tool=$build/tools/sgdr-schedule

# In a container: shared memory between the ranks, no CMA (ptrace is usually not allowed).
export OMPI_MCA_btl=self,vader OMPI_MCA_btl_vader_single_copy_mechanism=none
# Every run's ranks share one CPU (the first this script may use). A rank waiting in a
# collective polls; oversubscribed, OpenMPI has it yield between polls, which hands the CPU
# to the rank it waits for only when both are on the same CPU. Spread over two CPUs beside
# another busy check, a 4-rank run took 12 to 33 s instead of 1 to 2 s; the ranks compute the
# same bits either way.
cpu=$(taskset -pc $$ | sed 's/.*: *//; s/[-,].*//')
mpirun=(taskset -c "$cpu" mpirun --allow-run-as-root --oversubscribe)
run() { # NP FLAG...: the trainer under mpirun
  local np=$1; shift
  "${mpirun[@]}" -np "$np" "$mpi" "$@"
}
accuracy() { sed -n 's/^restored snapshot.*test accuracy \([0-9.]*\) .*/\1/p' "$1"; }

# The default schedule as sgdr-schedule prints it: 30 epochs of 45 batches.
"$tool" --min-lr 0.001 --max-lr 0.1 --cycle-length 2 --mult-factor 2 --steps-per-epoch 45 \
  --epochs 30 >"$tmp/schedule.csv"
[ "$(wc -l <"$tmp/schedule.csv")" -eq 1351 ] || problem "sgdr-schedule: $(wc -l <"$tmp/schedule.csv") lines"

# 1. Every rank's learning rates, and the accuracy, at 1, 2 and 4 ranks.
for np in 1 2 4; do
  start=$(date +%s.%N)
  run "$np" --lr-csv "$tmp/np$np" --weights-out "$tmp/np$np.weights" >"$tmp/np$np.txt" 2>"$tmp/np$np.err" \
    || { problem "np $np: exit status $?: $(cat "$tmp/np$np.err")"; continue; }
  acc=$(accuracy "$tmp/np$np.txt")
  echo "np $np: $(awk -v s="$start" -v e="$(date +%s.%N)" 'BEGIN { printf "%.2f s", e - s }'), restored snapshot $acc"
  [ -n "$acc" ] || { problem "np $np: no restored snapshot line"; continue; }
  awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }' || problem "np $np: restored snapshot accuracy $acc < 0.95"
  grep -q "^data-parallel: $np MPI ranks" "$tmp/np$np.txt" || problem "np $np: the header does not say $np ranks"
  [ "$(ls "$tmp"/np$np.rank*.csv | wc -l)" -eq "$np" ] || problem "np $np: not $np lr CSVs"
  for ((r = 0; r < np; r++)); do
    cmp -s "$tmp/np$np.rank$r.csv" "$tmp/schedule.csv" \
      || problem "np $np: rank $r's learning rates differ from sgdr-schedule's"
  done
done
# One rank is the single-process trainer: the same epoch lines as sgdr-digits.
"$build/examples/digits/sgdr-digits" --csv "$tmp/d/h.csv" --svg "$tmp/d/c.svg" >"$tmp/digits.txt"
diff <(grep '^ *[0-9]\+  ' "$tmp/digits.txt") <(grep '^ *[0-9]\+  ' "$tmp/np1.txt") >/dev/null \
  || problem "np 1 trains differently from sgdr-digits"

# 2. Stop after epoch 7, resume: the same learning rates on every rank, the same epoch lines
#    and the same final snapshots, weights, momentum and scheduler state as the run above.
for np in 1 2 4; do
  [ -s "$tmp/np$np.weights" ] || continue
  run "$np" --lr-csv "$tmp/a$np" --checkpoint "$tmp/ckpt$np" --stop-after-epoch 7 >"$tmp/a$np.txt" 2>"$tmp/a$np.err" \
    || { problem "np $np: the run to epoch 7 failed: $(cat "$tmp/a$np.err")"; continue; }
  grep -q "stopped after epoch 7" "$tmp/a$np.txt" || problem "np $np: no 'stopped after epoch 7'"
  grep -q '^ *8  ' "$tmp/a$np.txt" && problem "np $np: trained past epoch 7"
  grep -q 'restored snapshot' "$tmp/a$np.txt" && problem "np $np: the stopped run restored a snapshot"
  run "$np" --lr-csv "$tmp/b$np" --resume "$tmp/ckpt$np" --weights-out "$tmp/b$np.weights" \
    >"$tmp/b$np.txt" 2>"$tmp/b$np.err" \
    || { problem "np $np: the resumed run failed: $(cat "$tmp/b$np.err")"; continue; }
  for ((r = 0; r < np; r++)); do
    [ "$(wc -l <"$tmp/a$np.rank$r.csv")" -eq $((1 + 7 * 45)) ] || problem "np $np: rank $r: the stopped run's CSV is not 7 epochs"
    cat "$tmp/a$np.rank$r.csv" <(tail -n +2 "$tmp/b$np.rank$r.csv") | cmp -s - "$tmp/np$np.rank$r.csv" \
      || problem "np $np: rank $r: the stopped and resumed runs' learning rates differ from the uninterrupted run's"
  done
  diff <(grep '^ *[0-9]\+  ' "$tmp/np$np.txt") \
       <(cat <(grep '^ *[0-9]\+  ' "$tmp/a$np.txt") <(grep '^ *[0-9]\+  ' "$tmp/b$np.txt")) >/dev/null \
    || problem "np $np: the epoch lines of the stopped and resumed runs differ from the uninterrupted run's"
  grep -qF "$(grep '^restored snapshot' "$tmp/np$np.txt")" "$tmp/b$np.txt" || problem "np $np: another restored snapshot line"
  cmp -s "$tmp/b$np.weights" "$tmp/np$np.weights" \
    || problem "np $np: the resumed run ends with other snapshots, weights or scheduler state"
done
# The comparison catches a difference: the 4-rank weights are not the 2-rank ones (another
# summation order), and a resume at another rank count still trains (not bit for bit).
cmp -s "$tmp/np2.weights" "$tmp/np4.weights" && problem "np 2 and np 4 end with the same bits: is the comparison blind?"
run 4 --resume "$tmp/ckpt2" --lr-csv "$tmp/c" >"$tmp/c.txt" 2>&1 || problem "a 2-rank checkpoint does not resume on 4 ranks"
tail -n +2 "$tmp/b2.rank0.csv" | cmp -s - <(tail -n +2 "$tmp/c.rank3.csv") || problem "4 ranks resumed from 2 train with other learning rates"

# 2b. Resume on another number of ranks with another global batch: 4 ranks of batch 32 (45
#     steps per epoch) stop after epoch 7; 2 ranks of batch 64 (23 steps per epoch) go on. The
#     resumed epochs train, on every rank, with sgdr-schedule's rates for 23 steps per epoch.
"$tool" --min-lr 0.001 --max-lr 0.1 --cycle-length 2 --mult-factor 2 --steps-per-epoch 23 \
  --epochs 30 >"$tmp/schedule23.csv"
if run 4 --batch-size 32 --checkpoint "$tmp/e" --stop-after-epoch 7 >"$tmp/e.txt" 2>"$tmp/e.err"; then
  if run 2 --batch-size 64 --resume "$tmp/e" --lr-csv "$tmp/f" >"$tmp/f.txt" 2>"$tmp/f.err"; then
    grep -q "^(resumed from .* after epoch 7, saved with 45 steps per epoch)" "$tmp/f.txt" \
      || problem "batch 32 -> 64: no resume line"
    for r in 0 1; do
      [ "$(wc -l <"$tmp/f.rank$r.csv")" -eq $((1 + 23 * 23)) ] || problem "batch 32 -> 64: rank $r: not 23 epochs of 23 batches"
      tail -n +2 "$tmp/f.rank$r.csv" | cmp -s - <(tail -n +$((2 + 7 * 23)) "$tmp/schedule23.csv") \
        || problem "batch 32 -> 64: rank $r's learning rates after epoch 7 differ from sgdr-schedule's for 23 steps per epoch"
    done
    # the worked example in docs/guides/distributed.md is this run's output
    /usr/bin/python3 scripts/checks/md_block.py docs/guides/distributed.md text 2 | grep -v '^\.\.\.$' >"$tmp/guide-f.txt"
    [ -s "$tmp/guide-f.txt" ] || problem "distributed.md: no worked example of a resume with batch 64"
    while IFS= read -r line; do
      grep -qxF -- "$line" "$tmp/f.txt" || problem "distributed.md's worked example shows a line the resumed run does not print: $line"
    done <"$tmp/guide-f.txt"
    acc=$(accuracy "$tmp/f.txt")
    echo "np 4, batch 32 -> np 2, batch 64 after epoch 7: restored snapshot $acc"
    awk -v a="${acc:-0}" 'BEGIN { exit !(a >= 0.95) }' || problem "batch 32 -> 64: restored snapshot accuracy '$acc' < 0.95"
  else
    problem "batch 32 -> 64: the resumed run failed: $(cat "$tmp/f.err")"
  fi
else
  problem "np 4, batch 32: the run to epoch 7 failed: $(cat "$tmp/e.err")"
fi

# 3. A rank whose scheduler is configured differently (one bit of max_lr) is caught and named.
for case in "2 1" "4 2" "4 0"; do
  set -- $case
  rc=0
  run "$1" --skew-rank "$2" >"$tmp/skew.txt" 2>"$tmp/skew.err" || rc=$?
  cp "$tmp/skew.err" "$tmp/skew-$1-$2.err"
  [ "$rc" -ne 0 ] || problem "np $1, --skew-rank $2: exit status 0"
  grep -q "epoch 1: rank $2's learning rates differ from rank [0-9]'s: step 0 trained with" "$tmp/skew.err" \
    || problem "np $1, --skew-rank $2: the rank is not named: $(grep sgdr "$tmp/skew.err")"
  [ "$(grep -c "sgdr-digits-mpi: epoch" "$tmp/skew.err")" -eq 1 ] || problem "np $1, --skew-rank $2: other ranks blamed too"
  grep -q '^ *2  \|restored snapshot' "$tmp/skew.txt" && problem "np $1, --skew-rank $2: trained on after the mismatch"
done

# docs/guides/distributed.md shows real output: its sample's lines are in the 4-rank run's
# output, and its error line is what --skew-rank 2 printed.
block() { /usr/bin/python3 scripts/checks/md_block.py docs/guides/distributed.md text "$1"; }
block 0 | grep -v '^\.\.\.$' >"$tmp/guide.txt"
[ "$(grep -c 'test accuracy' "$tmp/guide.txt")" -eq 2 ] || problem "distributed.md: the sample has no accuracy lines"
while IFS= read -r line; do
  grep -qxF -- "$line" "$tmp/np4.txt" || problem "distributed.md shows a line sgdr-digits-mpi does not print: $line"
done <"$tmp/guide.txt"
grep -qxF -- "$(block 1)" "$tmp/skew-4-2.err" || problem "distributed.md shows another error line than --skew-rank 2 prints"

# 4. Bad flags and files: a non-zero exit and a message. The runs go side by side: most of
#    each is mpirun taking down the job after a rank's refusal, which costs no CPU.
head -c 1000 "$tmp/ckpt2" >"$tmp/short"
bad=("--bogus" "--stop-after-epoch 3" "--checkpoint $tmp/x" "--checkpoint $tmp/x --stop-after-epoch 30"
     "--skew-rank 2" "--svg x.svg" "--lr-csv" "--resume $tmp/missing" "--resume $tmp/schedule.csv"
     "--resume $tmp/ckpt2 --hidden 32" "--resume $tmp/ckpt2 --epochs 7" "--resume $tmp/short")
for i in "${!bad[@]}"; do
  # shellcheck disable=SC2086 # the flags of one case, split at spaces
  (rc=0; run 2 ${bad[$i]} >/dev/null 2>"$tmp/bad$i.err" || rc=$?; echo "$rc" >"$tmp/bad$i.rc") &
done
wait
for i in "${!bad[@]}"; do
  [ "$(cat "$tmp/bad$i.rc")" -ne 0 ] || problem "sgdr-digits-mpi ${bad[$i]}: exit status 0"
  grep -q '^sgdr-digits-mpi: ' "$tmp/bad$i.err" || problem "sgdr-digits-mpi ${bad[$i]}: no message"
done
grep -q 'truncated' "$tmp/bad$((${#bad[@]} - 1)).err" || problem "a truncated checkpoint (the last case) is not refused as such"

# 5. The directories of the output files are created.
run 2 --epochs 1 --lr-csv "$tmp/new/lr" --weights-out "$tmp/new2/w" >/dev/null 2>"$tmp/dirs.err" \
  || problem "a run writing into new directories failed: $(cat "$tmp/dirs.err")"
[ -s "$tmp/new/lr.rank1.csv" ] && [ -s "$tmp/new2/w" ] || problem "the output files in new directories are missing"

# 6. A rank that fails: named, the run over (every rank gone, non-zero) within 60 s.
#    (a) rank 1 exits inside its 100th MPI_Allreduce (an LD_PRELOAD wrapper over PMPI).
cat >"$tmp/fail.c" <<'C'
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
int MPI_Allreduce(const void *in, void *out, int n, MPI_Datatype t, MPI_Op op, MPI_Comm c)
{
    static int calls;
    int rank;
    PMPI_Comm_rank(c, &rank);
    if (rank == atoi(getenv("FAIL_RANK")) && ++calls == 100) {
        fprintf(stderr, "rank %d fails inside MPI_Allreduce\n", rank);
        exit(3);
    }
    return PMPI_Allreduce(in, out, n, t, op, c);
}
C
mpicc -shared -fPIC -o "$tmp/fail.so" "$tmp/fail.c" || problem "cannot build the MPI_Allreduce wrapper"
rc=0
start=$(date +%s)
timeout 300 "${mpirun[@]}" -np 2 -x LD_PRELOAD="$tmp/fail.so" -x FAIL_RANK=1 \
  "$mpi" >"$tmp/fail.txt" 2>"$tmp/fail.err" || rc=$?
[ "$rc" -ne 0 ] && [ "$rc" -ne 124 ] || problem "a rank failing inside MPI_Allreduce: exit status $rc"
[ $(( $(date +%s) - start )) -le 60 ] || problem "a rank failing inside MPI_Allreduce: the run took more than 60 s"
grep -q 'rank 1 fails inside MPI_Allreduce' "$tmp/fail.err" || problem "the MPI_Allreduce wrapper did not fail rank 1"
grep -Eq 'Process name: \[\[[0-9]+,[0-9]+\],1\]' "$tmp/fail.err" \
  || problem "a rank failing inside MPI_Allreduce is not named: $(tail -5 "$tmp/fail.err")"
#    (b) SIGKILL to rank 1 after epoch 2 of a 4-rank run.
"${mpirun[@]}" -np 4 "$mpi" >"$tmp/kill.txt" 2>"$tmp/kill.err" &
launcher=$!
for _ in $(seq 600); do grep -q '^ *2  ' "$tmp/kill.txt" && break; sleep 0.5; done
victim=
ranks=$(pgrep -P "$launcher" || true)
for c in $ranks; do
  tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -qx 'OMPI_COMM_WORLD_RANK=1' && victim=$c
done
if [ -z "$victim" ]; then
  problem "SIGKILL test: rank 1 not found among mpirun's children"; kill "$launcher" 2>/dev/null || true
else
  kill -KILL "$victim"
  killed=$(date +%s)
  for _ in $(seq 120); do kill -0 "$launcher" 2>/dev/null || break; sleep 1; done
  kill -0 "$launcher" 2>/dev/null && { problem "SIGKILL of rank 1: mpirun still runs after 120 s"; kill -KILL "$launcher"; }
  rc=0; wait "$launcher" || rc=$?
  [ $(( $(date +%s) - killed )) -le 60 ] || problem "SIGKILL of rank 1: the run took more than 60 s to end"
  [ "$rc" -ne 0 ] || problem "SIGKILL of rank 1: exit status 0"
  grep -q 'process rank 1 .*signal 9' "$tmp/kill.err" || problem "SIGKILL of rank 1: not named: $(tail -5 "$tmp/kill.err")"
  # a rank is gone when its process is (a zombie waiting to be reaped is gone too)
  running() { local st; st=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) && [ "$st" != Z ]; }
  for c in $ranks; do
    for _ in $(seq 20); do running "$c" || break; sleep 0.5; done
    running "$c" && problem "SIGKILL of rank 1: rank process $c still runs"
  done
fi

# 7. Without MPI the rest still configures and builds (the libtorch and framework trainers,
#    which checks 65 and 69 build, left out: with them this build would take minutes).
cmake -DSGDR_WERROR=ON -S . -B "$build-nompi" -DCMAKE_BUILD_TYPE=Release -DSGDR_BUILD_TESTS=OFF -DSGDR_BUILD_EXAMPLES=ON \
  -DCMAKE_DISABLE_FIND_PACKAGE_MPI=ON -DCMAKE_DISABLE_FIND_PACKAGE_Torch=ON -DSGDR_BUILD_FRAMEWORK_EXAMPLES=OFF \
  >"$tmp/nompi.log" 2>&1 || { cat "$tmp/nompi.log"; problem "configure without MPI failed"; }
grep -q 'MPI not found' "$tmp/nompi.log" || problem "configure without MPI does not say it leaves examples/mpi out"
cmake --build "$build-nompi" -j2 >/dev/null || problem "the build without MPI failed"
[ ! -e "$build-nompi/examples/mpi/sgdr-digits-mpi" ] || problem "sgdr-digits-mpi built without MPI"

exit "$fail"
