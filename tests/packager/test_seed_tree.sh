#!/usr/bin/env bash
# The incident's layout: course_request_handler/handler.py imports
# shared.logic.courses; shared/ lives elsewhere and goes in under the prefix
# `shared`. Built with the CLI, extracted, and the handler runs with python3.
# Usage: test_seed_tree.sh BUILD_DIR
set -euo pipefail
LP="$1/lambdapack"
T=$(mktemp -d "${TMPDIR:-/tmp}/lp-seed-XXXXXX")
trap 'rm -rf "$T"' EXIT

mkdir -p "$T/functions/course_request_handler" "$T/libs/shared/logic" \
    "$T/libs/shared/__pycache__"
cat > "$T/functions/course_request_handler/handler.py" <<'PY'
from shared.logic.courses import list_courses


def lambda_handler(event, context):
    return {"statusCode": 200, "courses": list_courses()}
PY
printf '' > "$T/libs/shared/__init__.py"
printf '' > "$T/libs/shared/logic/__init__.py"
cat > "$T/libs/shared/logic/courses.py" <<'PY'
def list_courses():
    return ["algebra", "biology"]
PY
printf 'stale' > "$T/libs/shared/__pycache__/courses.cpython-312.pyc"

"$LP" build -o "$T/dist/function.zip" "$T/functions" "$T/libs/shared=shared" >/dev/null
unzip -Z1 "$T/dist/function.zip" > "$T/list"
grep -qx 'shared/logic/courses.py' "$T/list"
grep -qx 'course_request_handler/handler.py' "$T/list"
if grep -q pycache "$T/list"; then echo "FAIL __pycache__ packaged"; exit 1; fi

mkdir "$T/x" && (cd "$T/x" && unzip -q "$T/dist/function.zip")
out=$(cd / && python3 -c "import sys; sys.path.insert(0, sys.argv[1]); \
from course_request_handler.handler import lambda_handler; print(lambda_handler({}, None))" "$T/x")
[ "$out" = "{'statusCode': 200, 'courses': ['algebra', 'biology']}" ] || {
    echo "FAIL handler printed: $out"; exit 1; }
echo "ok   handler runs from the extracted package: $out"

# Without the shared source the package is the incident's broken one, and
# verify against the full sources says exactly what is missing.
"$LP" build -o "$T/broken.zip" "$T/functions" >/dev/null
set +e
"$LP" verify "$T/broken.zip" --against "$T/functions" "$T/libs/shared=shared" > "$T/v"
rc=$?
set -e
[ "$rc" = 1 ] || { echo "FAIL verify exit $rc"; exit 1; }
grep -qx 'missing shared/logic/courses.py' "$T/v"
echo "ok   verify names the missing shared/logic/courses.py"
