#!/usr/bin/env python3
"""Calls and inclusive instructions per call of the named functions, from
`callgrind_annotate --tree=caller --inclusive=yes` on stdin (bench/instructions.sh):
how much each step through the tree costs, not only how much they cost in all.

  callgrind_annotate --tree=caller --inclusive=yes --threshold=100 --auto=no OUT |
      bench/callgrind-calls.py FUNCTION...
"""
import re, sys

want = sys.argv[1:]


def report(block):
    star = [line for line in block if "*  " in line]
    if not star:
        return
    for name in want:
        if re.search(r"[:\s]" + re.escape(name) + r" \[", star[0]):
            counts = (re.search(r"\(([0-9,]+)x\)", line) for line in block if " < " in line)
            calls = sum(int(m.group(1).replace(",", "")) for m in counts if m)
            total = int(star[0].split()[0].replace(",", ""))
            if calls:
                print(f"  {name:36} {calls / 1e6:6.1f} M calls, {total / calls:5.0f} instructions each (inclusive)")


block = []
for line in sys.stdin:
    if line.strip():
        block.append(line.rstrip("\n"))
    else:
        report(block)
        block = []
report(block)
