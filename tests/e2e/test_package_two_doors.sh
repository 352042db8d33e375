#!/usr/bin/env bash
# One definition, two doors, on the incident's layout: two functions
# (course_request_handler, event_publisher) packaged through a local module,
# each with the shared/ tree under the prefix `shared`.
#   - `terraform show -json | lambdapack build --from-terraform ADDRESS`
#     writes the resource's ZIP byte for byte, from the state and from a
#     saved plan (the hand path after a hot fix);
#   - `lambdapack check --from-terraform` passes; `lambdapack verify
#     --from-terraform` accepts the resource's ZIP, exits 1 naming the
#     missing files on a ZIP lacking shared/logic, and tells a ZIP with the
#     same files but other bytes (Python's zipfile) from the real one;
#   - with default settings the plan fails when the shared source block is
#     removed;
#   - `chmod +x` on a shared file shows in the plan by name
#     (executable_files), and so does a ZIP tampered to drop that mode;
#   - output_path with terraform.workspace keeps each workspace's ZIP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
e2e_fs_mirror
LP="$E2E_BUILD/lambdapack"
cfg="$E2E_WORK/cfg"
rm -rf "$cfg"
mkdir -p "$cfg/modules/lambda_function" "$cfg/src/lambda/shared/logic" \
    "$cfg/src/lambda/course_request_handler" "$cfg/src/lambda/event_publisher"

cat >"$cfg/src/lambda/course_request_handler/handler.py" <<'PY'
import json

from shared.logic.courses import find_course


def lambda_handler(event, context):
    return {"statusCode": 200, "body": json.dumps(find_course("intro-101"))}
PY
cat >"$cfg/src/lambda/event_publisher/handler.py" <<'PY'
from shared.event_publisher import publish
from shared.logic import courses


def lambda_handler(event, context):
    return publish(courses.find_course(event["id"]))
PY
printf '' >"$cfg/src/lambda/shared/__init__.py"
printf '' >"$cfg/src/lambda/shared/logic/__init__.py"
cat >"$cfg/src/lambda/shared/logic/courses.py" <<'PY'
_COURSES = {"intro-101": {"id": "intro-101", "seats": 30}}


def find_course(course_id):
    return _COURSES.get(course_id)
PY
cat >"$cfg/src/lambda/shared/event_publisher.py" <<'PY'
def publish(item):
    return {"published": item}
PY

write_module() { # write_module [SHARED-BLOCK]
    cat >"$cfg/modules/lambda_function/main.tf" <<HCL
terraform {
  required_providers {
    lambda = {
      source = "lambdapack/lambda"
    }
  }
}

variable "name" {
  type = string
}

resource "lambda_package" "this" {
  output_path = "build/\${terraform.workspace}/\${var.name}.zip"
  runtime     = "python3.12"
  handler     = "\${var.name}.handler.lambda_handler"

  source {
    path   = "src/lambda/\${var.name}"
    prefix = var.name
  }
$1
  source {
    content  = jsonencode({ function = var.name })
    filename = "config.json"
  }
}

output "zip" {
  value = lambda_package.this.output_path
}
HCL
}
shared_block='
  source {
    path    = "src/lambda/shared"
    prefix  = "shared"
    exclude = ["*.md"]
  }'
write_module "$shared_block"
cat >"$cfg/main.tf" <<'HCL'
module "course_request_handler" {
  source = "./modules/lambda_function"
  name   = "course_request_handler"
}

module "event_publisher" {
  source = "./modules/lambda_function"
  name   = "event_publisher"
}
HCL
printf 'notes\n' >"$cfg/src/lambda/shared/README.md"

e2e_expect_ok init.out init -input=false -no-color
e2e_expect_ok apply.out apply -auto-approve -input=false -no-color
e2e_expect_ok state.json show -json

# Door two, from the state: the same bytes as the resource, for both functions.
for fn in course_request_handler event_publisher; do
    addr="module.$fn.lambda_package.this"
    (cd "$cfg" && terraform show -json | "$LP" build --from-terraform "$addr" -o "hand-$fn.zip") \
        >"$E2E_WORK/hand-$fn.out" 2>&1 || {
        cat "$E2E_WORK/hand-$fn.out" >&2
        e2e_fail "lambdapack build --from-terraform $addr failed"
    }
    cmp "$cfg/hand-$fn.zip" "$cfg/build/default/$fn.zip" ||
        e2e_fail "hand build of $addr differs from the resource's ZIP"
    e2e_grep "hand-$fn.out" 'identical to the ZIP' "$fn: build says it matches the state"
done
unzip -l "$cfg/hand-event_publisher.zip" >"$E2E_WORK/hand.list"
e2e_grep hand.list 'shared/logic/courses\.py' "hand ZIP has shared/logic"
e2e_grep hand.list 'config\.json' "hand ZIP has the inline source"
e2e_grep_not hand.list 'README\.md' "hand ZIP honours the source's exclude"

addr=module.course_request_handler.lambda_package.this
zip="$cfg/build/default/course_request_handler.zip"
(cd "$cfg" && "$LP" check --from-terraform "$addr" --terraform-json "$E2E_WORK/state.json") \
    >"$E2E_WORK/check.out" 2>&1 || {
    cat "$E2E_WORK/check.out" >&2
    e2e_fail "lambdapack check --from-terraform failed on a good package"
}
(cd "$cfg" && "$LP" verify "$zip" --from-terraform "$addr" --terraform-json "$E2E_WORK/state.json") \
    >"$E2E_WORK/verify-ok.out" 2>&1 || {
    cat "$E2E_WORK/verify-ok.out" >&2
    e2e_fail "verify --from-terraform rejects the resource's own ZIP"
}
e2e_grep verify-ok.out 'same files, identical bytes' "verify: identical bytes"
b64=$(pkg_state_attr_at "$addr" output_base64sha256)
b64=${b64//+/\\+} # a regex
e2e_grep verify-ok.out "ZIP CodeSha256 +$b64" "verify prints the ZIP's CodeSha256"
e2e_grep verify-ok.out "state CodeSha256 +$b64" "verify prints the state's CodeSha256"

# The incident's ZIP: everything but shared/logic/.
python3 - "$zip" "$E2E_WORK/incident.zip" "$E2E_WORK/zipfile.zip" <<'PY'
import copy, sys, zipfile
src, incident, same = sys.argv[1:]
with zipfile.ZipFile(src) as z, zipfile.ZipFile(incident, "w", zipfile.ZIP_DEFLATED) as a, \
        zipfile.ZipFile(same, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as b:
    for i in z.infolist():
        data = z.read(i)
        if not i.filename.startswith("shared/logic/"):
            a.writestr(i, data)
        j = copy.copy(i)  # a's central directory is written from i at close
        j.compress_type = zipfile.ZIP_STORED  # same files, other bytes
        b.writestr(j, data)
PY
rc=0
(cd "$cfg" && "$LP" verify "$E2E_WORK/incident.zip" --from-terraform "$addr" \
    --terraform-json "$E2E_WORK/state.json") >"$E2E_WORK/verify-incident.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$E2E_WORK/verify-incident.out" >&2; e2e_fail "verify of the incident ZIP exited $rc, want 1"; }
e2e_grep verify-incident.out '^missing shared/logic/__init__\.py$' "names shared/logic/__init__.py"
e2e_grep verify-incident.out '^missing shared/logic/courses\.py$' "names shared/logic/courses.py"
e2e_grep verify-incident.out 'bytes differ' "says the bytes differ"

rc=0
(cd "$cfg" && "$LP" verify "$E2E_WORK/zipfile.zip" --from-terraform "$addr" \
    --terraform-json "$E2E_WORK/state.json") >"$E2E_WORK/verify-zipfile.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || { cat "$E2E_WORK/verify-zipfile.out" >&2; e2e_fail "verify of a zipfile rewrite exited $rc, want 1"; }
e2e_grep verify-zipfile.out 'same files as its sources, but the bytes differ' "contents vs bytes"
(cd "$cfg" && "$LP" verify "$E2E_WORK/zipfile.zip" --contents --from-terraform "$addr" \
    --terraform-json "$E2E_WORK/state.json") >/dev/null 2>&1 ||
    e2e_fail "verify --contents rejects a ZIP with the same files"

# A hot fix by hand, from a saved plan: the ZIP lambdapack builds from the
# plan JSON is the one apply then writes.
printf '\n\ndef seats(course_id):\n    return find_course(course_id)["seats"]\n' \
    >>"$cfg/src/lambda/shared/logic/courses.py"
e2e_expect_ok plan.out plan -out=fix.tfplan -input=false -no-color
(cd "$cfg" && terraform show -json fix.tfplan | "$LP" build --from-terraform "$addr" -o hotfix.zip) \
    >"$E2E_WORK/hotfix.out" 2>&1 || { cat "$E2E_WORK/hotfix.out" >&2; e2e_fail "hand build from plan JSON failed"; }
e2e_expect_ok apply-fix.out apply -input=false -no-color fix.tfplan
cmp "$cfg/hotfix.zip" "$zip" || e2e_fail "hand build from the plan differs from what apply wrote"

# The incident's other form: the shared block forgotten. Default settings fail the plan.
write_module ""
pkg_expect_plan noshared.out 1 "plan without the shared source block"
e2e_grep noshared.out 'Error: Import not found' "names the unresolved import"
e2e_grep noshared.out "'shared' is not in" "names the module"
e2e_grep noshared.out 'module\.course_request_handler\.lambda_package\.this' "names the resource"
write_module "$shared_block"
pkg_expect_plan back.out 0 "shared block restored"

# An exec bit: the plan names the file.
chmod +x "$cfg/src/lambda/shared/event_publisher.py"
pkg_expect_plan chmod.out 2 "chmod +x is a change"
e2e_grep chmod.out '~ executable_files *= *\[' "executable_files changes"
e2e_grep chmod.out '\+ *"shared/event_publisher\.py"' "the plan names the file"
e2e_expect_ok apply-chmod.out apply -auto-approve -input=false -no-color
unzip -Z "$zip" shared/event_publisher.py >"$E2E_WORK/zipinfo.out"
e2e_grep zipinfo.out '^-rwxr-xr-x' "the ZIP stores the exec bit"
pkg_expect_plan chmod-applied.out 0 "applied"

# A ZIP tampered to drop the exec bit: refresh reads it, the plan names the entry.
python3 - "$zip" <<'PY'
import os, sys, zipfile
p = sys.argv[1]
with zipfile.ZipFile(p) as z:
    items = [(i, z.read(i)) for i in z.infolist()]
with zipfile.ZipFile(p + ".tmp", "w") as out:
    for i, data in items:
        if i.filename == "shared/event_publisher.py":
            i.external_attr = (0o100644 << 16)
        out.writestr(i, data)
os.replace(p + ".tmp", p)
PY
pkg_expect_plan tampered.out 2 "a tampered ZIP is a change"
e2e_grep tampered.out '\+ *"shared/event_publisher\.py"' "the plan names the entry whose mode changed"
e2e_expect_ok apply-heal.out apply -auto-approve -input=false -no-color
cmp "$cfg/hand-course_request_handler.zip" "$zip" >/dev/null 2>&1 &&
    e2e_fail "the healed ZIP should carry the exec bit the earlier hand build lacked"

# Workspaces: terraform.workspace in output_path keeps each one's ZIP.
e2e_expect_ok ws.out workspace new staging -no-color
e2e_expect_ok apply-staging.out apply -auto-approve -input=false -no-color
[ -f "$cfg/build/staging/course_request_handler.zip" ] || e2e_fail "no staging ZIP"
e2e_expect_ok destroy-staging.out destroy -auto-approve -input=false -no-color
[ -f "$zip" ] || e2e_fail "destroying staging removed the default workspace's ZIP"
[ ! -f "$cfg/build/staging/course_request_handler.zip" ] || e2e_fail "staging ZIP left after destroy"

e2e_assert_clean
e2e_finish
