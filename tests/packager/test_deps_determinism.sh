#!/usr/bin/env bash
# Two installs of the same lock files, in different directories, at
# different times, with different umasks and fresh caches, give
# byte-identical packages (pip from a local wheelhouse; npm from the
# registry when npm is installed). A second build hits the cache.
# Usage: test_deps_determinism.sh BUILD_DIR
set -euo pipefail
LP="$(cd "$1" && pwd)/lambdapack"
HERE=$(cd "$(dirname "$0")" && pwd)
. "$HERE/../e2e/lib_deps.sh"
T=$(mktemp -d "${TMPDIR:-/tmp}/lp-deps-det-XXXXXX")
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL $*"; exit 1; }

deps_wheelhouse "$T/wheels" || fail "cannot build the wheelhouse"
one() { # one N UMASK: a checkout in $T/N, its own cache, a build
    local n=$1
    mkdir -p "$T/$n/app"
    cp -R "$T/wheels" "$T/$n/wheels"
    printf 'alpha==1.0\nbeta==2.0\nnat==1.0\n' >"$T/$n/app/requirements.txt"
    printf 'import alpha\n' >"$T/$n/app/handler.py"
    mkdir -p "$T/$n/node"
    cp "$HERE/data/npm-debug/package.json" "$HERE/data/npm-debug/package-lock.json" "$T/$n/node/"
    local npm_args=()
    if command -v npm >/dev/null 2>&1; then npm_args=(--npm-lock node/package-lock.json=nodejs); fi
    (cd "$T/$n" && umask "$2" && LAMBDAPACK_CACHE_DIR="$T/$n/cache" \
        "$LP" build -o out.zip --runtime python3.12 --requirements app/requirements.txt=python \
        --index-url "" --find-links wheels app) >"$T/$n.log" 2>&1 || { cat "$T/$n.log"; fail "build $n"; }
    if [ ${#npm_args[@]} -gt 0 ]; then
        (cd "$T/$n" && umask "$2" && LAMBDAPACK_CACHE_DIR="$T/$n/cache" \
            "$LP" build -o node.zip --runtime nodejs20.x "${npm_args[@]}" node/package.json) \
            >>"$T/$n.log" 2>&1 || { cat "$T/$n.log"; fail "npm build $n"; }
    fi
}
one a 022
sleep 1.1
one b 077
cmp "$T/a/out.zip" "$T/b/out.zip" || fail "pip packages differ"
echo "ok   pip: two installs give one package"
unzip -Z1 "$T/a/out.zip" >"$T/entries"
grep -qx 'python/alpha/__init__.py' "$T/entries" || fail "prefix python/ not applied"
if [ -f "$T/a/node.zip" ]; then
    cmp "$T/a/node.zip" "$T/b/node.zip" || fail "npm packages differ"
    unzip -Z1 "$T/a/node.zip" >"$T/node-entries"
    grep -qx 'nodejs/node_modules/ms/index.js' "$T/node-entries" || fail "npm prefix"
    echo "ok   npm: two installs give one package"
else
    echo "NOTE: npm not installed; npm determinism skipped"
fi
# Warm: no install runs. The tool's version is remembered per executable, so
# the shim (a new executable) is asked for it once, then nothing runs.
deps_shims "$T/shims" "$T/runs.log"
warm() {
    (cd "$T/a" && PATH="$T/shims:$PATH" LAMBDAPACK_CACHE_DIR="$T/a/cache" "$LP" build -o again.zip \
        --runtime python3.12 --requirements app/requirements.txt=python --index-url "" \
        --find-links wheels app) >/dev/null 2>&1 || fail "warm build"
}
warm
grep -q 'install' "$T/runs.log" && fail "warm build installed: $(cat "$T/runs.log")"
: >"$T/runs.log"
warm
[ ! -s "$T/runs.log" ] || fail "warm build ran: $(cat "$T/runs.log")"
cmp "$T/a/out.zip" "$T/a/again.zip" || fail "warm build differs"
echo "ok   warm build runs no tool and gives the same package"
