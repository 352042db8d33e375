#!/usr/bin/env bash
# Runs the real terraform on one of examples/ with the provider just built.
# Usage: scripts/run-example.sh BUILD_DIR EXAMPLE_DIR
#
# The example is copied to BUILD_DIR/examples/NAME (the source tree stays clean),
# Terraform is pointed at BUILD_DIR through a dev_overrides CLI config (no
# network, no registry), then: apply, show the package, and a second plan that
# must report no changes.
set -euo pipefail

build=$(cd "${1:?usage: run-example.sh BUILD_DIR EXAMPLE_DIR}" && pwd)
example=$(cd "${2:?usage: run-example.sh BUILD_DIR EXAMPLE_DIR}" && pwd)
name=$(basename "$example")

if ! command -v terraform >/dev/null 2>&1; then
    echo "run-example: terraform is not on PATH; install Terraform >= 1.11 first" >&2
    exit 1
fi
[ -x "$build/terraform-provider-lambda" ] || {
    echo "run-example: $build/terraform-provider-lambda is missing; run make build" >&2
    exit 1
}

work="$build/examples/$name"
rm -rf "$work"
mkdir -p "$work"
cp -R "$example"/. "$work"/
rm -rf "$work/.terraform" "$work/build" "$work"/terraform.tfstate*

cat >"$build/example.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "lambdapack/lambda" = "$build"
  }
  direct {}
}
TFRC
export TF_CLI_CONFIG_FILE="$build/example.tfrc" TF_IN_AUTOMATION=1
cd "$work"

echo "== terraform apply ($name, provider from $build)"
terraform apply -auto-approve -no-color -input=false
echo
echo "== the package"
terraform output -no-color
echo
echo "== a second plan must find nothing to do"
set +e
terraform plan -detailed-exitcode -no-color -input=false >"$work/second-plan.txt" 2>&1
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
    cat "$work/second-plan.txt"
    echo "run-example: second plan was not empty (exit $rc)" >&2
    exit 1
fi
echo "no changes: the ZIP on disk is the one Terraform recorded"
