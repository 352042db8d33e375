#!/usr/bin/env bash
# Installation the way a user without a registry does it: the binary in a
# filesystem mirror, terraform init installs and locks it, then plan runs it.
. "$(dirname "$0")/lib.sh"
e2e_init "$1"
e2e_config plugin_basic
e2e_fs_mirror

e2e_expect_ok init.out init -no-color -input=false
e2e_grep init.out "Installing lambdapack/lambda v$E2E_PROVIDER_VERSION" "init installs from the mirror"
[ -f "$E2E_WORK/cfg/.terraform.lock.hcl" ] || e2e_fail "no lock file"
grep -q 'registry.terraform.io/lambdapack/lambda' "$E2E_WORK/cfg/.terraform.lock.hcl" ||
    e2e_fail "lock file does not name the provider"
installed=$(find -L "$E2E_WORK/cfg/.terraform/providers" -name "terraform-provider-lambda_v$E2E_PROVIDER_VERSION")
[ -n "$installed" ] || e2e_fail "provider not installed under .terraform/providers"

TF_LOG=debug e2e_expect_ok plan.out plan -no-color -input=false
e2e_grep plan.out 'using plugin: version=6' "installed provider handshakes"
e2e_grep plan.out "starting plugin: path=.terraform/providers/registry.terraform.io/lambdapack/lambda" \
    "plan runs the installed copy"
e2e_grep_not plan.out 'failed to exit gracefully' "Shutdown"
e2e_assert_clean
e2e_finish
