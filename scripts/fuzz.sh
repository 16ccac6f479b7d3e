#!/usr/bin/env bash
# Property-based fuzzing of the analyzer (analyzers/tests/fuzz.rs): arbitrary
# bytes, mutated real sources, mutated repositories. `cargo fuzz` needs a
# nightly toolchain; this runs proptest in release mode instead.
#   scripts/fuzz.sh [CASES]        (default 20000 per property)
set -euo pipefail
cd "$(dirname "$0")/.."
cases=${1:-20000}
start=$(date +%s)
MINE_FUZZ_CASES=$cases cargo test --release -q -p analyzers --test fuzz -- --test-threads 3
end=$(date +%s)
echo "fuzz: 3 properties x $cases cases in $((end - start)) s"
