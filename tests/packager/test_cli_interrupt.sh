#!/usr/bin/env bash
# lambdapack build, interrupted: SIGTERM (a background job of a script
# ignores SIGINT, and lambdapack leaves an ignored signal alone) or SIGINT in
# the foreground reaches the progress callback, the build stops with exit
# status 128 + the signal and the "Build cancelled" error, and nothing is
# left: no ZIP, no temporary file beside it, and a previous ZIP is untouched.
# Usage: test_cli_interrupt.sh BUILD_DIR
set -u
LP="$1/lambdapack"
T=$(mktemp -d "${TMPDIR:-/tmp}/lp-cli-int-XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
fail() { echo "FAIL $*"; fails=$((fails + 1)); }

# 64 files of 1 MiB of random words, each different: level 9 works for a
# while on them (random bytes would be stored at once).
python3 - "$T/src" <<'PY'
import os, random, sys
random.seed(os.getpid())
vocab = ["".join(random.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(random.randint(2, 10)))
         for _ in range(3000)]
os.makedirs(sys.argv[1])
for i in range(64):
    text = " ".join(random.choices(vocab, k=160000)).encode()[: 1 << 20]
    with open(os.path.join(sys.argv[1], "part%03d.txt" % i), "wb") as f:
        f.write(text)
PY
mkdir -p "$T/out" "$T/small"
echo 'x = 1' >"$T/small/app.py"
"$LP" build -o "$T/out/pkg.zip" "$T/small" >/dev/null || fail "the first build failed"
before=$(sha256sum "$T/out/pkg.zip" | cut -d' ' -f1)

# interrupt SIGNAL: builds src over out/pkg.zip and sends SIGNAL once the
# temporary ZIP exists; checks what is left.
interrupt() {
    local sig=$1 want=$2
    LAMBDAPACK_STORE=off "$LP" build --level 9 -o "$T/out/pkg.zip" "$T/src" >"$T/stdout" 2>"$T/stderr" &
    local pid=$! started=0 _
    for _ in $(seq 1 600); do
        if [ -n "$(find "$T/out" -name '*.tmp*' | head -n 1)" ]; then
            started=1
            break
        fi
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.05
    done
    [ "$started" = 1 ] || { fail "$sig: the build never started"; cat "$T/stderr"; }
    kill "-$sig" "$pid"
    local rc=0
    wait "$pid" || rc=$?
    [ "$rc" = "$want" ] || { fail "$sig: exit $rc, want $want"; cat "$T/stderr"; }
    grep -q 'Build cancelled' "$T/stderr" || { fail "$sig: no 'Build cancelled'"; cat "$T/stderr"; }
    grep -qF "build of '$T/out/pkg.zip' cancelled" "$T/stderr" || fail "$sig: the error names the ZIP"
    [ "$(ls "$T/out")" = "pkg.zip" ] || fail "$sig: files beside the output: $(ls "$T/out")"
    [ "$(sha256sum "$T/out/pkg.zip" | cut -d' ' -f1)" = "$before" ] || fail "$sig: the ZIP changed"
    [ "$rc" != "$want" ] || echo "ok   $sig cancels the build and leaves nothing"
}
interrupt TERM 143
# SIGINT reaches a background job only when it was not ignored: with job
# control (set -m) the job keeps the default disposition.
set -m
interrupt INT 130
set +m

[ "$fails" = 0 ] || { echo "$fails failure(s)"; exit 1; }
