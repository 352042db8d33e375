#!/usr/bin/env bash
# Ten packages planned and applied at -parallelism=10 by one provider process:
# concurrent RPCs give ten correct ZIPs, each matching its own sources, and
# identical sources give identical bytes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides

hcl=""
for i in $(seq 0 9); do
    mkdir -p "$E2E_WORK/cfg/fn$i"
    printf 'def handler(event, context):\n    return %d\n' "$i" >"$E2E_WORK/cfg/fn$i/app.py"
    hcl+="
resource \"lambda_package\" \"p$i\" {
  output_path = \"build/p$i.zip\"
  runtime     = \"python3.12\"
  handler     = \"app.handler\"
  source {
    path = \"./fn$i\"
  }
  source {
    path   = \"./src/lambda/shared\"
    prefix = \"shared\"
  }
}
"
done
pkg_write_main "$hcl"

e2e_expect_ok apply.out apply -no-color -input=false -auto-approve -parallelism=10
e2e_grep apply.out '10 added' "ten packages created"
for i in $(seq 0 9); do
    z="$E2E_WORK/cfg/build/p$i.zip"
    [ -f "$z" ] || e2e_fail "p$i.zip missing"
    got=$(unzip -p "$z" app.py | tail -n1 | tr -d ' ')
    [ "$got" = "return$i" ] || e2e_fail "p$i.zip holds the wrong app.py ($got)"
    unzip -Z1 "$z" | grep -qx 'shared/logic/courses.py' || e2e_fail "p$i.zip lacks the shared module"
done
pkg_expect_plan plan.out 0 "plan after parallel apply"

# Identical sources, identical bytes: make fn1 a copy of fn0 and compare.
cp "$E2E_WORK/cfg/fn0/app.py" "$E2E_WORK/cfg/fn1/app.py"
e2e_expect_ok apply2.out apply -no-color -input=false -auto-approve -parallelism=10
[ "$(pkg_sha256 build/p0.zip)" = "$(pkg_sha256 build/p1.zip)" ] ||
    e2e_fail "identical sources gave different ZIPs"

e2e_expect_ok destroy.out destroy -no-color -input=false -auto-approve -parallelism=10
[ -z "$(ls "$E2E_WORK/cfg/build")" ] || e2e_fail "destroy left ZIPs: $(ls "$E2E_WORK/cfg/build")"
e2e_assert_clean
e2e_finish
