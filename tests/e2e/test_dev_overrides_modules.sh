#!/usr/bin/env bash
# The documented development flow with a local module (README "Install",
# docs/index.md): under dev_overrides, `terraform init` fails ("Failed to
# query available provider packages": it still asks the registry for
# lambdapack/lambda; not run here, it would try the network), so the docs say
# to run `terraform get` instead, which installs the local module, after
# which plan and apply run the overridden build. The alternative the docs give, a filesystem mirror plus init, is
# test_plugin_mirror.sh (and, for the release zips, tests/release/).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
mkdir -p "$E2E_WORK/cfg/modules/pkg"
mv "$E2E_WORK/cfg/main.tf" "$E2E_WORK/cfg/modules/pkg/main.tf"
sed -i 's|\${path.module}/src|${path.root}/src|; s|\${path.module}/build|${path.root}/build|' \
    "$E2E_WORK/cfg/modules/pkg/main.tf"
cat >"$E2E_WORK/cfg/main.tf" <<'HCL'
terraform {
  required_providers {
    lambda = {
      source = "lambdapack/lambda"
    }
  }
}

module "pkg" {
  source = "./modules/pkg"
}
HCL
e2e_dev_overrides

# The documented flow: terraform get, then plan and apply.
e2e_expect_ok get.out get -no-color
e2e_expect_ok apply.out apply -no-color -input=false -auto-approve
e2e_grep apply.out 'Provider development overrides are in effect' "the override is used"
[ -f "$E2E_WORK/cfg/build/course_request_handler.zip" ] || e2e_fail "apply wrote no ZIP"
pkg_expect_plan plan.out 0 "a second plan is empty"
e2e_assert_clean
e2e_finish
