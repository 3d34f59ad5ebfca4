# alphasweep: the two commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
BIN := .build/release/alphasweep
CORES := $(shell nproc)
# Rank 0 coordinates and mostly sleeps, so one rank per core does task work.
RANKS ?= $(shell echo $$(( $(CORES) + 1 )))
SPEC ?= jobs/default.yaml
OUT ?= results.h5
FIGURES ?= figures

.PHONY: run test deps test-deps build bench clean

deps:
	@bash hpc/install-deps.sh

test-deps:
	@bash hpc/install-deps.sh --test --slurm --browser

build: deps
	swift build -c release

# Runs the default sweep on all local cores (resuming if OUT already holds part of it),
# then prints the α table and writes the figures.
run: build
	@if [ -e $(OUT) ]; then resume=--resume; echo "$(OUT) exists: resuming it"; fi; \
	  bash hpc/mpirun-local.sh $(RANKS) $(BIN) run $(SPEC) --out $(OUT) $$resume
	$(BIN) analyze $(OUT) --figures $(FIGURES)

# The whole suite: unit tests (swift test), then end-to-end tests that drive the built
# binary under mpirun, read its files with h5py/pandas, compare with scipy, and use a real
# single-node Slurm.
test: test-deps
	swift build -c release --build-tests
	swift test -c release --skip-build
	python3 -m pytest -q Tests/python

# Benchmarks (not part of make test): DGEMM rate, per-instance cost, the default sweep on all
# cores, NumPy on the same cores, 10^5 tiny tasks; figures in bench-results/bench.json.
bench: build
	python3 bench/run_benchmarks.py $(BENCH_ARGS)

clean:
	rm -rf .build
