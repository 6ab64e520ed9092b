#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# sgdr-schedule (docs/SPEC.md §8): reproduces every golden vector, refuses bad flags and values
# (exit 2, a message, nothing on stdout), prints the same bytes in every locale, draws valid
# plots, documents every flag in --help and the man page, and installs with its man page.
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SGDR_TOOLS_BUILD_DIR:-build/tools}
cmake -DSGDR_WERROR=ON -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DSGDR_BUILD_EXAMPLES=OFF >/dev/null
# everything (the library and the tool): the install step below installs every target
cmake --build "$build" -j2 >/dev/null
tool=$build/tools/sgdr-schedule
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
problem() { echo "FAIL: $*"; fail=1; }

# 1. Golden vectors: the header's configuration as flags; step and epoch equal, lr within
#    1e-12 * max_lr (docs/SPEC.md §1.3), the same number of rows. compare_golden GOLDEN OUT MAX_LR
#    succeeds when OUT matches the data rows of GOLDEN.
compare_golden() {
  grep -v '^#' "$1" >"$tmp/golden.csv"
  LC_ALL=C awk -F, -v tol="$3" -v name="$1" '
    NR == FNR { want[FNR] = $0; n = FNR; next }
    { rows = FNR
      if (FNR == 1) { if ($0 != want[1]) { print name ": header " $0; bad++ }; next }
      split(want[FNR], w, ",")
      d = $3 - w[3]; if (d < 0) d = -d
      if ($1 != w[1] || $2 != w[2] || d > 1e-12 * tol) {
        if (bad < 5) print name ": row " FNR ": " $0 " (golden " want[FNR] ")"; bad++ } }
    END { if (rows != n) { print name ": " rows " lines, golden " n; bad++ }; exit bad > 0 }' \
    "$tmp/golden.csv" "$2"
}
n_golden=0
for g in tests/golden/*.csv; do
  conf=$(sed -n 's/^# mode=/restart_mode=/p' "$g")
  [ -n "$conf" ] || { problem "$g: no configuration line"; continue; }
  flags=() max_lr=
  for kv in $conf; do
    key=${kv%%=*} value=${kv#*=}
    [ "$key" = max_lr ] && max_lr=$value
    flags+=("--${key//_/-}" "$value")
  done
  if ! "$tool" "${flags[@]}" >"$tmp/out.csv" 2>"$tmp/err"; then
    problem "$g: sgdr-schedule ${flags[*]} failed: $(cat "$tmp/err")"
    continue
  fi
  compare_golden "$g" "$tmp/out.csv" "$max_lr" || problem "$g differs"
  n_golden=$((n_golden + 1))
done
[ "$n_golden" -ge 17 ] || problem "only $n_golden golden files checked"

# The comparison itself must catch a wrong schedule: max_lr 1e-9 off, or a row missing.
"$tool" --min-lr 0.0001 --max-lr 0.100000001 --steps-per-epoch 10 --epochs 70 \
  --restart-mode keras-seed >"$tmp/off.csv"
if compare_golden tests/golden/seed_defaults.csv "$tmp/off.csv" 0.1 >/dev/null; then
  problem "the golden comparison does not catch a schedule that is 1e-9 off"
fi
"$tool" --min-lr 0.0001 --max-lr 0.1 --steps-per-epoch 10 --epochs 70 \
  --restart-mode keras-seed | sed '$d' >"$tmp/short.csv"
if compare_golden tests/golden/seed_defaults.csv "$tmp/short.csv" 0.1 >/dev/null; then
  problem "the golden comparison does not catch a missing row"
fi

# 2. Bad flags and values: exit status 2, a message on stderr that names the problem, and
#    nothing at all on stdout.
base=(--min-lr 0.001 --max-lr 0.1 --steps-per-epoch 3)
bad_case() { # expected-word-in-message, then the arguments
  local word=$1 rc=0
  shift
  "$tool" "$@" >"$tmp/bad.out" 2>"$tmp/bad.err" || rc=$?
  [ "$rc" -eq 2 ] || problem "sgdr-schedule $*: exit status $rc, expected 2"
  [ ! -s "$tmp/bad.out" ] || problem "sgdr-schedule $*: wrote to stdout"
  grep -q -- "$word" "$tmp/bad.err" || problem "sgdr-schedule $*: message does not name '$word': $(cat "$tmp/bad.err")"
}
bad_case --bogus "${base[@]}" --bogus 1
bad_case abc --min-lr abc --max-lr 0.1 --steps-per-epoch 3
bad_case --epochs "${base[@]}" --epochs
bad_case max_lr --min-lr 0.01 --max-lr 0.001 --steps-per-epoch 3
bad_case twice "${base[@]}" --steps-per-epoch 4
bad_case 2.5 --min-lr 0.001 --max-lr 0.1 --steps-per-epoch 2.5
bad_case steps_per_epoch --min-lr 0.001 --max-lr 0.1 --steps-per-epoch 0
bad_case pdf "${base[@]}" --format pdf
bad_case foo "${base[@]}" --restart-mode foo
bad_case --epochs "${base[@]}" --epochs 0
bad_case -3 "${base[@]}" --epochs -3
bad_case --min-lr --max-lr 0.1 --steps-per-epoch 3
bad_case --steps-per-epoch --min-lr 0.001 --max-lr 0.1
bad_case extra "${base[@]}" extra
bad_case warmup_epochs "${base[@]}" --restart-mode keras-seed --warmup-epochs 2
bad_case max_cycles "${base[@]}" --restart-mode keras-seed --max-cycles 2
bad_case nan --min-lr nan --max-lr 0.1 --steps-per-epoch 3
bad_case inf "${base[@]}" --lr-decay inf
bad_case mult_factor "${base[@]}" --mult-factor 0.5
bad_case lr_decay "${base[@]}" --lr-decay 0
bad_case warmup_start_lr "${base[@]}" --warmup-start-lr 0.5
bad_case max_cycles "${base[@]}" --max-cycles 1.5
bad_case 10^9 "${base[@]}" --epochs 1000000000
bad_case --help --help=yes
bad_case --lr-decay "${base[@]}" --lr-decay=
bad_case "0,5" --min-lr 0,5 --max-lr 1 --steps-per-epoch 3
# Leading blanks of any kind are refused (strtod alone would skip them).
for blank in ' ' $'\t' $'\n' $'\r' $'\v' $'\f'; do
  bad_case --min-lr --min-lr "${blank}0.001" --max-lr 0.1 --steps-per-epoch 3
  bad_case --epochs "${base[@]}" --epochs "${blank}5"
done
# Without --epochs the default (warm-up plus three cycles) is printed; when that default is
# more than 10^9 batches the message says so and asks for --epochs, whatever steps_per_epoch.
for spe in 1 3; do
  bad_case "give --epochs" --min-lr 0.001 --max-lr 0.1 --steps-per-epoch "$spe" \
    --cycle-length 4294967295
  bad_case "three cycles" --min-lr 0.001 --max-lr 0.1 --steps-per-epoch "$spe" \
    --cycle-length 400000000 --mult-factor 1
done
[ "$("$tool" "${base[@]}" | wc -l)" -eq $((70 * 3 + 1)) ] \
  || problem "without --epochs: expected the default 70 epochs (10 + 20 + 40) of 3 batches"

# 3. The same bytes in every locale (a comma-decimal one included), for every format.
locale -a | grep -i '^de_DE\.utf-\?8$' >/dev/null || problem "locale de_DE.UTF-8 is not installed (locales-all)"
for format in csv ascii svg; do
  args=(--min-lr 1e-05 --max-lr 0.1 --steps-per-epoch 7 --lr-decay 0.75 --warmup-epochs 1
        --warmup-start-lr 0.001 --mult-factor 1.5 --format "$format")
  LC_ALL=C "$tool" "${args[@]}" >"$tmp/c.$format"
  LC_ALL=de_DE.UTF-8 "$tool" "${args[@]}" >"$tmp/de.$format"
  cmp -s "$tmp/c.$format" "$tmp/de.$format" || problem "--format $format differs under LC_ALL=de_DE.UTF-8"
  [ -s "$tmp/c.$format" ] || problem "--format $format printed nothing"
done
grep -q '^1,0,0\.0' "$tmp/de.csv" || problem "CSV under de_DE does not use '.': $(sed -n 2p "$tmp/de.csv")"

# 4. The plots: the SVG is well-formed XML with axes, labels, the curve and one dashed marker
#    per restart; the ASCII plot marks the restarts under the axis.
"$tool" --min-lr 0.001 --max-lr 0.1 --steps-per-epoch 5 --cycle-length 2 --mult-factor 2 \
  --epochs 30 --format svg >"$tmp/plot.svg"
/usr/bin/python3 - "$tmp/plot.svg" <<'PY' || problem "the SVG plot is not what it should be"
import sys, xml.etree.ElementTree as ET
ns = "{http://www.w3.org/2000/svg}"
root = ET.parse(sys.argv[1]).getroot()
texts = [t.text for t in root.iter(ns + "text")]
lines = list(root.iter(ns + "polyline"))
restarts = [l for l in root.iter(ns + "line")
            if l.get("stroke") == "#d62728" and l.get("y1") != l.get("y2")]
ok = True
for want in ("epoch", "learning rate", "restart", "0", "10", "20", "30"):
    if want not in texts:
        print("missing text", want); ok = False
if len(lines) != 1 or len(lines[0].get("points").split()) < 100:
    print("expected one curve of many points"); ok = False
# cycles of 2, 4, 8, 16 epochs: restarts at epochs 2, 6 and 14 (30 ends the run)
if len(restarts) != 3:
    print("restart markers:", len(restarts)); ok = False
sys.exit(0 if ok else 1)
PY
"$tool" --min-lr 0.001 --max-lr 0.1 --steps-per-epoch 5 --cycle-length 2 --epochs 30 \
  --format ascii >"$tmp/plot.txt"
[ "$(grep -o '\^' "$tmp/plot.txt" | wc -l)" -eq 4 ] || problem "ASCII plot: expected 3 restart marks and the legend's"
grep -q '(epoch)' "$tmp/plot.txt" || problem "ASCII plot has no epoch axis"

# 4b. The plots' memory does not grow with the schedule: 10^7 one-batch cycles (a restart
#     every epoch) need no more than 10^4 do (peak RSS, /usr/bin/time -v).
peak_rss() { # KB, for --format $1 --epochs $2
  /usr/bin/time -v "$tool" --min-lr 0 --max-lr 0.1 --steps-per-epoch 1 --cycle-length 1 \
    --mult-factor 1 --format "$1" --epochs "$2" 2>&1 >/dev/null \
    | awk -F': ' '/Maximum resident set size/ { print $2 }'
}
[ -x /usr/bin/time ] || problem "/usr/bin/time is not installed (package time)"
for format in ascii svg; do
  small=$(peak_rss "$format" 10000) large=$(peak_rss "$format" 10000000)
  if [ -z "$small" ] || [ -z "$large" ] || [ "$large" -gt $((small + 1024)) ]; then
    problem "--format $format: peak RSS ${small:-?} KB for 10^4 epochs, ${large:-?} KB for 10^7"
  fi
done

# 5. --help lists every flag with its default; the man page documents the same flags.
"$tool" --help >"$tmp/help"
for flag in --min-lr --max-lr --steps-per-epoch --lr-decay --cycle-length --mult-factor \
            --restart-mode --warmup-epochs --warmup-start-lr --max-cycles --epochs --format; do
  grep -q -- "^  $flag " "$tmp/help" || problem "--help does not list $flag"
  grep -q -- "^\.BI\? \\\\-\\\\-${flag#--}" docs/sgdr-schedule.1 || problem "the man page does not document $flag"
done
for line in "--lr-decay X.*(default 1)" "--cycle-length N.*(default 10)" "--mult-factor X.*(default 2)" \
            "--restart-mode MODE.*(default peak)" "--format FORMAT.*(default csv)" "--min-lr X.*(required)"; do
  grep -q -- "$line" "$tmp/help" || problem "--help has no line matching '$line'"
done
help_flags=$(grep -o -- '^  --[a-z-]*' "$tmp/help" | tr -d ' ' | sort -u)
# the man page's flags: the tag line after each .TP
man_flags=$(awk 'prev == ".TP" { print } { prev = $0 }' docs/sgdr-schedule.1 \
  | grep -o -- '\\-\\-[a-z-]*' | sed 's/\\-/-/g' | sort -u)
[ "$help_flags" = "$man_flags" ] || problem "--help and the man page list different flags"

# 6. Installed with the library, man page included.
rm -rf "$tmp/prefix"
cmake --install "$build" --prefix "$tmp/prefix" >/dev/null
[ -x "$tmp/prefix/bin/sgdr-schedule" ] || problem "sgdr-schedule is not installed"
[ -f "$tmp/prefix/share/man/man1/sgdr-schedule.1" ] || problem "the man page is not installed"
LD_LIBRARY_PATH="$tmp/prefix/lib:$tmp/prefix/lib64" "$tmp/prefix/bin/sgdr-schedule" --version \
  | grep "libsgdr" >/dev/null || problem "the installed sgdr-schedule does not run"

[ "$fail" -eq 0 ] && echo "sgdr-schedule: $n_golden golden files reproduced, bad flags refused, locale-independent"
exit "$fail"
