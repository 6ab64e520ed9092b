# SPDX-License-Identifier: MIT
# Sourced by the checks of the digits trainers (65-libtorch, 69-frameworks, 75-digits): the
# stop-and-resume test they share. The check defines problem MESSAGE.
#
#   resume_every_epoch NAME BIN DIR EPOCHS FLAG...
#     runs BIN FLAG... (which must include --epochs EPOCHS) once whole, then for each E from
#     1 to EPOCHS-1 stopped after epoch E (--checkpoint, --stop-after-epoch) and resumed
#     (--resume): the learning rates of the two parts (--lr-csv) must be those of the whole
#     run, and the final weights and snapshots (--dump) and the restored snapshot's and the
#     ensemble's accuracy lines the same, byte for byte. Leaves DIR/whole.{csv,dump,txt} and
#     DIR/ck<E>.

resume_every_epoch() {
  local name=$1 bin=$2 dir=$3 epochs=$4 e
  shift 4
  "$bin" "$@" --lr-csv "$dir/whole.csv" --dump "$dir/whole.dump" >"$dir/whole.txt"
  for ((e = 1; e < epochs; e++)); do
    "$bin" "$@" --checkpoint "$dir/ck$e" --stop-after-epoch "$e" --lr-csv "$dir/first$e.csv" \
      >"$dir/first$e.txt"
    grep -q "^checkpoint after epoch $e: " "$dir/first$e.txt" || problem "$name: stop after epoch $e: no checkpoint line"
    "$bin" "$@" --resume "$dir/ck$e" --lr-csv "$dir/rest$e.csv" --dump "$dir/rest$e.dump" \
      >"$dir/rest$e.txt"
    cat "$dir/first$e.csv" <(tail -n +2 "$dir/rest$e.csv") | cmp -s - "$dir/whole.csv" \
      || problem "$name: stopped after epoch $e and resumed: the lrs differ"
    cmp -s "$dir/rest$e.dump" "$dir/whole.dump" \
      || problem "$name: stopped after epoch $e and resumed: the final weights or snapshots differ"
    cmp -s <(grep '^restored snapshot\|^snapshot ensemble' "$dir/rest$e.txt") \
      <(grep '^restored snapshot\|^snapshot ensemble' "$dir/whole.txt") \
      || problem "$name: stopped after epoch $e and resumed: the accuracy lines differ"
  done
  grep -q '^restored snapshot' "$dir/whole.txt" || problem "$name: the whole run restored no snapshot"
}
