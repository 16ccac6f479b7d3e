#!/usr/bin/env python3
"""Semgrep rules equivalent to the rule catalog, for bench/run.sh.

Reads `mine rules --json` on stdin and writes a semgrep rule file: one rule
per catalog rule whose callees are plain dotted names (`a.b.c`, no wildcard,
regex, call result or unknown receiver), each callee as `a.b.c(...)` (semgrep
resolves imports and aliases the same way). Prints to stderr how many catalog
rules were translated; the benchmark compares both tools on those rules only.
"""
import json, re, sys

rules, ids, skipped = [], [], 0
for line in sys.stdin:
    r = json.loads(line)
    if "flow" in r or not r.get("callees"):
        continue
    plain = [c for c in r["callees"] if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+", c)]
    if len(plain) != len(r["callees"]):
        skipped += 1
        continue
    rules.append({
        "id": r["id"],
        "languages": ["python"],
        "severity": "INFO",
        "message": r["name"],
        "pattern-either": [{"pattern": f"{c}(...)"} for c in plain],
    })
    ids.append(r["id"])
print(f"translated {len(rules)} catalog rules, left out {skipped} with wildcard/regex/call-result callees", file=sys.stderr)
json.dump({"rules": rules}, sys.stdout, indent=1)
with open(sys.argv[1] if len(sys.argv) > 1 else "/dev/null", "w") as f:
    f.write("\n".join(ids) + "\n")
