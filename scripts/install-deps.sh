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
# test, gpg for signing, binutils (readelf) for the library closure.
case " $* " in
*" --release "*)
    packages+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user-static gnupg binutils)
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
[ ${#missing[@]} -eq 0 ] && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
if printf '%s\n' "${missing[@]}" | grep -q ':arm64$' &&
    ! dpkg --print-foreign-architectures | grep -qx arm64; then
    $sudo dpkg --add-architecture arm64
fi
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
