#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The public header compiles without a single warning as strict C99 (gcc and clang) and as
# C++11 (g++): users include it with their own flags, so it must not need ours. And the
# library's sources, compiled by gcc and by clang (-O2, x86-64 and i386), define no global
# symbol outside the sgdr_ prefix: a static libsgdr.a takes no name a program may use.
# In scripts/test.sh --quick (SGDR_TEST_TIER=quick), which needs only the build packages,
# clang and i386 (gcc-multilib) are used when installed and otherwise left to the full
# suite, which requires them.
# Tier: quick
set -euo pipefail
cd "$(dirname "$0")/../.."

tools=(gcc clang g++)
if [ "${SGDR_TEST_TIER:-full}" = quick ] && ! command -v clang >/dev/null; then
  tools=(gcc g++)
  echo "20-header: no clang; the quick tier compiles with gcc and g++ only"
fi
for tool in "${tools[@]}" nm; do
  command -v "$tool" >/dev/null || { echo "20-header: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# A translation unit that includes the header twice (the include guard) and touches every
# kind of declaration: types, enums, hook typedefs, functions, version macros.
cat >"$work/use.c" <<'EOF'
#include "sgdr.h"
#include "sgdr.h"

static int set_lr(void *user, double lr)
{
    (void)user;
    return lr < 0;
}

int main(void)
{
    sgdr_scheduler *s = NULL;
    sgdr_metric m = {"loss", 0.5};
    sgdr_set_lr_fn hook = set_lr;
    sgdr_status st = sgdr_create(&s);
    sgdr_param p = SGDR_PARAM_HISTORY;
    sgdr_progress what = SGDR_PROGRESS_RUNNING;
    uint64_t value = 0;
    int mode = SGDR_RESTART_KERAS_SEED + SGDR_PHASE_HOLD;
    sgdr_param_desc d;
    sgdr_param_kind kind = SGDR_KIND_BOOLEAN;
    if (sgdr_param_describe(p, &d) == SGDR_OK && d.kind != SGDR_KIND_BOOLEAN) mode += 1;
    if (kind != SGDR_KIND_BOOLEAN) mode += 1;
    if (sgdr_status_name(st)[0] != 'S') mode += 1;
    if (st == SGDR_OK) {
        sgdr_set_lr_hooks(s, NULL, hook, NULL);
        sgdr_set_param(s, p, 1);
        sgdr_get_progress(s, what, &value);
        sgdr_on_batch_end(s, 0, &m, 1);
    }
    sgdr_destroy(s);
    return mode + (sgdr_version_number() == SGDR_VERSION_NUMBER ? 0 : 1) +
           (SGDR_VERSION_STRING[0] == '1' ? 0 : 1);
}
EOF
cp "$work/use.c" "$work/use.cpp"

strict=(-pedantic -Wall -Wextra -Werror)
fail=0
run() {
  echo "20-header: $*"
  if ! "$@" -Iinclude -c -o "$work/use.o" 2>"$work/out"; then
    cat "$work/out" >&2
    fail=1
  elif [ -s "$work/out" ]; then
    cat "$work/out" >&2 # anything printed is a warning that -Werror did not catch
    fail=1
  fi
}
run gcc -std=c99 "${strict[@]}" -Wstrict-prototypes -Wmissing-prototypes -Wshadow "$work/use.c"
[ "${#tools[@]}" -eq 2 ] || run clang -std=c99 "${strict[@]}" -Wstrict-prototypes -Wmissing-prototypes -Wshadow "$work/use.c"
run g++ -std=c++11 "${strict[@]}" -Wshadow -Wold-style-cast "$work/use.cpp"

ccs=("${tools[@]}")
unset 'ccs[${#ccs[@]}-1]' # g++ last: the C compilers
archs=(-m64 -m32)
if [ "${SGDR_TEST_TIER:-full}" = quick ] &&
  ! echo 'int x;' | gcc -m32 -x c -c -o /dev/null - 2>/dev/null; then
  archs=(-m64)
  echo "20-header: no i386 toolchain; the quick tier checks the x86-64 objects only"
fi
for cc in "${ccs[@]}"; do
  for arch in "${archs[@]}"; do
    mkdir -p "$work/lib"
    for f in src/*.c; do
      "$cc" "$arch" -std=c99 -O2 -DSGDR_BUILDING -D_POSIX_C_SOURCE=200809L -Iinclude -Isrc \
        -c "$f" -o "$work/lib/$(basename "$f" .c).o" ||
        { echo "20-header: $cc $arch cannot compile $f" >&2; fail=1; }
    done
    # i386's PIC thunks are hidden and merged across objects: no name of the program's
    leaked=$(nm --defined-only -g "$work"/lib/*.o |
      awk 'NF == 3 && $3 !~ /^sgdr_/ && $3 !~ /^__x86\.get_pc_thunk\./ { print $3 }' | sort -u)
    if [ -n "$leaked" ]; then
      echo "20-header: $cc $arch: global symbols outside sgdr_: $(echo $leaked)" >&2
      fail=1
    fi
    rm -rf "$work/lib"
  done
done

[ "$fail" -eq 0 ] && echo "20-header: clean as C99 ($(printf '%s, ' "${ccs[@]}" | sed 's/, $//')) and C++11 (g++); only sgdr_ symbols defined (${archs[*]})"
exit "$fail"
