#!/usr/bin/env bash
# Render the README's examples from the demo corpus: the study page and
# tables, the audit folder (a page per system, SARIF), a CycloneDX ML-BOM,
# and screenshots of the two pages taken with headless chromium.
#   scripts/render-examples.sh          (writes docs/examples/ and docs/img/)
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p miner
mine="$PWD/target/release/mine"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
db="$tmp/demo.sqlite"
"$mine" --list corpus/lists/demo.txt --db "$db" --quiet > /dev/null
"$mine" recommend --db "$db" > /dev/null
out=docs/examples
rm -rf "$out" && mkdir -p "$out" docs/img
"$mine" stats --db "$db" > "$out/study.md"
"$mine" stats --db "$db" --html "$out/study" 2> /dev/null
"$mine" report --db "$db" --html "$out/audits" 2> /dev/null
"$mine" report --db "$db" --repo vision-suite --format cyclonedx > "$out/vision-suite.cdx.json"
# The database holds this machine's absolute paths; the examples show them relative.
find "$out" -type f -exec sed -i "s#$PWD/##g" {} +
chrome=${CHROMIUM:-chromium}
shot() { "$chrome" --headless=new --no-sandbox --disable-gpu --hide-scrollbars --window-size="$2" --screenshot="$3" "file://$PWD/$1" 2> /dev/null; }
shot "$out/study/index.html" 1280,1560 docs/img/study.png
shot "$out/audits/speech-app.html" 1280,1500 docs/img/audit.png
ls -la docs/img "$out"
