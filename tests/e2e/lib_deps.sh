#!/usr/bin/env bash
# Helpers for the dependency tests: a local wheelhouse built with `pip wheel`
# from tiny projects (there is no PyPI here), and PATH shims that record
# every pip/npm run while delegating to the real tool.

# deps_wheel_python: a Python that has setuptools and wheel (to build wheels).
deps_wheel_python() {
    local py
    for py in python3 /usr/bin/python3; do
        if "$py" -c 'import setuptools, wheel' 2>/dev/null; then
            echo "$py"
            return 0
        fi
    done
    echo "NOTE: no Python with setuptools and wheel (scripts/install-deps.sh installs " \
        "python3-setuptools python3-wheel)" >&2
    return 1
}

# deps_project DIR NAME VERSION [REQUIRES] [PLAT] [BODY]: a one-package
# setuptools project; PLAT gives the wheel a platform tag.
deps_project() {
    local dir=$1/$2-$3 name=$2 version=$3 requires=${4:-} plat=${5:-} body=${6:-"VALUE = '$2'"}
    mkdir -p "$dir/$name"
    printf '%s\n' "$body" >"$dir/$name/__init__.py"
    cat >"$dir/setup.py" <<PY
from setuptools import setup
setup(name="$name", version="$version", packages=["$name"],
      install_requires=[r for r in "$requires".split(",") if r],
      entry_points={"console_scripts": ["$name-cli=$name:main"]})
PY
    if [ -n "$plat" ]; then
        printf '[bdist_wheel]\nplat_name = %s\n' "$plat" >"$dir/setup.cfg"
    fi
}

# deps_wheelhouse DIR: wheels of alpha 1.0 (needs beta), beta 2.0, and nat
# 1.0 twice: for manylinux_2_17_x86_64 (VALUE 'nat-2.17') and for
# manylinux_2_39_x86_64 (VALUE 'nat-2.39', newer than any Lambda glibc).
deps_wheelhouse() {
    local wh=$1 py src
    py=$(deps_wheel_python) || return 1
    src=$(mktemp -d "${TMPDIR:-/tmp}/lp-wh-XXXXXX")
    deps_project "$src" alpha 1.0 "beta==2.0"
    deps_project "$src" beta 2.0
    deps_project "$src/a" nat 1.0 "" manylinux_2_17_x86_64 "VALUE = 'nat-2.17'"
    deps_project "$src/b" nat 1.0 "" manylinux_2_39_x86_64 "VALUE = 'nat-2.39'"
    mkdir -p "$wh"
    local p
    for p in "$src"/alpha-1.0 "$src"/beta-2.0 "$src"/a/nat-1.0 "$src"/b/nat-1.0; do
        (cd "$p" && "$py" -m pip wheel -q --no-build-isolation --no-deps --no-index -w "$wh" .) \
            >/dev/null 2>&1 || { rm -rf "$src"; echo "cannot build a wheel of $p" >&2; return 1; }
    done
    rm -rf "$src"
}

# deps_shims DIR LOG: python3 and npm in DIR that append their arguments to
# LOG and run the real tools found on PATH now.
deps_shims() {
    local dir=$1 log=$2 tool real
    mkdir -p "$dir"
    for tool in python3 npm; do
        real=$(command -v "$tool") || continue
        printf '#!/bin/sh\necho "%s $*" >>"%s"\nexec "%s" "$@"\n' "$tool" "$log" "$real" \
            >"$dir/$tool"
        chmod +x "$dir/$tool"
    done
}
