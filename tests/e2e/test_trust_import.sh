#!/usr/bin/env bash
# terraform import refuses what is not a package: a text file, a truncated
# ZIP and hostile ZIPs (a `..` name, an absolute name, a NUL byte in a name,
# a symlink entry, a size that lies) are each an error naming the file and
# the reason; nothing is imported and the file is left as it was.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides
res=lambda_package.course_request_handler
cd "$E2E_WORK/cfg"
mkdir -p hostile

echo notes >notes.txt
"$E2E_BUILD/lambdapack" build -o good.zip src/lambda/shared=shared >/dev/null 2>&1 ||
    e2e_fail "lambdapack build failed"
head -c $(($(stat -c %s good.zip) - 30)) good.zip >truncated.zip
python3 - <<'PY' || e2e_fail "cannot write the hostile ZIPs"
import zipfile
def z(path, name, data=b"x", attr=None):
    with zipfile.ZipFile(path, "w") as f:
        info = zipfile.ZipInfo(name)
        if attr is not None:
            info.external_attr = attr
            info.create_system = 3
        f.writestr(info, data)
z("hostile/dotdot.zip", "../escape.py")
z("hostile/absolute.zip", "/etc/cron.d/x")
z("hostile/symlink.zip", "link", b"/etc/passwd", attr=(0o120777 << 16))
# A NUL inside a stored name: written as "appXpy", then patched.
z("hostile/nul.zip", "appXpy")
b = open("hostile/nul.zip", "rb").read().replace(b"appXpy", b"app\0py")
open("hostile/nul.zip", "wb").write(b)
# A declared size smaller than the data (a lying bomb).
z("hostile/liar.zip", "big.py", b"A" * 4096)
b = bytearray(open("hostile/liar.zip", "rb").read())
for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
    i = b.find(sig)
    b[i + off:i + off + 4] = (16).to_bytes(4, "little")
open("hostile/liar.zip", "wb").write(bytes(b))
PY

# expect_refused FILE REASON: import fails naming FILE and REASON; the state
# stays empty and FILE is unchanged.
expect_refused() {
    local f=$1 before rc=0 out
    out="import-$(basename "$f").out"
    before=$(sha256sum "$f" | cut -d' ' -f1)
    e2e_tf "$out" import -no-color -input=false "$res" "./$f" || rc=$?
    [ "$rc" = 1 ] || { tail -n 20 "$E2E_WORK/$out" >&2; e2e_fail "import of $f exited $rc, want 1"; }
    e2e_grep "$out" 'Error: Cannot import lambda_package' "import of $f: summary"
    e2e_grep "$out" "$(basename "$f")" "import of $f: names the file"
    e2e_grep "$out" "$2" "import of $f: gives the reason"
    e2e_grep_not "$out" 'Import successful|Plugin did not respond' "import of $f"
    [ "$(sha256sum "$f" | cut -d' ' -f1)" = "$before" ] || e2e_fail "import of $f changed it"
    if terraform state list 2>/dev/null | grep -q .; then
        e2e_fail "import of $f left something in state"
    fi
}

expect_refused notes.txt 'invalid ZIP|Not a zip archive'
expect_refused truncated.zip 'invalid ZIP'
expect_refused hostile/dotdot.zip 'unsafe entry name'
expect_refused hostile/absolute.zip 'unsafe entry name'
expect_refused hostile/nul.zip 'NUL byte'
expect_refused hostile/symlink.zip 'symbolic link'
expect_refused hostile/liar.zip 'declared size|invalid ZIP'

# A real package still imports.
e2e_expect_ok import-good.out import -no-color -input=false "$res" ./good.zip
e2e_grep import-good.out 'Import successful' "import of a real package"

e2e_assert_clean
e2e_finish
