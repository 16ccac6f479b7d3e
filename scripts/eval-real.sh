#!/usr/bin/env bash
# Precision/recall of `mine` on the hand-annotated real applications of
# corpus/real/. Needs the repositories checked out at the commits of
# corpus/real/repos.txt, each in CHECKOUTS_DIR/<folder>.
#
#   scripts/eval-real.sh CHECKOUTS_DIR
set -euo pipefail
cd "$(dirname "$0")/.."
dir="${1:?usage: scripts/eval-real.sh CHECKOUTS_DIR}"
cargo build --release -p miner --quiet
mine="$PWD/target/release/mine"
db="$(mktemp -d)/real.sqlite"
args=()
while read -r folder repo commit; do
  case "$folder" in ''|\#*) continue ;; esac
  [ -d "$dir/$folder" ] || { echo "missing checkout: $dir/$folder ($repo@$commit)" >&2; exit 2; }
  args+=(--path "$dir/$folder")
done < corpus/real/repos.txt
"$mine" "${args[@]}" --db "$db" --quiet > /dev/null || true
"$mine" eval --db "$db" --expected corpus/real
echo
echo "integration classes (mine export --table topology):"
"$mine" export --db "$db" --table topology --format csv | awk -F, 'NR > 1 { n[$3]++; print "  " $1 ": " $3 " (" $4 " models)" } END { for (c in n) printf "  %-18s %d\n", c, n[c] > "/dev/stderr" }'
echo
echo "usages linked to the hub label store (mine labels stats --db):"
"$mine" labels stats --db "$db" | sed -n '/by ecosystem:/,$p'
