# SPDX-License-Identifier: MIT
# Sourced by the checks that run the documentation's code blocks (80-docs, 81-doc-programs),
# from the top directory.
#   doc_block FILE LANG N [--next]  prints the N-th LANG block of FILE (with --next, the block
#                                   after it: the output it shows) and notes that it was run
#   doc_find FILE LANG REGEX        prints N of the first LANG block of FILE matching REGEX
#                                   (blocks are found by what they say, so that sections
#                                   added before them do not shift them)
#   doc_all_ran CHECK FILE...       fails, naming them, if a block of FILE... marked
#                                   <!-- doc-test: CHECK --> was not taken by doc_block
# Call doc_block with a redirection, not in $(...), so that the note is kept.

doc_taken=()

doc_block() {
  /usr/bin/python3 scripts/checks/md_block.py "$@" || return 1
  [ "${4:-}" = --next ] || doc_taken+=("$1 $2 $3")
}

doc_find() {
  /usr/bin/python3 scripts/checks/md_block.py --find "$@"
}

doc_all_ran() {
  local check=$1 file lang n mark taken missing=0
  shift
  while read -r file lang n mark; do
    [ "$mark" = "$check" ] || continue
    taken=$(printf '%s\n' "${doc_taken[@]}")
    if ! grep -qxF "$file $lang $n" <<<"$taken"; then
      echo "FAIL: $file: the $lang block number $n is marked $check, but $check does not run it"
      missing=1
    fi
  done < <(/usr/bin/python3 scripts/checks/md_block.py --marks "$@")
  return "$missing"
}
