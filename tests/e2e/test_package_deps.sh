#!/usr/bin/env bash
# dependencies blocks with the real terraform: a pip install from a local
# wheelhouse (find_links, index_url = "") at plan, with the platform wheel
# for the runtime's glibc; the installed distributions are in the manifest,
# `files` and the import checks (strict_imports); a second plan runs no pip
# (a PATH shim records every run); unpinned requirements warn; removing the
# dependency fails the plan naming the import; a missing tool, an
# unresolvable requirement and a malformed lock file are diagnostics that
# keep the previous ZIP and state; npm ci from the registry for a Node.js
# function; TF_LOG=info logs each install.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_package.sh"
. "$(dirname "$0")/lib_deps.sh"
e2e_init "$1"
pkg_example basic
e2e_dev_overrides
export LAMBDAPACK_CACHE_DIR="$E2E_WORK/cache"
deps_wheelhouse "$E2E_WORK/wheels" || e2e_fail "cannot build the test wheelhouse"
deps_shims "$E2E_WORK/shims" "$E2E_WORK/tool-runs.log"
export PATH="$E2E_WORK/shims:$PATH"
cfg="$E2E_WORK/cfg"

mkdir -p "$cfg/app/api"
cat >"$cfg/app/api/handler.py" <<'PY'
import alpha
import nat


def lambda_handler(event, context):
    return {"alpha": alpha.VALUE, "nat": nat.VALUE}
PY
printf 'alpha==1.0\nbeta==2.0\nnat==1.0\n' >"$cfg/app/requirements.txt"

main_tf() { # main_tf RUNTIME_EXTRA
    pkg_write_main "resource \"lambda_package\" \"api\" {
  output_path    = \"build/api.zip\"
  runtime        = \"python3.12\"
  handler        = \"api.handler.lambda_handler\"
  strict_imports = true
  $1
  source {
    path   = \"app/api\"
    prefix = \"api\"
  }
  dependencies {
    file       = \"app/requirements.txt\"
    index_url  = \"\"
    find_links = [\"$E2E_WORK/wheels\"]
  }
}
output \"files\" { value = lambda_package.api.files }
output \"b64\" { value = lambda_package.api.output_base64sha256 }"
}
main_tf ""

# Plan: pip runs once, every hash is known.
TF_LOG=info TF_LOG_PATH="$E2E_WORK/plan1.log" e2e_expect_ok plan1.out plan -no-color -input=false
e2e_grep plan1.out 'output_base64sha256 += "' "plan knows the ZIP hash"
e2e_grep plan1.out '"alpha-1.0.dist-info/"' "files folds the distribution"
e2e_grep plan1.out '"api/handler.py"' "files lists the source"
e2e_grep plan1.log 'installed [0-9]+ files with pip in [0-9.]+s' "TF_LOG=info logs the install"
grep -q '^python3 -m pip install' "$E2E_WORK/tool-runs.log" || e2e_fail "pip did not run at plan"

e2e_expect_ok apply.out apply -auto-approve -no-color -input=false
zip="$cfg/build/api.zip"
unzip -Z1 "$zip" >"$E2E_WORK/entries"
for want in alpha/__init__.py beta/__init__.py nat/__init__.py alpha-1.0.dist-info/RECORD \
    api/handler.py; do
    grep -qx "$want" "$E2E_WORK/entries" || e2e_fail "$want missing from the ZIP"
done
if grep -Eq '(^|/)(INSTALLER|REQUESTED|direct_url\.json)$|^bin/|__pycache__|\.pyc$' "$E2E_WORK/entries"; then
    e2e_fail "non-reproducible pip files in the ZIP: $(grep -E 'INSTALLER|REQUESTED|direct_url|^bin/|pyc' "$E2E_WORK/entries")"
fi
unzip -p "$zip" alpha-1.0.dist-info/RECORD | grep -Eq '\.\./|^bin/|INSTALLER' &&
    e2e_fail "RECORD still lists removed files"
[ "$(unzip -p "$zip" nat/__init__.py)" = "VALUE = 'nat-2.17'" ] ||
    e2e_fail "platform selection: picked $(unzip -p "$zip" nat/__init__.py), want the manylinux_2_17 wheel"
b64=$(pkg_state_attr output_base64sha256)
[ "$b64" = "$(openssl dgst -sha256 -binary "$zip" | base64)" ] || e2e_fail "state hash != ZIP"

# A second plan: no changes, and no pip ran (warm, verified cache).
: >"$E2E_WORK/tool-runs.log"
pkg_expect_plan plan2.out 0 "warm plan"
[ ! -s "$E2E_WORK/tool-runs.log" ] || e2e_fail "warm plan ran a tool: $(cat "$E2E_WORK/tool-runs.log")"

# A damaged cache entry is never trusted: it is installed again, same bytes.
entry=$(ls -d "$LAMBDAPACK_CACHE_DIR"/deps/*/ | head -n 1)
echo 'tampered = 1' >>"$entry/tree/beta/__init__.py"
pkg_expect_plan plan3.out 0 "plan after a damaged cache entry"
grep -q 'pip install' "$E2E_WORK/tool-runs.log" || e2e_fail "damaged entry was used without reinstalling"

# arm64: the x86_64 wheel does not fit, and sdists are not built.
main_tf 'architecture = "arm64"'
e2e_tf arm.out plan -no-color -input=false && e2e_fail "arm64 plan should fail"
e2e_grep arm.out 'Error: Cannot install dependencies' "arm64 summary"
e2e_grep arm.out 'file += "app/requirements.txt"' "arm64 points at dependencies[0].file"
e2e_grep arm.out 'nat' "arm64 names the requirement"
e2e_grep arm.out 'source distributions are not built' "arm64 says why"
main_tf ""

# Unpinned requirements: a warning naming the fix.
printf 'alpha>=1.0\nbeta==2.0\nnat==1.0\n' >"$cfg/app/requirements.txt"
e2e_expect_ok unpinned.out plan -no-color -input=false
e2e_grep unpinned.out 'Warning: Dependencies not fully pinned' "unpinned warning"
e2e_grep unpinned.out 'pip-compile --generate-hashes' "unpinned warning names the fix"

# Removing the dependency: the handler's import is named.
printf 'beta==2.0\nnat==1.0\n' >"$cfg/app/requirements.txt"
e2e_tf noalpha.out plan -no-color -input=false && e2e_fail "plan without alpha should fail"
e2e_grep noalpha.out 'alpha' "the missing import is named"

# Failures keep the previous ZIP and state.
before=$(sha256sum "$zip" | cut -d' ' -f1)
state_before=$(sha256sum "$cfg/terraform.tfstate" | cut -d' ' -f1)
printf 'alpha==1.0\nbeta==2.0\nnat==1.0\nnosuchpkg==9.9\n' >"$cfg/app/requirements.txt"
e2e_tf unresolvable.out apply -auto-approve -no-color -input=false && e2e_fail "unresolvable apply"
e2e_grep unresolvable.out 'Error: Cannot install dependencies' "unresolvable summary"
e2e_grep unresolvable.out 'nosuchpkg' "unresolvable names the requirement (pip stderr)"
e2e_grep unresolvable.out 'file += "app/requirements.txt"' "unresolvable points at dependencies[0].file"

printf 'alpha==1.0\nbeta==2.0\nnat==1.0\nextra==1.0\n' >"$cfg/app/requirements.txt"
mkdir -p "$E2E_WORK/nopython"
ln -sf "$(command -v terraform)" "$E2E_WORK/nopython/terraform"
PATH="$E2E_WORK/nopython" e2e_tf missing.out apply -auto-approve -no-color -input=false &&
    e2e_fail "apply without python3"
e2e_grep missing.out 'Error: Cannot install dependencies' "missing tool summary"
e2e_grep missing.out 'apt-get install python3 python3-pip' "missing tool says what to install"

[ "$(sha256sum "$zip" | cut -d' ' -f1)" = "$before" ] || e2e_fail "a failed apply changed the ZIP"
[ "$(sha256sum "$cfg/terraform.tfstate" | cut -d' ' -f1)" = "$state_before" ] ||
    e2e_fail "a failed apply changed the state"

# npm: a Node.js function from the real registry; a malformed lock file.
if command -v npm >/dev/null 2>&1; then
    mkdir -p "$cfg/node"
    cp "$E2E_REPO/tests/packager/data/npm-debug/package.json" \
        "$E2E_REPO/tests/packager/data/npm-debug/package-lock.json" "$cfg/node/"
    printf 'const debug = require("debug");\nexports.handler = async () => debug.enabled("x");\n' \
        >"$cfg/node/index.js"
    pkg_write_main 'resource "lambda_package" "fn" {
  output_path = "build/fn.zip"
  runtime     = "nodejs20.x"
  handler     = "index.handler"
  source {
    path    = "node"
    include = ["index.js"]
  }
  dependencies {
    file = "node/package-lock.json"
  }
}'
    e2e_expect_ok npm.out apply -auto-approve -no-color -input=false
    unzip -Z1 "$cfg/build/fn.zip" >"$E2E_WORK/npm-entries"
    grep -qx 'node_modules/debug/package.json' "$E2E_WORK/npm-entries" || e2e_fail "debug missing"
    grep -qx 'node_modules/ms/index.js' "$E2E_WORK/npm-entries" || e2e_fail "ms (transitive) missing"
    grep -q 'node_modules/is-number' "$E2E_WORK/npm-entries" && e2e_fail "devDependency packaged"
    grep -Eq '\.package-lock\.json|/\.bin/' "$E2E_WORK/npm-entries" && e2e_fail "npm leftovers packaged"
    : >"$E2E_WORK/tool-runs.log"
    pkg_expect_plan npm2.out 0 "warm npm plan"
    [ ! -s "$E2E_WORK/tool-runs.log" ] || e2e_fail "warm npm plan ran: $(cat "$E2E_WORK/tool-runs.log")"
    zip_before=$(sha256sum "$cfg/build/fn.zip" | cut -d' ' -f1)
    printf '{"lockfileVersion": 3, "packages": {' >"$cfg/node/package-lock.json"
    e2e_tf badlock.out apply -auto-approve -no-color -input=false && e2e_fail "malformed lock file"
    e2e_grep badlock.out 'Error: Cannot install dependencies' "malformed lock summary"
    e2e_grep badlock.out 'not a valid lock file' "malformed lock detail"
    [ "$(sha256sum "$cfg/build/fn.zip" | cut -d' ' -f1)" = "$zip_before" ] ||
        e2e_fail "a malformed lock file changed the ZIP"
else
    echo "NOTE: npm is not installed; skipping the npm part (scripts/install-deps.sh installs it)"
fi
e2e_assert_clean
echo "ok"
