#!/bin/sh
# Detached signatures made by the real tools: signify-openbsd (the usign
# format), minisign in legacy and prehashed modes, and openssl with RSA,
# ECDSA and Ed25519 keys.  Each verifies with its key, and fails with a
# tampered image, a tampered signature, or another key.
. "$(dirname "$0")/lib.sh"
need signify-openbsd minisign openssl python3

head -c 700000 /dev/urandom > "$T/fw.bin"
cp "$T/fw.bin" "$T/bad.bin"
flip_byte "$T/bad.bin" 4242

verdict() {   # the signature check's verdict in $T/out
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print([c["verdict"] for c in j["checks"] if c["name"]=="signature"][0])' "$T/out"
}

# try NAME SIG KEY OTHER_KEY: good passes; tampered image, tampered
# signature and another key all fail with exit 3.
try() {
	name=$1 sig=$2 key=$3 other=$4
	expect_exit 0 "$name: good signature" -- "$UNBRICK" check "$T/fw.bin" --sig "$sig" --key "$key" --json
	[ "$(verdict)" = pass ] && echo "ok: $name: signature check passes" || { echo "FAIL: $name: verdict $(verdict)"; FAILS=$((FAILS+1)); }
	expect_json 'j["verdict"] == "safe" and j["why"].startswith("signature:")' "$name: the signature makes random bytes safe"
	expect_exit 3 "$name: tampered image refused" -- "$UNBRICK" check "$T/bad.bin" --sig "$sig" --key "$key" --json
	[ "$(verdict)" = fail ] && echo "ok: $name: tampered image fails the signature" || { echo "FAIL: $name: verdict $(verdict)"; FAILS=$((FAILS+1)); }
	expect_exit 3 "$name: another key refused" -- "$UNBRICK" check "$T/fw.bin" --sig "$sig" --key "$other" --json
}

signify-openbsd -G -n -p "$T/s.pub" -s "$T/s.sec" >/dev/null
signify-openbsd -G -n -p "$T/s2.pub" -s "$T/s2.sec" >/dev/null
signify-openbsd -S -s "$T/s.sec" -m "$T/fw.bin" -x "$T/fw.sig"
try signify "$T/fw.sig" "$T/s.pub" "$T/s2.pub"
expect_grep "signature-keyid|another key|different key" "$T/out" "another signify key is named as such"
# the signature next to the image is found by itself
cp "$T/fw.sig" "$T/fw.bin.sig"
expect_exit 0 "signify: IMAGE.sig found next to the image" -- "$UNBRICK" check "$T/fw.bin" --key "$T/s.pub"
rm "$T/fw.bin.sig"

minisign -G -W -p "$T/m.pub" -s "$T/m.sec" >/dev/null
minisign -G -W -p "$T/m2.pub" -s "$T/m2.sec" >/dev/null
minisign -S -l -s "$T/m.sec" -m "$T/fw.bin" -x "$T/fw.legacy.minisig" -t "acme 1.2.0" >/dev/null
minisign -S -s "$T/m.sec" -m "$T/fw.bin" -x "$T/fw.minisig" -t "acme 1.2.0 prehashed" >/dev/null
try "minisign legacy" "$T/fw.legacy.minisig" "$T/m.pub" "$T/m2.pub"
try "minisign prehashed" "$T/fw.minisig" "$T/m.pub" "$T/m2.pub"
expect_exit 0 "minisign: trusted comment reported" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/fw.minisig" --key "$T/m.pub" --json
expect_grep "acme 1.2.0 prehashed" "$T/out" "the trusted comment is shown"
# the trusted comment is covered by the global signature
sed 's/^trusted comment: .*/trusted comment: acme 9.9.9/' "$T/fw.minisig" > "$T/forged.minisig"
expect_exit 3 "minisign: altered trusted comment refused" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/forged.minisig" --key "$T/m.pub"

for kind in rsa ec ed25519; do
	case $kind in
	rsa) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$T/$kind.key" 2>/dev/null ;;
	ec) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$T/$kind.key" 2>/dev/null ;;
	ed25519) openssl genpkey -algorithm ED25519 -out "$T/$kind.key" ;;
	esac
	openssl pkey -in "$T/$kind.key" -pubout -out "$T/$kind.pem"
	if [ $kind = ed25519 ]; then
		openssl pkeyutl -sign -rawin -inkey "$T/$kind.key" -in "$T/fw.bin" -out "$T/fw.$kind.sig"
	else
		openssl dgst -sha256 -sign "$T/$kind.key" -out "$T/fw.$kind.sig" "$T/fw.bin"
	fi
done
try "openssl RSA" "$T/fw.rsa.sig" "$T/rsa.pem" "$T/ec.pem"
try "openssl ECDSA" "$T/fw.ec.sig" "$T/ec.pem" "$T/rsa.pem"
try "openssl Ed25519" "$T/fw.ed25519.sig" "$T/ed25519.pem" "$T/rsa.pem"
openssl dgst -sha512 -sign "$T/rsa.key" -out "$T/fw.rsa512.sig" "$T/fw.bin"
expect_exit 0 "openssl RSA over SHA-512" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/fw.rsa512.sig" --key "$T/rsa.pem"

# an RSA key in PKCS#1 form (BEGIN RSA PUBLIC KEY) reads as well
openssl rsa -pubin -in "$T/rsa.pem" -RSAPublicKey_out -out "$T/rsa1.pem" 2>/dev/null
expect_exit 0 "openssl RSA with a PKCS#1 public key" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/fw.rsa.sig" --key "$T/rsa1.pem"

# Pure Ed25519 needs the image in memory: over 256 MiB it is refused with
# advice, while minisign's prehashed form streams (sparse file, no disk).
truncate -s 257M "$T/big.bin"
printf 'x' | dd of="$T/big.bin" bs=1 seek=123456 conv=notrunc 2>/dev/null
signify-openbsd -S -s "$T/s.sec" -m "$T/big.bin" -x "$T/big.sig"
minisign -S -s "$T/m.sec" -m "$T/big.bin" -x "$T/big.minisig" >/dev/null
expect_exit 1 "pure Ed25519 over 257 MiB refused" -- "$UNBRICK" check "$T/big.bin" --sig "$T/big.sig" --key "$T/s.pub"
expect_grep "prehashed" "$T/err" "the refusal points at the prehashed form"
expect_exit 0 "minisign prehashed over 257 MiB" -- "$UNBRICK" check "$T/big.bin" --sig "$T/big.minisig" --key "$T/m.pub" --json
expect_json '[c for c in j["checks"] if c["name"] == "signature"][0]["verdict"] == "pass"' "the big image's signature passes"
rm -f "$T/big.bin"

# A damaged signature file, and files that are not signatures or keys.
cp "$T/fw.rsa.sig" "$T/badsig"
flip_byte "$T/badsig" 100
expect_exit 3 "flipped byte in an RSA signature" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/badsig" --key "$T/rsa.pem"
python3 - "$T/fw.sig" "$T/badsig2" <<'PY'
import sys
lines = open(sys.argv[1]).read().split("\n")
b = list(lines[1]); b[20] = "A" if b[20] != "A" else "B"; lines[1] = "".join(b)
open(sys.argv[2], "w").write("\n".join(lines))
PY
expect_exit 3 "altered signify signature" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/badsig2" --key "$T/s.pub"
printf 'hello\n' > "$T/junk"
: > "$T/empty"
expect_exit 1 "a text file as signature" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/junk" --key "$T/s.pub"
expect_grep "what to do" "$T/err" "with advice"
expect_exit 1 "an empty signature" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/empty" --key "$T/s.pub"
expect_exit 1 "a text file as key" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/fw.sig" --key "$T/junk"
expect_grep "key" "$T/err" "names the key as the problem"
expect_exit 1 "a secret key instead of the public one" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/fw.rsa.sig" --key "$T/rsa.key"
expect_exit 1 "a minisign secret key instead of the public one" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/fw.minisig" --key "$T/m.sec"
expect_grep "secret key" "$T/err" "says it is a secret key"
expect_exit 1 "a minisign signature with a PEM key" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/fw.minisig" --key "$T/rsa.pem"
expect_grep "signature-format|signature is a signify" "$T/err" "names the mismatch"
expect_exit 1 "a missing key file" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/fw.sig" --key "$T/nope.pub"
finish
