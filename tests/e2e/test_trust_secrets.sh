#!/usr/bin/env bash
# Secrets stay out. A source holding .env, id_rsa, .ssh/id_ed25519,
# .aws/credentials and server.pem is a plan error naming each file and how to
# allow it, and no plan output shows their hashes; allow_sensitive_files
# lets a chosen one ship. .venv/, .pytest_cache/ and .mypy_cache/ are left
# out by default; `!README.md` in excludes re-includes a file (gitignore).
# The 250 MB unzipped limit is a plan error before any file is read (a
# sparse 5 GiB file), and the CLI applies the same rules.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides
cfg="$E2E_WORK/cfg"
fn="$cfg/src/lambda/course_request_handler"
mkdir -p "$fn/.ssh" "$fn/.aws" "$fn/.venv/lib" "$fn/.pytest_cache/v" "$fn/.mypy_cache" "$fn/certs"
echo 'SECRET=1' >"$fn/.env"
echo 'SECRET=example' >"$fn/.env.example"
echo 'key' >"$fn/id_rsa"
echo 'key' >"$fn/.ssh/id_ed25519"
echo '[default]' >"$fn/.aws/credentials"
echo 'pem' >"$fn/server.pem"
echo 'ca' >"$fn/certs/ca.pem"
echo 'x' >"$fn/.venv/lib/site.py"
echo 'x' >"$fn/.pytest_cache/v/cache"
echo 'x' >"$fn/.mypy_cache/x.json"
echo '# readme' >"$fn/README.md"
echo '# notes' >"$fn/NOTES.md"

rc=0
e2e_tf plan-secrets.out plan -no-color -input=false || rc=$?
[ "$rc" = 1 ] || e2e_fail "plan with credentials in the source exited $rc, want 1"
for f in .env id_rsa .ssh/id_ed25519 .aws/credentials server.pem certs/ca.pem; do
    e2e_grep plan-secrets.out "'course_request_handler/$f' looks like a" "the error names $f"
done
e2e_grep plan-secrets.out 'Error: Sensitive file in package' "summary"
e2e_grep plan-secrets.out 'allow_sensitive_files' "the error says how to allow"
e2e_grep_not plan-secrets.out 'env.example' ".env.example is no credential"
e2e_grep_not plan-secrets.out '[0-9a-f]{64}' "no hash of any file is printed"

# Remove the secrets, allow the CA bundle, exclude the notes but not README.
rm -rf "$fn/.env" "$fn/id_rsa" "$fn/.ssh" "$fn/.aws" "$fn/server.pem"
python3 - "$cfg/main.tf" <<'PY'
import sys
p = sys.argv[1]
s = open(p).read()
s = s.replace('handler     = "course_request_handler.handler.lambda_handler"',
              'handler     = "course_request_handler.handler.lambda_handler"\n'
              '  allow_sensitive_files = ["course_request_handler/certs/*.pem"]\n'
              '  excludes    = ["*.md", "!README.md"]', 1)
open(p, "w").write(s)
PY
e2e_expect_ok apply.out apply -no-color -input=false -auto-approve
list=$(unzip -Z1 "$cfg/build/course_request_handler.zip")
for f in certs/ca.pem README.md .env.example handler.py; do
    grep -qx "course_request_handler/$f" <<<"$list" || e2e_fail "the package lacks $f: $list"
done
for f in NOTES.md .venv/lib/site.py .pytest_cache/v/cache .mypy_cache/x.json; do
    grep -qx "course_request_handler/$f" <<<"$list" && e2e_fail "the package holds $f"
done

# The size limit, from file sizes: a sparse 5 GiB file is refused at once.
truncate -s 5G "$fn/huge.bin"
rc=0
e2e_tf plan-huge.out plan -no-color -input=false || rc=$?
[ "$rc" = 1 ] || e2e_fail "plan with a 5 GiB file exited $rc, want 1"
e2e_grep plan-huge.out 'Error: Package too large' "size: summary"
e2e_grep plan-huge.out 'huge.bin' "size: names the largest file"
e2e_grep plan-huge.out 'No file was read' "size: nothing was read"

# The CLI: the same rules; --no-size-limit only lifts the limit.
cd "$cfg"
rc=0
"$E2E_BUILD/lambdapack" build -o "$E2E_WORK/cli.zip" src/lambda/course_request_handler \
    >"$E2E_WORK/cli-huge.out" 2>&1 || rc=$?
[ "$rc" != 0 ] || e2e_fail "lambdapack build of a 5 GiB tree succeeded"
e2e_grep cli-huge.out 'Package too large' "CLI: size limit"
[ ! -e "$E2E_WORK/cli.zip" ] || e2e_fail "the CLI wrote a ZIP over the limit"
rm -f "$fn/huge.bin"
rc=0
"$E2E_BUILD/lambdapack" build -o "$E2E_WORK/cli.zip" src/lambda/course_request_handler \
    >"$E2E_WORK/cli-pem.out" 2>&1 || rc=$?
[ "$rc" != 0 ] || e2e_fail "lambdapack build with a .pem succeeded"
e2e_grep cli-pem.out "'certs/ca.pem' looks like a credential" "CLI: secret guard"
e2e_grep cli-pem.out "allow-sensitive-file" "CLI: says how to allow"
"$E2E_BUILD/lambdapack" build -o "$E2E_WORK/cli.zip" src/lambda/course_request_handler \
    --allow-sensitive-file 'certs/*.pem' --exclude '*.md' --exclude '!README.md' \
    >"$E2E_WORK/cli-ok.out" 2>&1 || { cat "$E2E_WORK/cli-ok.out" >&2; e2e_fail "CLI build with the allowances failed"; }
list=$(unzip -Z1 "$E2E_WORK/cli.zip")
grep -qx README.md <<<"$list" || e2e_fail "CLI: README.md not re-included"
grep -qx NOTES.md <<<"$list" && e2e_fail "CLI: NOTES.md packaged"
cd - >/dev/null

e2e_assert_clean
e2e_finish
