#!/usr/bin/env bash
# No user file is destroyed through output_path: a typo that names a source
# file is a plan (and apply) error naming it, and the file is untouched;
# destroy removes the ZIP only while it is still the one this resource wrote,
# otherwise it warns and keeps the file, even after a refresh has described
# the new file in state. An output whose directory cannot be created
# (/proc/x) is a plan error naming the output file.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides
cfg="$E2E_WORK/cfg"
handler="$cfg/src/lambda/course_request_handler/handler.py"
before=$(sha256sum "$handler" | cut -d' ' -f1)

# 1. A typo: output_path names the handler itself.
sed -i 's|output_path = "${path.module}/build/course_request_handler.zip"|output_path = "${path.module}/src/lambda/course_request_handler/handler.py"|' "$cfg/main.tf"
grep -q 'handler.py"$' "$cfg/main.tf" || e2e_fail "the typo was not written"
rc=0
e2e_tf plan-typo.out plan -no-color -input=false || rc=$?
[ "$rc" = 1 ] || e2e_fail "plan with output_path = handler.py exited $rc, want 1"
e2e_grep plan-typo.out 'Refusing to replace a file that is not a package' "typo: summary"
e2e_grep plan-typo.out "handler.py' exists and is not a" "typo: names the file"
rc=0
e2e_tf apply-typo.out apply -no-color -input=false -auto-approve || rc=$?
[ "$rc" = 1 ] || e2e_fail "apply with output_path = handler.py exited $rc, want 1"
[ "$(sha256sum "$handler" | cut -d' ' -f1)" = "$before" ] || e2e_fail "the typo destroyed handler.py"
pkg_example basic

# 2. Destroy keeps a file that is no longer the package.
zip=build/course_request_handler.zip
e2e_expect_ok apply.out apply -no-color -input=false -auto-approve
echo 'my notes, written over the package' >"$cfg/$zip"
e2e_expect_ok destroy-kept.out destroy -no-color -input=false -auto-approve
e2e_grep destroy-kept.out 'Warning: Output file kept' "destroy warns"
e2e_grep destroy-kept.out 'course_request_handler.zip' "the warning names the file"
grep -q 'my notes' "$cfg/$zip" || e2e_fail "destroy removed a file that was not the package"
[ -z "$(cd "$cfg" && terraform state list)" ] || e2e_fail "the resource is still in state"
rm -f "$cfg/$zip"

# A ZIP that is not the one written (another package put there) is kept too.
e2e_expect_ok apply2.out apply -no-color -input=false -auto-approve
(cd "$cfg" && "$E2E_BUILD/lambdapack" build -o "$zip" src/lambda/shared=shared) >/dev/null 2>&1 ||
    e2e_fail "lambdapack build failed"
e2e_expect_ok destroy-other.out destroy -no-color -input=false -auto-approve
e2e_grep destroy-other.out 'Warning: Output file kept' "destroy warns about another ZIP"
[ -f "$cfg/$zip" ] || e2e_fail "destroy removed a ZIP it did not write"
rm -f "$cfg/$zip"

# The package itself is removed.
e2e_expect_ok apply3.out apply -no-color -input=false -auto-approve
e2e_expect_ok destroy.out destroy -no-color -input=false -auto-approve
[ ! -e "$cfg/$zip" ] || e2e_fail "destroy left the package"
e2e_grep_not destroy.out 'Output file kept' "destroy of the package keeps nothing"

# 3. An output that cannot be created.
sed -i 's|output_path = "${path.module}/build/course_request_handler.zip"|output_path = "/proc/x/pkg.zip"|' "$cfg/main.tf"
rc=0
e2e_tf plan-proc.out plan -no-color -input=false || rc=$?
[ "$rc" = 1 ] || e2e_fail "plan with output_path under /proc exited $rc, want 1"
e2e_grep plan-proc.out 'Cannot write the package' "uncreatable: summary"
e2e_grep plan-proc.out "/proc/x/pkg.zip" "uncreatable: names the output file"

e2e_assert_clean
e2e_finish
