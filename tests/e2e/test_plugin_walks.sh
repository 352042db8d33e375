#!/usr/bin/env bash
# Process accounting over a whole lifecycle (examples/basic: apply, a plan
# with nothing to do, destroy): Terraform starts a fresh provider process per
# graph walk; each one must answer Shutdown and exit 0 on its own (no "failed
# to exit gracefully", no kill), and nothing may be left running or on disk.
. "$(dirname "$0")/lib.sh"
e2e_init "$1"
repo=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$repo/examples/basic" ] || e2e_fail "examples/basic is missing"
mkdir -p "$E2E_WORK/cfg"
cp -R "$repo/examples/basic"/. "$E2E_WORK/cfg"/
rm -rf "$E2E_WORK/cfg/.terraform" "$E2E_WORK/cfg/build" "$E2E_WORK/cfg"/terraform.tfstate*
e2e_dev_overrides

check_walks() {
    local out=$1 min=$2
    local started exited
    started=$(grep -c 'provider: plugin started' "$E2E_WORK/$out" || true)
    exited=$(grep -c 'provider: plugin process exited' "$E2E_WORK/$out" || true)
    [ "$started" -ge "$min" ] || e2e_fail "$out: $started provider processes, expected at least $min"
    [ "$started" = "$exited" ] || e2e_fail "$out: $started provider processes started, $exited exited"
    e2e_grep_not "$out" 'failed to exit gracefully' "$out: Shutdown must end each process"
    e2e_grep_not "$out" 'plugin process exited: .*error=' "$out: every provider exits 0"
    e2e_grep_not "$out" 'Plugin did not respond|Unsupported plugin method' "$out: RPC errors"
    e2e_assert_clean
    echo "$out: $started provider processes, all exited cleanly"
}

TF_LOG=debug e2e_expect_ok apply.out apply -auto-approve -no-color -input=false
check_walks apply.out 3
TF_LOG=debug e2e_expect_ok plan.out plan -no-color -input=false
e2e_grep plan.out 'No changes' "second plan finds nothing to do"
check_walks plan.out 3
TF_LOG=debug e2e_expect_ok destroy.out destroy -auto-approve -no-color -input=false
check_walks destroy.out 3
e2e_finish
