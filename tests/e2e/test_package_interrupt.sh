#!/usr/bin/env bash
# An interrupt stops a running build. Terraform answers the first SIGINT
# with StopProvider; the build stops through the packager's progress
# callback and terraform exits non-zero with a "Build cancelled" diagnostic
# naming output_path. Two builds are interrupted:
#   1. `terraform plan`, which builds the ZIP into the cache to learn its
#      hash: no cache entry and no temporary file are left;
#   2. `terraform apply PLAN` with the cache and the store of compressed
#      entries emptied, whose walk plans again (Terraform's final re-plan)
#      and so builds the ZIP again: the previous ZIP at output_path is
#      untouched, no temporary file is left, and the state file is byte for
#      byte the one before.
# (`terraform apply` without a saved plan does not stop its own plan phase
# on an interrupt: Terraform finishes that plan, then halts before applying.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
cfg="$E2E_WORK/cfg"
mkdir -p "$cfg/src"
printf 'def handler(event, context):\n    return 1\n' >"$cfg/src/app.py"
pkg_write_main 'resource "lambda_package" "big" {
  output_path       = "build/big.zip"
  compression_level = 9
  source {
    path = "src"
  }
}'
e2e_dev_overrides
e2e_expect_ok apply1.out apply -no-color -input=false -auto-approve
first=$(pkg_sha256 build/big.zip)
state_before=$(sha256sum "$cfg/terraform.tfstate" | cut -d' ' -f1)
cache="$cfg/.terraform/lambdapack-cache"
entries_before=$(find "$cache" -name '*.zip' | wc -l)

# 96 files of 1 MiB of random words, each different: level 9 takes a few
# seconds on two cores (random bytes would be stored at once), and no entry
# of the store of compressed entries can stand in for one.
python3 - "$cfg/src/data" <<'PY'
import os, random, sys
random.seed(8)
vocab = ["".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(random.randint(2, 10)))
         for _ in range(3000)]
os.makedirs(sys.argv[1])
for i in range(96):
    words = random.choices(vocab, k=160000)
    text = " ".join(words).encode()[: 1 << 20]
    with open(os.path.join(sys.argv[1], "part%03d.txt" % i), "wb") as f:
        f.write(text)
PY

# interrupt OUT WATCH_DIR ARGS...: runs terraform ARGS in the background and
# sends it SIGINT once the build's temporary ZIP appears in WATCH_DIR; sets rc.
interrupt() {
    local out="$1" watch="$2"
    shift 2
    (cd "$cfg" && exec terraform "$@") >"$E2E_WORK/$out" 2>&1 &
    local tf=$! started=0 _
    for _ in $(seq 1 1200); do
        if [ -n "$(find "$watch" -name '*.tmp*' 2>/dev/null | head -n 1)" ]; then
            started=1
            break
        fi
        kill -0 "$tf" 2>/dev/null || break
        sleep 0.05
    done
    if [ "$started" != 1 ]; then
        kill -TERM "$tf" 2>/dev/null || true
        wait "$tf" || true
        cat "$E2E_WORK/$out" >&2
        e2e_fail "terraform $*: the build never started (no temporary file in $watch)"
    fi
    kill -INT "$tf"
    rc=0
    wait "$tf" || rc=$?
    [ "$rc" != 0 ] || { cat "$E2E_WORK/$out" >&2; e2e_fail "the interrupted terraform $* exited 0"; }
    e2e_grep "$out" 'Build cancelled' "terraform $*: the diagnostic says the build was cancelled"
    e2e_grep "$out" "build of 'build/big.zip' was cancelled" "terraform $*: the diagnostic names the output file"
    e2e_grep "$out" 'output_path' "terraform $*: the diagnostic names the attribute"
    e2e_grep_not "$out" 'Plugin did not respond|panic|crash' "terraform $*: the provider stayed up"
    local left
    left=$(find "$cfg" "$E2E_WORK/store" -name '*.tmp*' 2>/dev/null | head -n 3 || true)
    [ -z "$left" ] || e2e_fail "terraform $*: temporary files left behind: $left"
}

# 1. plan: the build into the cache stops; no entry for the new content.
interrupt plan-int.out "$cache" plan -no-color -input=false -out=big.tfplan
entries_after=$(find "$cache" -name '*.zip' | wc -l)
[ "$entries_after" = "$entries_before" ] ||
    e2e_fail "the cancelled plan added a cache entry ($entries_before -> $entries_after)"

# 2. apply of a saved plan, without cache or store: the build stops; the
# previous ZIP and the state stand.
e2e_expect_ok plan.out plan -no-color -input=false -out=big.tfplan
rm -rf "$cache" "$E2E_WORK/store"
interrupt apply-int.out "$cfg" apply -no-color -input=false big.tfplan
[ "$(find "$cache" -name '*.zip' | wc -l)" = 0 ] || e2e_fail "the cancelled apply added a cache entry"
[ "$(pkg_sha256 build/big.zip)" = "$first" ] || e2e_fail "the cancelled apply changed the ZIP"
[ "$(ls "$cfg/build")" = "big.zip" ] || e2e_fail "files beside the output: $(ls "$cfg/build")"
[ "$(sha256sum "$cfg/terraform.tfstate" | cut -d' ' -f1)" = "$state_before" ] ||
    e2e_fail "the cancelled apply changed the state file"

# Nothing is broken: the next apply builds the new package.
e2e_expect_ok apply3.out apply -no-color -input=false -auto-approve
[ "$(pkg_sha256 build/big.zip)" != "$first" ] || e2e_fail "the next apply did not build"
[ "$(pkg_state_attr file_count)" = 97 ] || e2e_fail "state file_count $(pkg_state_attr file_count), want 97"
e2e_assert_clean
e2e_finish
