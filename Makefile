# The two commands of the README: `make example` and `make test`.
# Both install what is missing (scripts/install-deps.sh), then build.
BUILD      ?= build
BUILD_ASAN ?= build-asan
BUILD_FUZZ ?= build-fuzz
JOBS       ?= $(shell nproc)
CTEST_ARGS ?=

.PHONY: all deps deps-release build build-asan release fuzz-smoke test test-fast example bench \
	format clean

all: build

deps:
	@scripts/install-deps.sh

deps-release:
	@scripts/install-deps.sh --release

build: deps
	cmake -S . -B $(BUILD) -DLP_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	cmake -S . -B $(BUILD_ASAN) -DLP_WERROR=ON -DLP_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(BUILD_ASAN) -j $(JOBS)

# dist/: one self-contained provider zip per platform (linux_amd64, arm64
# cross-compiled), the Registry manifest, SHA256SUMS (+ .sig with
# GPG_KEY=...) and a packed filesystem mirror. docs/guides/releasing.md.
release: deps-release
	scripts/release.sh

# Every test, end-to-end included, in the normal build and again under
# ASan+UBSan; the release tests (label release: empty root, arm64, signature,
# reproducibility) once, against dist/; then a bounded run of every fuzzer.
test: build build-asan release
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	cd $(BUILD_ASAN) && ctest --output-on-failure -j $(JOBS) $(CTEST_ARGS)
	$(MAKE) fuzz-smoke

# libFuzzer targets (clang) for every parser of outside input, each run for a
# bounded number of inputs: a smoke test, not a fuzzing campaign.
fuzz-smoke: deps
	CC=clang cmake -S . -B $(BUILD_FUZZ) -DLP_FUZZ=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
	cmake --build $(BUILD_FUZZ) -j $(JOBS) --target fuzzers
	cd $(BUILD_FUZZ) && ctest --output-on-failure -L fuzz

# The normal build only, without the release tests: a quick loop while
# developing.
test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS) -LE release $(CTEST_ARGS)

example: build
	scripts/run-example.sh $(BUILD) examples/basic

bench: build
	@scripts/install-deps.sh --bench
	bench/run.sh $(BUILD)
	bench/perf.py all $(BUILD)

format:
	git ls-files --cached --others --exclude-standard -- '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf $(BUILD) $(BUILD_ASAN) $(BUILD_FUZZ) build-release dist
