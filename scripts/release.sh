#!/usr/bin/env bash
# Builds the release: one self-contained provider package per platform, the
# Registry's manifest, SHA256SUMS (and its detached signature when GPG_KEY
# names a key) and a packed filesystem mirror, all under OUT (default dist/).
#
#   scripts/release.sh [--out DIR] [--build-root DIR] [--platform linux_amd64|linux_arm64]...
#   GPG_KEY=<key id or fingerprint> scripts/release.sh     # also signs SHA256SUMS
#   GPG_KEY=... scripts/release.sh --sign-only [--out DIR]  # signs an existing release
#
# VERSION comes from one place: project(... VERSION x.y.z) in CMakeLists.txt.
# Each zip holds, at the top level, the launcher terraform-provider-lambda_vVERSION
# (static; release/launcher.c) and lambdapack (the same launcher for the CLI),
# then libexec/ (the real programs: the provider's front binary, its serving
# program and the CLI), lib/ (every shared library they need and the dynamic
# loader) and licenses/ (the Debian copyright file of each bundled library and
# of each library linked in statically). Layout and reasons:
# docs/guides/releasing.md.
#
# Reproducible: the same tree on the same machine gives byte-identical zips
# and SHA256SUMS (paths are mapped out with -ffile-prefix-map, binaries are
# stripped, the zips are written by our own deterministic writer). The
# signature is not: GPG puts the signing time in it.
#
# Runs on an amd64 Debian machine; linux_arm64 is cross-compiled with Debian's
# gcc-aarch64-linux-gnu against multiarch :arm64 libraries. `make release`
# installs all of it first (scripts/install-deps.sh --release).
set -euo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
out="$src/dist"
build_root="$src/build-release"
platforms=()
sign_only=0
while [ $# -gt 0 ]; do
    case "$1" in
    --out) out=$2; shift 2 ;;
    --build-root) build_root=$2; shift 2 ;;
    --platform) platforms+=("$2"); shift 2 ;;
    --sign-only) sign_only=1; shift ;;
    -h | --help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "release: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ ${#platforms[@]} -gt 0 ] || platforms=(linux_amd64 linux_arm64)

die() {
    echo "release: $*" >&2
    exit 1
}

version=$(sed -n 's/^project(terraform-provider-lambda VERSION \([0-9][0-9.]*\) .*/\1/p' \
    "$src/CMakeLists.txt")
[ -n "$version" ] || die "no project(... VERSION x.y.z) in CMakeLists.txt"
name=terraform-provider-lambda
# The provider's serving program, which libexec/$name runs to serve
# (provider/CMakeLists.txt); it goes into libexec/ beside it.
serve_prog=$name-serve
sums="${name}_${version}_SHA256SUMS"
export LC_ALL=C TZ=UTC SOURCE_DATE_EPOCH=0

# check_key: GPG_KEY names a secret RSA (or DSA) key, the only kinds the
# Registry accepts; checked before anything is built.
check_key() {
    local algo
    algo=$(gpg --batch --with-colons --list-secret-keys "$GPG_KEY" 2>/dev/null |
        awk -F: '$1 == "sec" { print $4; exit }')
    [ -n "$algo" ] || die "GPG_KEY=$GPG_KEY: no such secret key"
    [ "$algo" = 1 ] || [ "$algo" = 17 ] ||
        die "GPG_KEY=$GPG_KEY is not an RSA or DSA key (algorithm $algo): the Registry rejects it"
}

# sign: the binary (not armored) detached signature of SHA256SUMS, after
# checking that SHA256SUMS still matches the files it lists.
sign() {
    (cd "$out" && sha256sum --quiet -c "$sums") || die "$out/$sums does not match the files"
    gpg --batch --yes --local-user "$GPG_KEY" --detach-sign \
        --output "$out/$sums.sig" "$out/$sums"
    echo "release: $out/$sums.sig" >&2
}

if [ -n "${GPG_KEY:-}" ]; then
    check_key
fi
if [ "$sign_only" = 1 ]; then
    [ -n "${GPG_KEY:-}" ] || die "--sign-only needs GPG_KEY"
    [ -f "$out/$sums" ] || die "no $out/$sums to sign: build the release first"
    sign
    exit 0
fi

# Per platform: compiler, strip, multiarch directory, loader and CMake flags.
platform_vars() {
    case "$1" in
    linux_amd64)
        cc=gcc strip=strip triplet=x86_64-linux-gnu toolchain=() ;;
    linux_arm64)
        cc=aarch64-linux-gnu-gcc strip=aarch64-linux-gnu-strip triplet=aarch64-linux-gnu
        toolchain=(-DCMAKE_TOOLCHAIN_FILE="$src/release/toolchain-linux-arm64.cmake") ;;
    *) die "unsupported platform $1 (linux_amd64, linux_arm64)" ;;
    esac
    command -v "$cc" >/dev/null || die "$cc not found: run scripts/install-deps.sh --release"
}

# build_programs PLATFORM BUILD_DIR: the provider and the CLI, optimized.
# -ffile-prefix-map keeps the checkout's path out of the binaries.
build_programs() {
    local bdir=$2
    cmake -S "$src" -B "$bdir" "${toolchain[@]}" -DCMAKE_BUILD_TYPE=Release -DLP_WERROR=ON \
        -DCMAKE_C_FLAGS="-ffile-prefix-map=$src=. -ffile-prefix-map=$bdir=build" >/dev/null
    cmake --build "$bdir" -j "$(nproc)" --target "$name" lambdapack >/dev/null
    [ -f "$bdir/$serve_prog" ] || die "$bdir/$serve_prog was not built"
}

# needed FILE: the DT_NEEDED names of an ELF file, any architecture.
needed() {
    readelf -dW "$1" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'
}

# find_lib NAME: the path of a shared library for $triplet.
find_lib() {
    local d
    for d in "/lib/$triplet" "/usr/lib/$triplet" /lib /usr/lib; do
        if [ -e "$d/$1" ]; then
            echo "$d/$1"
            return 0
        fi
    done
    return 1
}

# bundle_libs LIBDIR ELF...: copies the transitive closure of the ELF files'
# shared libraries into LIBDIR, and prints one Debian package name per library.
bundle_libs() {
    local libdir=$1
    shift
    local -a queue=("$@")
    local -A seen=()
    while [ ${#queue[@]} -gt 0 ]; do
        local f=${queue[0]}
        queue=("${queue[@]:1}")
        local lib path
        for lib in $(needed "$f"); do
            [ -z "${seen[$lib]:-}" ] || continue
            seen[$lib]=1
            path=$(find_lib "$lib") || die "$f needs $lib, which is not installed for $triplet"
            cp -L "$path" "$libdir/$lib"
            chmod 0644 "$libdir/$lib"
            queue+=("$libdir/$lib")
            owner_package "$path"
        done
    done
}

# owner_package PATH: the Debian package that ships PATH (usr-merge aware).
owner_package() {
    local p real
    real=$(readlink -f "$1")
    for p in "$1" "$real" "${1#/usr}" "${real#/usr}" "/usr${1#/usr}" "/usr${real#/usr}"; do
        if dpkg -S "$p" >/dev/null 2>&1; then
            dpkg -S "$p" 2>/dev/null | head -n 1 | cut -d: -f1
            return 0
        fi
    done
    echo "release: note: no Debian package owns $1; no licence file bundled for it" >&2
}

# stage PLATFORM BUILD_DIR STAGE: lays the package out in STAGE.
stage() {
    local bdir=$2 pkg=$3
    rm -rf "$pkg"
    mkdir -p "$pkg/libexec" "$pkg/lib" "$pkg/licenses"
    local prog
    for prog in "$name" "$serve_prog" lambdapack; do
        "$strip" --strip-all -o "$pkg/libexec/$prog" "$bdir/$prog"
        chmod 0755 "$pkg/libexec/$prog"
    done

    local interp
    interp=$(readelf -lW "$pkg/libexec/$name" |
        sed -n 's/.*Requesting program interpreter: \(.*\)\]$/\1/p')
    [ -n "$interp" ] || die "no program interpreter in $name"
    local loader
    loader="lib/$(basename "$interp")"
    cp -L "$interp" "$pkg/$loader" 2>/dev/null || cp -L "$(find_lib "$(basename "$interp")")" \
        "$pkg/$loader" || die "cannot copy the loader $interp"

    local pkgs archive
    pkgs=$(
        bundle_libs "$pkg/lib" "$pkg/libexec/$name" "$pkg/libexec/$serve_prog" \
            "$pkg/libexec/lambdapack"
        # The libraries linked into the serving program from static archives
        # (provider/tfp/CMakeLists.txt, tfp_grpc) need their licences too.
        while IFS= read -r archive; do
            [ -z "$archive" ] || owner_package "$archive"
        done <"$bdir/tfp-static-archives.txt"
    )
    pkgs=$(sort -u <<<"$pkgs")
    chmod 0755 "$pkg/$loader" # libc.so.6 needs it too: bundle_libs copied it again
    local p
    for p in $pkgs; do
        [ -f "/usr/share/doc/$p/copyright" ] && cp "/usr/share/doc/$p/copyright" \
            "$pkg/licenses/$p.copyright"
    done
    cp "$src/release/PACKAGE-README.txt" "$pkg/README.txt"

    # The launchers: static, tiny, one per program.
    local -a cflags=(-std=c11 -D_GNU_SOURCE -Os -static -s -Wall -Wextra -Werror
        "-I$src/provider/tfp"
        "-ffile-prefix-map=$src=." -DLAUNCH_LOADER="\"$loader\"")
    "$cc" "${cflags[@]}" -DLAUNCH_TARGET="\"libexec/$name\"" \
        -o "$pkg/${name}_v$version" "$src/release/launcher.c"
    "$cc" "${cflags[@]}" -DLAUNCH_TARGET='"libexec/lambdapack"' \
        -o "$pkg/lambdapack" "$src/release/launcher.c"
    chmod 0755 "$pkg/${name}_v$version" "$pkg/lambdapack"
}

mkdir -p "$out"
rm -rf "$out/mirror"
rm -f "$out/${name}_${version}"_*
mirror="$out/mirror/registry.terraform.io/lambdapack/lambda"
mkdir -p "$mirror"

# The zips are written by our own deterministic writer, built for this host.
platform_vars linux_amd64
build_programs linux_amd64 "$build_root/linux_amd64"
lambdapack="$build_root/linux_amd64/lambdapack"

assets=()
for plat in "${platforms[@]}"; do
    platform_vars "$plat"
    bdir="$build_root/$plat"
    [ "$plat" = linux_amd64 ] || build_programs "$plat" "$bdir"
    stage "$plat" "$bdir" "$build_root/stage/$plat"
    zip="${name}_${version}_${plat}.zip"
    "$lambdapack" build --no-default-excludes --level 9 -o "$out/$zip" \
        "$build_root/stage/$plat" >/dev/null
    cp "$out/$zip" "$mirror/$zip"
    assets+=("$zip")
    echo "release: $out/$zip ($(stat -c %s "$out/$zip") bytes)" >&2
done

# Smoke check: the packaged amd64 provider runs and reports this version.
if [ -x "$build_root/stage/linux_amd64/${name}_v$version" ]; then
    got=$("$build_root/stage/linux_amd64/${name}_v$version" --version | head -n 1)
    case "$got" in
    "$name $version" | "$name $version "*) ;;
    *) die "packaged provider says '$got', want '$name $version ...'" ;;
    esac
fi

manifest="${name}_${version}_manifest.json"
printf '%s' '{"version":1,"metadata":{"protocol_versions":["6.0"]}}' >"$out/$manifest"
assets+=("$manifest")

(cd "$out" && printf '%s\n' "${assets[@]}" | sort | xargs sha256sum) >"$out/$sums"
echo "release: $out/$sums" >&2

if [ -n "${GPG_KEY:-}" ]; then
    sign
fi
