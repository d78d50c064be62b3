#!/usr/bin/env bash
# Splits a bertsim sweep over a Slurm job array, one task per shard, then merges the shards
# (docs/sweeps.md, "Sharding over a cluster").
#
#   scripts/slurm-sweep.sh SHARDS TRACE BASE OUTDIR --set key.path=v1,v2 … [other sweep run flags]
#
# Submits an array of SHARDS tasks; task i runs
#   bertsim sweep run TRACE --config BASE … --shard i/SHARDS --jobs $SLURM_CPUS_PER_TASK \
#     --output OUTDIR/shard-i-of-SHARDS.csv
# and a job that runs once every task succeeded merges them into OUTDIR/sweep.csv. Submitting
# the same command again resumes: every shard skips the rows it already has.
#
# Environment: BERTSIM (the executable; default `bertsim` on PATH), CPUS (CPUs per task,
# default 8), SBATCH_ARGS (extra sbatch flags, e.g. "--partition=cpu --time=04:00:00").
set -euo pipefail

BERTSIM=${BERTSIM:-bertsim}

usage() {
    sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

if [[ $# -lt 5 ]]; then usage; fi
shards=$1 trace=$2 base=$3 outdir=$4
shift 4
[[ $shards =~ ^[1-9][0-9]*$ ]] || { echo "slurm-sweep.sh: SHARDS must be a positive integer, not '$shards'" >&2; exit 2; }

if [[ -n ${SLURM_ARRAY_TASK_ID:-} ]]; then
    # One task of the array: one shard.
    i=$SLURM_ARRAY_TASK_ID
    exec "$BERTSIM" sweep run "$trace" --config "$base" "$@" --shard "$i/$shards" \
        --jobs "${SLURM_CPUS_PER_TASK:-1}" --output "$outdir/shard-$i-of-$shards.csv"
fi

# Submission (on the login node).
mkdir -p "$outdir"
# shellcheck disable=SC2086 # SBATCH_ARGS is a list of flags
array=$(sbatch --parsable --job-name=bertsim-sweep --array="1-$shards" --cpus-per-task="${CPUS:-8}" \
    --output="$outdir/slurm-%A_%a.out" ${SBATCH_ARGS:-} "$0" "$shards" "$trace" "$base" "$outdir" "$@")
array=${array%%;*}
files=()
for ((i = 1; i <= shards; i++)); do files+=("$outdir/shard-$i-of-$shards.csv"); done
# shellcheck disable=SC2086
# A failed or cancelled shard makes the dependency unsatisfiable: the merge job is then removed
# instead of pending forever (re-run the failed shards with the same command, then merge).
merge=$(sbatch --parsable --job-name=bertsim-sweep-merge --dependency="afterok:$array" --kill-on-invalid-dep=yes \
    --output="$outdir/slurm-merge-%j.out" ${SBATCH_ARGS:-} \
    --wrap="$(printf '%q ' "$BERTSIM" sweep merge "${files[@]}" --output "$outdir/sweep.csv")")
echo "slurm-sweep.sh: array job $array ($shards shards), merge job ${merge%%;*} -> $outdir/sweep.csv"
