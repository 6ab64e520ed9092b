# SPDX-License-Identifier: MIT
"""Print the N-th (0-based) fenced code block of language LANG in a Markdown file.

    /usr/bin/python3 scripts/checks/md_block.py FILE LANG N

Used by the checks that run or compare what the documentation shows."""
import re
import sys

path, lang, index = sys.argv[1], sys.argv[2], int(sys.argv[3])
blocks = re.findall(r"^```" + re.escape(lang) + r"\n(.*?)^```",
                    open(path, encoding="utf-8").read(), re.M | re.S)
if index >= len(blocks):
    sys.exit("%s: no %s block number %d (%d found)" % (path, lang, index, len(blocks)))
sys.stdout.write(blocks[index])
