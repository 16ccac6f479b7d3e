#!/usr/bin/env bash
# Peak memory and time per repository as the number of repositories grows:
# mines 1, 10 and 100 copies of the demo corpus (11 repositories each, plain
# folders with distinct names) into fresh databases, and prints peak RSS,
# seconds per repository and the RSS slope between 10 and 100 copies.
#   scripts/bench-scale.sh [COPIES...]      (default: 1 10 100)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p miner
mine="$PWD/target/release/mine"
copies=("${@:-1 10 100}")
read -r -a copies <<< "${copies[*]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
max=0
for c in "${copies[@]}"; do [ "$c" -gt "$max" ] && max=$c; done
for ((k = 0; k < max; k++)); do
  for d in corpus/repos/*/; do
    n=$(basename "$d")
    mkdir -p "$work/src/$k"
    cp -r "$d" "$work/src/$k/$n-$k"
  done
done
printf "%8s %8s %12s %14s %10s\n" copies repos "peak RSS MB" "ms/repository" usages
declare -A rss repos
for c in "${copies[@]}"; do
  list="$work/list-$c.txt"
  : > "$list"
  for ((k = 0; k < c; k++)); do ls -d "$work/src/$k"/*/ >> "$list"; done
  db="$work/db-$c.sqlite"
  start=$(date +%s.%N)
  /usr/bin/time -f "%M" -o "$work/rss" "$mine" --list "$list" --db "$db" --quiet > /dev/null || true
  end=$(date +%s.%N)
  n=$(wc -l < "$list")
  u=$("$mine" export --db "$db" | wc -l)
  kb=$(cat "$work/rss")
  rss[$c]=$kb; repos[$c]=$n
  awk -v c="$c" -v n="$n" -v kb="$kb" -v s="$start" -v e="$end" -v u="$u" \
    'BEGIN { printf "%8s %8s %12.1f %14.1f %10s\n", c, n, kb / 1024, (e - s) * 1000 / n, u }'
done
if [ -n "${rss[10]:-}" ] && [ -n "${rss[100]:-}" ]; then
  awk -v a="${rss[10]}" -v b="${rss[100]}" -v m="${repos[10]}" -v n="${repos[100]}" \
    'BEGIN { printf "RSS slope from 10 to 100 copies: %.2f KB per repository\n", (b - a) / (n - m) }'
fi
