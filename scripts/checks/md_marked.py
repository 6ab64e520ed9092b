# SPDX-License-Identifier: MIT
"""Print the indices (0-based, as scripts/checks/md_block.py counts them) of the fenced
code blocks of language LANG in a Markdown file that are marked <!-- doc-test: NAME -->.

    /usr/bin/python3 scripts/checks/md_marked.py FILE LANG NAME"""
import sys

path, lang, name = sys.argv[1], sys.argv[2], sys.argv[3]
lines = open(path, encoding="utf-8").read().split("\n")
n = -1
for i, line in enumerate(lines):
    if line == "```" + lang:
        n += 1
        if i > 0 and lines[i - 1].strip() == "<!-- doc-test: %s -->" % name:
            print(n)
