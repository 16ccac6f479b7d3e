#!/bin/bash
# Submit N shard tasks and, once they all succeed, the merge.
#   deploy/slurm/submit.sh 16 study.txt       (LIST, OUT, DB and MINE as in the .sbatch files)
set -euo pipefail
n=${1:?usage: submit.sh SHARDS [LIST]}
export LIST=${2:-${LIST:-study.txt}}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p logs
array=$(sbatch --parsable --array=0-$((n - 1)) --export=ALL "$here/mine-array.sbatch")
sbatch --parsable --dependency=afterok:"${array%%;*}" --export=ALL "$here/merge.sbatch"
