#!/usr/bin/env bash
# Installs, with apt-get, every Debian package that the build, the tests and the
# benchmarks need. Installs only what is missing; does nothing when all is there.
# Usage: scripts/install-deps.sh [--bench] [--release]
set -euo pipefail

packages=(
    build-essential cmake pkg-config clang clang-format
    libgrpc-dev libprotobuf-c-dev protobuf-c-compiler
    libzip-dev libssl-dev libmsgpack-dev libjansson-dev libdeflate-dev zlib1g-dev
    libcmocka-dev libclang-rt-14-dev
    zip unzip python3 openssl git util-linux coreutils
    python3-pip python3-setuptools python3-wheel python3-venv
)
# The dependency tests run npm (lambda_package dependencies). A Node.js from
# elsewhere (e.g. NodeSource, which bundles npm) is fine; only when no npm is
# on PATH do we install Debian's nodejs and npm.
if ! command -v npm >/dev/null 2>&1; then
    packages+=(nodejs npm)
fi
if [ "${1:-}" = "--bench" ]; then
    packages+=(golang-go time openssl linux-perf)
fi

# --release (make release, make test): the arm64 cross toolchain and the
# multiarch :arm64 libraries the provider links, qemu-user for the arm64
# test, gpg for signing, binutils (readelf) for the library closure, and the
# cross libstdc++ the serving program's static gRPC (C++) links with.
case " $* " in
*" --release "*)
    packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross libstdc++-12-dev-arm64-cross
        qemu-user-static gnupg binutils)
    for p in libgrpc-dev libprotobuf-c-dev libzip-dev libssl-dev libmsgpack-dev \
        libjansson-dev libdeflate-dev libcmocka-dev zlib1g-dev; do
        packages+=("$p:arm64")
    done
    ;;
esac

# The cross-architecture proof of the frozen deflate bytes (make test runs
# tests/deflate/test_cross.sh): static builds for arm64 and for big-endian
# s390x, run under qemu-user; they need no multiarch libraries.
packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross gcc-s390x-linux-gnu libc6-dev-s390x-cross
    qemu-user-static binutils)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: installing ${missing[*]}" >&2
    if printf '%s\n' "${missing[@]}" | grep -q ':arm64$' &&
        ! dpkg --print-foreign-architectures | grep -qx arm64; then
        $sudo dpkg --add-architecture arm64
    fi
    $sudo apt-get update -qq
    $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The packager's unit tests and ZIP golden test for arm64 and s390x
# (tests/cross) link the packager's libraries built for those targets. They
# are not installed as multiarch packages: bookworm-security carries no
# s390x, so libssl-dev:s390x and zlib1g-dev:s390x lag the amd64 versions and
# Multi-Arch: same forbids installing both. Instead the target's Debian
# packages are fetched (apt-get download) and unpacked (dpkg-deb -x) into a
# sysroot per architecture, LP_CROSS_ROOT/<arch>; dpkg's own state is left
# alone. libc comes from libc6-dev-<arch>-cross above. A sysroot whose stamp
# lists these packages is kept as it is.
cross_root=${LP_CROSS_ROOT:-/opt/lambdapack-cross}
cross_libs=(libzip4 libzip-dev libbz2-1.0 libssl3 libssl-dev zlib1g zlib1g-dev
    libdeflate0 libdeflate-dev libjansson4 libjansson-dev libcmocka0 libcmocka-dev)

# cross_sysroot ARCH: makes (or keeps) cross_root/ARCH.
cross_sysroot() {
    local arch=$1 root=$cross_root/$1 want tmp deb link target
    want=$(printf '%s\n' "${cross_libs[@]}")
    if [ -f "$root/.lambdapack-sysroot" ] && [ "$(cat "$root/.lambdapack-sysroot")" = "$want" ]; then
        return 0
    fi
    echo "install-deps: unpacking ${cross_libs[*]} for $arch into $root" >&2
    if ! dpkg --print-foreign-architectures | grep -qx "$arch"; then
        $sudo dpkg --add-architecture "$arch"
        $sudo apt-get update -qq
    fi
    $sudo mkdir -p "$cross_root"
    tmp=$($sudo mktemp -d "$cross_root/.new-$arch.XXXXXX")
    $sudo chmod 755 "$tmp"
    $sudo mkdir -p "$tmp/debs" "$tmp/root"
    # The package lists of a foreign architecture may be missing or stale.
    fetch() {
        (cd "$tmp/debs" && $sudo apt-get download -qq -o APT::Sandbox::User=root \
            "${cross_libs[@]/%/:$arch}")
    }
    fetch || { $sudo apt-get update -qq && fetch; }
    for deb in "$tmp"/debs/*.deb; do
        $sudo dpkg-deb -x "$deb" "$tmp/root"
    done
    # Absolute links (libz.so -> /lib/<triplet>/libz.so.1...) point into
    # the sysroot instead, relatively, so the tree can be moved.
    while IFS= read -r link; do
        target=$(readlink "$link")
        case "$target" in
        /*) $sudo ln -sfn "$(realpath -m --relative-to="$(dirname "$link")" "$tmp/root$target")" "$link" ;;
        esac
    done < <(find "$tmp/root" -type l)
    printf '%s\n' "$want" | $sudo tee "$tmp/root/.lambdapack-sysroot" >/dev/null
    $sudo rm -rf "$root"
    $sudo mv "$tmp/root" "$root"
    $sudo rm -rf "$tmp"
}
cross_sysroot arm64
cross_sysroot s390x
