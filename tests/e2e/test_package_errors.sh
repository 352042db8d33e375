#!/usr/bin/env bash
# Every user error is a Terraform diagnostic that names the attribute and the
# path involved, and never leaves a crashed provider behind: bad level, unknown
# runtime, source blocks of the wrong shape, a missing source path (with the
# nearest existing one suggested), bad prefixes and globs at validate, a path
# collision, a bad glob, an escaping symlink and an output that cannot be
# written. A failed apply keeps the previous ZIP.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides
src='./src/lambda'

# expect_error OUT STEP SUMMARY DETAIL-TOKEN...: terraform STEP fails with
# "Error: SUMMARY" and the output contains every token.
expect_error() {
    local out=$1 step=$2 summary=$3
    shift 3
    local rc=0 args=(-no-color)
    [ "$step" = validate ] || args+=(-input=false)
    e2e_tf "$out" "$step" "${args[@]}" || rc=$?
    [ "$rc" = 1 ] || { tail -n 30 "$E2E_WORK/$out" >&2; e2e_fail "$out: $step exited $rc, want 1"; }
    e2e_grep "$out" "Error: $summary" "$out: summary"
    local tok
    for tok in "$@"; do
        e2e_grep "$out" "$tok" "$out: detail"
    done
    e2e_grep_not "$out" 'Plugin did not respond|panic|crash' "$out: provider stayed up"
}

pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path       = \"build/p.zip\"
  compression_level = 12
  source {
    path = \"$src/shared\"
  }
}"
expect_error level.out validate 'Invalid compression_level' 'compression_level' '12'

pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  runtime     = \"python2.7x\"
  source {
    path = \"$src/shared\"
  }
}"
expect_error runtime.out validate 'Unknown Lambda runtime' 'python2.7x' 'python3.12'

pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    path    = \"$src/shared\"
    content = \"x\"
  }
}"
expect_error shape.out validate 'Invalid source block' 'source\[0\]'

pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    content = \"print(1)\"
  }
}"
expect_error nofilename.out validate 'Missing filename' 'filename'

# Prefixes and globs are checked at validate when they are known, and a bad
# prefix says how to write one.
for bad in /shared ../x; do
    pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    path   = \"$src/shared\"
    prefix = \"$bad\"
  }
}"
    expect_error "prefix${bad//\//_}.out" validate 'Invalid prefix' 'prefix' 'relative to the' \
        'python/lib'
done
pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    path    = \"$src/shared\"
    exclude = [\"[abc\"]
  }
}"
expect_error glob-validate.out validate 'Invalid glob pattern' 'exclude' '\[abc'

pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    path = \"$src/shared\"
  }
  source {
    path   = \"$src/does-not-exist\"
    prefix = \"x\"
  }
}"
expect_error missing.out plan 'Source path does not exist' 'does-not-exist'
e2e_grep missing.out 'path *= "\./src/lambda/does-not-exist"' "diagnostic points at source[1].path"

# A typo in a path: the nearest existing path is suggested.
pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    path = \"./src/lamda/shraed\"
  }
}"
expect_error typo.out plan 'Source path does not exist' 'did you mean' "'./src/lambda/shared'\\?"

pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    path   = \"$src/shared\"
    prefix = \"shared\"
  }
  source {
    content  = \"x = 1\"
    filename = \"shared/__init__.py\"
  }
}"
expect_error collision.out plan 'Two sources produce the same archive path' 'shared/__init__.py'

pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    path    = \"$src/shared\"
    exclude = [\"[unclosed\"]
  }
}"
expect_error glob.out plan 'Invalid glob pattern' 'unclosed'

mkdir -p "$E2E_WORK/cfg/leaky"
echo 'print("ok")' >"$E2E_WORK/cfg/leaky/app.py"
echo 'aws_secret_access_key = x' >"$E2E_WORK/secret.txt"
ln -s "$E2E_WORK/secret.txt" "$E2E_WORK/cfg/leaky/credentials"
pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    path = \"./leaky\"
  }
}"
expect_error symlink.out plan 'Symlink leaves its source' 'credentials'

# The output cannot be written: its parent is a regular file.
echo 'not a directory' >"$E2E_WORK/cfg/blocker"
pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"blocker/p.zip\"
  source {
    path = \"$src/shared\"
  }
}"
expect_error output.out plan 'Cannot write the package' 'blocker' 'not a directory'
e2e_tf output-apply.out apply -no-color -input=false -auto-approve || true
e2e_grep output-apply.out 'blocker' "apply names the output path"

# A failed apply keeps the previous ZIP: build one, then break a source.
pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    path   = \"$src/shared\"
    prefix = \"shared\"
  }
}"
e2e_expect_ok good.out apply -no-color -input=false -auto-approve
before=$(pkg_sha256 build/p.zip)
pkg_write_main "resource \"lambda_package\" \"p\" {
  output_path = \"build/p.zip\"
  source {
    path   = \"$src/shared\"
    prefix = \"shared\"
  }
  source {
    path = \"./nowhere\"
  }
}"
e2e_tf broken.out apply -no-color -input=false -auto-approve && e2e_fail "apply with a missing source succeeded"
[ "$(pkg_sha256 build/p.zip)" = "$before" ] || e2e_fail "a failed apply changed the previous ZIP"
ls "$E2E_WORK/cfg/build" | grep -q '\.tmp$' && e2e_fail "a temporary file was left in build/"

e2e_assert_clean
e2e_finish
