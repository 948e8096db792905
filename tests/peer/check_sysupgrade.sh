#!/bin/sh
# OpenWrt sysupgrade images: a tar with fwtool metadata and a usign block
# appended, built the way OpenWrt's image recipe does (metadata, then a
# signature over everything before it, made by signify, which writes the
# same Ed25519 format as usign).
. "$(dirname "$0")/lib.sh"
need signify-openbsd tar python3
APPEND="$SRCDIR/tests/tools/fwtool-append"

mkdir -p "$T/sysupgrade-acme_wr-100"
head -c 300000 /dev/urandom > "$T/sysupgrade-acme_wr-100/kernel"
head -c 200000 /dev/urandom > "$T/sysupgrade-acme_wr-100/root"
printf 'BOARD=acme_wr-100\n' > "$T/sysupgrade-acme_wr-100/CONTROL"
tar -C "$T" -cf "$T/fw.bin" sysupgrade-acme_wr-100
cat > "$T/meta.json" <<'JSON'
{"metadata_version": "1.1", "compat_version": "1.0",
 "supported_devices": ["acme,wr-100", "acme,wr-100-v2"],
 "version": {"dist": "OpenWrt", "version": "23.05.2", "revision": "r23630",
             "target": "ath79/generic", "board": "acme_wr-100"}}
JSON
"$APPEND" -I "$T/meta.json" "$T/fw.bin"
signify-openbsd -G -n -p "$T/key.pub" -s "$T/key.sec" >/dev/null
signify-openbsd -G -n -p "$T/other.pub" -s "$T/other.sec" >/dev/null
signify-openbsd -S -s "$T/key.sec" -m "$T/fw.bin" -x "$T/fw.usig"
"$APPEND" -S "$T/fw.usig" "$T/fw.bin"

expect_exit 0 "signed sysupgrade image with its key" -- "$UNBRICK" check "$T/fw.bin" --key "$T/key.pub" --model acme,wr-100 --json
expect_json 'j["image"]["layers"].startswith("sysupgrade")' "recognised as a sysupgrade image"
expect_json 'j["image"]["models"] == ["acme,wr-100", "acme,wr-100-v2"] and j["image"]["version"] == "23.05.2"' "supported_devices and version read from the metadata"
expect_json 'all(c["verdict"] == "pass" for c in j["checks"] if c["name"] in ("fwtool-metadata-crc", "fwtool-signature-crc", "fwtool-metadata", "signature", "model"))' "CRCs, metadata, signature and model pass"
expect_json 'j["verdict"] == "safe" and j["why"].startswith("signature:")' "safe: the signature vouches for it"
expect_exit 0 "without a key the signature is noted, not verified" -- "$UNBRICK" check "$T/fw.bin" --json
expect_json '[c for c in j["checks"] if c["name"] == "signature"][0]["verdict"] == "n/a"' "signature not applicable without a key"
expect_json 'j["verdict"] == "safe" and "trailers\x27 CRC-32" in j["why"]' "safe: the trailers' CRC covers every byte"
expect_exit 3 "another device refused" -- "$UNBRICK" check "$T/fw.bin" --model acme,wr-200
expect_exit 3 "downgrade refused" -- "$UNBRICK" check "$T/fw.bin" --installed-version 23.05.10
expect_exit 3 "wrong key refused" -- "$UNBRICK" check "$T/fw.bin" --key "$T/other.pub" --json
expect_json '[c for c in j["checks"] if c["name"] == "signature"][0]["verdict"] == "fail"' "signature check fails with another key"

# A flipped byte in the firmware: both CRCs and the signature catch it.
cp "$T/fw.bin" "$T/bad.bin"
flip_byte "$T/bad.bin" 1000
expect_exit 3 "tampered firmware refused" -- "$UNBRICK" check "$T/bad.bin" --key "$T/key.pub" --json
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["fwtool-metadata-crc"] == "fail"' "metadata CRC catches it"
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["signature"] == "fail"' "signature catches it"

# A flipped byte in the metadata JSON.
size=$(stat -c %s "$T/fw.bin")
cp "$T/fw.bin" "$T/bad2.bin"
sigblock=$(( $(stat -c %s "$T/fw.usig") + 16 ))
flip_byte "$T/bad2.bin" $((size - sigblock - 16 - 20))
expect_exit 3 "tampered metadata refused" -- "$UNBRICK" check "$T/bad2.bin"
expect_grep "fwtool-metadata-crc" "$T/err" "names the metadata CRC"

# A trailer claiming an absurd block size.
cp "$T/fw.bin" "$T/bad3.bin"
python3 - "$T/bad3.bin" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(-4, 2); f.write((0x7fffffff).to_bytes(4, "big"))
PY
expect_exit 3 "absurd trailer size refused" -- "$UNBRICK" check "$T/bad3.bin"
expect_grep "does not fit" "$T/err" "says the block does not fit"

# Truncated: the tail is cut, the image is just a tar again, but the cut
# metadata block must not pass as a valid trailer.
head -c $((size - 100)) "$T/fw.bin" > "$T/cut.bin"
# A tar carries no checksum of its files: nothing vouches for what remains.
expect_exit 3 "a cut image without trailer is checked as what remains" -- "$UNBRICK" check "$T/cut.bin" --json
expect_json '"sysupgrade" not in j["image"]["layers"]' "no trailer is claimed"
expect_json 'j["verdict"] == "unverified" and not any(c["verdict"] == "fail" for c in j["checks"])' "unverified, with no check failed"
finish
