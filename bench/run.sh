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
# (bench/semgrep-rules.py) next to mine's findings for the same rules, and
# the sites only one of them reports, by rule (bench/semgrep-compare.py).
# Then the issue's reference rows measured here, beside its figures: reading
# every file, parse plus one tree-sitter query for `$X.from_pretrained(...)`
# with and without a keyword prefilter (miner/examples/parse_only.rs), a grep
# for the word, and semgrep with that one rule; and the targets, each met or not.
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
# semgrep over the corpus with a rule file, on N jobs: "seconds findings".
# Told not to skip tests/ and files over 1 MB, as the issue's reference
# figures were: an empty .semgrepignore at the corpus root (put there for the
# run when there is none), which semgrep reads only from its project root —
# hence --project-root, which needs --semgrepignore-v2 — and
# --max-target-bytes 0. Run from an empty folder, so that no repository
# around the corpus decides what is scanned.
semgrep_scan() { # rules.json|yaml out.json jobs stderr-file
  local rules out target t0 t1 n empty made=""
  rules=$(realpath "$1"); out="$(realpath "$(dirname "$2")")/$(basename "$2")"; target=$(realpath "$corpus")
  if [ ! -e "$target/.semgrepignore" ]; then
    if (: > "$target/.semgrepignore") 2> /dev/null; then made=1
    else echo "note: cannot write $target/.semgrepignore: semgrep skips tests/ there" >&2; fi
  elif [ -s "$target/.semgrepignore" ]; then
    echo "note: $target/.semgrepignore is not empty: semgrep skips what it lists" >&2
  fi
  empty=$(mktemp -d)
  rm -f "$out"
  t0=$(date +%s.%N)
  ( cd "$empty" && semgrep scan --config "$rules" --metrics off --disable-version-check --semgrepignore-v2 --project-root "$target" \
      --max-target-bytes 0 --no-git-ignore --jobs "$3" --json --quiet -o "$out" "$target" ) > /dev/null 2> "$4" || true
  t1=$(date +%s.%N)
  rm -rf "$empty"
  [ -n "$made" ] && rm -f "$target/.semgrepignore"
  n=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['results']))" "$out" 2> /dev/null || echo "? (see $4)")
  awk -v a="$t0" -v b="$t1" -v n="$n" 'BEGIN {print b - a, n}'
}
if command -v semgrep > /dev/null; then
  "$mine" rules --json | python3 bench/semgrep-rules.py "$work/semgrep-ids.txt" > "$work/semgrep-rules.json"
  ids=$(paste -sd, "$work/semgrep-ids.txt" | sed "s/,/','/g")
  mine_same=$(python3 -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); print(c.execute(\"select count(*) from usages where rule in ('$ids')\").fetchone()[0])" "$work/bench-default.sqlite")
  for j in 1 2; do
    read -r secs n <<< "$(semgrep_scan "$work/semgrep-rules.json" "$work/semgrep.json" "$j" "$work/semgrep.err")"
    awk -v j="$j" -v s="$secs" -v n="$n" -v m="$mine_same" -v f="$files" \
      'BEGIN { printf "semgrep    %d thr  %6.2f s  %6.0f files/s  findings %s (mine, same rules: %s)\n", j, s, f / s, n, m }'
    echo "semgrep $j $secs 0" >> "$work/medians.txt"
  done
  python3 bench/semgrep-compare.py "$work/semgrep.json" "$work/bench-default.sqlite" "$work/semgrep-ids.txt" "$corpus" || true
else
  echo "semgrep not installed: pip install semgrep to compare"
fi
# The issue's reference rows, measured here on the same files. The modes
# take turns within each round, like the ones above.
: > "$work/reference.txt"
for j in 1 2; do
  for ((i = 0; i < runs; i++)); do
    for mode in read query prefilter; do
      "$parse" "$corpus" "$j" "$mode" | awk -v m="$mode" -v j="$j" '{for (k = 1; k <= NF; k++) {if ($k == "seconds") s = $(k + 1); if ($k == "sites") n = $(k + 1); if ($k == "parsed") p = $(k + 1)}} END {print m, j, s, n, p}' >> "$work/reference.txt"
    done
  done
done
median_of() { # mode jobs -> median seconds
  stats $(awk -v m="$1" -v j="$2" '$1 == m && $2 == j {print $3}' "$work/reference.txt") | cut -d' ' -f1
}
sites=$(awk '$1 == "query" {print $4; exit}' "$work/reference.txt")
filtered=$(awk '$1 == "prefilter" {print $5; exit}' "$work/reference.txt")
t0=$(date +%s.%N)
if command -v rg > /dev/null; then grepper=ripgrep; rg -l -t py from_pretrained "$corpus" > /dev/null || true
else grepper="grep -r (no ripgrep)"; grep -rl --include='*.py' from_pretrained "$corpus" > /dev/null || true; fi
t1=$(date +%s.%N)
grep_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {print b - a}')
semgrep_one=("-" "-"); semgrep_one_n="-"
if command -v semgrep > /dev/null; then
  printf 'rules:\n- id: from-pretrained\n  pattern: $X.from_pretrained(...)\n  languages: [python]\n  severity: INFO\n  message: from_pretrained\n' > "$work/semgrep-one.yaml"
  for j in 1 2; do
    read -r secs semgrep_one_n <<< "$(semgrep_scan "$work/semgrep-one.yaml" "$work/semgrep-one.json" "$j" "$work/semgrep-one.err")"
    semgrep_one[j - 1]=$(printf "%.1f" "$secs")
  done
fi
measured() { # mode jobs -> its median seconds above
  awk -v m="$1" -v j="$2" '$1 == m && $2 == j {print $3}' "$work/medians.txt"
}
awk -v files="$files" -v bytes="$bytes" -v rd1="$(median_of read 1)" -v rd2="$(median_of read 2)" \
  -v q1="$(median_of query 1)" -v q2="$(median_of query 2)" -v f1="$(median_of prefilter 1)" -v f2="$(median_of prefilter 2)" \
  -v p1="$(measured parse 1)" -v p2="$(measured parse 2)" -v full2="$(measured full 2)" -v sites="$sites" -v filtered="$filtered" \
  -v g="$grepper" -v gs="$grep_s" -v s1="${semgrep_one[0]}" -v s2="${semgrep_one[1]}" -v sn="$semgrep_one_n" 'BEGIN {
  printf "\nthe issue'"'"'s reference rows, measured here (%d files, %.1f MB; medians) | the reference (4,829 files, 95 MB)\n", files, bytes / 1e6
  printf "  reading every file, 1 / 2 thr:                     %5.2f / %5.2f s  | 0.07 s\n", rd1, rd2
  printf "  tree-sitter parse only, 1 / 2 thr:                 %5.2f / %5.2f s  | 17.4 / 8.8 s\n", p1, p2
  printf "  parse + one query (from_pretrained), 1 / 2 thr:    %5.2f / %5.2f s  | - / 12.5 s\n", q1, q2
  printf "    as a multiple of the parse:                      %5.2fx / %4.2fx  | 1.42x (2 thr)\n", q1 / p1, q2 / p2
  printf "  the same with a keyword prefilter, 1 / 2 thr:      %5.2f / %5.2f s  | - / 6.6 s (%d of %d files parsed here)\n", f1, f2, filtered, files
  printf "  %-22s for from_pretrained:           %5.2f s          | 0.1 s (ripgrep)\n", g, gs
  printf "  semgrep, that one rule, -j 1 / -j 2:               %5s / %5s s  | 54.0 / 48.9 s\n", s1, s2
  printf "  sites: the query / semgrep:                        %5s / %5s    | 366 / 366\n", sites, sn
  printf "  mine --no-prefilter (every rule, resolution, topology, database), 2 thr: %.2f s, %.2fx the parse (the one query: %.2fx)\n", full2, full2 / p2, q2 / p2
}'
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
