#!/usr/bin/env bash
# A package that vendors a dependency with hundreds of files keeps its plan
# readable: first-party files are listed one by one, the vendored
# distribution is one `files` entry, and a change deep inside it still shows
# as a change of that entry.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides
fn="$E2E_WORK/cfg/fn"
mkdir -p "$fn/app" "$fn/bigdep-1.0.dist-info"
printf 'import bigdep\n\ndef handler(event, context):\n    return bigdep.VERSION\n' >"$fn/app/main.py"
: >"$fn/app/__init__.py"
record="$fn/bigdep-1.0.dist-info/RECORD"
: >"$record"
for d in $(seq 1 20); do
    mkdir -p "$fn/bigdep/sub$d"
    : >"$fn/bigdep/sub$d/__init__.py"
    echo "bigdep/sub$d/__init__.py,," >>"$record"
    for f in $(seq 1 20); do
        echo "X = $d * $f" >"$fn/bigdep/sub$d/m$f.py"
        echo "bigdep/sub$d/m$f.py,," >>"$record"
    done
done
echo 'VERSION = "1.0"' >"$fn/bigdep/__init__.py"
echo "bigdep/__init__.py,," >>"$record"
echo 'Name: bigdep' >"$fn/bigdep-1.0.dist-info/METADATA"

pkg_write_main 'resource "lambda_package" "p" {
  output_path = "build/p.zip"
  runtime     = "python3.12"
  handler     = "app.main.handler"
  source {
    path = "./fn"
  }
}'
e2e_expect_ok plan.out plan -no-color -input=false
e2e_grep plan.out 'file_count += 425' "all 425 files are packaged"
e2e_grep plan.out '"bigdep/" += "[0-9a-f]{64}"' "the distribution is one entry"
e2e_grep plan.out '"app/main.py" += "[0-9a-f]{64}"' "first-party files are listed"
e2e_grep_not plan.out '"bigdep/sub' "no per-file lines for the vendored tree"
lines=$(wc -l <"$E2E_WORK/plan.out")
[ "$lines" -lt 80 ] || e2e_fail "plan has $lines lines for one package"

e2e_expect_ok apply.out apply -no-color -input=false -auto-approve
echo 'X = "changed"' >"$fn/bigdep/sub7/m13.py"
pkg_expect_plan plan2.out 2 "a change inside the vendored tree"
e2e_grep plan2.out '~ "bigdep/" += "[0-9a-f]{64}" -> "[0-9a-f]{64}"' "the folded entry changes"
e2e_assert_clean
e2e_finish
