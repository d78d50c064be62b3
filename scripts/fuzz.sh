#!/bin/sh
# Runs each libFuzzer target for a bounded time (docs/robustness.md).
#   scripts/fuzz.sh FUZZER SECONDS TARGET…
# Seeds: the kept corpus (Tests/FuzzRegressionTests/Corpus/<target>/) and the shipped inputs
# (traces/ for trace and simulate, hw-configs/ for config; the kept masks for mask). New interesting inputs go to a
# scratch corpus under .build-fuzz/corpus/<target>/ (not committed). A crash, leak, timeout or
# out-of-memory stops the target; the input is copied into the kept corpus, so `make test`
# replays it from then on (expecting it rejected: list it in CorpusReplayTests.accepted if,
# once fixed, it is a valid input), and the script exits 1 after the remaining targets ran.
set -u
fuzzer=$1
seconds=$2
shift 2
status=0
for target in "$@"; do
    kept=Tests/FuzzRegressionTests/Corpus/$target
    scratch=.build-fuzz/corpus/$target
    artifacts=.build-fuzz/artifacts/$target/
    rm -rf "$artifacts"
    mkdir -p "$kept" "$scratch" "$artifacts"
    case $target in
        config) seeds=hw-configs ;;
        mask) seeds=$kept ;;      # the hand-written mask files
        *) seeds=traces ;;
    esac
    # Seed files larger than -max_len are truncated by libFuzzer, which is fine.
    echo "fuzz: $target for ${seconds}s" >&2
    if ! LSAN_OPTIONS=suppressions=$(pwd)/scripts/lsan.supp:print_suppressions=0 \
            BERTSIM_FUZZ_TARGET=$target "$fuzzer" "$scratch" "$kept" "$seeds" \
            -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -max_len=65536 \
            -print_final_stats=1 -artifact_prefix="$artifacts" 2> ".build-fuzz/$target.log"; then
        status=1
        tail -n 30 ".build-fuzz/$target.log" >&2
        for found in "$artifacts"*; do
            [ -f "$found" ] || continue
            cp "$found" "$kept/found-$(basename "$found")"
            echo "fuzz: $target: kept $found as $kept/found-$(basename "$found")" >&2
        done
    else
        grep -E "^stat::number_of_executed_units|^stat::new_units_added" ".build-fuzz/$target.log" | sed "s/^/fuzz: $target: /" >&2
    fi
done
exit $status
