#!/usr/bin/env bash
# Helpers for the lambda_package end-to-end tests, on top of lib.sh.

E2E_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# pkg_example NAME: the config dir becomes a fresh copy of examples/NAME.
pkg_example() {
    local src="$E2E_REPO/examples/$1"
    [ -d "$src" ] || e2e_fail "no example $1"
    rm -rf "$E2E_WORK/cfg"
    mkdir -p "$E2E_WORK/cfg"
    cp -R "$src"/. "$E2E_WORK/cfg"/
    rm -rf "$E2E_WORK/cfg/.terraform" "$E2E_WORK/cfg/build" "$E2E_WORK/cfg"/terraform.tfstate*
}

# pkg_write_main HCL: replaces the config's main.tf with HCL, after the
# required_providers block every test needs.
pkg_write_main() {
    {
        cat <<'HCL'
terraform {
  required_providers {
    lambda = {
      source = "lambdapack/lambda"
    }
  }
}

HCL
        printf '%s\n' "$1"
    } >"$E2E_WORK/cfg/main.tf"
}

# pkg_sha256 FILE: hex SHA-256 of a file under the config dir.
pkg_sha256() {
    sha256sum "$E2E_WORK/cfg/$1" | cut -d' ' -f1
}

# pkg_plan_exit OUT: runs `terraform plan -detailed-exitcode` and prints its
# exit code (0 no changes, 1 error, 2 changes).
pkg_plan_exit() {
    local rc=0
    e2e_tf "$1" plan -detailed-exitcode -no-color -input=false || rc=$?
    echo "$rc"
}

# pkg_expect_plan OUT CODE WHAT: fails unless plan's detailed exit code is CODE.
pkg_expect_plan() {
    local rc
    rc=$(pkg_plan_exit "$1")
    if [ "$rc" != "$2" ]; then
        tail -n 60 "$E2E_WORK/$1" >&2
        e2e_fail "$3: plan exited $rc, want $2"
    fi
}

# pkg_state_attr ATTR: the attribute's value in state for the first lambda_package.
pkg_state_attr() {
    (cd "$E2E_WORK/cfg" && terraform show -json) |
        python3 -c 'import json,sys
st=json.load(sys.stdin)
for r in st.get("values",{}).get("root_module",{}).get("resources",[]):
    if r["type"]=="lambda_package":
        v=r["values"].get(sys.argv[1]); print(json.dumps(v) if not isinstance(v,str) else v); break' "$1"
}

# pkg_state_attr_at ADDRESS ATTR: the attribute's value in state for the
# lambda_package at ADDRESS (module addresses included).
pkg_state_attr_at() {
    (cd "$E2E_WORK/cfg" && terraform show -json) |
        python3 -c 'import json,sys
def walk(m):
    for r in m.get("resources", []):
        yield r
    for c in m.get("child_modules", []):
        yield from walk(c)
st = json.load(sys.stdin)
for r in walk(st.get("values", {}).get("root_module", {})):
    if r["address"] == sys.argv[1]:
        v = r["values"].get(sys.argv[2]); print(json.dumps(v) if not isinstance(v, str) else v)' "$1" "$2"
}
