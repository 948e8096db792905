#!/bin/sh
# Writes the seeds of tests/fuzz/corpus/signature from the committed test
# keys: each seed is one byte B, a signature, a key, split where
# fuzz_signature.c splits (1 + (size-1)*B/255).  The signatures cover the
# harness's fixed message, so the seeds reach the passing paths.  Run once.
set -eu
cd "$(dirname "$0")"
out=../../fuzz/corpus/signature
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
printf 'unbrick fuzz message\0' > "$T/msg"
signify-openbsd -S -s signify.sec -m "$T/msg" -x "$T/signify.sig"
minisign -S -s minisign.key -m "$T/msg" -x "$T/prehashed.minisig" -t "fuzz seed" >/dev/null
minisign -S -l -s minisign.key -m "$T/msg" -x "$T/legacy.minisig" -t "fuzz seed legacy" >/dev/null
openssl dgst -sha256 -sign rsa.key -out "$T/rsa.sig" "$T/msg"
openssl dgst -sha256 -sign ec.key -out "$T/ec.sig" "$T/msg"
openssl pkeyutl -sign -rawin -inkey ed25519.key -in "$T/msg" -out "$T/ed25519.sig"
pack() {  # pack NAME SIG KEY
	python3 - "$out/$1" "$2" "$3" <<'PY'
import sys
out, s, k = sys.argv[1], open(sys.argv[2], 'rb').read(), open(sys.argv[3], 'rb').read()
while True:
    size = 1 + len(s) + len(k)
    b = [b for b in range(256) if 1 + (size - 1) * b // 255 == 1 + len(s)]
    if b:
        break
    k += b'\n'   # both key kinds ignore trailing blank lines
open(out, 'wb').write(bytes([b[0]]) + s + k)
PY
}
pack signify "$T/signify.sig" signify.pub
pack minisign-prehashed "$T/prehashed.minisig" minisign.pub
pack minisign-legacy "$T/legacy.minisig" minisign.pub
pack rsa "$T/rsa.sig" rsa.pem
pack ecdsa "$T/ec.sig" ec.pem
pack ed25519 "$T/ed25519.sig" ed25519.pem
pack minisign-otherkey "$T/prehashed.minisig" minisign2.pub
