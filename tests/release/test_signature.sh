#!/usr/bin/env bash
# Signing the release as the Registry wants it: with a throwaway RSA key made
# here, scripts/release.sh --sign-only (what `make release GPG_KEY=...` runs
# after building) writes SHA256SUMS.sig, a binary detached signature that
# gpg --verify accepts and that fails once SHA256SUMS is altered. An ECC key
# is refused before anything is built or signed, naming the reason.
. "$(dirname "$0")/lib.sh"
rel_init "$1" "$2"
command -v gpg >/dev/null || rel_fail "gpg missing: scripts/install-deps.sh --release installs it"

out="$REL_WORK/dist"
mkdir -p "$out"
cp "$REL_DIST"/"${REL_NAME_PREFIX}_${REL_VERSION}"_{linux_amd64.zip,linux_arm64.zip,manifest.json,SHA256SUMS} \
    "$out/"
sums="$out/${REL_NAME_PREFIX}_${REL_VERSION}_SHA256SUMS"
sig="$sums.sig"

# A short private GNUPGHOME (the agent's socket lives there).
GNUPGHOME=$(mktemp -d /tmp/rel-gpg.XXXXXX)
export GNUPGHOME
chmod 700 "$GNUPGHOME"
gpg_done() {
    gpgconf --kill gpg-agent 2>/dev/null || true
    rm -rf "$GNUPGHOME"
    rel_cleanup
}
trap gpg_done EXIT

gpg --batch --pinentry-mode loopback --passphrase '' \
    --quick-gen-key 'Release Test <release-test@example.invalid>' rsa2048 sign 1d 2>"$REL_WORK/gen.err" ||
    { cat "$REL_WORK/gen.err" >&2; rel_fail "cannot generate an RSA key"; }
fpr=$(gpg --batch --with-colons --list-secret-keys release-test@example.invalid 2>/dev/null |
    awk -F: '$1 == "fpr" { print $10; exit }')
[ -n "$fpr" ] || rel_fail "no fingerprint for the generated key"

GPG_KEY=$fpr "$REL_SRC/scripts/release.sh" --sign-only --out "$out" 2>"$REL_WORK/sign.err" ||
    { cat "$REL_WORK/sign.err" >&2; rel_fail "release.sh --sign-only failed"; }
[ -s "$sig" ] || rel_fail "no $sig"
# Binary, not ASCII-armored: an OpenPGP packet starts with a byte >= 0x80.
first=$(head -c 1 "$sig" | od -An -tu1 | tr -d ' ')
[ "$first" -ge 128 ] || rel_fail "$sig is not a binary OpenPGP signature (first byte $first)"
grep -q 'BEGIN PGP' "$sig" && rel_fail "$sig is ASCII-armored"
gpg --batch --verify "$sig" "$sums" 2>"$REL_WORK/verify.err" ||
    { cat "$REL_WORK/verify.err" >&2; rel_fail "gpg --verify rejects the signature"; }
grep -q 'Good signature' "$REL_WORK/verify.err" || rel_fail "gpg did not report a good signature"
(cd "$out" && sha256sum --quiet -c "$sums") || rel_fail "SHA256SUMS does not match the assets"
for f in linux_amd64.zip linux_arm64.zip manifest.json; do
    grep -q "  ${REL_NAME_PREFIX}_${REL_VERSION}_$f\$" "$sums" || rel_fail "SHA256SUMS lacks $f"
done
[ "$(wc -l <"$sums")" = 3 ] || rel_fail "SHA256SUMS lists more than the zips and the manifest"

# Tampering is caught.
cp "$sums" "$REL_WORK/sums.orig"
printf '%064d  %s\n' 0 "${REL_NAME_PREFIX}_${REL_VERSION}_linux_evil.zip" >>"$sums"
if gpg --batch --verify "$sig" "$sums" 2>/dev/null; then
    rel_fail "gpg --verify accepts an altered SHA256SUMS"
fi
cp "$REL_WORK/sums.orig" "$sums"

# An ECC key is refused: the Registry would reject it at publication.
gpg --batch --pinentry-mode loopback --passphrase '' \
    --quick-gen-key 'ECC Test <ecc-test@example.invalid>' ed25519 sign 1d 2>/dev/null
ecc=$(gpg --batch --with-colons --list-secret-keys ecc-test@example.invalid 2>/dev/null |
    awk -F: '$1 == "fpr" { print $10; exit }')
rm -f "$sig"
rc=0
GPG_KEY=$ecc "$REL_SRC/scripts/release.sh" --sign-only --out "$out" 2>"$REL_WORK/ecc.err" || rc=$?
[ "$rc" != 0 ] || rel_fail "release.sh signed with an ECC key"
grep -q 'not an RSA or DSA key' "$REL_WORK/ecc.err" || rel_fail "ECC refusal does not say why"
[ ! -e "$sig" ] || rel_fail "a signature was written with an ECC key"

echo "PASS: $REL_TEST"
