#!/usr/bin/env bash
# Our ZIPs are read by Python's zipfile, Info-ZIP's unzip -t and libzip
# (lambdapack verify), and extraction keeps the modes.
# Usage: test_interop.sh BUILD_DIR
set -euo pipefail
LP="$1/lambdapack"
T=$(mktemp -d "${TMPDIR:-/tmp}/lp-interop-XXXXXX")
trap 'rm -rf "$T"' EXIT

mkdir -p "$T/src/pkg/sub" "$T/src/bin"
printf 'print("hello")\n' > "$T/src/pkg/__init__.py"
head -c 200000 /dev/zero | tr '\0' 'a' > "$T/src/pkg/sub/big.txt"
printf '' > "$T/src/pkg/sub/empty.txt"
printf '#!/bin/sh\necho run\n' > "$T/src/bin/run" && chmod 755 "$T/src/bin/run"
printf 'caf\xc3\xa9\n' > "$T/src/pkg/caf$(printf '\xc3\xa9').txt"

for level in 0 6 9; do
    "$LP" build -o "$T/out$level.zip" --level "$level" "$T/src" >/dev/null
    python3 - "$T/out$level.zip" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None
names = z.namelist()
assert names == sorted(names, key=lambda s: s.encode()), names
for i in z.infolist():
    assert i.date_time == (1980, 1, 1, 0, 0, 0), i
    assert i.create_system == 3, i
    assert i.extra == b"", i
    mode = i.external_attr >> 16
    assert mode in (0o100644, 0o100755), oct(mode)
assert (z.getinfo("bin/run").external_attr >> 16) == 0o100755
assert z.read("pkg/sub/big.txt") == b"a" * 200000
print("ok   python zipfile reads", sys.argv[1])
PY
    unzip -tq "$T/out$level.zip"
    "$LP" verify "$T/out$level.zip" --level "$level" --against "$T/src" >/dev/null
    mkdir "$T/x$level" && (cd "$T/x$level" && unzip -q "$T/out$level.zip")
    [ -x "$T/x$level/bin/run" ] || { echo "FAIL bin/run lost its x bit"; exit 1; }
    [ "$(stat -c %a "$T/x$level/pkg/__init__.py")" = 644 ] || { echo "FAIL mode of __init__.py"; exit 1; }
    diff -r "$T/src" "$T/x$level" >/dev/null
    echo "ok   unzip extracts level $level with modes"
    python3 -c 'import zipfile,sys,os; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
        "$T/out$level.zip" "$T/py$level"
    diff -r "$T/src" "$T/py$level" >/dev/null
done

# Exactly 65,535 entries: the count no longer fits the end record's 16-bit
# field, so the ZIP64 end records carry it; every reader must see them all.
mkdir -p "$T/many/m"
python3 -c 'import os,sys
for i in range(65535):
    open(os.path.join(sys.argv[1], "m", "f%05d.py" % i), "w").close()' "$T/many"
"$LP" build -o "$T/many.zip" "$T/many" >/dev/null
python3 - "$T/many.zip" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
assert len(z.infolist()) == 65535, len(z.infolist())
data = open(sys.argv[1], "rb").read()
assert data.find(b"PK\x06\x06") > 0, "no ZIP64 end record"
print("ok   python zipfile reads 65,535 entries through the ZIP64 end record")
PY
unzip -tq "$T/many.zip" >/dev/null
"$LP" verify "$T/many.zip" --against "$T/many" >/dev/null
echo "ok   unzip and lambdapack verify read 65,535 entries"
echo "interop checks passed"
