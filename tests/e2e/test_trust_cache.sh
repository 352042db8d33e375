#!/usr/bin/env bash
# The plan-time cache is never trusted for what an entry's name claims. A
# valid ZIP of other sources planted under the package's content hash (as
# anyone with the sources could, or a CI cache restore would), an entry with
# one flipped byte and a truncated entry are all ignored and rebuilt: the
# planned hash, the installed ZIP and `unzip -t` all agree with what the CLI
# builds from the real sources.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides
zip=build/course_request_handler.zip
cache="$E2E_WORK/cfg/.terraform/lambdapack-cache"

# What the real sources give, built by the CLI.
(cd "$E2E_WORK/cfg" && "$E2E_BUILD/lambdapack" build -o "$E2E_WORK/genuine.zip" \
    src/lambda/course_request_handler=course_request_handler src/lambda/shared=shared) \
    >"$E2E_WORK/cli.out" 2>&1 || { cat "$E2E_WORK/cli.out" >&2; e2e_fail "lambdapack build failed"; }
genuine=$(sha256sum "$E2E_WORK/genuine.zip" | cut -d' ' -f1)
# A valid package of other sources: what an attacker would plant.
mkdir -p "$E2E_WORK/evil/course_request_handler"
echo 'def lambda_handler(e, c): return "owned"' >"$E2E_WORK/evil/course_request_handler/handler.py"
"$E2E_BUILD/lambdapack" build -o "$E2E_WORK/evil.zip" "$E2E_WORK/evil" >/dev/null 2>&1 ||
    e2e_fail "lambdapack build of the planted ZIP failed"

# The content hash, learned from a first plan; then the cache is emptied.
pkg_expect_plan plan0.out 2 "first plan"
content=$(grep -Eo 'content_hash += "[0-9a-f]{64}"' "$E2E_WORK/plan0.out" | grep -Eo '[0-9a-f]{64}' | head -n1)
[ -n "$content" ] || e2e_fail "plan shows no content_hash"
[ -f "$cache/$content.zip" ] || e2e_fail "plan left no cache entry"
entry="$cache/$content.zip"

# plant FILE: puts FILE under the content hash (no MAC, or a stale one).
plant() {
    cp "$1" "$entry"
    echo 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef >"$cache/$content.mac"
}

# expect_genuine STEP: plan shows the genuine hash, apply installs it, and it
# passes unzip -t; then the output is removed for the next round.
expect_genuine() {
    pkg_expect_plan "plan-$1.out" 2 "plan with a $1 cache entry"
    e2e_grep "plan-$1.out" "output_sha256 += \"$genuine\"" "plan with a $1 entry plans the genuine ZIP"
    e2e_expect_ok "apply-$1.out" apply -no-color -input=false -auto-approve
    [ "$(pkg_sha256 "$zip")" = "$genuine" ] || e2e_fail "apply with a $1 entry installed another ZIP"
    unzip -tq "$E2E_WORK/cfg/$zip" >/dev/null || e2e_fail "the installed ZIP fails unzip -t ($1)"
    e2e_expect_ok "destroy-$1.out" destroy -no-color -input=false -auto-approve
}

plant "$E2E_WORK/evil.zip"
expect_genuine planted

cp "$E2E_WORK/genuine.zip" "$E2E_WORK/flipped.zip"
size=$(stat -c %s "$E2E_WORK/flipped.zip")
printf '\x55' | dd of="$E2E_WORK/flipped.zip" bs=1 seek=$((size / 3)) conv=notrunc status=none
cmp -s "$E2E_WORK/flipped.zip" "$E2E_WORK/genuine.zip" && e2e_fail "the flip changed nothing"
plant "$E2E_WORK/flipped.zip"
expect_genuine flipped

head -c $((size / 2)) "$E2E_WORK/genuine.zip" >"$E2E_WORK/truncated.zip"
plant "$E2E_WORK/truncated.zip"
expect_genuine truncated

# A genuine entry with a valid MAC is used as is (no second compression):
# plan builds it, apply moves that very file into place.
pkg_expect_plan plan-mac.out 2 "plan after destroy"
inode=$(stat -c %i "$entry")
e2e_expect_ok apply-mac.out apply -no-color -input=false -auto-approve
[ "$(stat -c %i "$E2E_WORK/cfg/$zip")" = "$inode" ] || e2e_fail "apply did not reuse the verified entry"
[ "$(pkg_sha256 "$zip")" = "$genuine" ] || e2e_fail "the verified entry is not the genuine ZIP"

e2e_assert_clean
e2e_finish
