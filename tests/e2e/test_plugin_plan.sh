#!/usr/bin/env bash
# terraform plan with the provider found through dev_overrides: the go-plugin
# handshake with AutoMTLS succeeds, every provider process Terraform starts
# exits after Shutdown (no "failed to exit gracefully", no SIGKILL), and no
# process or socket directory is left. Then the same with TLS disabled by
# Terraform (TF_DISABLE_PLUGIN_TLS), where the provider must serve plaintext.
. "$(dirname "$0")/lib.sh"
e2e_init "$1"
e2e_config plugin_basic
e2e_dev_overrides

TF_LOG=debug e2e_expect_ok plan.out plan -no-color -input=false
e2e_grep plan.out 'using plugin: version=6' "protocol 6 negotiated"
e2e_grep plan.out 'plugin serving: .*tls=true' "provider served TLS"
e2e_grep plan.out 'No changes' "plan result"
e2e_grep_not plan.out 'failed to exit gracefully' "Shutdown must end the process"
e2e_grep_not plan.out 'Unrecognized remote plugin message' "handshake"
e2e_grep_not plan.out 'tls: |x509: |transport: authentication handshake failed' "TLS errors"
started=$(grep -c 'provider: plugin started' "$E2E_WORK/plan.out" || true)
exited=$(grep -c 'provider: plugin process exited' "$E2E_WORK/plan.out" || true)
[ "$started" -ge 1 ] || e2e_fail "no provider process was started"
[ "$started" = "$exited" ] || e2e_fail "$started provider processes started, $exited exited"
e2e_grep_not plan.out 'plugin process exited: .*error=' "provider exit status must be 0"
e2e_assert_clean

TF_DISABLE_PLUGIN_TLS=1 TF_LOG=debug e2e_expect_ok plain.out plan -no-color -input=false
e2e_grep plain.out 'plugin serving: .*tls=false' "provider served plaintext when asked"
e2e_grep_not plain.out 'failed to exit gracefully' "Shutdown without TLS"
e2e_assert_clean
e2e_finish
