#!/usr/bin/env bash
# The speed benchmark (issue 11). Prepares the corpus — the sdists of
# transformers, diffusers, timm, sentence-transformers and ultralytics from
# PyPI, or a folder given as the first argument — and reports, each as the
# median of RUNS runs with min–max, files/s and MB/s for:
#   parse     tree-sitter-python parse of every .py file, nothing else (miner/examples/parse_only.rs)
#   full      mine --no-prefilter: every rule, resolution, topology, database written
#   default   mine (prefilter on)
# on 1 and 2 threads, the peak RSS of each, the findings of each, and, when
# semgrep is installed, semgrep with the catalog's plain-name rules
# (bench/semgrep-rules.py) next to mine's findings for the same rules.
#   bench/run.sh [CORPUS_DIR]          RUNS=5 by default
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-5}
work=${BENCH_DIR:-target/bench}
mkdir -p "$work"
if [ $# -ge 1 ]; then
  corpus=$1
else
  corpus="$work/corpus-a"
  if [ ! -f "$corpus/.done" ]; then
    mkdir -p "$work/sdists" "$corpus"
    pip download --quiet --no-deps --no-binary :all: -d "$work/sdists" \
      transformers==4.46.3 diffusers==0.31.0 timm==1.0.11 sentence-transformers==3.3.1 ultralytics==8.3.40
    for f in "$work"/sdists/*.tar.gz; do tar -xzf "$f" -C "$corpus"; done
    touch "$corpus/.done"
  fi
fi
cargo build --release -q -p miner --bin mine --example parse_only
mine="$PWD/target/release/mine"
parse="$PWD/target/release/examples/parse_only"
files=$(find "$corpus" -name '*.py' -type f | wc -l)
[ "$files" -gt 0 ] || { echo "no .py files under $corpus (symbolic links are not followed)" >&2; exit 2; }
bytes=$(find "$corpus" -name '*.py' -type f -printf '%s\n' | awk '{s += $1} END {print s}')
find "$corpus" -name '*.py' -type f -exec cat {} + > /dev/null # warm the page cache
echo "corpus: $corpus — $files .py files, $(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}') MB; $runs runs each"
stats() { # seconds... -> "median min max"
  printf '%s\n' "$@" | sort -g | awk '{a[NR] = $1} END {m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2; printf "%s %s %s", m, a[1], a[NR]}'
}
report() { # label jobs findings rss-kb seconds...
  local label=$1 jobs=$2 found=$3 rss=$4
  shift 4
  read -r med lo hi <<< "$(stats "$@")"
  awk -v l="$label" -v j="$jobs" -v m="$med" -v lo="$lo" -v hi="$hi" -v f="$files" -v b="$bytes" -v n="$found" -v r="$rss" \
    'BEGIN { printf "%-10s %d thr  %6.2f s (%.2f–%.2f)  %6.0f files/s  %5.1f MB/s  findings %6s  peak RSS %5.0f MB\n", l, j, m, lo, hi, f / m, b / 1e6 / m, n, r / 1024 }'
  echo "$label $jobs $med" >> "$work/medians.txt"
}
: > "$work/medians.txt"
for j in 1 2; do
  times=(); rss=0
  for ((i = 0; i < runs; i++)); do
    out=$(/usr/bin/time -f '%M' -o "$work/rss" "$parse" "$corpus" "$j")
    times+=("$(echo "$out" | awk '{for (k = 1; k <= NF; k++) if ($k == "seconds") print $(k + 1)}')")
    r=$(cat "$work/rss"); [ "$r" -gt "$rss" ] && rss=$r
  done
  report parse "$j" "-" "$rss" "${times[@]}"
  for mode in full default; do
    flag=(); [ "$mode" = full ] && flag=(--no-prefilter)
    times=(); rss=0
    for ((i = 0; i < runs; i++)); do
      db="$work/bench-$mode.sqlite"; rm -f "$db" "$db-wal" "$db-shm"
      t0=$(date +%s.%N)
      /usr/bin/time -f '%M' -o "$work/rss" "$mine" --path "$corpus" --db "$db" --jobs "$j" --quiet "${flag[@]}" > /dev/null || true
      t1=$(date +%s.%N)
      times+=("$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')")
      r=$(cat "$work/rss"); [ "$r" -gt "$rss" ] && rss=$r
    done
    found=$("$mine" export --db "$db" | wc -l)
    report "$mode" "$j" "$found" "$rss" "${times[@]}"
  done
done
awk '{t[$1 " " $2] = $3} END {
  printf "\nratios (medians): default/parse %.2fx (1 thr) %.2fx (2 thr); full/parse %.2fx / %.2fx; speed-up 2 vs 1 thread: parse %.2fx, default %.2fx\n",
    t["default 1"] / t["parse 1"], t["default 2"] / t["parse 2"], t["full 1"] / t["parse 1"], t["full 2"] / t["parse 2"], t["parse 1"] / t["parse 2"], t["default 1"] / t["default 2"] }' "$work/medians.txt"
if command -v semgrep > /dev/null; then
  "$mine" rules --json | python3 bench/semgrep-rules.py "$work/semgrep-ids.txt" > "$work/semgrep-rules.json"
  ids=$(paste -sd, "$work/semgrep-ids.txt" | sed "s/,/','/g")
  mine_same=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(\"select count(*) from usages where rule in ('$ids')\").fetchone()[0])" "$work/bench-default.sqlite")
  # An empty .semgrepignore and --max-target-bytes 0: semgrep otherwise skips tests/ and files over 1 MB.
  empty=$(mktemp -d); : > "$empty/.semgrepignore"
  rules_abs=$(realpath "$work/semgrep-rules.json"); out_abs="$(realpath "$work")/semgrep.json"; corpus_abs=$(realpath "$corpus")
  for j in 1 2; do
    rm -f "$out_abs"
    t0=$(date +%s.%N)
    ( cd "$empty" && semgrep scan --config "$rules_abs" --metrics off --disable-version-check \
        --max-target-bytes 0 --no-git-ignore --jobs "$j" --json --quiet -o "$out_abs" "$corpus_abs" ) > /dev/null 2> "$work/semgrep.err" || true
    t1=$(date +%s.%N)
    n=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['results']))" "$out_abs" 2> /dev/null || echo "? (see $work/semgrep.err)")
    awk -v j="$j" -v a="$t0" -v b="$t1" -v n="$n" -v m="$mine_same" -v f="$files" \
      'BEGIN { printf "semgrep    %d thr  %6.2f s  %6.0f files/s  findings %s (mine, same rules: %s)\n", j, b - a, f / (b - a), n, m }'
  done
  rm -rf "$empty"
else
  echo "semgrep not installed: pip install semgrep to compare"
fi
