#!/usr/bin/env bash
# The released linux_amd64 package installs and runs where nothing of ours,
# and no libc, exists: a root that holds only the terraform binary, the packed
# mirror from dist/, a CLI config, examples/basic (one lambda_package and its
# sources), /dev/null and /tmp. Inside it (chroot, no /proc): terraform init
# installs from the mirror, plan and apply succeed, the ZIP is written and is
# the one the bundled lambdapack builds by hand; .terraform.lock.hcl records
# the provider's h1: hash (checked against tests/release/h1hash.py), and
# `terraform providers lock -fs-mirror -platform=linux_amd64
# -platform=linux_arm64` records both platforms' hashes.
. "$(dirname "$0")/lib.sh"
rel_init "$1" "$2"

tf=$(command -v terraform) || rel_fail "terraform is not on PATH"
if readelf -lW "$tf" | grep -q 'program interpreter'; then
    rel_fail "$tf is dynamically linked: the empty-root test needs a static terraform"
fi

root="$REL_WORK/root"
rel_root "$root"
mkdir -p "$root/bin" "$root/cfg"
cp "$tf" "$root/bin/terraform"
cp -R "$REL_DIST/mirror" "$root/mirror"
cp -R "$REL_SRC/examples/basic/." "$root/cfg/"
rm -rf "$root/cfg/.terraform" "$root/cfg/.terraform.lock.hcl" "$root/cfg/build" \
    "$root/cfg"/terraform.tfstate*
cat >"$root/terraformrc" <<'TFRC'
provider_installation {
  filesystem_mirror {
    path    = "/mirror"
    include = ["registry.terraform.io/lambdapack/*"]
  }
}
TFRC
# Nothing but terraform and our zips may provide a libc.
found=$(find "$root" -name 'libc.so*' -o -name 'ld-linux*' -o -name 'ld-musl*' | head -n 3)
[ -z "$found" ] || rel_fail "the empty root is not empty: $found"

# in_root OUT ARGS...: terraform ARGS inside the root, output to $REL_WORK/OUT.
in_root() {
    local out="$REL_WORK/$1"
    shift
    env -i HOME=/ PATH=/bin TMPDIR=/tmp TF_CLI_CONFIG_FILE=/terraformrc TF_IN_AUTOMATION=1 \
        CHECKPOINT_DISABLE=1 TF_INPUT=0 "$REL_CHROOT" "$root" /bin/terraform -chdir=/cfg "$@" \
        >"$out" 2>&1 || {
        cat "$out" >&2
        rel_fail "terraform $* failed inside the empty root (output above)"
    }
}

in_root init.out init -no-color -input=false
grep -q "Installing lambdapack/lambda v$REL_VERSION" "$REL_WORK/init.out" ||
    rel_fail "init did not install lambdapack/lambda v$REL_VERSION from the mirror"
in_root plan.out plan -no-color -input=false
grep -q 'lambda_package.course_request_handler will be created' "$REL_WORK/plan.out" ||
    rel_fail "plan does not create the package"
in_root apply.out apply -no-color -input=false -auto-approve
zip="$root/cfg/build/course_request_handler.zip"
[ -f "$zip" ] || rel_fail "apply wrote no ZIP"
in_root output.out output -raw output_base64sha256
want=$(openssl dgst -sha256 -binary "$zip" | base64)
[ "$(cat "$REL_WORK/output.out")" = "$want" ] ||
    rel_fail "output_base64sha256 $(cat "$REL_WORK/output.out") is not the ZIP's ($want)"

# The hand path in the same package builds the same bytes.
mkdir -p "$root/pkg"
rel_unpack linux_amd64 "$root/pkg"
env -i PATH=/bin "$REL_CHROOT" "$root" /pkg/lambdapack build -o /tmp/hand.zip \
    /cfg/src/lambda/course_request_handler=course_request_handler \
    /cfg/src/lambda/shared=shared >"$REL_WORK/hand.out" 2>&1 ||
    { cat "$REL_WORK/hand.out" >&2; rel_fail "the bundled lambdapack failed"; }
cmp "$root/tmp/hand.zip" "$zip" || rel_fail "lambdapack and the provider built different ZIPs"
rm -rf "$root/pkg"

# The lock file records the provider and its h1: hash for this platform.
lock="$root/cfg/.terraform.lock.hcl"
[ -f "$lock" ] || rel_fail "no .terraform.lock.hcl"
h1_amd64=$(python3 "$REL_SRC/tests/release/h1hash.py" "$(rel_zip linux_amd64)")
h1_arm64=$(python3 "$REL_SRC/tests/release/h1hash.py" "$(rel_zip linux_arm64)")
grep -q 'provider "registry.terraform.io/lambdapack/lambda"' "$lock" ||
    rel_fail "lock file does not name the provider"
grep -qF "\"$h1_amd64\"" "$lock" || { cat "$lock" >&2; rel_fail "lock file lacks $h1_amd64"; }

# Both platforms, from the mirror.
rm -f "$lock"
in_root lock.out providers lock -no-color -fs-mirror=/mirror \
    -platform=linux_amd64 -platform=linux_arm64
grep -qF "\"$h1_amd64\"" "$lock" || { cat "$lock" >&2; rel_fail "locked hashes lack amd64's"; }
grep -qF "\"$h1_arm64\"" "$lock" || { cat "$lock" >&2; rel_fail "locked hashes lack arm64's"; }
in_root init2.out init -no-color -input=false
in_root plan2.out plan -no-color -input=false -detailed-exitcode

echo "PASS: $REL_TEST"
