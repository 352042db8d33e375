#!/usr/bin/env bash
# Shared helpers for the end-to-end tests: each test sources this file, calls
# e2e_init "$1" (the build dir), then drives the real terraform against the
# provider built there. No network: Terraform finds the provider through a
# dev_overrides CLI config or a filesystem mirror under the build dir.
#
# Under an ASan build (LP_SANITIZE=ON in CMakeCache.txt) every provider
# process writes sanitizer reports to $E2E_WORK/asan.* instead of dying
# quietly in Terraform's debug log; e2e_finish fails the test when any exist.
set -euo pipefail

E2E_PROVIDER_ADDR="registry.terraform.io/lambdapack/lambda"
E2E_PROVIDER_VERSION="0.1.0"

e2e_fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# e2e_init BUILD_DIR: checks the tools, makes a fresh work dir
# $BUILD_DIR/e2e/<test name>, a private TMPDIR (where provider sockets go) and
# a quiet, offline Terraform environment.
e2e_init() {
    E2E_BUILD=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
    E2E_NAME=$(basename "${BASH_SOURCE[1]}" .sh)
    command -v terraform >/dev/null 2>&1 ||
        e2e_fail "terraform is not on PATH: these tests need the real Terraform CLI (>= 1.11)"
    [ -x "$E2E_BUILD/terraform-provider-lambda" ] ||
        e2e_fail "$E2E_BUILD/terraform-provider-lambda is missing: build the provider first"
    E2E_WORK="$E2E_BUILD/e2e/$E2E_NAME"
    rm -rf "$E2E_WORK"
    mkdir -p "$E2E_WORK/bin"
    # A private copy, so that leftover-process checks of tests running in
    # parallel never see each other's providers.
    # The plugin is two files: the binary and the serving program it runs
    # from its own directory (provider/CMakeLists.txt).
    E2E_PROVIDER="$E2E_WORK/bin/terraform-provider-lambda"
    E2E_SERVE_PROG=terraform-provider-lambda-serve
    cp "$E2E_BUILD/terraform-provider-lambda" "$E2E_PROVIDER"
    cp "$E2E_BUILD/$E2E_SERVE_PROG" "$E2E_WORK/bin/$E2E_SERVE_PROG"
    # Short path: unix socket paths are limited to 107 bytes.
    E2E_TMP=$(mktemp -d /tmp/tfp-e2e.XXXXXX)
    E2E_PIDS=()
    trap e2e_cleanup EXIT
    export TMPDIR="$E2E_TMP"
    export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
    # The cache's MAC key: the test's own, never the user's.
    export LAMBDAPACK_CACHE_KEY_FILE="$E2E_WORK/cache-key"
    # The store of compressed entries (packager/lp_store.h): the test's own too.
    export LAMBDAPACK_STORE_DIR="$E2E_WORK/store"
    unset TF_LOG TF_LOG_PROVIDER TF_LOG_CORE TF_LOG_PATH TF_REATTACH_PROVIDERS \
        TF_DISABLE_PLUGIN_TLS TF_PLUGIN_MAGIC_COOKIE PLUGIN_CLIENT_CERT
    if grep -q '^LP_SANITIZE:BOOL=ON' "$E2E_BUILD/CMakeCache.txt" 2>/dev/null; then
        E2E_ASAN=1
        # Leak checking stays on: the provider shuts gRPC down completely
        # (grpc_shutdown_blocking) and keeps OpenSSL's state alive to the end
        # (tfp_tls_process_init), so no suppression file is needed.
        export ASAN_OPTIONS="log_path=$E2E_WORK/asan:detect_leaks=1"
        export UBSAN_OPTIONS="log_path=$E2E_WORK/ubsan:print_stacktrace=1"
    else
        E2E_ASAN=0
    fi
}

# e2e_track_pid PID: a provider the test started itself; stopped (SIGTERM)
# when the test exits, passing or not.
e2e_track_pid() {
    E2E_PIDS+=("$1")
}

e2e_cleanup() {
    local p
    for p in "${E2E_PIDS[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    rm -rf "$E2E_TMP"
}

# e2e_config FIXTURE: copies tests/e2e/fixtures/FIXTURE to $E2E_WORK/cfg.
e2e_config() {
    local src
    src="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/fixtures/$1"
    [ -d "$src" ] || e2e_fail "no fixture $1"
    rm -rf "$E2E_WORK/cfg"
    mkdir -p "$E2E_WORK/cfg"
    cp -R "$src"/. "$E2E_WORK/cfg"/
}

# e2e_dev_overrides: a CLI config pointing lambdapack/lambda at the work
# dir's copy of the provider.
e2e_dev_overrides() {
    cat >"$E2E_WORK/dev.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "lambdapack/lambda" = "$E2E_WORK/bin"
  }
  direct {}
}
TFRC
    export TF_CLI_CONFIG_FILE="$E2E_WORK/dev.tfrc"
}

# e2e_fs_mirror: a filesystem mirror under the work dir holding a copy of the
# provider (binary and serving program), and a CLI config that installs from it only.
e2e_fs_mirror() {
    local dir="$E2E_WORK/mirror/$E2E_PROVIDER_ADDR/$E2E_PROVIDER_VERSION/linux_amd64"
    mkdir -p "$dir"
    cp "$E2E_PROVIDER" "$dir/terraform-provider-lambda_v$E2E_PROVIDER_VERSION"
    cp "$E2E_WORK/bin/$E2E_SERVE_PROG" "$dir/$E2E_SERVE_PROG"
    cat >"$E2E_WORK/mirror.tfrc" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$E2E_WORK/mirror"
    include = ["registry.terraform.io/lambdapack/*"]
  }
}
TFRC
    export TF_CLI_CONFIG_FILE="$E2E_WORK/mirror.tfrc"
}

# e2e_tf OUT ARGS...: runs terraform ARGS in the config dir, stdout+stderr to
# $E2E_WORK/OUT; returns terraform's exit code (never exits the script).
e2e_tf() {
    local out="$E2E_WORK/$1"
    shift
    local rc=0
    (cd "$E2E_WORK/cfg" && terraform "$@") >"$out" 2>&1 || rc=$?
    return "$rc"
}

# e2e_expect_ok OUT ARGS...: like e2e_tf but fails the test on a non-zero exit.
e2e_expect_ok() {
    local out="$1"
    e2e_tf "$@" || {
        cat "$E2E_WORK/$out" >&2
        e2e_fail "terraform ${*:2} exited non-zero (output above)"
    }
}

# e2e_grep FILE PATTERN WHAT: fails unless FILE (relative to the work dir)
# contains the extended regex PATTERN.
e2e_grep() {
    grep -Eq -- "$2" "$E2E_WORK/$1" || {
        tail -n 40 "$E2E_WORK/$1" >&2
        e2e_fail "$3: /$2/ not found in $1"
    }
}

# e2e_grep_not FILE PATTERN WHAT: fails when FILE contains PATTERN.
e2e_grep_not() {
    if grep -Eq -- "$2" "$E2E_WORK/$1"; then
        grep -E -- "$2" "$E2E_WORK/$1" | head -n 5 >&2
        e2e_fail "$3: /$2/ found in $1"
    fi
}

# Pids of running processes whose executable is a provider binary of this
# test (the work dir's copy, the mirror's or the one init installed).
e2e_provider_pids() {
    local p exe
    for p in /proc/[0-9]*; do
        exe=$(readlink "$p/exe" 2>/dev/null) || continue
        case "$exe" in
        "$E2E_WORK"/*terraform-provider-lambda*) echo "${p#/proc/}" ;;
        esac
    done
}

# e2e_assert_clean: no provider process of ours is left and every private
# socket directory was removed. Gives processes up to 3 s to finish exiting.
e2e_assert_clean() {
    local _
    for _ in $(seq 1 30); do
        [ -z "$(e2e_provider_pids)" ] && break
        sleep 0.1
    done
    [ -z "$(e2e_provider_pids)" ] || e2e_fail "provider processes left running: $(e2e_provider_pids)"
    local left
    left=$(find "$E2E_TMP" -maxdepth 1 -name 'tfp-lambda-*' | head -n 5)
    [ -z "$left" ] || e2e_fail "socket directories left behind: $left"
}

# e2e_finish: under ASan, fails when any provider process wrote a report.
e2e_finish() {
    if [ "$E2E_ASAN" = 1 ]; then
        local reports
        reports=$(find "$E2E_WORK" -maxdepth 1 \( -name 'asan.*' -o -name 'ubsan.*' \))
        if [ -n "$reports" ]; then
            find "$E2E_WORK" -maxdepth 1 \( -name 'asan.*' -o -name 'ubsan.*' \) \
                -exec head -n 60 {} + >&2
            e2e_fail "sanitizer reports from the provider: $reports"
        fi
    fi
    echo "PASS: $E2E_NAME"
}
