#!/usr/bin/env bash
# TF_LOG_PROVIDER=debug: the provider's JSON log lines are parsed by Terraform
# and shown as "provider.terraform-provider-lambda: <message>: @module=..."
# rather than as raw JSON; at the default level our debug lines stay hidden.
. "$(dirname "$0")/lib.sh"
e2e_init "$1"
e2e_config plugin_basic
e2e_dev_overrides

TF_LOG_PROVIDER=debug e2e_expect_ok debug.out plan -no-color -input=false
e2e_grep debug.out '\[DEBUG\] provider\.terraform-provider-lambda: plugin serving: .*@module=provider\.lambda' \
    "JSON line re-logged by Terraform at its level"
e2e_grep debug.out 'provider\.terraform-provider-lambda: served RPC: .*rpc=GetProviderSchema' \
    "per-RPC debug line with fields"
e2e_grep_not debug.out '\{"@level"' "raw JSON means Terraform could not parse our line"

TF_LOG_PROVIDER=info e2e_expect_ok info.out plan -no-color -input=false
e2e_grep_not info.out 'plugin serving' "debug lines hidden at info"
e2e_assert_clean
e2e_finish
