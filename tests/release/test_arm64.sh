#!/usr/bin/env bash
# The released linux_arm64 package runs on arm64 (here: qemu-user through
# binfmt_misc) from a chroot that holds only the unpacked package, /dev/null
# and /tmp: the provider prints its go-plugin handshake line, and the bundled
# lambdapack builds examples/basic into a ZIP byte-identical to the one the
# amd64 package builds. Then the arm64 provider itself, started by the real
# terraform (dev_overrides pointing at the unpacked arm64 package), plans and
# applies examples/basic and writes that same ZIP.
. "$(dirname "$0")/lib.sh"
rel_init "$1" "$2"

rel_arm64_ready || rel_fail "cannot run arm64 binaries: binfmt_misc with qemu-aarch64 (F flag) \
is not available; scripts/install-deps.sh --release installs qemu-user-static"

# make_root PLATFORM DIR: the package unpacked at DIR/pkg, the example's
# sources at DIR/src, nothing else.
make_root() {
    rel_root "$2"
    rel_unpack "$1" "$2/pkg"
    mkdir -p "$2/src"
    cp -R "$REL_SRC/examples/basic/src/." "$2/src/"
}
arm="$REL_WORK/arm64"
amd="$REL_WORK/amd64"
make_root linux_arm64 "$arm"
make_root linux_amd64 "$amd"
launcher="/pkg/${REL_NAME_PREFIX}_v$REL_VERSION"
file_out=$(readelf -hW "$arm$launcher" | sed -n 's/ *Machine: *//p')
[ "$file_out" = AArch64 ] || rel_fail "the arm64 package's launcher is for '$file_out'"
readelf -hW "$arm/pkg/libexec/$REL_NAME_PREFIX" | grep -q 'Machine: *AArch64' ||
    rel_fail "the arm64 package's provider is not an AArch64 binary"

line=$(rel_handshake "$REL_WORK/handshake.out" "$REL_CHROOT" "$arm" "$launcher")
echo "arm64 handshake: $line"
env -i "$REL_CHROOT" "$arm" "$launcher" --version >"$REL_WORK/version.out" 2>&1 ||
    rel_fail "--version failed under qemu: $(cat "$REL_WORK/version.out")"
grep -q "^$REL_NAME_PREFIX $REL_VERSION" "$REL_WORK/version.out" || rel_fail "bad --version"

# hand_build ROOT: the bundled lambdapack builds examples/basic in ROOT.
hand_build() {
    env -i PATH=/ "$REL_CHROOT" "$1" /pkg/lambdapack build -o /tmp/golden.zip \
        /src/lambda/course_request_handler=course_request_handler /src/lambda/shared=shared \
        >"$1.build.out" 2>&1 || { cat "$1.build.out" >&2; rel_fail "lambdapack failed in $1"; }
}
hand_build "$arm"
hand_build "$amd"
cmp "$arm/tmp/golden.zip" "$amd/tmp/golden.zip" ||
    rel_fail "the arm64 and amd64 lambdapack built different ZIPs"

# The arm64 provider under the real terraform (which only runs it: nothing of
# this test's host terraform is inside the package).
cfg="$REL_WORK/cfg"
mkdir -p "$cfg"
cp -R "$REL_SRC/examples/basic/." "$cfg/"
rm -rf "$cfg/.terraform" "$cfg/.terraform.lock.hcl" "$cfg/build" "$cfg"/terraform.tfstate*
cat >"$REL_WORK/dev.tfrc" <<TFRC
provider_installation {
  dev_overrides {
    "lambdapack/lambda" = "$arm/pkg"
  }
  direct {}
}
TFRC
tmp=$(mktemp -d /tmp/rel-arm64.XXXXXX)
rc=0
(cd "$cfg" && TF_CLI_CONFIG_FILE="$REL_WORK/dev.tfrc" TMPDIR=$tmp TF_LOG=debug \
    terraform apply -no-color -input=false -auto-approve) >"$REL_WORK/apply.out" 2>&1 || rc=$?
rm -rf "$tmp"
[ "$rc" = 0 ] || { tail -n 60 "$REL_WORK/apply.out" >&2; rel_fail "apply with the arm64 provider failed"; }
grep -qF "starting plugin: path=$arm/pkg/${REL_NAME_PREFIX}_v$REL_VERSION" "$REL_WORK/apply.out" ||
    rel_fail "terraform did not start the arm64 package's provider"
cmp "$cfg/build/course_request_handler.zip" "$amd/tmp/golden.zip" ||
    rel_fail "the arm64 provider's ZIP differs from the amd64 golden ZIP"

echo "PASS: $REL_TEST"
