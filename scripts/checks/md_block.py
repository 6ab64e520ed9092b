# SPDX-License-Identifier: MIT
"""Fenced code blocks of Markdown files, for the checks that run or compare what the
documentation shows.

    /usr/bin/python3 scripts/checks/md_block.py FILE LANG N
        prints the N-th (0-based) block of language LANG in FILE
    /usr/bin/python3 scripts/checks/md_block.py FILE LANG N --next
        prints the block that follows it (of any language), e.g. the output it shows
    /usr/bin/python3 scripts/checks/md_block.py --find FILE LANG REGEX
        prints N of the first LANG block of FILE in which REGEX matches (re.M)
    /usr/bin/python3 scripts/checks/md_block.py --marks FILE...
        prints one line per block, "FILE LANG N MARK", MARK being what the
        `<!-- doc-test: MARK -->` line right before the opening fence says, or "-"

A block opens with a line of three backquotes and a language (indented or not) and closes
with the next line of three backquotes; N counts the blocks of that language."""
import re
import sys

FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
MARK = re.compile(r"^\s*<!-- doc-test: (\S+) -->\s*$")


def blocks(path):
    """(lang, index among that lang, mark or None, text) for every fenced block."""
    out, count = [], {}
    lines = open(path, encoding="utf-8").read().split("\n")
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, lang = len(m.group(1)), m.group(2)
        mark = MARK.match(lines[i - 1]) if i > 0 else None
        body, i = [], i + 1
        while i < len(lines) and not FENCE.match(lines[i]):
            line = lines[i]
            body.append(line[indent:] if line[:indent].strip() == "" else line.lstrip())
            i += 1
        n = count.get(lang, 0)
        count[lang] = n + 1
        out.append((lang, n, mark.group(1) if mark else None, "".join(l + "\n" for l in body)))
        i += 1
    return out


if __name__ == "__main__":
    if sys.argv[1] == "--marks":
        for path in sys.argv[2:]:
            for lang, n, mark, _ in blocks(path):
                print(path, lang or "-", n, mark or "-")
        sys.exit(0)
    if sys.argv[1] == "--find":
        path, lang, regex = sys.argv[2:5]
        for l, n, _, text in blocks(path):
            if l == lang and re.search(regex, text, re.M):
                sys.exit(print(n))
        sys.exit("%s: no %s block matches %s" % (path, lang, regex))
    path, lang, index = sys.argv[1], sys.argv[2], int(sys.argv[3])
    every = blocks(path)
    found = [i for i, (l, n, _, _) in enumerate(every) if l == lang and n == index]
    if not found:
        sys.exit("%s: no %s block number %d" % (path, lang, index))
    at = found[0] + (1 if sys.argv[4:] == ["--next"] else 0)
    if at >= len(every):
        sys.exit("%s: no block after the %s block number %d" % (path, lang, index))
    sys.stdout.write(every[at][3])
