#!/usr/bin/env bash
# The speed benchmark (issue 11). Prepares the corpus — the sdists of
# transformers, diffusers, timm, sentence-transformers and ultralytics from
# PyPI, or a folder given as the first argument — and reports, each as the
# median of RUNS runs with min–max, files/s and MB/s for:
#   parse     tree-sitter-python parse of every .py file, nothing else (miner/examples/parse_only.rs)
#   full      mine --no-prefilter: every rule, resolution, topology, database written
#   default   mine (prefilter on)
# on 1 and 2 threads, the peak RSS of each, the findings of each, how many
# bytes the prefilter lets through (miner/examples/prefilter_reach.rs), and, when
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
cargo build --release -q -p miner --bin mine --example parse_only --example prefilter_reach
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
  echo "$label $jobs $med $rss" >> "$work/medians.txt"
}
: > "$work/medians.txt"; : > "$work/rounds.txt"
# The three methods take turns within each round, so that a machine whose
# speed drifts (a shared host) slows all of them alike; the ratios are also
# given as the median of each round's own ratio.
run_one() { # mode jobs -> seconds; peak RSS in $work/rss
  local mode=$1 j=$2 t0 t1
  if [ "$mode" = parse ]; then
    /usr/bin/time -f '%M' -o "$work/rss" "$parse" "$corpus" "$j" | awk '{for (k = 1; k <= NF; k++) if ($k == "seconds") print $(k + 1)}'
    return
  fi
  local flag=(); [ "$mode" = full ] && flag=(--no-prefilter)
  local db="$work/bench-$mode.sqlite"; rm -f "$db" "$db-wal" "$db-shm"
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$mine" --path "$corpus" --db "$db" --jobs "$j" --quiet "${flag[@]}" > /dev/null || true
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}'
}
for j in 1 2; do
  declare -A times=() rss=()
  for ((i = 0; i < runs; i++)); do
    round=""
    for mode in parse full default; do
      t=$(run_one "$mode" "$j")
      times[$mode]="${times[$mode]:-} $t"
      r=$(cat "$work/rss"); [ "$r" -gt "${rss[$mode]:-0}" ] && rss[$mode]=$r
      round="$round $t"
    done
    echo "$j$round" >> "$work/rounds.txt"
  done
  for mode in parse full default; do
    found="-"; [ "$mode" != parse ] && found=$("$mine" export --db "$work/bench-$mode.sqlite" | wc -l)
    # shellcheck disable=SC2086
    report "$mode" "$j" "$found" "${rss[$mode]}" ${times[$mode]}
  done
  unset times rss
done
ratio() { # jobs column -> median of that column over parse, per round
  stats $(awk -v j="$1" -v c="$2" '$1 == j {print $c / $2}' "$work/rounds.txt") | cut -d' ' -f1
}
awk -v d1="$(ratio 1 4)" -v d2="$(ratio 2 4)" -v f1="$(ratio 1 3)" -v f2="$(ratio 2 3)" '{t[$1 " " $2] = $3} END {
  printf "\nratios (medians of the medians): default/parse %.2fx (1 thr) %.2fx (2 thr); full/parse %.2fx / %.2fx; speed-up 2 vs 1 thread: parse %.2fx, default %.2fx\n",
    t["default 1"] / t["parse 1"], t["default 2"] / t["parse 2"], t["full 1"] / t["parse 1"], t["full 2"] / t["parse 2"], t["parse 1"] / t["parse 2"], t["default 1"] / t["default 2"]
  printf "ratios (median of each round'"'"'s own): default/parse %.2fx (1 thr) %.2fx (2 thr); full/parse %.2fx / %.2fx\n", d1, d2, f1, f2 }' "$work/medians.txt"
# How much of the corpus the prefilter lets through, and why (miner/examples/prefilter_reach.rs).
"$PWD/target/release/examples/prefilter_reach" "$corpus"
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
    awk -v j="$j" -v a="$t0" -v b="$t1" 'BEGIN { print "semgrep", j, b - a, 0 }' >> "$work/medians.txt"
  done
  rm -rf "$empty"
else
  echo "semgrep not installed: pip install semgrep to compare"
fi
# The issue's targets, each against the medians above (peak RSS flat as the
# corpus grows: scripts/bench-scale.sh).
awk '{t[$1 " " $2] = $3; if (($1 == "full" || $1 == "default") && $4 > rss) rss = $4} END {
  printf "\ntargets (issue 11):\n"
  for (j = 1; j <= 2; j++) {
    r = t["default " j] / t["parse " j]
    printf "  default run at most 0.8x the parse, %d thr:    %.2fx  %s\n", j, r, (r <= 0.8 ? "met" : "NOT met")
  }
  for (j = 1; j <= 2; j++) {
    r = t["full " j] / t["parse " j]
    printf "  --no-prefilter at most 1.5x the parse, %d thr: %.2fx  %s\n", j, r, (r <= 1.5 ? "met" : "NOT met")
  }
  r = t["default 1"] / t["default 2"]
  printf "  2 threads at least 1.8x faster than 1:        %.2fx  %s\n", r, (r >= 1.8 ? "met" : "NOT met")
  for (j = 1; j <= 2; j++) {
    if (("semgrep " j) in t) {
      r = t["semgrep " j] / t["default " j]
      printf "  at least 20x faster than semgrep, %d thr:      %.1fx  %s\n", j, r, (r >= 20 ? "met" : "NOT met")
    } else printf "  at least 20x faster than semgrep, %d thr:      semgrep not run\n", j
  }
  printf "  peak RSS of mine under 300 MB:                %.0f MB  %s\n", rss / 1024, (rss / 1024 < 300 ? "met" : "NOT met")
}' "$work/medians.txt"
