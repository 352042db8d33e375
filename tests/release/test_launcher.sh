#!/usr/bin/env bash
# The static launcher finds its package however it is started, with or
# without /proc: by an absolute path, by a path relative to the cwd (how
# Terraform starts providers), through a symlink from elsewhere, by name on
# PATH, and with a misleading argv[0]. It passes arguments and the exit
# status through, puts nothing in the environment of what it starts, and
# says what is wrong (exit 127) when the package is incomplete.
. "$(dirname "$0")/lib.sh"
rel_init "$1" "$2"

root="$REL_WORK/root"
rel_root "$root"
mkdir -p "$root/opt/pkg" "$root/bin" "$root/work"
rel_unpack linux_amd64 "$root/opt/pkg"
ln -s ../opt/pkg/lambdapack "$root/bin/lambdapack"
echo 'x = 1' >"$root/work/m.py"

# run_both WHAT ARGS...: runs ARGS (a command inside the root, cwd /work)
# twice: in a chroot without /proc, then with /proc mounted there.
run_both() {
    local what=$1
    shift
    local pass
    for pass in no-proc proc; do
        if [ "$pass" = proc ]; then
            mkdir -p "$root/proc"
            mount -t proc proc "$root/proc"
            REL_MOUNTS+=("$root/proc")
        fi
        env -i PATH=/bin "$REL_CHROOT" "$root" /opt/pkg/lambdapack --help >/dev/null 2>&1 ||
            rel_fail "$what ($pass): lambdapack --help by absolute path failed"
        (cd "$root/work" && env -i PATH=/bin "$@") >"$REL_WORK/$what.$pass.out" 2>&1 ||
            { cat "$REL_WORK/$what.$pass.out" >&2; rel_fail "$what ($pass) failed"; }
        if [ "$pass" = proc ]; then
            umount "$root/proc"
            REL_MOUNTS=()
        fi
    done
}

# Host-side starts (the package outside any chroot): relative path from the
# package's parent, a symlink, PATH lookup and a lying argv[0].
pkg="$root/opt/pkg"
(cd "$root/opt" && ./pkg/lambdapack build -o "$REL_WORK/rel.zip" "$root/work/m.py" >/dev/null) ||
    rel_fail "relative path: build failed"
(cd "$root/work" && env -i PATH="$root/bin" lambdapack build -o "$REL_WORK/path.zip" m.py >/dev/null) ||
    rel_fail "PATH lookup through a symlink: build failed"
cmp "$REL_WORK/rel.zip" "$REL_WORK/path.zip" || rel_fail "the two starts built different ZIPs"
(cd "$root/work" && exec -a /nonexistent/liar "$pkg/lambdapack" --help >/dev/null) ||
    rel_fail "a misleading argv[0] breaks the launcher (/proc/self/exe must win)"

# Inside the root: cwd-relative path, without and with /proc.
run_both relative "$REL_CHROOT" "$root" /opt/pkg/lambdapack build -o /tmp/c.zip /work/m.py
run_both symlink "$REL_CHROOT" "$root" /bin/lambdapack build -o /tmp/d.zip /work/m.py
cmp "$root/tmp/c.zip" "$REL_WORK/rel.zip" || rel_fail "chroot build differs"

# Arguments and exit status pass through; the environment is untouched.
rc=0
"$pkg/lambdapack" no-such-command >/dev/null 2>&1 || rc=$?
[ "$rc" = 2 ] || rel_fail "exit status not passed through: $rc, want 2"
"$pkg/${REL_NAME_PREFIX}_v$REL_VERSION" --version | grep -q "^$REL_NAME_PREFIX $REL_VERSION" ||
    rel_fail "--version through the launcher"
env -i "$pkg/lib/ld-linux-x86-64.so.2" --help >/dev/null 2>&1 ||
    rel_fail "the bundled loader does not run"
# The provider, once serving, has exactly the environment it was given (same
# pid after the launcher's and the front's execs: /proc/PID/environ is the
# serving program's), plus the one variable in which the front hands its
# release to the serving program (tfp_launch.c), which the program removes
# before it starts anything; and it runs on the bundled loader.
out="$REL_WORK/hs.out"
env -i TF_PLUGIN_MAGIC_COOKIE="$REL_COOKIE" PLUGIN_PROTOCOL_VERSIONS=6 TMPDIR=/tmp \
    "$pkg/${REL_NAME_PREFIX}_v$REL_VERSION" >"$out" 2>/dev/null &
pid=$!
for _ in $(seq 1 100); do
    [ -s "$out" ] && break
    sleep 0.05
done
[ -s "$out" ] || rel_fail "no handshake from the packaged provider"
got_env=$(tr '\0' '\n' <"/proc/$pid/environ" | sort | tr '\n' ' ')
exe=$(readlink "/proc/$pid/exe")
cmdline=$(tr '\0' '\n' <"/proc/$pid/cmdline")
maps=$(awk '$6 ~ /^\// { print $6 }' "/proc/$pid/maps" | sort -u)
kill -TERM "$pid"
wait "$pid" || true
want_env="PLUGIN_PROTOCOL_VERSIONS=6 TFP_LAUNCH_RELEASE=$REL_VERSION TF_PLUGIN_MAGIC_COOKIE=$REL_COOKIE TMPDIR=/tmp "
[ "$got_env" = "$want_env" ] || rel_fail "the provider's environment is '$got_env', want '$want_env'"
[ "$exe" = "$pkg/lib/ld-linux-x86-64.so.2" ] || rel_fail "the provider runs on $exe, not the bundled loader"
grep -qx "$pkg/libexec/$REL_NAME_PREFIX-serve" <<<"$cmdline" ||
    rel_fail "the serving process runs '$cmdline', not the package's serving program"
! grep -q '^/usr/lib\|^/lib' <<<"$maps" || rel_fail "the serving process maps the machine's libraries: $maps"

# An incomplete package: one line naming what is missing, exit 127.
mv "$pkg/libexec/lambdapack" "$pkg/libexec/lambdapack.away"
rc=0
"$pkg/lambdapack" --help >"$REL_WORK/broken.out" 2>&1 || rc=$?
mv "$pkg/libexec/lambdapack.away" "$pkg/libexec/lambdapack"
[ "$rc" = 127 ] || rel_fail "a missing program: exit $rc, want 127"
grep -q "libexec/lambdapack" "$REL_WORK/broken.out" || rel_fail "the error does not name the program"

echo "PASS: $REL_TEST"
