#!/usr/bin/env bash
# Schema round trip through the real terraform: `terraform providers schema
# -json` must show the provider's (empty) config block and, once
# lambda_package is built in, its resource schema with a JSON type on every
# attribute, descriptions, flags and nested blocks with their nesting mode and
# item limits, i.e. everything GetProviderSchema carried survived the
# protobuf conversion and Terraform's own parsing.
. "$(dirname "$0")/lib.sh"
e2e_init "$1"
e2e_config plugin_basic
e2e_dev_overrides

e2e_tf schema.json providers schema -json || {
    cat "$E2E_WORK/schema.json" >&2
    e2e_fail "terraform providers schema failed"
}
expect_resource=0
[ -f "$(dirname "$0")/../../provider/resource_package.c" ] && expect_resource=1
# The dev_overrides warning goes to stderr, mixed into the file: keep the JSON line.
grep '^{' "$E2E_WORK/schema.json" >"$E2E_WORK/schema.only.json" || e2e_fail "no JSON output"
python3 - "$E2E_WORK/schema.only.json" "$expect_resource" <<'PY' || e2e_fail "schema check failed"
import json, sys

doc = json.load(open(sys.argv[1]))
expect_resource = sys.argv[2] == "1"
p = doc["provider_schemas"]["registry.terraform.io/lambdapack/lambda"]
assert "block" in p["provider"], "provider config block missing"

def check_block(where, block, depth=0):
    assert depth < 10, where
    for name, a in block.get("attributes", {}).items():
        w = f"{where}.{name}"
        assert "type" in a, f"{w}: no type"
        assert any(a.get(k) for k in ("required", "optional", "computed")), f"{w}: no flag"
        assert not (a.get("required") and a.get("optional")), f"{w}: required and optional"
        assert a.get("description"), f"{w}: no description"
    for name, nb in block.get("block_types", {}).items():
        w = f"{where}.{name}"
        assert nb["nesting_mode"] in ("single", "list", "set", "map", "group"), w
        check_block(w, nb["block"], depth + 1)

resources = p.get("resource_schemas", {})
for name, schema in resources.items():
    check_block(name, schema["block"])
if expect_resource:
    r = resources.get("lambda_package")
    assert r is not None, "lambda_package missing from the schema"
    assert r["block"].get("attributes"), "lambda_package has no attributes"
print("schema ok:", ", ".join(sorted(resources)) or "(no resources)")
PY
e2e_assert_clean
e2e_finish
