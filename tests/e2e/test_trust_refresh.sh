#!/usr/bin/env bash
# A damaged output ZIP on refresh is a diff, never a crash: a truncated ZIP,
# a ZIP header followed by garbage and an empty file make plan show the
# change (exit 2) with the provider up (under ASan+UBSan: no report), and
# apply rebuilds the package. A file of random bytes is no ZIP at all: plan
# warns and apply refuses to replace it (naming the file) until it is moved
# away.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides
zip=build/course_request_handler.zip
out="$E2E_WORK/cfg/$zip"
e2e_expect_ok apply.out apply -no-color -input=false -auto-approve
good=$(pkg_sha256 "$zip")
size=$(stat -c %s "$out")

# expect_diff_then_repair WHAT: plan shows a diff, apply restores the ZIP.
expect_diff_then_repair() {
    pkg_expect_plan "plan-$1.out" 2 "plan with a $1 output"
    e2e_grep "plan-$1.out" 'output_sha256 +=.*->' "plan with a $1 output shows the ZIP hash change"
    e2e_grep_not "plan-$1.out" 'Plugin did not respond|panic' "the provider stayed up ($1)"
    e2e_expect_ok "apply-$1.out" apply -no-color -input=false -auto-approve
    [ "$(pkg_sha256 "$zip")" = "$good" ] || e2e_fail "apply did not restore the $1 output"
}

cp "$out" "$E2E_WORK/good.zip"
head -c $((size / 2)) "$E2E_WORK/good.zip" >"$out"
expect_diff_then_repair truncated

{ printf 'PK\003\004'; head -c "$size" /dev/urandom; } >"$out"
expect_diff_then_repair garbage

head -c "$size" /dev/urandom >"$out"
printf 'XX' | dd of="$out" bs=1 conv=notrunc status=none # never "PK" by chance
pkg_expect_plan plan-random.out 2 "plan over a random file"
e2e_grep plan-random.out 'Warning: Refusing to replace a file that is not a package' "plan warns"
e2e_grep plan-random.out "course_request_handler.zip' exists and is not" "the warning names the file"
rc=0
e2e_tf apply-random.out apply -no-color -input=false -auto-approve || rc=$?
[ "$rc" = 1 ] || e2e_fail "apply over a random file exited $rc, want 1"
e2e_grep apply-random.out 'Error: Refusing to replace a file that is not a package' "apply refuses"
e2e_grep_not apply-random.out 'Plugin did not respond|panic' "the provider stayed up (random)"
[ "$(head -c 2 "$out")" = XX ] || e2e_fail "apply replaced the random file"
rm -f "$out"
expect_diff_then_repair_missing() {
    pkg_expect_plan plan-missing.out 2 "plan with the output removed"
    e2e_expect_ok apply-missing.out apply -no-color -input=false -auto-approve
    [ "$(pkg_sha256 "$zip")" = "$good" ] || e2e_fail "apply did not restore the removed output"
}
expect_diff_then_repair_missing

: >"$out"
expect_diff_then_repair empty

e2e_assert_clean
e2e_finish
