# The two commands of the README: `make example` and `make test`.
# Both install what is missing (scripts/install-deps.sh), then build.
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps build build-asan fuzz-smoke test test-fast example bench format clean

all: build

deps:
	@scripts/install-deps.sh

build: deps
	cmake -S . -B $(BUILD) -DLP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DLP_WERROR=ON -DLP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# Every test, end-to-end included, in the normal build and again under
# ASan+UBSan; then a bounded run of every fuzzer over its corpus.
test: build build-asan
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	cd $(BUILD_ASAN) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	$(MAKE) fuzz-smoke

# libFuzzer targets (clang) for every parser of outside input, each run for a
# bounded number of inputs: a smoke test, not a fuzzing campaign.
fuzz-smoke: deps
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DLP_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzzers
	cd $(BUILD_FUZZ) && ctest --output-on-failure -L fuzz

# The normal build only: for a quick loop while developing.
test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)

example: build
	scripts/run-example.sh $(BUILD) examples/basic

bench: build
	@scripts/install-deps.sh --bench
	bench/run.sh $(BUILD)
	bench/perf.py all $(BUILD)

format:
	git ls-files --cached --others --exclude-standard -- '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ)
