#!/usr/bin/env bash
# The packager's unit tests (tests/packager/test_*.c, cmocka) and the ZIP
# golden test built for another architecture with Debian's cross compiler
# and run under qemu-user: arm64 (little-endian, another instruction set) and
# s390x (big-endian) must pass them and write the committed ZIP bytes.
#   build: configures and builds BUILD_DIR/cross/ARCH/packager, the packager
#          alone (LP_PACKAGER_ONLY) with toolchain-ARCH.cmake;
#   unit:  runs every cmocka program there under qemu (the inner ctest's
#          emulator), all but the ZIP golden test;
#   zip-golden: runs the ZIP golden test alone
#          (test_deflate.c: corpus_zip_bytes_are_frozen_at_every_level).
# The script tests of tests/packager (*.sh) are not run: they drive the
# lambdapack binary, pip, npm and unzip as host programs.
# Usage: test_packager_cross.sh build|unit|zip-golden BUILD_DIR arm64|s390x
# Needs the cross compilers, qemu-user-static and the sysroots
# LP_CROSS_ROOT/ARCH (default /opt/lambdapack-cross): scripts/install-deps.sh.
set -euo pipefail
usage="usage: test_packager_cross.sh build|unit|zip-golden BUILD_DIR arm64|s390x"
MODE=${1:?$usage}
BUILD_DIR=${2:?$usage}
ARCH=${3:?$usage}
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
SYSROOT=${LP_CROSS_ROOT:-/opt/lambdapack-cross}/$ARCH
OUT=$BUILD_DIR/cross/$ARCH/packager
GOLDEN=corpus_zip_bytes_are_frozen_at_every_level
case "$ARCH" in
arm64) CC=aarch64-linux-gnu-gcc QEMU=qemu-aarch64-static ENDIAN="little endian" ;;
s390x) CC=s390x-linux-gnu-gcc QEMU=qemu-s390x-static ENDIAN="big endian" ;;
*) echo "unknown architecture '$ARCH'" >&2; exit 2 ;;
esac
fail() {
    echo "FAIL: $*" >&2
    exit 1
}

# The cmocka programs, one per tests/packager/test_*.c.
programs=()
for src in "$ROOT"/tests/packager/test_*.c; do
    programs+=("packager_$(basename "$src" .c)")
done
only_programs="^($(IFS='|'; echo "${programs[*]}"))\$"

case "$MODE" in
build)
    for tool in "$CC" "$QEMU" readelf; do
        command -v "$tool" >/dev/null || fail "'$tool' is missing (scripts/install-deps.sh installs it)"
    done
    [ -f "$SYSROOT/.lambdapack-sysroot" ] ||
        fail "no $ARCH sysroot at $SYSROOT (scripts/install-deps.sh makes it)"
    mkdir -p "$OUT"
    cmake -S "$ROOT" -B "$OUT" -DCMAKE_TOOLCHAIN_FILE="$HERE/toolchain-$ARCH.cmake" \
        -DLP_CROSS_SYSROOT="$SYSROOT" -DLP_PACKAGER_ONLY=ON -DLP_WERROR=ON \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo >"$OUT.configure.log" 2>&1 ||
        { cat "$OUT.configure.log" >&2; fail "cannot configure the $ARCH build"; }
    cmake --build "$OUT" -j 2 --target "${programs[@]}"
    readelf -h "$OUT/packager_test_deflate" | grep -q "$ENDIAN" ||
        fail "$OUT/packager_test_deflate is not $ENDIAN"
    echo "built ${#programs[@]} test programs in $OUT:" \
        "$(readelf -h "$OUT/packager_test_deflate" | sed -n 's/ *Machine: *//p'), $ENDIAN"
    ;;
unit)
    cd "$OUT"
    LP_TEST_SKIP=$GOLDEN ctest --output-on-failure -j 2 --timeout 900 -R "$only_programs"
    # Every program ran: a test missing from the build fails here.
    n=$(ctest -N -R "$only_programs" | sed -n 's/^Total Tests: //p')
    [ "$n" = "${#programs[@]}" ] || fail "$n of ${#programs[@]} test programs are registered"
    ;;
zip-golden)
    cd "$OUT"
    LP_TEST_ONLY=$GOLDEN ctest --output-on-failure -V --timeout 900 -R '^packager_test_deflate$' |
        tee "$OUT/zip-golden.log"
    grep -q "OK \] $GOLDEN" "$OUT/zip-golden.log" || fail "$GOLDEN did not run"
    ;;
*) fail "$usage" ;;
esac
