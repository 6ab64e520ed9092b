#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The package install survives a flaky mirror (scripts/deps.sh), proved with stand-ins for
# apt-get, dpkg, dpkg-query and sudo on PATH that only record their calls (nothing is
# installed, the machine is not touched): an `apt-get update` that fails twice is tried
# again and the install goes on; one that always fails still installs what the indexes at
# hand have; a package that needs the index that failed stops it with one line naming the
# package and that index; adding the i386 architecture is said; a failure returns, even
# under set -e; and `bash scripts/test.sh 82-doc-blocks` with update failing twice runs the
# check and ends "1 passed, 0 failed".
set -euo pipefail
cd "$(dirname "$0")/../.."
fail=0
problem() { echo "FAIL: $*"; fail=1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The stand-ins. Every call is one line of $FAKE_LOG. apt-get update fails the first
# $FAKE_UPDATE_FAILS times (or always, "always"), as this machine's mirror did; apt-get
# install fails for an :i386 package when $FAKE_NO_I386 is set (its index never came).
bin=$work/bin
mkdir -p "$bin"
cat >"$bin/apt-get" <<'EOF'
#!/bin/bash
echo "apt-get $*" >>"$FAKE_LOG"
case " $* " in
  *" update "*)
    n=$(grep -c '^apt-get .*update' "$FAKE_LOG")
    if [ "$FAKE_UPDATE_FAILS" = always ] || [ "$n" -le "$FAKE_UPDATE_FAILS" ]; then
      echo "E: Failed to fetch http://deb.debian.org/debian/dists/bookworm/main/binary-i386/Packages.xz  File has unexpected size (1234 != 5678). Mirror sync in progress? [IP: 1.2.3.4 80]"
      echo "E: Some index files failed to download. They have been ignored, or old ones used instead."
      exit 100
    fi ;;
  *" install "*)
    if [ -n "${FAKE_NO_I386:-}" ]; then
      for a in "$@"; do
        case "$a" in *:i386) echo "E: Unable to locate package $a"; exit 100 ;; esac
      done
    fi ;;
esac
exit 0
EOF
cat >"$bin/dpkg-query" <<'EOF'
#!/bin/bash
echo "dpkg-query $*" >>"$FAKE_LOG"
exit 1
EOF
cat >"$bin/dpkg" <<'EOF'
#!/bin/bash
echo "dpkg $*" >>"$FAKE_LOG"
case "$1" in --print-architecture) echo amd64 ;; esac
exit 0
EOF
cat >"$bin/sudo" <<'EOF'
#!/bin/bash
echo "sudo $*" >>"$FAKE_LOG"
exec "$@"
EOF
chmod +x "$bin"/*
export FAKE_LOG=$work/calls SGDR_APT_PAUSE=0

# need CASE UPDATE_FAILS NO_I386 PKG...: runs sgdr_need_packages under set -euo pipefail
# with the stand-ins first on PATH; its stderr in $work/CASE.err, its status in $work/CASE.rc.
need() {
  local name=$1 fails=$2 no386=$3 rc=0
  shift 3
  : >"$FAKE_LOG"
  PATH="$bin:$PATH" FAKE_UPDATE_FAILS=$fails FAKE_NO_I386=$no386 bash -c '
    set -euo pipefail
    source scripts/deps.sh
    sgdr_need_packages "$@"
    echo "after: still running" >&2' bash "$@" 2>"$work/$name.err" || rc=$?
  echo "$rc" >"$work/$name.rc"
  cp "$FAKE_LOG" "$work/$name.calls"
}
count() { grep -c "$2" "$work/$1.calls" || true; }
installs() { grep '^apt-get .*install' "$work/$1.calls" | sed 's/.*--no-install-recommends //'; }

# 1. update fails twice: tried a third time, then everything is installed.
need twice 2 "" gcc libcmocka-dev:i386
[ "$(cat "$work/twice.rc")" = 0 ] || problem "update failing twice: status $(cat "$work/twice.rc")"
[ "$(count twice '^apt-get .*update')" = 3 ] || problem "update failing twice: $(count twice '^apt-get .*update') updates, want 3"
[ "$(installs twice)" = "gcc libcmocka-dev:i386" ] || problem "update failing twice: installed '$(installs twice)'"
grep -q 'try 2 of 4' "$work/twice.err" || problem "update failing twice: the failed tries are not said"
grep -q 'Mirror sync in progress' "$work/twice.err" || problem "the failed try does not say why"
[ "$(count twice '^dpkg --add-architecture i386')" = 1 ] || problem "i386 was not added once"
grep -q 'added the i386 architecture' "$work/twice.err" || problem "adding the i386 architecture is not said"
grep -q 'after: still running' "$work/twice.err" || problem "update failing twice: the caller did not go on"

# 2. update always fails, but the packages are in the indexes apt has: installed.
need stale always "" gcc libcmocka-dev:i386
[ "$(cat "$work/stale.rc")" = 0 ] || problem "update always failing, packages at hand: status $(cat "$work/stale.rc")"
[ "$(count stale '^apt-get .*update')" = 4 ] || problem "update always failing: $(count stale '^apt-get .*update') tries, want 4"
[ "$(installs stale)" = "gcc libcmocka-dev:i386" ] || problem "update always failing: installed '$(installs stale)'"
grep -q 'going on with the package indexes' "$work/stale.err" || problem "going on without an update is not said"

# 3. update always fails and the i386 index never came: one line names the package and the
#    index, and the status returns to the caller (set -e does not end it mid-way).
need missing always 1 gcc libcmocka-dev:i386
[ "$(cat "$work/missing.rc")" != 0 ] || problem "a package that cannot be installed: status 0"
line=$(grep '^deps: cannot install' "$work/missing.err" || true)
[ "$(grep -c '^deps: cannot install' "$work/missing.err")" = 1 ] || problem "want one 'deps: cannot install' line, got: $line"
case "$line" in
  *"cannot install libcmocka-dev:i386 (Unable to locate package libcmocka-dev:i386)"*binary-i386/Packages.xz*"Mirror sync in progress"*) ;;
  *) problem "the failure line does not name the package and the index: '$line'" ;;
esac

# 4. Nothing missing: no apt-get, no dpkg change.
: >"$FAKE_LOG"
PATH="$bin:$PATH" bash -c 'source scripts/deps.sh; dpkg-query() { echo "install ok installed"; }; sgdr_need_packages gcc'
! grep -q '^apt-get\|^dpkg --add' "$FAKE_LOG" || problem "a complete machine still ran: $(cat "$FAKE_LOG")"

# 5. The test command as a whole, with update failing the first two times.
: >"$FAKE_LOG"
out=$(PATH="$bin:$PATH" FAKE_UPDATE_FAILS=2 SGDR_TEST_LOGS=$work/logs bash scripts/test.sh 82-doc-blocks 2>&1) ||
  problem "scripts/test.sh 82-doc-blocks failed with update failing twice:"$'\n'"$out"
[ "$(tail -n 1 <<<"$out")" = "1 passed, 0 failed" ] || problem "scripts/test.sh ends '$(tail -n 1 <<<"$out")'"
[ "$(grep -c '^apt-get .*update' "$FAKE_LOG")" = 3 ] || problem "scripts/test.sh: $(grep -c '^apt-get .*update' "$FAKE_LOG") updates, want 3"

# 6. ... and with a package that cannot be installed: the checks still run, "deps" fails.
: >"$FAKE_LOG"
rc=0
out=$(PATH="$bin:$PATH" FAKE_UPDATE_FAILS=always FAKE_NO_I386=1 SGDR_TEST_LOGS=$work/logs \
  bash scripts/test.sh 82-doc-blocks 2>&1) || rc=$?
[ "$rc" -ne 0 ] || problem "scripts/test.sh passed with a package it could not install"
grep -q '=== check 82-doc-blocks: passed' <<<"$out" || problem "scripts/test.sh did not run the check after the failed install"
[ "$(tail -n 2 <<<"$out")" = $'failed checks: deps\n1 passed, 1 failed' ] ||
  problem "scripts/test.sh ends '$(tail -n 2 <<<"$out")', want deps failed"

[ "$fail" -eq 0 ] && echo "03-deps: retries, goes on with the indexes at hand, names what failed"
exit "$fail"
