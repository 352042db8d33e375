#!/usr/bin/env bash
# Two checkouts of this repository, cloned under different absolute paths with
# different umasks, their files given different mtimes and (as root) owners,
# built from different working directories with different locales: the
# packages of examples/basic are byte-identical, and so are the manifests.
# Usage: test_two_checkouts.sh BUILD_DIR
set -euo pipefail
LP="$(cd "$1" && pwd)/lambdapack"
REPO=$(cd "$(dirname "$0")/../.." && pwd)
T=$(mktemp -d "${TMPDIR:-/tmp}/lp-checkouts-XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# Clone the committed tree, then lay the working tree's examples/basic over it
# (so the test also covers uncommitted edits while developing).
(umask 022 && git clone -q --no-hardlinks "$REPO" "$T/a/first-checkout")
(umask 077 && git clone -q --no-hardlinks "$REPO" "$T/somewhere/else/entirely/second")
for c in "$T/a/first-checkout" "$T/somewhere/else/entirely/second"; do
    rm -rf "$c/examples/basic"
    cp -R "$REPO/examples/basic" "$c/examples/basic"
done
A="$T/a/first-checkout/examples/basic/src/lambda"
B="$T/somewhere/else/entirely/second/examples/basic/src/lambda"
find "$A" -exec touch -d '1999-12-31 23:59:59' {} +
find "$B" -exec touch -d '2030-06-15 12:00:00' {} +
(umask 077 && chmod -R go-rwx "$B")
if [ "$(id -u)" = 0 ]; then
    chown -R 12345:12345 "$B"
fi

(cd "$A" && LC_ALL=C "$LP" build -o "$T/one.zip" \
    course_request_handler=course_request_handler shared=shared) >/dev/null
(cd "$T" && LC_ALL=C.UTF-8 TZ=Pacific/Kiritimati "$LP" build -o "$T/two.zip" --threads 1 \
    "$B/course_request_handler=course_request_handler" "$B/shared=shared") >/dev/null

cmp "$T/one.zip" "$T/two.zip" || fail "the two checkouts gave different ZIPs"
unzip -Z1 "$T/one.zip" | grep -qx 'shared/logic/courses.py' || fail "ZIP lacks shared/logic/courses.py"
(cd "$A" && "$LP" manifest course_request_handler=course_request_handler shared=shared) >"$T/m1"
"$LP" manifest "$B/course_request_handler=course_request_handler" "$B/shared=shared" >"$T/m2"
cmp "$T/m1" "$T/m2" || fail "the two checkouts gave different manifests"
echo "PASS: two checkouts, one package ($(sha256sum <"$T/one.zip" | cut -c1-16)...)"
