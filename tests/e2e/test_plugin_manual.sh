#!/usr/bin/env bash
# The provider started by hand (not by Terraform): it explains what it is and
# exits 1; --version works; with Terraform's cookie but no protocol 6 on offer
# it refuses on stderr and prints no handshake; SIGTERM and the death of its
# parent both stop a serving provider and remove its socket directory.
. "$(dirname "$0")/lib.sh"
e2e_init "$1"
cookie=d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2

rc=0
"$E2E_PROVIDER" >"$E2E_WORK/manual.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || e2e_fail "started by hand: exit $rc, want 1"
e2e_grep manual.out 'Terraform' "explanation"
e2e_grep manual.out 'lambdapack/lambda' "explanation names the source address"
e2e_grep manual.out 'README' "explanation points at the README"
e2e_grep manual.out 'filesystem_mirror' "explanation names a way to install"

rc=0
TF_PLUGIN_MAGIC_COOKIE=wrong "$E2E_PROVIDER" >"$E2E_WORK/wrong-cookie.out" 2>&1 || rc=$?
[ "$rc" = 1 ] || e2e_fail "wrong cookie: exit $rc, want 1"
e2e_grep wrong-cookie.out 'lambdapack/lambda' "explanation on a wrong cookie"

"$E2E_PROVIDER" --help >"$E2E_WORK/help.out" 2>&1 || e2e_fail "--help must exit 0"
e2e_grep help.out 'lambdapack/lambda' "--help explains the provider"

"$E2E_PROVIDER" --version >"$E2E_WORK/version.out" 2>&1 || e2e_fail "--version failed"
e2e_grep version.out "^terraform-provider-lambda $E2E_PROVIDER_VERSION" "--version output"

rc=0
TF_PLUGIN_MAGIC_COOKIE=$cookie PLUGIN_PROTOCOL_VERSIONS=4,5 "$E2E_PROVIDER" \
    >"$E2E_WORK/v5.stdout" 2>"$E2E_WORK/v5.stderr" || rc=$?
[ "$rc" = 1 ] || e2e_fail "protocol 5 only: exit $rc, want 1"
[ ! -s "$E2E_WORK/v5.stdout" ] || e2e_fail "protocol 5 only: something was printed on stdout"
e2e_grep v5.stderr 'PLUGIN_PROTOCOL_VERSIONS=4,5' "refusal names the offer"

# start_provider OUT: starts the provider in the background as Terraform
# would (plaintext), waits for the handshake line, sets $pid and $sock.
start_provider() {
    local out="$E2E_WORK/$1"
    TF_PLUGIN_MAGIC_COOKIE=$cookie PLUGIN_PROTOCOL_VERSIONS=5,6 \
        "$E2E_PROVIDER" >"$out" 2>"$out.err" &
    pid=$!
    e2e_track_pid "$pid"
    local _
    for _ in $(seq 1 100); do
        [ -s "$out" ] && break
        sleep 0.05
    done
    [ -s "$out" ] || e2e_fail "no handshake line within 5 s"
    IFS='|' read -r core app net sock proto cert <"$out"
    [ "$core|$app|$net|$proto" = "1|6|unix|grpc" ] || e2e_fail "bad handshake line: $(cat "$out")"
    [ -z "$cert" ] || e2e_fail "plaintext handshake carries a certificate"
    [ -S "$sock" ] || e2e_fail "handshake socket $sock does not exist"
    case "$sock" in "$E2E_TMP"/tfp-lambda-*/plugin.sock) ;; *) e2e_fail "socket $sock not under TMPDIR" ;; esac
    [ "$(stat -c %a "$(dirname "$sock")")" = 700 ] || e2e_fail "socket dir is not 0700"
}

# PLUGIN_UNIX_SOCKET_DIR (go-plugin's setting) wins over TMPDIR.
mkdir -p "$E2E_TMP/sockets"
TF_PLUGIN_MAGIC_COOKIE=$cookie PLUGIN_UNIX_SOCKET_DIR="$E2E_TMP/sockets" \
    "$E2E_PROVIDER" >"$E2E_WORK/sockdir.out" 2>/dev/null &
pid=$!
e2e_track_pid "$pid"
for _ in $(seq 1 100); do
    [ -s "$E2E_WORK/sockdir.out" ] && break
    sleep 0.05
done
grep -q "|unix|$E2E_TMP/sockets/tfp-lambda-" "$E2E_WORK/sockdir.out" ||
    e2e_fail "PLUGIN_UNIX_SOCKET_DIR ignored: $(cat "$E2E_WORK/sockdir.out")"
kill -TERM "$pid"
wait "$pid" || true
[ -z "$(ls -A "$E2E_TMP/sockets")" ] || e2e_fail "socket dir left in PLUGIN_UNIX_SOCKET_DIR"
rmdir "$E2E_TMP/sockets"

start_provider term.out
kill -TERM "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || e2e_fail "SIGTERM: exit $rc, want 0"
[ ! -e "$(dirname "$sock")" ] || e2e_fail "SIGTERM: socket dir $(dirname "$sock") left behind"

# SIGINT is Terraform's Ctrl-C: like Go plugins, the provider keeps serving.
start_provider int.out
kill -INT "$pid"
sleep 0.3
kill -0 "$pid" 2>/dev/null || e2e_fail "SIGINT stopped the provider"
[ -S "$sock" ] || e2e_fail "SIGINT removed the socket"
kill -TERM "$pid"
wait "$pid" || true

# Parent gone: a short-lived shell starts the provider and exits.
bash -c "TF_PLUGIN_MAGIC_COOKIE=$cookie PLUGIN_PROTOCOL_VERSIONS=6 \
    '$E2E_PROVIDER' >'$E2E_WORK/orphan.out' 2>'$E2E_WORK/orphan.err' & sleep 0.5"
IFS='|' read -r _ _ _ sock _ _ <"$E2E_WORK/orphan.out"
[ -n "$sock" ] || e2e_fail "orphan: no handshake line"
for _ in $(seq 1 30); do
    [ -e "$(dirname "$sock")" ] || break
    sleep 0.1
done
[ ! -e "$(dirname "$sock")" ] || e2e_fail "orphaned provider did not exit and clean up"
e2e_assert_clean
e2e_finish
