#!/usr/bin/env bash
# lambda_package with the real terraform on the incident's layout
# (examples/basic), installed from a filesystem mirror: init, validate, plan
# shows every file and a known output hash, apply writes exactly that ZIP, a
# second plan is empty, touching mtimes changes nothing, editing a shared file
# names it in the plan, a deleted or tampered ZIP is rebuilt byte-identical,
# destroy removes the ZIP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_fs_mirror
zip=build/course_request_handler.zip
res=lambda_package.course_request_handler

e2e_expect_ok init.out init -no-color -input=false
e2e_expect_ok validate.out validate -no-color

e2e_expect_ok plan1.out plan -no-color -input=false -out=plan1.tfplan
e2e_grep plan1.out '"shared/logic/courses.py" += "[0-9a-f]{64}"' "plan lists the shared file"
e2e_grep plan1.out '"course_request_handler/handler.py" += "[0-9a-f]{64}"' "plan lists the handler"
e2e_grep plan1.out 'output_base64sha256 += "[A-Za-z0-9+/]{43}="' "output hash is known at plan"
planned_b64=$(grep -Eo 'output_base64sha256 += "[^"]+"' "$E2E_WORK/plan1.out" | head -n1 | cut -d'"' -f2)

e2e_expect_ok apply1.out apply -no-color -input=false plan1.tfplan
[ -f "$E2E_WORK/cfg/$zip" ] || e2e_fail "apply did not write $zip"
actual_b64=$(openssl dgst -sha256 -binary "$E2E_WORK/cfg/$zip" | base64)
[ "$actual_b64" = "$planned_b64" ] ||
    e2e_fail "ZIP on disk hashes to $actual_b64, plan announced $planned_b64"
[ "$(pkg_state_attr output_base64sha256)" = "$actual_b64" ] || e2e_fail "state hash differs from the file"
[ "$(pkg_state_attr file_count)" = 4 ] || e2e_fail "file_count is $(pkg_state_attr file_count), want 4"
unzip -Z1 "$E2E_WORK/cfg/$zip" | grep -qx 'shared/logic/courses.py' || e2e_fail "ZIP lacks shared/logic/courses.py"
first_sha=$(pkg_sha256 "$zip")

pkg_expect_plan plan2.out 0 "second plan after apply"

# Touching every mtime (and making the cached build look old) changes nothing.
find "$E2E_WORK/cfg/src" -exec touch -d '2001-02-03 04:05:06' {} +
pkg_expect_plan plan-touch.out 0 "plan after touching every mtime"

# Editing one shared file: an in-place update naming that file only.
echo '# a new comment' >>"$E2E_WORK/cfg/src/lambda/shared/logic/courses.py"
pkg_expect_plan plan-edit.out 2 "plan after editing a shared file"
e2e_grep plan-edit.out '~ "shared/logic/courses.py" += "[0-9a-f]{64}" -> "[0-9a-f]{64}"' \
    "plan names the edited file with old and new hash"
e2e_grep plan-edit.out 'unchanged elements hidden' "other files stay hidden"
e2e_grep plan-edit.out '~ output_base64sha256 += "[^"]+" -> "[A-Za-z0-9+/]{43}="' \
    "new ZIP hash is known at plan"
e2e_grep plan-edit.out '1 to change' "in-place update"
e2e_grep_not plan-edit.out 'known after apply' "nothing is left unknown"
# Plan built the new ZIP into the cache, keyed by the new content hash; apply
# moves that very file into place instead of compressing again.
new_content=$(grep -Eo 'content_hash += "[0-9a-f]{64}" -> "[0-9a-f]{64}"' "$E2E_WORK/plan-edit.out" |
    grep -Eo '[0-9a-f]{64}"$' | head -n1 | tr -d '"')
[ -n "$new_content" ] || e2e_fail "plan after the edit shows no new content_hash"
cached="$E2E_WORK/cfg/.terraform/lambdapack-cache/$new_content.zip"
[ -f "$cached" ] || e2e_fail "plan left no cached ZIP at $cached"
cached_inode=$(stat -c %i "$cached")
e2e_expect_ok apply-edit.out apply -no-color -input=false -auto-approve
[ "$(stat -c %i "$E2E_WORK/cfg/$zip")" = "$cached_inode" ] ||
    e2e_fail "apply did not reuse the ZIP plan built"
[ ! -e "$cached" ] || e2e_fail "the cache entry was not consumed by apply"
edited_sha=$(pkg_sha256 "$zip")
[ "$edited_sha" != "$first_sha" ] || e2e_fail "ZIP unchanged after editing a source"
pkg_expect_plan plan3.out 0 "plan after applying the edit"

# A deleted ZIP (a fresh CI runner) shows as a diff and comes back identical.
rm "$E2E_WORK/cfg/$zip"
pkg_expect_plan plan-deleted.out 2 "plan after deleting the ZIP"
e2e_grep plan-deleted.out 'output_sha256' "plan shows the ZIP hash coming back"
e2e_expect_ok apply-deleted.out apply -no-color -input=false -auto-approve
[ "$(pkg_sha256 "$zip")" = "$edited_sha" ] || e2e_fail "rebuilt ZIP is not byte-identical"

# A tampered ZIP (another package put in its place): the plan shows which
# files differ; apply restores the original bytes.
(cd "$E2E_WORK/cfg/src/lambda" && rm -f "$E2E_WORK/tampered.zip" &&
    zip -q -X "$E2E_WORK/tampered.zip" course_request_handler/handler.py)
cp "$E2E_WORK/tampered.zip" "$E2E_WORK/cfg/$zip"
pkg_expect_plan plan-tampered.out 2 "plan after replacing the ZIP"
e2e_grep plan-tampered.out '\+ "shared/logic/courses.py"' "plan shows the file missing from the tampered ZIP"
e2e_grep plan-tampered.out 'output_base64sha256' "plan shows the hash change"
e2e_expect_ok apply-tampered.out apply -no-color -input=false -auto-approve
[ "$(pkg_sha256 "$zip")" = "$edited_sha" ] || e2e_fail "restored ZIP is not byte-identical"
pkg_expect_plan plan4.out 0 "plan after restoring"

# A new output_path replaces the package: the old ZIP goes, the new one is
# the same bytes.
sed -i 's#/build/course_request_handler.zip#/build/renamed.zip#' "$E2E_WORK/cfg/main.tf"
pkg_expect_plan plan-rename.out 2 "plan after changing output_path"
e2e_grep plan-rename.out 'must be replaced' "a new output_path replaces"
e2e_grep plan-rename.out 'forces replacement' "output_path is what forces it"
e2e_expect_ok apply-rename.out apply -no-color -input=false -auto-approve
[ ! -e "$E2E_WORK/cfg/$zip" ] || e2e_fail "the old ZIP is still there after the rename"
zip=build/renamed.zip
[ "$(pkg_sha256 "$zip")" = "$edited_sha" ] || e2e_fail "renamed ZIP differs"

e2e_expect_ok destroy.out destroy -no-color -input=false -auto-approve
[ ! -e "$E2E_WORK/cfg/$zip" ] || e2e_fail "destroy left $zip behind"
e2e_grep destroy.out '1 destroyed' "destroy"

e2e_assert_clean
e2e_finish
