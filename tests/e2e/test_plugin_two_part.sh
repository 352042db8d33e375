#!/usr/bin/env bash
# The plugin is a front binary plus the serving program it runs to serve
# (provider/CMakeLists.txt). --version and --help work from the binary alone;
# a start by Terraform without the program, with a file there that cannot
# run, or of a serving program for a front of another release, exits 1,
# names the program on stderr and prints no handshake; with the right
# program beside it, Terraform plans, and the serving process is the one
# Terraform started (the same pid, running the serving program).
. "$(dirname "$0")/lib.sh"
e2e_init "$1"
cookie=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2
alone="$E2E_WORK/alone"
mkdir -p "$alone"
cp "$E2E_PROVIDER" "$alone/terraform-provider-lambda"

"$alone/terraform-provider-lambda" --version >"$E2E_WORK/version.out" 2>&1 ||
    e2e_fail "--version without the serving program failed"
e2e_grep version.out "^terraform-provider-lambda $E2E_PROVIDER_VERSION " "--version from the binary alone"
"$alone/terraform-provider-lambda" --help >"$E2E_WORK/help.out" 2>&1 ||
    e2e_fail "--help without the serving program failed"
e2e_grep help.out "$E2E_SERVE_PROG" "--help names the serving program"

# refused WHAT PATTERN [PROGRAM]: a start as Terraform does it (of the front,
# or of PROGRAM) must exit 1 with PATTERN on stderr and nothing on stdout.
refused() {
    local rc=0
    TF_PLUGIN_MAGIC_COOKIE=$cookie PLUGIN_PROTOCOL_VERSIONS=6 \
        "${3:-$alone/terraform-provider-lambda}" \
        >"$E2E_WORK/$1.stdout" 2>"$E2E_WORK/$1.stderr" </dev/null || rc=$?
    [ "$rc" = 1 ] || e2e_fail "$1: exit $rc, want 1"
    [ ! -s "$E2E_WORK/$1.stdout" ] || e2e_fail "$1: a handshake was printed"
    e2e_grep "$1.stderr" "$2" "$1: the refusal says why"
}

refused missing "cannot find $E2E_SERVE_PROG.*directory of the binary"

# A file by that name that cannot be run.
printf 'not a program\n' >"$alone/$E2E_SERVE_PROG"
chmod 0644 "$alone/$E2E_SERVE_PROG"
refused not_runnable "cannot run $alone/$E2E_SERVE_PROG.*Permission denied"

# The serving program, started by a front of another release (the front
# hands its release over in TFP_LAUNCH_RELEASE).
install -m 0755 "$E2E_WORK/bin/$E2E_SERVE_PROG" "$alone/$E2E_SERVE_PROG"
TFP_LAUNCH_RELEASE=9.9.9 refused stale \
    "serving program is from release $E2E_PROVIDER_VERSION, the binary that started it is 9.9.9" \
    "$alone/$E2E_SERVE_PROG"

# serve_bg NAME CMD...: starts CMD as Terraform does, in the background, and
# waits for its handshake line in NAME.out; sets pid.
serve_bg() {
    local name=$1
    shift
    TF_PLUGIN_MAGIC_COOKIE=$cookie PLUGIN_PROTOCOL_VERSIONS=6 "$@" >"$E2E_WORK/$name.out" \
        2>"$E2E_WORK/$name.err" </dev/null &
    pid=$!
    E2E_PIDS+=("$pid")
    for _ in $(seq 100); do
        [ -s "$E2E_WORK/$name.out" ] && break
        sleep 0.05
    done
    grep -q '^1|6|unix|' "$E2E_WORK/$name.out" ||
        e2e_fail "$name: no handshake line: $(cat "$E2E_WORK/$name.out" "$E2E_WORK/$name.err")"
}

# With the program in place, the front's start is the serving program's:
# the handshake comes from the pid that was spawned, now running the program.
serve_bg front "$alone/terraform-provider-lambda"
exe=$(readlink "/proc/$pid/exe")
[ "$exe" = "$alone/$E2E_SERVE_PROG" ] || e2e_fail "pid $pid runs $exe, not the serving program"
tr '\0' '\n' <"/proc/$pid/environ" | grep -qx "TFP_LAUNCH_RELEASE=$E2E_PROVIDER_VERSION" ||
    e2e_fail "the front did not hand its release to the serving program"
kill -TERM "$pid"
wait "$pid" || true

# The front run by hand through the system's loader (no package lib/ beside
# it) still starts the serving program, through that same loader.
serve_bg loader /lib64/ld-linux-x86-64.so.2 "$alone/terraform-provider-lambda"
tr '\0' '\n' <"/proc/$pid/cmdline" | grep -qx "$alone/$E2E_SERVE_PROG" ||
    e2e_fail "the explicit loader does not run the serving program"
kill -TERM "$pid"
wait "$pid" || true

# The real pair serves Terraform (the dev_overrides directory holds both).
e2e_config plugin_basic
e2e_dev_overrides
e2e_expect_ok plan.out plan -no-color -input=false
e2e_assert_clean
e2e_finish
