#!/usr/bin/env bash
# Building the release again, from scratch, in another build directory, from
# another working directory and under another umask, gives byte-identical
# zips, manifest, SHA256SUMS and mirror: nothing of the build's path, time or
# environment leaks into what users download.
. "$(dirname "$0")/lib.sh"
rel_init "$1" "$2"

out="$REL_WORK/dist"
(cd / && umask 077 && TZ=Pacific/Kiritimati "$REL_SRC/scripts/release.sh" \
    --build-root "$REL_WORK/build" --out "$out") >"$REL_WORK/release.out" 2>&1 ||
    { tail -n 40 "$REL_WORK/release.out" >&2; rel_fail "the second release build failed"; }

n=0
for f in "$REL_DIST"/"${REL_NAME_PREFIX}_${REL_VERSION}"_* \
    "$REL_DIST"/mirror/registry.terraform.io/lambdapack/lambda/*.zip; do
    case "$f" in *.sig) continue ;; esac
    rel=${f#"$REL_DIST"/}
    [ -f "$out/$rel" ] || rel_fail "the second build has no $rel"
    cmp "$f" "$out/$rel" || rel_fail "$rel differs between two builds of the release"
    n=$((n + 1))
done
[ "$n" = 6 ] || rel_fail "compared $n files, want 6 (2 zips, manifest, SHA256SUMS, 2 mirror zips)"
(cd "$out" && find . -type f | sort) >"$REL_WORK/second.list"
(cd "$REL_DIST" && find . -type f ! -name '*.sig' | sort) >"$REL_WORK/first.list"
diff "$REL_WORK/first.list" "$REL_WORK/second.list" || rel_fail "the two builds list different files"
rm -rf "$REL_WORK/build"

echo "PASS: $REL_TEST"
