#!/usr/bin/env bash
# The plugin is a front binary plus the serving library it loads to serve
# (provider/CMakeLists.txt). --version and --help work from the binary alone;
# a start by Terraform without the library, with a library that is not ours
# or with one from another release exits 1, names the library on stderr and
# prints no handshake; with the right library beside it, Terraform plans.
. "$(dirname "$0")/lib.sh"
e2e_init "$1"
cookie=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2
alone="$E2E_WORK/alone"
mkdir -p "$alone"
cp "$E2E_PROVIDER" "$alone/terraform-provider-lambda"

"$alone/terraform-provider-lambda" --version >"$E2E_WORK/version.out" 2>&1 ||
    e2e_fail "--version without the serving library failed"
e2e_grep version.out "^terraform-provider-lambda $E2E_PROVIDER_VERSION " "--version from the binary alone"
"$alone/terraform-provider-lambda" --help >"$E2E_WORK/help.out" 2>&1 ||
    e2e_fail "--help without the serving library failed"
e2e_grep help.out "$E2E_SERVE_LIB" "--help names the serving library"

# refused WHAT PATTERN: a start as Terraform does it must exit 1 with
# PATTERN on stderr and nothing on stdout.
refused() {
    local rc=0
    TF_PLUGIN_MAGIC_COOKIE=$cookie PLUGIN_PROTOCOL_VERSIONS=6 "$alone/terraform-provider-lambda" \
        >"$E2E_WORK/$1.stdout" 2>"$E2E_WORK/$1.stderr" </dev/null || rc=$?
    [ "$rc" = 1 ] || e2e_fail "$1: exit $rc, want 1"
    [ ! -s "$E2E_WORK/$1.stdout" ] || e2e_fail "$1: a handshake was printed"
    e2e_grep "$1.stderr" "$2" "$1: the refusal says why"
}

refused missing "cannot load $E2E_SERVE_LIB.*directory of the binary"

# A shared object that is not a serving library.
cat >"$E2E_WORK/foreign.c" <<'C'
int not_a_plugin(void) { return 0; }
C
cc -shared -fPIC -o "$alone/$E2E_SERVE_LIB" "$E2E_WORK/foreign.c" ||
    e2e_fail "cannot build the foreign library"
refused foreign "$E2E_SERVE_LIB has no symbol tfp_plugin_"

# A serving library of another release.
cat >"$E2E_WORK/other.c" <<'C'
const char tfp_plugin_release[] = "9.9.9";
int tfp_plugin_serve(const void *opts) { (void)opts; return 0; }
C
cc -shared -fPIC -o "$alone/$E2E_SERVE_LIB" "$E2E_WORK/other.c" ||
    e2e_fail "cannot build the stand-in library"
refused stale "from release 9.9.9, this binary is $E2E_PROVIDER_VERSION"

# The real pair serves Terraform (the dev_overrides directory holds both).
e2e_config plugin_basic
e2e_dev_overrides
e2e_expect_ok plan.out plan -no-color -input=false
e2e_assert_clean
e2e_finish
