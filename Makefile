# bertsim: `make run` sets up, builds (release) and simulates the default trace on the default
# config; `make test` sets up and runs every test. See README.md.
SWIFT   ?= swift
RELEASE := .build/release/bertsim
TRACE   ?= traces/sst2-batch32.trace
CONFIG  ?= hw-configs/default.yaml

.PHONY: all setup build run test golden check-full check-html check-compare check-slurm bench fuzz sanitize clean accuracy-table

all: build

setup:
	@scripts/setup.sh

build: setup
	$(SWIFT) build -c release --product bertsim

run: build
	$(RELEASE) simulate $(TRACE) --config $(CONFIG)

# Every test; Chromium (installed by setup) is required, so the HTML render test cannot skip.
test: setup
	$(SWIFT) build --build-tests
	BERTSIM_REQUIRE_CHROMIUM=1 $(SWIFT) test --skip-build
	@# The simulator against measured hardware (data/validation/measurements.csv; docs/validation.md).
	$(SWIFT) run --skip-build bertsim validate

# Re-records the golden reports `make test` checks (Tests/golden/<config>.json, one per
# hw-configs/*.yaml, on Tests/golden/sst2-64.trace; Tests/golden/scenarios/<name>.json, one per
# line of Tests/golden/scenarios.txt) after an intended timing change; review the
# diff (`git diff Tests/golden`) before committing it. docs/sweeps.md, "Golden reports".
GOLDEN_TRACE := Tests/golden/sst2-64.trace
golden: build
	@for c in hw-configs/*.yaml; do \
		$(RELEASE) check $(GOLDEN_TRACE) --config $$c --golden Tests/golden/$$(basename $$c .yaml).json --record || exit 1; \
	done
	@mkdir -p Tests/golden/scenarios
	@grep -v '^#' Tests/golden/scenarios.txt | while read -r name trace config flags; do \
		[ -n "$$name" ] || continue; \
		$(RELEASE) check $$trace --config $$config $$flags --golden Tests/golden/scenarios/$$name.json --record || exit 1; \
	done

# The measured accuracy table (docs/accuracy.md): every shipped config and the variant configs of
# data/accuracy/configs through their bit-accurate datapaths on all 1,500 STS-B pairs with
# all-MiniLM-L6-v2 (release build; about a minute per config on 2 cores). Review the diff.
accuracy-table: build
	$(RELEASE) accuracy --configs hw-configs --configs data/accuracy/configs --output data/accuracy/minilm-stsb.csv

# Long runs that stay out of `make test`: every shipped trace, whole, on every config.
check-full: build
	@for c in hw-configs/*.yaml; do for t in traces/*.trace; do \
		echo "== $$t on $$c"; $(RELEASE) simulate $$t --config $$c --format json > /dev/null || exit 1; \
	done; done

# The HTML report rendered by headless Chromium (scripts/setup.sh installs Debian's chromium),
# alone; `make test` runs it too. Screenshot: /tmp/bertsim-test-artifacts/.
check-html: setup
	$(SWIFT) build --build-tests
	BERTSIM_REQUIRE_CHROMIUM=1 $(SWIFT) test --skip-build --filter 'HTMLReportTests'

# `compare` over every shipped config on the first 256 SST-2 requests (release build): prints the
# table, then checks that its JSON holds exactly what `simulate` prints for each config alone
# (`make test` runs the same check on the first 2 requests).
check-compare: build
	$(RELEASE) compare traces/sst2.trace $(foreach c,$(sort $(wildcard hw-configs/*.yaml)),--config $(c)) --limit 256
	$(SWIFT) build --build-tests
	BERTSIM_BIN=$(RELEASE) BERTSIM_COMPARE_LIMIT=256 $(SWIFT) test --skip-build --filter 'everyShippedConfigEqualsSimulatingItAlone'

# scripts/slurm-sweep.sh on a real one-node Slurm cluster started here (installs Debian's
# slurm-wlm and munge if missing; the daemons and their files live in a temporary directory and
# are stopped at the end): the merged CSV must equal a local `sweep run`. docs/sweeps.md.
check-slurm: setup
	$(SWIFT) build --product bertsim
	scripts/check-slurm.sh .build/debug/bertsim

# Release-mode benchmarks (medians); outside `make test`.
bench: setup
	$(SWIFT) build -c release --product bertsim-bench
	mkdir -p .build/bench
	g++ -O2 -std=c++17 Benchmarks/systemc-raw/raw.cpp $$(pkg-config --cflags --libs systemc) -o .build/bench/systemc-raw
	.build/release/bertsim-bench kernel --processes 1
	.build/release/bertsim-bench kernel --processes 64
	.build/release/bertsim-bench encoder
	.build/release/bertsim-bench trace-read --requests 100000
	.build/release/bertsim-bench encoder
	.build/release/bertsim-bench trace-read --requests 1000000
	.build/release/bertsim-bench length-aware

# libFuzzer over every reader (docs/robustness.md): FUZZ_SECONDS per target (default 60), seeded
# from the kept corpus and the shipped traces and configs. A finding stops the run; its input is
# copied into Tests/FuzzRegressionTests/Corpus/<target>/ so that `make test` replays it.
FUZZ_SECONDS ?= 60
FUZZ_TARGETS ?= trace config simulate mask
fuzz: setup
	$(SWIFT) build -c release --scratch-path .build-fuzz --product bertsim-fuzz \
		-Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING
	@scripts/fuzz.sh .build-fuzz/release/bertsim-fuzz $(FUZZ_SECONDS) $(FUZZ_TARGETS)

# Every test under AddressSanitizer, then ThreadSanitizer (separate scratch paths; slow).
# Leak checking is left to `make fuzz` (LeakSanitizer on every product path it reaches): in the
# test process, scenarios and test helpers keep kernels that they never finish.
sanitize: setup
	ASAN_OPTIONS=detect_leaks=0 $(SWIFT) test --scratch-path .build-asan --sanitize=address
	$(SWIFT) test --scratch-path .build-tsan --sanitize=thread

clean:
	rm -rf .build .build-fuzz .build-asan .build-tsan
