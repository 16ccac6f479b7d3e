#!/usr/bin/env bash
# Integration classes of the demo corpus (corpus/repos/*) against the class
# each repo.json records (`topology`, with `topology_evidence`). These apps
# were written for the tests with deliberately hard wiring (backends chosen
# in another module, models passed between modules through objects); the
# annotated real applications are scored by scripts/eval-real.sh.
#
#   scripts/eval-demo-topology.sh
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -p miner --quiet
mine="$PWD/target/release/mine"
db="$(mktemp -d)/demo.sqlite"
"$mine" --list corpus/lists/demo.txt --db "$db" --quiet > /dev/null || true
classes="$("$mine" export --db "$db" --table topology --format csv)"
right=0
total=0
for d in corpus/repos/*/; do
  name="$(basename "$d")"
  expected="$(grep -o '"topology": *"[a-z-]*"' "$d/repo.json" | sed 's/.*"\([a-z-]*\)"$/\1/')"
  got="$(printf '%s\n' "$classes" | awk -F, -v n="$name" '$1 == n { print $3 }')"
  total=$((total + 1))
  if [ "$expected" = "$got" ]; then right=$((right + 1)); mark=ok; else mark=WRONG; fi
  printf '  %-18s expected %-18s got %-18s %s\n' "$name" "$expected" "$got" "$mark"
done
echo "class right for $right of $total demo repositories"
