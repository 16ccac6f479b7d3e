#!/usr/bin/env bash
# Leave-one-dataset-out selection benchmark on the open_clip table (121
# models x 38 datasets): regret at top 1 and top 5 of `mine select` against
# the label-blind baselines, on all models and on models of at most 200M
# parameters. Also times `mine select` from the embedded store alone.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release -q -p miner
MINE=target/release/mine
"$MINE" select --evaluate
echo
"$MINE" select --evaluate --max-params 200M
echo
home=$(mktemp -d)
trap 'rm -rf "$home"' EXIT
echo "select from the embedded store, empty home, no database:"
/usr/bin/time -f "  %e s, peak RSS %M KB" env HOME="$home" XDG_CACHE_HOME="$home/cache" \
  "$MINE" select --task image-classification --label dataset:imagenet-1k --max-params 30M --top 3
