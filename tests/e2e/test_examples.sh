#!/usr/bin/env bash
# Every example users start from works with the real terraform: the ones that
# need only this provider are applied (scripts/run-example.sh: apply, then a
# second plan that must be empty); examples/deploy-aws is validated where the
# hashicorp/aws provider is installed in a local mirror (no network here), and
# says loudly when it cannot be; all HCL is `terraform fmt` clean.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"

(cd "$E2E_REPO" && terraform fmt -check -recursive examples) >"$E2E_WORK/fmt.out" 2>&1 ||
    { cat "$E2E_WORK/fmt.out" >&2; e2e_fail "terraform fmt -check found unformatted examples"; }

for ex in basic shared-module layer migrate-from-archive-file/after; do
    log="$E2E_WORK/example-$(echo "$ex" | tr / -).out"
    "$E2E_REPO/scripts/run-example.sh" "$E2E_BUILD" "$E2E_REPO/examples/$ex" >"$log" 2>&1 ||
        { tail -n 40 "$log" >&2; e2e_fail "example $ex failed (log: $log)"; }
    grep -q 'no changes: the ZIP on disk is the one Terraform recorded' "$log" ||
        e2e_fail "example $ex: no empty second plan"
done

# The ZIP of examples/basic runs: extract it and call the handler with python3.
ex_zip="$E2E_BUILD/examples/basic/build/course_request_handler.zip"
mkdir -p "$E2E_WORK/run"
(cd "$E2E_WORK/run" && unzip -q -o "$ex_zip")
out=$(cd "$E2E_WORK/run" && python3 -c \
    'from course_request_handler.handler import lambda_handler; print(lambda_handler({"course_id": "tf-201"}, None))')
echo "$out" | grep -q 'Terraform in Practice' || e2e_fail "the basic example's handler did not run: $out"

aws_mirror=${LAMBDAPACK_AWS_MIRROR:-/opt/tf-plugins}
if [ -d "$aws_mirror/registry.terraform.io/hashicorp/aws" ]; then
    e2e_fs_mirror
    cat >"$E2E_WORK/aws.tfrc" <<TFRC
provider_installation {
  filesystem_mirror {
    path    = "$E2E_WORK/mirror"
    include = ["registry.terraform.io/lambdapack/*"]
  }
  filesystem_mirror {
    path    = "$aws_mirror"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
}
TFRC
    export TF_CLI_CONFIG_FILE="$E2E_WORK/aws.tfrc"
    pkg_example deploy-aws
    e2e_expect_ok aws-init.out init -no-color -input=false
    e2e_expect_ok aws-validate.out validate -no-color
    e2e_grep aws-validate.out 'The configuration is valid' "deploy-aws validates"
else
    echo "NOTE: examples/deploy-aws not validated: no hashicorp/aws provider under $aws_mirror" \
        "(set LAMBDAPACK_AWS_MIRROR to a filesystem mirror that has it)" >&2
fi

# examples/layer-deps: its wheels/ directory is what CI would build with
# `pip wheel`; here the test builds it (there is no PyPI) and points the
# example at it.
. "$(dirname "$0")/lib_deps.sh"
py=$(deps_wheel_python) || e2e_fail "no Python able to build wheels (scripts/install-deps.sh)"
(cd "$E2E_REPO/examples/layer-deps" &&
    "$py" -m pip wheel -q --no-build-isolation --no-deps --no-index -w "$E2E_WORK/wheels" \
        packages/textfmt) >"$E2E_WORK/wheel.out" 2>&1 ||
    { cat "$E2E_WORK/wheel.out" >&2; e2e_fail "cannot build the textfmt wheel"; }
rm -rf "$E2E_REPO/examples/layer-deps/packages/textfmt/build" \
    "$E2E_REPO/examples/layer-deps/packages/textfmt/"*.egg-info
log="$E2E_WORK/example-layer-deps.out"
TF_VAR_wheelhouse="$E2E_WORK/wheels" LAMBDAPACK_CACHE_DIR="$E2E_WORK/cache" \
    "$E2E_REPO/scripts/run-example.sh" "$E2E_BUILD" "$E2E_REPO/examples/layer-deps" >"$log" 2>&1 ||
    { tail -n 40 "$log" >&2; e2e_fail "example layer-deps failed (log: $log)"; }
grep -q 'no changes: the ZIP on disk is the one Terraform recorded' "$log" ||
    e2e_fail "example layer-deps: no empty second plan"
unzip -Z1 "$E2E_BUILD/examples/layer-deps/build/textfmt-layer.zip" >"$E2E_WORK/layer-entries"
grep -qx 'python/textfmt/__init__.py' "$E2E_WORK/layer-entries" ||
    e2e_fail "layer-deps: textfmt not under python/"

e2e_assert_clean
e2e_finish
