#!/usr/bin/env bash
# content_hash follows docs/internals/manifest.md: an independent Python
# implementation of the documented canonical serialization must give the same
# hash as `lambdapack manifest --json`, for several levels, modes, prefixes,
# UTF-8 names and directory entries.
# Usage: test_content_hash.sh BUILD_DIR
set -euo pipefail
LP="$1/lambdapack"
T=$(mktemp -d "${TMPDIR:-/tmp}/lp-hash-XXXXXX")
trap 'rm -rf "$T"' EXIT

mkdir -p "$T/src/pkg/sub" "$T/src/bin" "$T/lib/logic"
printf 'print("hi")\n' > "$T/src/pkg/__init__.py"
printf '' > "$T/src/pkg/sub/empty.txt"
printf '#!/bin/sh\n' > "$T/src/bin/run" && chmod 750 "$T/src/bin/run"
printf 'x' > "$T/src/pkg/caf$(printf '\xc3\xa9').py"
printf 'def f():\n    pass\n' > "$T/lib/logic/courses.py"

expected() { # LEVEL DIRS PREFIX_FOR_LIB
    python3 - "$T" "$1" "$2" "$3" <<'PY'
import hashlib, os, stat, sys
root, level, dirs, prefix = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
entries = {}
for src, pre in ((os.path.join(root, "src"), ""), (os.path.join(root, "lib"), prefix)):
    for d, _, files in os.walk(src):
        for f in files:
            p = os.path.join(d, f)
            rel = os.path.relpath(p, src)
            arc = (pre + "/" + rel) if pre else rel
            data = open(p, "rb").read()
            mode = 0o755 if os.stat(p).st_mode & 0o111 else 0o644
            entries[arc.encode()] = ("F", mode, len(data), hashlib.sha256(data).hexdigest())
if dirs:
    for arc in list(entries):
        parts = arc.split(b"/")[:-1]
        for i in range(1, len(parts) + 1):
            entries[b"/".join(parts[:i]) + b"/"] = ("D", 0o755, 0, hashlib.sha256(b"").hexdigest())
out = b"lambda-package-manifest 1\nlevel %d\ndirectory_entries %d\nentries %d\n" % (
    level, dirs, len(entries))
for arc in sorted(entries):
    k, mode, size, sha = entries[arc]
    out += b"%s %04o %d %s %d:%s\n" % (k.encode(), mode, size, sha.encode(), len(arc), arc)
print(hashlib.sha256(out).hexdigest())
PY
}

actual() { # LEVEL DIRS PREFIX
    local dirs=()
    [ "$2" = 1 ] && dirs=(--directory-entries)
    "$LP" manifest --json --level "$1" "${dirs[@]}" "$T/src" "$T/lib=$3" |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["content_hash"])'
}

for level in 0 6 9; do
    for dirs in 0 1; do
        for prefix in shared python/shared; do
            e=$(expected "$level" "$dirs" "$prefix")
            a=$(actual "$level" "$dirs" "$prefix")
            if [ "$e" != "$a" ]; then
                echo "FAIL level=$level dirs=$dirs prefix=$prefix: expected $e, got $a"
                exit 1
            fi
            echo "ok   level=$level dirs=$dirs prefix=$prefix $a"
        done
    done
done
# The ZIP read back gives the same content hash.
"$LP" build -o "$T/out.zip" --level 9 "$T/src" "$T/lib=shared" >/dev/null
"$LP" verify "$T/out.zip" --level 9 | grep -q "content_hash $(expected 9 0 shared)"
echo "ok   verify reports the same content hash for the built ZIP"
