#!/usr/bin/env bash
# terraform import of an existing ZIP: the state gets the ZIP's hashes and
# files; when the ZIP matches the sources the next apply leaves its bytes
# alone. Importing a path with no ZIP is a clear error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides
zip=build/course_request_handler.zip
res=lambda_package.course_request_handler

# The same sources built by the CLI: byte-identical to what the provider makes.
mkdir -p "$E2E_WORK/cfg/build"
(cd "$E2E_WORK/cfg" && "$E2E_BUILD/lambdapack" build -o "$zip" \
    src/lambda/course_request_handler=course_request_handler src/lambda/shared=shared) \
    >"$E2E_WORK/cli.out" 2>&1 || { cat "$E2E_WORK/cli.out" >&2; e2e_fail "lambdapack build failed"; }
cli_sha=$(pkg_sha256 "$zip")
cli_mtime=$(stat -c %Y "$E2E_WORK/cfg/$zip")

# The import ID may spell the path differently from the config ("build/x.zip"
# for "./build/x.zip"): still the same file, so no replacement.
e2e_expect_ok import.out import -no-color -input=false "$res" "$zip"
e2e_grep import.out 'Import successful' "import"
[ "$(pkg_state_attr output_sha256)" = "$cli_sha" ] || e2e_fail "imported hash differs from the file"
[ "$(pkg_state_attr file_count)" = 4 ] || e2e_fail "imported file_count is not 4"
pkg_state_attr files | grep -q 'shared/logic/courses.py' || e2e_fail "imported files lack shared/logic/courses.py"

# The next plan only fills in the arguments; the ZIP hash does not change.
pkg_expect_plan plan.out 2 "plan after import"
e2e_grep_not plan.out 'output_sha256 +=.*->' "plan after import keeps the ZIP hash"
e2e_grep_not plan.out 'must be replaced' "plan after import replaces nothing"
sleep 1
e2e_expect_ok apply.out apply -no-color -input=false -auto-approve
[ "$(pkg_sha256 "$zip")" = "$cli_sha" ] || e2e_fail "apply after import changed the ZIP"
[ "$(stat -c %Y "$E2E_WORK/cfg/$zip")" = "$cli_mtime" ] || e2e_fail "apply after import rewrote the ZIP"
pkg_expect_plan plan2.out 0 "plan after apply"

# No ZIP at the import ID.
e2e_expect_ok rm.out state rm "$res"
rc=0
e2e_tf import-missing.out import -no-color -input=false "$res" ./build/nothing.zip || rc=$?
[ "$rc" = 1 ] || e2e_fail "import of a missing ZIP exited $rc, want 1"
e2e_grep import-missing.out 'Cannot import lambda_package' "import error summary"
e2e_grep import-missing.out 'nothing.zip' "import error names the path"

e2e_assert_clean
e2e_finish
