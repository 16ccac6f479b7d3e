#!/usr/bin/env bash
# Throughput of `mine` on real Python trees, with peak memory.
#
#   scripts/bench-throughput.sh            # both corpora below
#
# Corpus A: the sdists of transformers 4.46.3, diffusers 0.31.0, timm 1.0.11,
#   sentence-transformers 3.3.1 and ultralytics 8.3.40 from PyPI (the same
#   packages as the speed reference in shared/BUILD_NOTES.md), unpacked into
#   one folder and mined as a plain folder.
# Corpus B: the largest Python tree on a machine of this kind: the
#   interpreter's site-packages folder.
# Each is mined with --jobs 1 and --jobs 2 into a fresh database (--force).
# Prints files, seconds, files/s and peak RSS. Figures, not assertions:
# speed targets belong to the benchmark (issue 11), never to a timed test.
set -euo pipefail
cd "$(dirname "$0")/.."
work="${BENCH_DIR:-target/bench}"
mkdir -p "$work/sdists" "$work/corpus-a"
cargo build --release -p miner --quiet
mine="$PWD/target/release/mine"

if [ ! -f "$work/corpus-a/.done" ]; then
  pip download --quiet --no-deps --no-binary :all: -d "$work/sdists" \
    transformers==4.46.3 diffusers==0.31.0 timm==1.0.11 sentence-transformers==3.3.1 ultralytics==8.3.40
  for f in "$work"/sdists/*.tar.gz; do tar -xzf "$f" -C "$work/corpus-a"; done
  touch "$work/corpus-a/.done"
fi
site="$(python3 -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"

run() { # name dir jobs
  # Warm the page cache so the first run is not charged for the disk.
  find "$2" -type f \( -name '*.py' -o -name '*.ipynb' \) -exec cat {} + > /dev/null
  local db="$work/bench-$1-j$3.sqlite"
  rm -f "$db" "$db-wal" "$db-shm"
  local t0 t1
  t0=$(date +%s.%N)
  /usr/bin/time -f '%M' -o "$work/rss" "$mine" --path "$2" --db "$db" --jobs "$3" --quiet --force > "$work/summary.txt"
  t1=$(date +%s.%N)
  local files usages rss
  files=$(sqlite3 "$db" 'select sum(py_files + ipynb_files + manifest_files) from repos' 2>/dev/null || grep -oP 'files\s+\K[0-9]+' "$work/summary.txt")
  usages=$(grep -oP 'usages\s+\K[0-9]+' "$work/summary.txt")
  rss=$(cat "$work/rss")
  awk -v n="$1" -v j="$3" -v f="$files" -v u="$usages" -v a="$t0" -v b="$t1" -v r="$rss" \
    'BEGIN { s = b - a; printf "%-14s jobs %d  files %6d  usages %5d  %7.2f s  %7.0f files/s  peak RSS %6.1f MiB\n", n, j, f, u, s, f / s, r / 1024 }'
}

bytes_a=$(du -sb "$work/corpus-a" | cut -f1)
echo "corpus A: $(find "$work/corpus-a" -name '*.py' | wc -l) .py files, $((bytes_a / 1048576)) MiB ($work/corpus-a)"
echo "corpus B: $(find "$site" -name '*.py' | wc -l) .py files ($site)"
for j in 1 2; do run sdists "$work/corpus-a" "$j"; done
for j in 1 2; do run site-packages "$site" "$j"; done
