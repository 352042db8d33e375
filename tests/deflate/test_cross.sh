#!/usr/bin/env bash
# Builds the frozen-output test (golden.c + lp_deflate.c + the seeded corpus)
# for another architecture with Debian's cross compiler, statically, and runs
# it under qemu-user: the streams must be the committed ones, byte for byte.
# arm64 is little-endian with another instruction set; s390x is big-endian.
# Usage: test_cross.sh BUILD_DIR arm64|s390x
# Needs gcc-aarch64-linux-gnu / gcc-s390x-linux-gnu and qemu-user-static
# (scripts/install-deps.sh installs them).
set -euo pipefail
BUILD_DIR=${1:?usage: test_cross.sh BUILD_DIR arm64|s390x}
ARCH=${2:?usage: test_cross.sh BUILD_DIR arm64|s390x}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
case "$ARCH" in
arm64) CC=aarch64-linux-gnu-gcc QEMU=qemu-aarch64-static ENDIAN="little endian" ;;
s390x) CC=s390x-linux-gnu-gcc QEMU=qemu-s390x-static ENDIAN="big endian" ;;
*) echo "unknown architecture '$ARCH'" >&2; exit 2 ;;
esac
for tool in "$CC" "$QEMU" readelf; do
    command -v "$tool" >/dev/null || {
        echo "FAIL: '$tool' is missing (scripts/install-deps.sh installs it)" >&2
        exit 1
    }
done
OUT=$BUILD_DIR/cross/$ARCH
mkdir -p "$OUT"
"$CC" -std=c11 -O2 -static -D_GNU_SOURCE -Wall -Wextra -Werror \
    -I"$ROOT/packager" -I"$ROOT/tests/packager" \
    "$HERE/golden.c" "$ROOT/tests/packager/testutil_corpus.c" "$ROOT/packager/lp_deflate.c" \
    "$ROOT/packager/lp_deflate_block.c" \
    -o "$OUT/deflate_golden"
readelf -h "$OUT/deflate_golden" | grep -q "$ENDIAN" || {
    echo "FAIL: $OUT/deflate_golden is not $ENDIAN" >&2
    exit 1
}
echo "built $OUT/deflate_golden: $(readelf -h "$OUT/deflate_golden" | sed -n 's/ *Machine: *//p'), $ENDIAN"
"$QEMU" "$OUT/deflate_golden" "$HERE/golden-deflate.txt"
