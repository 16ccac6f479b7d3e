#!/usr/bin/env bash
# Instructions executed by `mine --path CORPUS --jobs 1` (valgrind's
# callgrind, no cache simulation) for each binary given: deterministic, so
# two builds compare to a fraction of a percent on a host whose speed drifts
# by a fifth between runs (issue 11). About 10x slower than a plain run.
# The parse floor (miner/examples/parse_only.rs, 1 thread) is counted the
# same way, and each binary's count is also given as a multiple of it: the
# ratio of bench/run.sh in instructions rather than seconds. Then, for each
# binary, the calls of tree-sitter's navigation and the instructions each
# takes (bench/callgrind-calls.py).
#   bench/instructions.sh CORPUS_DIR MINE_BINARY...
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: bench/instructions.sh CORPUS_DIR MINE_BINARY..." >&2; exit 2; }
corpus=$1
shift
command -v valgrind > /dev/null || { echo "valgrind is not installed" >&2; exit 2; }
[ -d "$corpus" ] || { echo "no folder at $corpus" >&2; exit 2; }
for bin in "$@"; do [ -x "$bin" ] || { echo "not an executable: $bin" >&2; exit 2; }; done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
count() { # command... -> instructions
  valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" "$@" > /dev/null 2> "$work/valgrind.err" ||
    { echo "$1 failed under valgrind (see below)" >&2; tail -5 "$work/valgrind.err" >&2; exit 1; }
  grep -m1 '^summary:' "$work/cg.out" | awk '{print $2}'
}
(cd "$(dirname "$0")/.." && cargo build --release -q -p miner --example parse_only)
floor=$(count "$(dirname "$0")/../target/release/examples/parse_only" "$corpus" 1)
awk -v t="$floor" 'BEGIN { printf "%-40s %8.3f G instructions\n", "parse floor (examples/parse_only)", t / 1e9 }'
for bin in "$@"; do
  rm -f "$work"/db.sqlite*
  total=$(count "$bin" --path "$corpus" --db "$work/db.sqlite" --jobs 1 --quiet)
  # A plain folder's files are hashed (SHA-256) for its content hash. Under
  # valgrind the CPU's SHA extensions are hidden, so the hash runs its
  # software rounds, which a native run on a CPU with them does not.
  sha=$(callgrind_annotate --threshold=100 --auto=no "$work/cg.out" 2> /dev/null | awk '/sha2::/ {gsub(",", "", $1); s += $1} END {print s + 0}')
  awk -v b="$bin" -v t="$total" -v f="$floor" -v h="$sha" 'BEGIN {
    printf "%-40s %8.3f G instructions  %.2fx the parse floor", b, t / 1e9, t / f
    if (h > 0) printf "; %.3f G of them SHA-256 in software: %.2fx without it", h / 1e9, (t - h) / f
    printf "\n" }'
  # What one step through a syntax tree costs the analysis (the profile's
  # "tree navigation"), and a lookup that walks down from the root.
  callgrind_annotate --tree=caller --inclusive=yes --threshold=100 --auto=no "$work/cg.out" 2> /dev/null |
    python3 "$(dirname "$0")/callgrind-calls.py" ts_tree_cursor_goto_next_sibling ts_tree_cursor_goto_first_child \
      ts_node_child_by_field_id ts_node_parent
done
