#!/usr/bin/env bash
# How a run over a large GitHub organisation behaves, against a mock of the
# GitHub API on 127.0.0.1 (miner/examples/mock_github.rs): N repositories
# (default 10,000) whose clone URLs all point at one small bare repository
# made here from corpus/repos/llm-chat (through N symlinks, so each has its
# own location). One listing page answers a rate-limit 403 first.
# Prints API requests, repositories mined, wall time and time per repository,
# then the same command again (the resume: no clone, no mining).
#
#   scripts/bench-github-org.sh [N]
set -euo pipefail
cd "$(dirname "$0")/.."
n="${1:-10000}"
work="${BENCH_DIR:-target/bench-org}"
rm -rf "$work" && mkdir -p "$work/served"
cargo build --release -p miner --quiet
cargo build --release -p miner --example mock_github --quiet
mine="$PWD/target/release/mine"
src="$work/src"
cp -r corpus/repos/llm-chat "$src"
git -C "$src" init -q && git -C "$src" add -A && git -C "$src" -c user.name=b -c user.email=b@example.org commit -qm bench
git clone -q --bare "$src" "$work/served/base.git"
for i in $(seq 0 $((n - 1))); do ln -s base.git "$work/served/r$i.git"; done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
target/release/examples/mock_github "$port" acme "$n" "file://$PWD/$work/served" 3 > "$work/mock.log" 2>&1 &
mock=$!
trap 'kill $mock 2>/dev/null || true' EXIT
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/__count" > /dev/null && break; sleep 0.1; done
run() {
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$mine" --org acme --api-url "http://127.0.0.1:$port" --db "$work/org.sqlite" \
    --cache "$work/cache" --quiet > "$work/summary.txt" 2> "$work/stderr.txt" || true
  t1=$(date +%s.%N)
  local mined requests
  mined=$(grep -oP 'repositories\s+\d+: \K\d+(?= mined)' "$work/summary.txt")
  requests=$(curl -s "http://127.0.0.1:$port/__count" | grep -oP '\d+')
  awk -v what="$1" -v n="$n" -v m="$mined" -v r="$requests" -v a="$t0" -v b="$t1" -v rss="$(cat "$work/rss")" \
    'BEGIN { s = b - a; printf "%-7s repositories %d  mined %d  API requests so far %d  %.1f s  %.1f ms/repository  peak RSS %.0f MiB\n", what, n, m, r, s, 1000 * s / n, rss / 1024 }'
}
run first
run resume
head -3 "$work/summary.txt"
