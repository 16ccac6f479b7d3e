#!/usr/bin/env bash
# Where a default `mine` run spends its time (issue 11): `perf record` of one
# run on 1 thread over the benchmark corpus, self time grouped by what the
# symbols belong to. Needs perf; run bench/run.sh first to prepare the corpus.
#   bench/profile.sh [CORPUS_DIR]          (default target/bench/corpus-a)
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=${1:-target/bench/corpus-a}
[ -d "$corpus" ] || { echo "no corpus at $corpus: run bench/run.sh first or give a folder" >&2; exit 2; }
command -v perf > /dev/null || { echo "perf is not installed" >&2; exit 2; }
cargo build --release -q -p miner --bin mine
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
perf record -q -o "$work/perf.data" target/release/mine --path "$corpus" --db "$work/p.sqlite" --jobs 1 --quiet > /dev/null 2>&1
perf report -i "$work/perf.data" --no-children --sort dso,symbol 2> /dev/null | grep -v '^#' | grep '%' |
  python3 -c '
import re, sys
groups = [
    ("tree-sitter parse: lexer, parser stack, subtrees built and freed",
     r"ts_parser|ts_lex|stack_|ts_stack|ts_subtree|ts_language|tree_sitter_python_external|ts_reduce|summarize|ts_tree_delete|ts_tree_new|ts_external|array_|set_contains"),
    ("tree navigation by the analysis: cursor steps, child and field lookups", r"ts_tree_cursor|ts_node|tree_sitter::Node|tree_sitter::TreeCursor"),
    ("malloc and free", r"malloc|_int_free|cfree|unlink_chunk|realloc|free"),
    ("the pre-pass: words search, import regex, UTF-8 checks", r"may_match|for_each_blank|Words::get|code_view|quick_import|ByteScan|aho_corasick|regex|Utf8|from_utf8|memchr"),
    ("the analyzers own code", r"analyzers::"),
    ("hashing", r"Hasher|hash_one|hashbrown|BuildHasher"),
    ("memcpy, memcmp, strlen", r"memmove|memcmp|memcpy|strlen|memset"),
]
total = {name: 0.0 for name, _ in groups}
other = 0.0
for line in sys.stdin:
    parts = line.split()
    share = float(parts[0].rstrip("%"))
    rest = " ".join(parts[1:])
    for name, rx in groups:
        if re.search(rx, rest):
            total[name] += share
            break
    else:
        other += share
for name, share in sorted(total.items(), key=lambda kv: -kv[1]):
    print(f"{share:5.1f}%  {name}")
print(f"{other:5.1f}%  everything else")
'
