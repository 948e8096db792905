#!/bin/sh
# Made the fixed vectors in this folder ONCE with the real tools (Debian 12:
# signify-openbsd 30, minisign 0.11, OpenSSL 3.0).  Kept for the record; the
# unit tests use the committed files and never run this.  The secret keys
# are test-only and committed so that the vectors can be extended.
set -eu
cd "$(dirname "$0")"
# 3000 bytes of fixed, readable data
python3 -c 'import sys; sys.stdout.write("".join("unbrick signature test line %04d\n" % i for i in range(94))[:3000])' > data.bin

signify-openbsd -G -n -c "unbrick test key" -p signify.pub -s signify.sec
signify-openbsd -G -n -c "unbrick other key" -p signify2.pub -s signify2.sec
signify-openbsd -S -s signify.sec -m data.bin -x data.bin.sig

minisign -G -f -W -p minisign.pub -s minisign.key
minisign -G -f -W -p minisign2.pub -s minisign2.key
minisign -S -s minisign.key -m data.bin -x data.bin.minisig -t "acme-wr100 1.2.0"
minisign -S -l -s minisign.key -m data.bin -x data.bin.legacy.minisig -t "acme-wr100 1.2.0 legacy"

openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out rsa.key
openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out ec.key
openssl genpkey -algorithm ED25519 -out ed25519.key
for k in rsa ec ed25519; do openssl pkey -in $k.key -pubout -out $k.pem; done
openssl dgst -sha256 -sign rsa.key -out data.bin.rsa.sig data.bin
openssl dgst -sha512 -sign rsa.key -out data.bin.rsa512.sig data.bin
openssl dgst -sha256 -sign ec.key -out data.bin.ec.sig data.bin
openssl pkeyutl -sign -rawin -inkey ed25519.key -in data.bin -out data.bin.ed25519.sig
# a trusted comment with a terminal escape and a tab, for display sanitising
minisign -S -s minisign.key -m data.bin -x data.bin.escape.minisig -t "$(printf 'red \033[31mtext\there')"
