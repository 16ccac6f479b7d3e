#!/usr/bin/env bash
# Instructions executed by `mine --path CORPUS --jobs 1` (valgrind's
# callgrind, no cache simulation) for each binary given: deterministic, so
# two builds compare to a fraction of a percent on a host whose speed drifts
# by a fifth between runs (issue 11). About 10x slower than a plain run.
#   bench/instructions.sh CORPUS_DIR MINE_BINARY...
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/instructions.sh CORPUS_DIR MINE_BINARY..." >&2; exit 2; }
corpus=$1
shift
command -v valgrind > /dev/null || { echo "valgrind is not installed" >&2; exit 2; }
[ -d "$corpus" ] || { echo "no folder at $corpus" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for bin in "$@"; do
  [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }
  rm -f "$work"/db.sqlite*
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$bin" --path "$corpus" --db "$work/db.sqlite" --jobs 1 --quiet > /dev/null 2> "$work/valgrind.err" ||
    { echo "$bin failed under valgrind (see below)" >&2; tail -5 "$work/valgrind.err" >&2; exit 1; }
  total=$(grep -m1 '^summary:' "$work/cg.out" | awk '{print $2}')
  awk -v b="$bin" -v t="$total" 'BEGIN { printf "%-40s %8.3f G instructions\n", b, t / 1e9 }'
done
