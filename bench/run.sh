#!/usr/bin/env bash
# Benchmarks `lambdapack build` and `lambdapack manifest` against the tools
# Lambda packages are usually built with, on one generated tree:
#   - Info-ZIP `zip -r -X -q` (level 6), run inside the tree;
#   - Python zipfile as terraform-aws-modules/lambda's package.py uses it
#     (bench/peers/py_zipfile.py);
#   - Go archive/zip as Terraform's archive_file uses it
#     (bench/peers/archive_zip.go, built here with Debian's golang-go, offline);
#   - a "read + SHA-256 every file once" baseline for the manifest (several
#     candidates, shell pipelines and bench/hash_baseline.py, are timed; the
#     fastest is the one compared against).
# Every tool runs on the same tree, interleaved round-robin, after a warm-up
# read: the page cache is warm for all of them (it cannot be dropped without
# root tricks). Wall, CPU (user+sys) and peak RSS come from /usr/bin/time;
# the median run by wall time is reported. Then it checks that every output
# holds the same files, and compares lambdapack's peak RSS on the small and
# the large tree (it should stay bounded by a constant plus the largest file).
#
# It measures and reports; it asserts nothing about speed. Exit status: 0, or
# 1 when the outputs do not hold the same files, 2 on a usage or tool error.
#
# Usage: bench/run.sh BUILD_DIR [--profile small|large] [--runs N] [--seed N]
#                     [--no-memory-check]
# Needs BUILD_DIR/lambdapack. Writes under BUILD_DIR/bench/: the cached trees,
# the outputs, raw timings and results-<profile>.json.
set -euo pipefail

die() {
    echo "bench: $*" >&2
    exit 2
}

usage() {
    echo "usage: bench/run.sh BUILD_DIR [--profile small|large] [--runs N] [--seed N]" \
        "[--no-memory-check]" >&2
    exit 2
}

[ $# -ge 1 ] || usage
case "$1" in -h | --help) usage ;; esac
BUILD_DIR=$1
shift
PROFILE=small
RUNS=3
SEED=42
MEMCHECK=1
while [ $# -gt 0 ]; do
    case "$1" in
    --profile) PROFILE=${2:?}; shift 2 ;;
    --runs) RUNS=${2:?}; shift 2 ;;
    --seed) SEED=${2:?}; shift 2 ;;
    --no-memory-check) MEMCHECK=0; shift ;;
    -h | --help) usage ;;
    *) die "unknown argument '$1'" ;;
    esac
done
case "$PROFILE" in small | large) ;; *) die "--profile must be small or large" ;; esac
case "$RUNS" in '' | *[!0-9]* | 0) die "--runs must be a positive integer" ;; esac
case "$SEED" in '' | *[!0-9]*) die "--seed must be a non-negative integer" ;; esac

HERE=$(cd "$(dirname "$0")" && pwd)
[ -d "$BUILD_DIR" ] || die "no build directory '$BUILD_DIR'"
BUILD_DIR=$(cd "$BUILD_DIR" && pwd)
LP=$BUILD_DIR/lambdapack
[ -x "$LP" ] || die "no '$LP': build it first (make build)"
PY=${PYTHON:-/usr/bin/python3}
[ -x "$PY" ] || PY=$(command -v python3) || die "python3 is needed"
TIME=/usr/bin/time
[ -x "$TIME" ] || die "GNU time is needed at $TIME (Debian package 'time')"
for tool in zip go openssl sha256sum xargs; do
    command -v "$tool" >/dev/null || die "'$tool' is needed (scripts/install-deps.sh --bench)"
done
NPROC=$(nproc)

WORK=$BUILD_DIR/bench
OUT=$WORK/out-$PROFILE
mkdir -p "$WORK" "$OUT"

# Generates (or reuses) the tree of a profile; sets TREE and TREE_INFO.
# The cache key is the generator's own hash plus its arguments, so editing
# gen-tree.py regenerates the trees.
prepare_tree() {
    local profile=$1
    local key
    key="$(sha256sum "$HERE/gen-tree.py" | cut -d' ' -f1) seed=$SEED profile=$profile"
    TREE=$WORK/tree-$profile-s$SEED
    TREE_INFO=$WORK/tree-$profile-s$SEED.json
    local stamp=$WORK/tree-$profile-s$SEED.stamp
    if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$key" ] || [ ! -d "$TREE" ]; then
        echo "bench: generating the $profile tree (seed $SEED) in $TREE" >&2
        rm -rf "$TREE" "$TREE.tmp" "$stamp"
        "$PY" "$HERE/gen-tree.py" --seed "$SEED" --profile "$profile" "$TREE.tmp" >&2
        mv "$TREE.tmp" "$TREE"
        echo "$key" >"$stamp"
    fi
    mkdir -p "$WORK/lists-$profile"
    "$PY" "$HERE/report.py" lists "$TREE" "$WORK/lists-$profile" >"$TREE_INFO"
}

# Reads every file of the tree so that all tools start from a warm cache.
warm_up() {
    xargs -0 cat <"$WORK/lists-$1/all.list0" >/dev/null
    xargs -0 cat <"$WORK/lists-$1/all.list0" >/dev/null
}

# measure RAWFILE NAME RUN OUTPUT COMMAND...: one timed run, appended to RAWFILE.
measure() {
    local raw=$1 name=$2 run=$3 output=$4
    shift 4
    [ "$output" = "-" ] || rm -f "$output"
    local tf=$WORK/time.out err=$WORK/err-$name.txt
    if ! "$TIME" -f '%e %U %S %M' -o "$tf" "$@" </dev/null >/dev/null 2>"$err"; then
        echo "bench: '$name' failed (run $run): $*" >&2
        tail -n 20 "$err" >&2
        exit 2
    fi
    echo "$name $run $(tail -n 1 "$tf")" >>"$raw"
}

prepare_tree "$PROFILE"
SRC=$TREE
MAIN_TREE_INFO=$TREE_INFO

echo "bench: building the Go peer" >&2
mkdir -p "$WORK/go"
(cd "$WORK/go" && GO111MODULE=off GOFLAGS='' GOCACHE="$WORK/go/cache" GOPATH="$WORK/go/path" \
    go build -o "$WORK/archive_zip" "$HERE/peers/archive_zip.go") ||
    die "cannot build bench/peers/archive_zip.go"

# Cold builds: a lambdapack with the store of compressed entries
# (packager/lp_store.h) is told not to use it, so that every timed build
# compresses every file (bench/perf.py times the warm store).
NOCACHE=()
"$LP" build --help 2>/dev/null | grep -q -- '--no-cache' && NOCACHE=(--no-cache)

# Does this lambdapack package everything when asked? Then it is also timed on
# exactly the peers' file set (the default excludes drop __pycache__/*.pyc).
# Found out by an untimed trial run of each form.
ALL_BUILD=0
ALL_MANIFEST=0
"$LP" build --no-default-excludes -o "$OUT/trial.zip" "$SRC" </dev/null >/dev/null 2>&1 &&
    ALL_BUILD=1
rm -f "$OUT/trial.zip"
"$LP" manifest --no-default-excludes "$SRC" </dev/null >/dev/null 2>&1 && ALL_MANIFEST=1

# name, kind, output, command: the table rows, in order.
TOOLS=$WORK/tools-$PROFILE.tsv
LALL=$WORK/lists-$PROFILE/all.list0
LDEF=$WORK/lists-$PROFILE/default.list0
{
    printf 'lambdapack_build\tlambdapack_build\t%s\t%s\n' "$OUT/lambdapack.zip" \
        "lambdapack build -o OUT SRC"
    [ $ALL_BUILD = 0 ] || printf 'lambdapack_build_all\tlambdapack_build_all\t%s\t%s\n' \
        "$OUT/lambdapack-all.zip" "lambdapack build --no-default-excludes -o OUT SRC"
    printf 'zip\tpeer\t%s\t%s\n' "$OUT/zip.zip" "cd SRC && zip -r -X -q OUT ."
    printf 'py_zipfile\tpeer\t%s\t%s\n' "$OUT/py.zip" "python3 bench/peers/py_zipfile.py SRC OUT"
    printf 'go_archive_zip\tpeer\t%s\t%s\n' "$OUT/go.zip" "archive_zip SRC OUT"
    printf 'lambdapack_manifest\tlambdapack_manifest\t-\t%s\n' "lambdapack manifest SRC >/dev/null"
    [ $ALL_MANIFEST = 0 ] || printf 'lambdapack_manifest_all\tlambdapack_manifest_all\t-\t%s\n' \
        "lambdapack manifest --no-default-excludes SRC >/dev/null"
    for set in default all; do
        printf 'hash_cat_openssl_%s\tbaseline_%s\t-\t%s\n' $set $set \
            "xargs -0 cat <LIST | openssl dgst -sha256 (one stream)"
        printf 'hash_sha256sum_%s\tbaseline_%s\t-\t%s\n' $set $set \
            "xargs -0 sha256sum <LIST (per file, one process at a time)"
        printf 'hash_sha256sum_par_%s\tbaseline_%s\t-\t%s\n' $set $set \
            "xargs -0 -P $NPROC -n 64 sha256sum <LIST (per file, $NPROC in parallel)"
        printf 'hash_python_%s\tbaseline_%s\t-\t%s\n' $set $set \
            "bench/hash_baseline.py LIST (hashlib per file, one thread)"
        printf 'hash_python_par_%s\tbaseline_%s\t-\t%s\n' $set $set \
            "bench/hash_baseline.py --threads $NPROC LIST (hashlib per file, $NPROC threads)"
    done
} >"$TOOLS"

# The sh -c scripts take their paths as arguments: single quotes on purpose.
# shellcheck disable=SC2016
run_tool() { # RAW NAME RUN
    local raw=$1 name=$2 run=$3
    case "$name" in
    lambdapack_build) measure "$raw" "$name" "$run" "$OUT/lambdapack.zip" \
        "$LP" build "${NOCACHE[@]}" -o "$OUT/lambdapack.zip" "$SRC" ;;
    lambdapack_build_all) measure "$raw" "$name" "$run" "$OUT/lambdapack-all.zip" \
        "$LP" build "${NOCACHE[@]}" --no-default-excludes -o "$OUT/lambdapack-all.zip" "$SRC" ;;
    zip) measure "$raw" "$name" "$run" "$OUT/zip.zip" \
        sh -c 'cd "$1" && exec zip -r -X -q "$2" .' sh "$SRC" "$OUT/zip.zip" ;;
    py_zipfile) measure "$raw" "$name" "$run" "$OUT/py.zip" \
        "$PY" "$HERE/peers/py_zipfile.py" "$SRC" "$OUT/py.zip" ;;
    go_archive_zip) measure "$raw" "$name" "$run" "$OUT/go.zip" \
        "$WORK/archive_zip" "$SRC" "$OUT/go.zip" ;;
    lambdapack_manifest) measure "$raw" "$name" "$run" - "$LP" manifest "$SRC" ;;
    lambdapack_manifest_all) measure "$raw" "$name" "$run" - \
        "$LP" manifest --no-default-excludes "$SRC" ;;
    hash_cat_openssl_*) measure "$raw" "$name" "$run" - \
        sh -c 'xargs -0 cat <"$1" | openssl dgst -sha256' sh "$(list_of "$name")" ;;
    hash_sha256sum_par_*) measure "$raw" "$name" "$run" - \
        sh -c 'xargs -0 -P "$2" -n 64 sha256sum <"$1"' sh "$(list_of "$name")" "$NPROC" ;;
    hash_python_par_*) measure "$raw" "$name" "$run" - \
        "$PY" "$HERE/hash_baseline.py" --threads "$NPROC" "$(list_of "$name")" ;;
    hash_python_*) measure "$raw" "$name" "$run" - \
        "$PY" "$HERE/hash_baseline.py" "$(list_of "$name")" ;;
    hash_sha256sum_*) measure "$raw" "$name" "$run" - \
        sh -c 'xargs -0 sha256sum <"$1"' sh "$(list_of "$name")" ;;
    *) die "unknown tool $name" ;;
    esac
}

list_of() {
    case "$1" in
    *_all) echo "$LALL" ;;
    *) echo "$LDEF" ;;
    esac
}

LOAD_START=$(cut -d' ' -f1-3 /proc/loadavg)
echo "bench: lambdapack = $LP; load average: $LOAD_START" >&2
echo "bench: warm-up read of every file" >&2
warm_up "$PROFILE"
RAW=$WORK/raw-$PROFILE.tsv
: >"$RAW"
for run in $(seq 1 "$RUNS"); do
    echo "bench: run $run/$RUNS" >&2
    while IFS=$'\t' read -r name _; do
        run_tool "$RAW" "$name" "$run"
    done <"$TOOLS"
done

MEM_ARGS=()
if [ $MEMCHECK = 1 ]; then
    if [ "$PROFILE" = small ]; then OTHER=large; else OTHER=small; fi
    prepare_tree "$OTHER"
    echo "bench: memory check: lambdapack build on the $OTHER tree" >&2
    warm_up "$OTHER"
    MEM_RAW=$WORK/raw-memory-$OTHER.tsv
    : >"$MEM_RAW"
    SAVED_SRC=$SRC
    SRC=$TREE
    for run in $(seq 1 "$RUNS"); do
        measure "$MEM_RAW" lambdapack_build "$run" "$WORK/out-memory.zip" \
            "$LP" build "${NOCACHE[@]}" -o "$WORK/out-memory.zip" "$SRC"
    done
    rm -f "$WORK/out-memory.zip"
    SRC=$SAVED_SRC
    MEM_ARGS=(--mem-raw "$MEM_RAW" --mem-tree "$TREE_INFO" --mem-profile "$OTHER")
fi

"$PY" "$HERE/report.py" report --tools "$TOOLS" --raw "$RAW" --tree "$MAIN_TREE_INFO" \
    --profile "$PROFILE" --seed "$SEED" --runs "$RUNS" --load-start "$LOAD_START" \
    --json "$WORK/results-$PROFILE.json" "${MEM_ARGS[@]}"
