#!/usr/bin/env bash
# lambdapack CLI: exit codes (0 match / 1 differences / 2 error), verify and
# diff output, --json summary, --help, error messages on stderr.
# Usage: test_cli.sh BUILD_DIR
set -u
LP="$1/lambdapack"
T=$(mktemp -d "${TMPDIR:-/tmp}/lp-cli-XXXXXX")
trap 'chmod -R u+rwX "$T" 2>/dev/null; rm -rf "$T"' EXIT
fails=0
check() { # check NAME EXPECTED_STATUS CMD...
    local name=$1 want=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; local got=$?
    if [ "$got" != "$want" ]; then
        echo "FAIL $name: exit $got, want $want"; cat "$T/out" "$T/err"; fails=$((fails + 1))
    else
        echo "ok   $name"
    fi
}
contains() { # contains NAME FILE TEXT
    if grep -qF -- "$3" "$2"; then echo "ok   $1"; else
        echo "FAIL $1: '$3' not in $2:"; cat "$2"; fails=$((fails + 1)); fi
}

mkdir -p "$T/src/course_request_handler" "$T/src/shared/logic" "$T/src/__pycache__"
printf 'from shared.logic.courses import list_courses\n' > "$T/src/course_request_handler/handler.py"
printf '' > "$T/src/shared/__init__.py"
printf '' > "$T/src/shared/logic/__init__.py"
printf 'def list_courses():\n    return []\n' > "$T/src/shared/logic/courses.py"
printf 'junk' > "$T/src/__pycache__/x.pyc"

check "help" 0 "$LP" --help
contains "help lists commands" "$T/out" "verify ZIP"
for c in build check manifest verify diff; do
    check "$c --help" 0 "$LP" "$c" --help
    contains "$c --help usage" "$T/out" "usage: lambdapack $c"
done
check "no command" 2 "$LP"
check "unknown command" 2 "$LP" frobnicate

check "build" 0 "$LP" build -o "$T/out.zip" "$T/src"
check "build --json" 0 "$LP" build -o "$T/out2.zip" --json --level 9 --threads 2 "$T/src"
python3 - "$T/out" "$T/out2.zip" "$T/src" <<'PY' || fails=$((fails + 1))
import json, sys, hashlib, base64, os
j = json.load(open(sys.argv[1]))
data = open(sys.argv[2], 'rb').read()
d = hashlib.sha256(data).digest()
assert j["output_sha256"] == d.hex(), j
assert j["output_base64sha256"] == base64.b64encode(d).decode(), j
assert j["output_size"] == len(data), j
assert j["file_count"] == 4, j
sizes = [os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(sys.argv[3])
         for f in fs if not f.endswith(".pyc")]
assert j["unzipped_size"] == sum(sizes), (j, sizes)
assert len(j["content_hash"]) == 64, j
print("ok   build --json summary matches the file")
PY
check "build same sources twice gives same bytes" 0 "$LP" build -o "$T/again.zip" "$T/src"
cmp -s "$T/out.zip" "$T/again.zip" || { echo "FAIL rebuild differs"; fails=$((fails + 1)); }

check "build without -o" 2 "$LP" build "$T/src"
check "build bad level" 2 "$LP" build -o "$T/x.zip" --level 12 "$T/src"
check "build missing source" 2 "$LP" build -o "$T/x.zip" "$T/nope"
contains "missing source message" "$T/err" "lambdapack: cannot read '$T/nope': No such file or directory"
contains "missing source summary" "$T/err" "Error: Source path does not exist"
[ -e "$T/x.zip" ] && { echo "FAIL failed build left a file"; fails=$((fails + 1)); }
check "build bad glob" 2 "$LP" build -o "$T/x.zip" --exclude '[oops' "$T/src"
contains "bad glob message" "$T/err" "invalid glob '[oops'"

# One set of options: inline sources, per-source include/exclude, FILE=PREFIX.
check "manifest inline and per-source globs" 0 "$LP" manifest \
    "$T/src/shared=lib" --source-exclude 'logic/*' \
    "$T/src/course_request_handler/handler.py=api" \
    "$T/src" --source-include 'shared/logic/*.py' \
    --content conf/settings.json='{"a": 1}'
contains "FILE=PREFIX puts the file under PREFIX" "$T/out" " api/handler.py"
contains "inline content" "$T/out" " conf/settings.json"
contains "per-source include" "$T/out" " shared/logic/courses.py"
contains "per-source exclude keeps the rest" "$T/out" " lib/__init__.py"
if grep -q " lib/logic/" "$T/out"; then echo "FAIL per-source exclude"; fails=$((fails + 1)); fi
if grep -q " course_request_handler/" "$T/out"; then echo "FAIL per-source include"; fails=$((fails + 1)); fi
check "FILE=PREFIX naming the file itself" 2 "$LP" manifest \
    "$T/src/course_request_handler/handler.py=api/handler.py"
contains "says which prefix to write" "$T/err" 'Write prefix = "api" to get api/handler.py'
check "per-source option without a source" 2 "$LP" manifest --source-include '*.py' "$T/src"
contains "per-source option message" "$T/err" "applies to the SOURCE written before it"
check "bad prefix says how to write one" 2 "$LP" manifest "$T/src=../up"
contains "prefix hint" "$T/err" "e.g. \"shared\" or \"python/lib\""

# The checks, with the resource's messages; exit 1 on errors.
H=course_request_handler.handler.lambda_handler
cp -R "$T/src" "$T/chk"
printf 'def lambda_handler(event, context):\n    return list_courses()\n' \
    >>"$T/chk/course_request_handler/handler.py"
check "check passes" 0 "$LP" check --runtime python3.12 --handler "$H" "$T/chk"
check "check without shared fails" 1 "$LP" check --runtime python3.12 --handler "$H" \
    "$T/chk/course_request_handler=course_request_handler"
contains "check message" "$T/err" "Error: Import not found in the package or the runtime"
contains "check lists the fixes" "$T/err" "external_modules"
check "not strict: a warning" 0 "$LP" check --no-strict-imports --runtime python3.12 \
    --handler "$H" "$T/chk/course_request_handler=course_request_handler"
contains "warning printed" "$T/err" "Warning: Import not found"
check "external module" 0 "$LP" check --external-module shared --runtime python3.12 \
    --handler "$H" "$T/chk/course_request_handler=course_request_handler"
check "build runs the checks" 1 "$LP" build -o "$T/nocheck.zip" --runtime python3.12 \
    --handler "$H" "$T/chk/course_request_handler=course_request_handler"
[ -e "$T/nocheck.zip" ] && { echo "FAIL a failed check wrote a ZIP"; fails=$((fails + 1)); }
check "required file" 1 "$LP" check --require shared/config.json "$T/chk"
contains "required file message" "$T/err" "shared/config.json"
check "handler under a folder" 1 "$LP" check --runtime python3.12 \
    --handler handler.lambda_handler "$T/chk"
contains "names the path that fixes it" "$T/err" "course_request_handler/handler.py"

check "manifest" 0 "$LP" manifest "$T/src"
contains "manifest lists file" "$T/out" "shared/logic/courses.py"
contains "manifest has content hash" "$T/out" "content_hash "
check "manifest --json" 0 "$LP" manifest --json "$T/src"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); assert len(j["files"])==4' "$T/out" \
    || { echo "FAIL manifest json"; fails=$((fails + 1)); }

check "verify integrity" 0 "$LP" verify "$T/out.zip"
check "verify against matching sources" 0 "$LP" verify "$T/out.zip" --against "$T/src"
contains "verify says the bytes are identical" "$T/out" "same files, identical bytes"
contains "verify prints the CodeSha256" "$T/out" "ZIP CodeSha256"
python3 - "$T/out.zip" "$T/pyzip.zip" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as a, zipfile.ZipFile(sys.argv[2], "w") as b:
    for i in a.infolist():
        data = a.read(i)
        i.compress_type = zipfile.ZIP_STORED  # same files, other bytes
        b.writestr(i, data)
PY
check "verify: same files, other bytes" 1 "$LP" verify "$T/pyzip.zip" --against "$T/src"
contains "bytes differ message" "$T/out" "same files as its sources, but the bytes differ"
check "verify --contents accepts it" 0 "$LP" verify "$T/pyzip.zip" --contents --against "$T/src"
check "--from-terraform with SOURCEs" 2 "$LP" build -o "$T/y.zip" --from-terraform a.b "$T/src"
echo '{"values":{"root_module":{"resources":[]}}}' > "$T/empty.json"
check "--from-terraform unknown address" 2 "$LP" build -o "$T/y.zip" --from-terraform \
    module.x.lambda_package.y --terraform-json "$T/empty.json"
contains "unknown address message" "$T/err" "no lambda_package at 'module.x.lambda_package.y'"
check "verify against prefixed source" 1 "$LP" verify "$T/out.zip" --against "$T/src=lib"

printf 'def list_courses():\n    return [1]\n' > "$T/src/shared/logic/courses.py"
check "verify finds a changed file" 1 "$LP" verify "$T/out.zip" --against "$T/src"
contains "changed line" "$T/out" "changed shared/logic/courses.py"
rm "$T/src/shared/logic/courses.py"
check "verify finds an extra file" 1 "$LP" verify "$T/out.zip" --against "$T/src"
contains "extra line" "$T/out" "extra shared/logic/courses.py"
check "build of the incomplete tree" 0 "$LP" build -o "$T/incomplete.zip" "$T/src"
check "verify old sources vs incomplete zip" 1 "$LP" diff "$T/out.zip" "$T/incomplete.zip"
contains "missing line" "$T/out" "missing shared/logic/courses.py"
chmod 755 "$T/src/shared/__init__.py"
check "verify finds a mode change" 1 "$LP" verify "$T/incomplete.zip" --against "$T/src"
contains "mode line" "$T/out" "mode shared/__init__.py"

check "diff identical" 0 "$LP" diff "$T/out.zip" "$T/again.zip"
check "diff missing file" 2 "$LP" diff "$T/out.zip" "$T/nope.zip"
head -c 100 "$T/out.zip" > "$T/trunc.zip"
check "verify truncated zip" 2 "$LP" verify "$T/trunc.zip"
contains "truncated message" "$T/err" "lambdapack: "

# An unreadable file: as an ordinary user directly; as root through setpriv
# to nobody (root reads everything), when nobody can run the binary.
mkdir -p "$T/locked" && printf x > "$T/locked/f" && chmod 000 "$T/locked/f"
as_user=()
if [ "$(id -u)" = 0 ]; then
    chmod 755 "$T" "$T/locked"
    if command -v setpriv >/dev/null &&
        setpriv --reuid=65534 --regid=65534 --clear-groups "$LP" --help >/dev/null 2>&1; then
        as_user=(setpriv --reuid=65534 --regid=65534 --clear-groups)
    else
        as_user=(skip)
    fi
fi
if [ "${as_user[0]:-}" != skip ]; then
    # The output's directory is writable for that user: the build reads the
    # sources as it writes the ZIP, and this case is about the source.
    mkdir -p "$T/for-nobody" && chmod 1777 "$T/for-nobody"
    check "unreadable file" 2 "${as_user[@]}" "$LP" build -o "$T/for-nobody/locked.zip" "$T/locked"
    contains "permission message" "$T/err" "lambdapack: cannot read '$T/locked/f': Permission denied"
else
    echo "skip unreadable file (nobody cannot run $LP)"
fi

# The store of compressed entries: filled by a build, left alone by --no-cache,
# the same bytes either way.
head -c 50000 /dev/zero | tr '\0' 'x' >"$T/src/shared/big.txt"
check "build --no-cache" 0 env LAMBDAPACK_STORE_DIR="$T/store" "$LP" build --no-cache \
    -o "$T/nocache.zip" "$T/src"
if [ -e "$T/store" ]; then echo "FAIL --no-cache wrote to the store"; fails=$((fails + 1)); fi
check "build fills the store" 0 env LAMBDAPACK_STORE_DIR="$T/store" "$LP" build \
    -o "$T/stored.zip" "$T/src"
check "build from the store" 0 env LAMBDAPACK_STORE_DIR="$T/store" "$LP" build \
    -o "$T/fromstore.zip" "$T/src"
if [ -n "$(find "$T/store" -type f -name '*-6' 2>/dev/null)" ] &&
    cmp -s "$T/nocache.zip" "$T/stored.zip" && cmp -s "$T/nocache.zip" "$T/fromstore.zip"; then
    echo "ok   store entries written, same ZIP with and without them"
else
    echo "FAIL store: no entries, or the ZIPs differ"; fails=$((fails + 1))
fi
rm -f "$T/src/shared/big.txt"

[ "$fails" = 0 ] && echo "all CLI checks passed" && exit 0
echo "$fails CLI check(s) failed"; exit 1
