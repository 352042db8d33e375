#!/usr/bin/env bash
# A failed apply changes nothing: after an apply that cannot write the ZIP
# (an immutable output; a full disk on a small tmpfs) the state still holds
# the previous package, so `plan -refresh=false` still shows the pending
# change, and the previous ZIP is untouched. Stale temporary files a killed
# run left beside the output (our naming pattern only) are removed by the
# next apply.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides
command -v chattr >/dev/null || e2e_fail "chattr is missing (e2fsprogs)"
zip=build/course_request_handler.zip
out="$E2E_WORK/cfg/$zip"
mnt=""
cleanup_trust() {
    chattr -i "$out" 2>/dev/null || true
    [ -z "$mnt" ] || umount "$mnt" 2>/dev/null || true
    e2e_cleanup
}
trap cleanup_trust EXIT

e2e_expect_ok apply1.out apply -no-color -input=false -auto-approve
first=$(pkg_sha256 "$zip")

# expect_pending OUT WHAT: the state still records the first ZIP and a plan
# without refresh still wants the change.
expect_pending() {
    [ "$(pkg_state_attr output_sha256)" = "$first" ] ||
        e2e_fail "$2: state records $(pkg_state_attr output_sha256), not the ZIP on disk ($first)"
    local rc=0
    e2e_tf "$1" plan -refresh=false -detailed-exitcode -no-color -input=false || rc=$?
    [ "$rc" = 2 ] || { tail -n 30 "$E2E_WORK/$1" >&2; e2e_fail "$2: plan -refresh=false exited $rc, want 2"; }
    e2e_grep "$1" 'shared/logic/courses.py' "$2: the pending change names the edited file"
}

# 1. Immutable output.
echo '# edit 1' >>"$E2E_WORK/cfg/src/lambda/shared/logic/courses.py"
chattr +i "$out"
rc=0
e2e_tf apply-immutable.out apply -no-color -input=false -auto-approve || rc=$?
[ "$rc" = 1 ] || e2e_fail "apply onto an immutable output exited $rc, want 1"
e2e_grep apply-immutable.out 'course_request_handler.zip' "the error names the output file"
chattr -i "$out"
[ "$(pkg_sha256 "$zip")" = "$first" ] || e2e_fail "the failed apply changed the ZIP"
expect_pending plan-immutable.out "after an immutable output"

# 2. Disk full: the output directory is a 1 MiB tmpfs, the new package holds
# 2 MiB of incompressible data (plan builds it into the cache, elsewhere).
e2e_expect_ok state-rm.out state rm lambda_package.course_request_handler
mnt="$E2E_WORK/cfg/small"
mkdir -p "$mnt"
mount -t tmpfs -o size=1m tmpfs "$mnt" || e2e_fail "cannot mount a tmpfs (tests run as root)"
sed -i 's|build/course_request_handler.zip|small/pkg.zip|' "$E2E_WORK/cfg/main.tf"
zip=small/pkg.zip
out="$E2E_WORK/cfg/$zip"
e2e_expect_ok apply2.out apply -no-color -input=false -auto-approve
first=$(pkg_sha256 "$zip")
head -c $((2 * 1024 * 1024)) /dev/urandom >"$E2E_WORK/cfg/src/lambda/shared/logic/blob.bin"
echo '# edit 2' >>"$E2E_WORK/cfg/src/lambda/shared/logic/courses.py"
# A leftover of a killed run beside the output, and files that only look alike.
touch -d '1 hour ago' "$mnt/pkg.zip.Xy12Zw.tmp"
echo keep >"$mnt/pkg.zip.notes.tmp"
touch -d '1 hour ago' "$mnt/pkg.zip.notes.tmp"
rc=0
e2e_tf apply-full.out apply -no-color -input=false -auto-approve || rc=$?
[ "$rc" = 1 ] || e2e_fail "apply onto a full disk exited $rc, want 1"
e2e_grep apply-full.out 'pkg.zip' "the error names the output file"
e2e_grep apply-full.out 'No space left on device' "the error says why"
e2e_grep_not apply-full.out 'Plugin did not respond|panic' "the provider stayed up"
[ "$(pkg_sha256 "$zip")" = "$first" ] || e2e_fail "the failed apply changed the ZIP"
expect_pending plan-full.out "after a full disk"
[ ! -e "$mnt/pkg.zip.Xy12Zw.tmp" ] || e2e_fail "the stale temporary file was not removed"
[ -e "$mnt/pkg.zip.notes.tmp" ] || e2e_fail "a file of another pattern was removed"
left=$(find "$mnt" -name 'pkg.zip.??????.tmp*' | head -n 3)
[ -z "$left" ] || e2e_fail "the failed apply left temporary files: $left"

# Once there is room, the pending change applies.
rm -f "$E2E_WORK/cfg/src/lambda/shared/logic/blob.bin"
e2e_expect_ok apply3.out apply -no-color -input=false -auto-approve
pkg_expect_plan plan-after.out 0 "plan after the change applied"

e2e_expect_ok destroy.out destroy -no-color -input=false -auto-approve
umount "$mnt"
mnt=""
e2e_assert_clean
e2e_finish
