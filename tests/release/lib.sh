#!/usr/bin/env bash
# Shared helpers for the release tests. Each test sources this file and calls
# rel_init "$1" "$2" (dist dir written by `make release`, build dir for its
# scratch space). They test the artifacts users download, not the build tree:
# the zips are unpacked and run in chroots that hold nothing of this machine.
# They need root (chroot, mknod), like the rest of the suite.
set -euo pipefail

REL_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
REL_NAME_PREFIX=terraform-provider-lambda
# The cookie go-plugin's Terraform clients present (provider main.c checks it).
REL_CHROOT=$(command -v chroot)
REL_COOKIE=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2

rel_fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# rel_init DIST BUILD: checks dist/, sets REL_VERSION, REL_DIST, a fresh
# $REL_WORK and an offline, quiet Terraform environment.
rel_init() {
    REL_DIST=$(cd "${1:?usage: $0 DIST_DIR BUILD_DIR}" 2>/dev/null && pwd) ||
        rel_fail "$1 does not exist: run 'make release' first"
    local build
    build=$(cd "${2:?usage: $0 DIST_DIR BUILD_DIR}" && pwd)
    REL_VERSION=$(sed -n 's/^project(terraform-provider-lambda VERSION \([0-9][0-9.]*\) .*/\1/p' \
        "$REL_SRC/CMakeLists.txt")
    [ -n "$REL_VERSION" ] || rel_fail "no version in CMakeLists.txt"
    local z
    for z in linux_amd64 linux_arm64; do
        [ -f "$REL_DIST/${REL_NAME_PREFIX}_${REL_VERSION}_$z.zip" ] ||
            rel_fail "$REL_DIST has no ${REL_NAME_PREFIX}_${REL_VERSION}_$z.zip: run 'make release'"
    done
    [ "$(id -u)" = 0 ] || rel_fail "the release tests need root (chroot, mknod)"
    REL_TEST=$(basename "${BASH_SOURCE[1]}" .sh)
    REL_WORK="$build/release-tests/$REL_TEST"
    rel_cleanup_mounts
    rm -rf "$REL_WORK"
    mkdir -p "$REL_WORK"
    REL_MOUNTS=()
    trap rel_cleanup EXIT
    export TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
    unset TF_LOG TF_LOG_PATH TF_REATTACH_PROVIDERS TF_CLI_CONFIG_FILE TF_PLUGIN_MAGIC_COOKIE
}

# Unmounts what an earlier, interrupted run of this test left mounted.
rel_cleanup_mounts() {
    local m
    [ -d "${REL_WORK:-/nonexistent}" ] || return 0
    for m in $(awk -v w="$REL_WORK/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r); do
        umount "$m" 2>/dev/null || umount -l "$m" || true
    done
}

rel_cleanup() {
    local m
    for m in "${REL_MOUNTS[@]}"; do
        umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
    done
}

# rel_zip PLATFORM: path of the release zip for PLATFORM.
rel_zip() {
    echo "$REL_DIST/${REL_NAME_PREFIX}_${REL_VERSION}_$1.zip"
}

# rel_root DIR: makes DIR an empty root: /tmp (1777) and /dev/null only.
rel_root() {
    mkdir -p "$1/tmp" "$1/dev"
    chmod 1777 "$1/tmp"
    mknod -m 0666 "$1/dev/null" c 1 3
}

# rel_unpack PLATFORM DIR: unpacks the release zip as Terraform does (mode
# bits kept; unzip restores them from the external attributes).
rel_unpack() {
    mkdir -p "$2"
    unzip -q -o "$(rel_zip "$1")" -d "$2"
}

# rel_arm64_ready: arm64 ELF files run through qemu-user, also inside a
# chroot (binfmt_misc with the F flag: the interpreter is opened when it is
# registered, so the chroot needs no qemu). Registers Debian's handler when
# missing and leaves it registered, as systemd-binfmt does at boot. Returns
# non-zero when this machine cannot (no binfmt_misc).
rel_arm64_ready() {
    local bm=/proc/sys/fs/binfmt_misc
    [ -e "$bm/register" ] || mount -t binfmt_misc binfmt_misc "$bm" 2>/dev/null || return 1
    if [ ! -e "$bm/qemu-aarch64" ]; then
        [ -f /usr/lib/binfmt.d/qemu-aarch64.conf ] || return 1
        cat /usr/lib/binfmt.d/qemu-aarch64.conf >"$bm/register" 2>/dev/null || return 1
    fi
    grep -q '^flags:.*F' "$bm/qemu-aarch64" || return 1
    grep -qx enabled "$bm/qemu-aarch64"
}

# rel_handshake OUT CMD...: starts CMD in an empty environment but for what
# Terraform sets (cookie, protocols 5 and 6 offered, plaintext, TMPDIR=/tmp),
# waits up to 60 s for its handshake line in OUT, checks its shape, then stops
# it with SIGTERM. Prints the line.
rel_handshake() {
    local out=$1
    shift
    env -i TF_PLUGIN_MAGIC_COOKIE=$REL_COOKIE PLUGIN_PROTOCOL_VERSIONS=5,6 TMPDIR=/tmp \
        "$@" >"$out" 2>"$out.err" &
    local pid=$! _
    for _ in $(seq 1 600); do
        [ -s "$out" ] && break
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -TERM "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    [ -s "$out" ] || { cat "$out.err" >&2; rel_fail "no handshake line from $*"; }
    local core app net sock proto
    IFS='|' read -r core app net sock proto _ <"$out"
    [ "$core|$app|$net|$proto" = "1|6|unix|grpc" ] || rel_fail "bad handshake line: $(cat "$out")"
    head -n 1 "$out"
}
