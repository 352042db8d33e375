#!/usr/bin/env bash
# --debug mode for developers: the provider serves plaintext on its own and
# prints a TF_REATTACH_PROVIDERS value; terraform plan attaches to it instead
# of starting a process, and Ctrl-C (SIGINT) then stops the provider and
# removes its socket directory.
. "$(dirname "$0")/lib.sh"
e2e_init "$1"
e2e_config plugin_basic

"$E2E_PROVIDER" --debug >"$E2E_WORK/debug.out" 2>"$E2E_WORK/debug.err" &
pid=$!
e2e_track_pid "$pid"
for _ in $(seq 1 100); do
    grep -q "TF_REATTACH_PROVIDERS=" "$E2E_WORK/debug.out" 2>/dev/null && break
    sleep 0.05
done
reattach=$(sed -n "s/^ *export TF_REATTACH_PROVIDERS='\(.*\)'$/\1/p" "$E2E_WORK/debug.out")
[ -n "$reattach" ] || { e2e_fail "no TF_REATTACH_PROVIDERS line: $(cat "$E2E_WORK/debug.out")"; }
sock=$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["registry.terraform.io/lambdapack/lambda"]["Addr"]["String"])' "$reattach")
[ -S "$sock" ] || e2e_fail "reattach socket $sock missing"

# No CLI config at all: the reattached provider needs neither init nor overrides.
export TF_CLI_CONFIG_FILE="$E2E_WORK/empty.tfrc"
: >"$TF_CLI_CONFIG_FILE"
rc=0
TF_REATTACH_PROVIDERS="$reattach" TF_LOG=debug e2e_tf plan.out plan -no-color -input=false || rc=$?
if [ "$rc" != 0 ]; then
    cat "$E2E_WORK/plan.out" >&2
    e2e_fail "plan against the reattached provider failed"
fi
e2e_grep plan.out 'overridden as an "unmanaged provider"' "terraform used the reattach config"
e2e_grep_not plan.out 'starting plugin: path=' "terraform must not start its own provider"
kill -0 "$pid" 2>/dev/null || e2e_fail "the debug provider exited after one plan"

kill -INT "$pid"
rc=0
wait "$pid" || rc=$?
[ "$rc" = 0 ] || e2e_fail "debug provider: exit $rc after SIGINT, want 0"
[ ! -e "$(dirname "$sock")" ] || e2e_fail "socket dir left after SIGINT"
e2e_assert_clean
e2e_finish
