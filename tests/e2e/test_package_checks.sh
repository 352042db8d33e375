#!/usr/bin/env bash
# Plan-time checks with the real terraform: the incident (shared/ packaged,
# shared/logic/ missing) fails the plan naming `shared.logic` and the
# importing file and line; a wrong handler module, a missing handler
# function, a missing required file and an unzipped size over Lambda's 250 MB
# limit fail; a ZIP over 50 MB warns; an import found nowhere fails the plan
# by default, listing the fixes (a warning with strict_imports = false); the
# incident's other form, the shared source block left out, fails by default;
# a guarded optional import passes.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides
cfg="$E2E_WORK/cfg"

package_no_shared() { # the function's folder only: the `shared` block forgotten
    pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  runtime     = \"python3.12\"
  handler     = \"$1\"
  source {
    path   = \"./src/lambda/course_request_handler\"
    prefix = \"course_request_handler\"
  }
}"
}

package() { # package HANDLER [EXTRA-HCL]
    pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  runtime     = \"python3.12\"
  handler     = \"$1\"
  ${2:-}
  source {
    path   = \"./src/lambda/course_request_handler\"
    prefix = \"course_request_handler\"
  }
  source {
    path   = \"./src/lambda/shared\"
    prefix = \"shared\"
  }
}"
}

expect_plan_error() { # OUT SUMMARY TOKEN...
    local out=$1 summary=$2
    shift 2
    pkg_expect_plan "$out" 1 "$out"
    e2e_grep "$out" "Error: $summary" "$out: summary"
    local tok
    for tok in "$@"; do
        e2e_grep "$out" "$tok" "$out: detail"
    done
    e2e_grep_not "$out" 'Plugin did not respond' "$out: provider stayed up"
}

handler=course_request_handler.handler.lambda_handler
package "$handler"
pkg_expect_plan ok.out 2 "the intact package plans"

# The incident: shared/ is there, shared/logic/ is not.
mv "$cfg/src/lambda/shared/logic" "$E2E_WORK/logic.moved"
expect_plan_error incident.out 'Import cannot be resolved' 'shared\.logic' \
    'course_request_handler/handler\.py:4' 'ImportModuleError'
mv "$E2E_WORK/logic.moved" "$cfg/src/lambda/shared/logic"

# The incident's other form: the shared source block is left out. With the
# default settings the plan fails and names the module and the fixes.
package_no_shared "$handler"
expect_plan_error noshared.out 'Import not found' "'shared' is not in" \
    'course_request_handler/handler\.py:[0-9]' 'add a source' 'external_modules' \
    'dependencies'

package "course_request_handler.nothere.lambda_handler"
expect_plan_error module.out 'Handler' 'course_request_handler/nothere\.py'

package "course_request_handler.handler.no_such_function"
expect_plan_error function.out 'Handler' 'no_such_function' 'course_request_handler/handler\.py'

package "$handler" 'required_files = ["shared/config.json"]'
expect_plan_error required.out 'Required file' 'shared/config\.json'

# An import found nowhere: an error by default; a warning, and the plan
# proceeds, with strict_imports = false.
cat >>"$cfg/src/lambda/shared/logic/courses.py" <<'PY'

import requests_not_vendored
PY
package "$handler"
expect_plan_error strict.out '' 'requests_not_vendored' 'shared/logic/courses\.py:1[0-9]'
package "$handler" 'strict_imports = false'
pkg_expect_plan warn.out 2 "an unknown third-party import only warns when not strict"
e2e_grep warn.out 'Warning: ' "warning shown"
e2e_grep warn.out 'requests_not_vendored' "warning names the import"
package "$handler" 'external_modules = ["requests_not_vendored"]'
pkg_expect_plan external.out 2 "external_modules satisfies the import"
e2e_grep_not external.out 'Warning: Import' "no warning with external_modules"

# A guarded optional import passes silently.
python3 - "$cfg/src/lambda/shared/logic/courses.py" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read().replace("import requests_not_vendored\n",
    "try:\n    import ujson as json_impl\nexcept ImportError:\n    json_impl = None\n")
open(p, "w").write(s)
PY
package "$handler"
pkg_expect_plan guarded.out 2 "a guarded optional import"
e2e_grep_not guarded.out 'Warning: Import|ujson' "no finding for a guarded import"

# Over Lambda's unzipped limit (a sparse file: big, cheap to make).
mkdir -p "$E2E_WORK/big"
truncate -s 262144001 "$E2E_WORK/big/blob.bin"
pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    path = \"$E2E_WORK/big\"
  }
}"
expect_plan_error big.out '' '262144001|250 MB|262,144,000'

# A ZIP over Lambda's 50 MB direct-upload limit: a warning, the plan proceeds.
mkdir -p "$E2E_WORK/large"
head -c 53000000 /dev/urandom >"$E2E_WORK/large/model.bin"
pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path       = \"build/p.zip\"
  compression_level = 0
  source {
    path = \"$E2E_WORK/large\"
  }
}"
pkg_expect_plan large.out 2 "a ZIP over 50 MB still plans"
e2e_grep large.out 'Warning: ZIP too large for a direct upload' "the 50 MB warning"
e2e_grep large.out 'S3' "the warning says how to deploy it"

e2e_assert_clean
e2e_finish
