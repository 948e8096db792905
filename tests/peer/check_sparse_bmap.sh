#!/bin/sh
# Android sparse images made by img2simg and block maps made by bmaptool:
# good ones pass, damaged headers, chunks and ranges are caught.
. "$(dirname "$0")/lib.sh"
need img2simg simg2img bmaptool python3

truncate -s 24M "$T/disk.img"
python3 - "$T/disk.img" <<'PY'
import os, sys
with open(sys.argv[1], "r+b") as f:
    f.seek(1 << 20); f.write(os.urandom(300000))
    f.seek(6 << 20); f.write(b"\x5a\xa5\x5a\xa5" * 65536)   # a fill pattern
    f.seek(20 << 20); f.write(os.urandom(70000))
PY
img2simg "$T/disk.img" "$T/disk.simg"
# img2simg writes no CRC32: sound, but nothing vouches for it without the
# vendor's checksum.
expect_exit 3 "sparse image from img2simg" -- "$UNBRICK" check "$T/disk.simg" --json
expect_json 'j["image"]["layers"] == "sparse" and j["verdict"] == "unverified"' "recognised as sparse, unverified without a CRC"
expect_json 'not any(c["verdict"] == "fail" for c in j["checks"])' "no check fails"
expect_json '"25165824 bytes" in [c for c in j["checks"] if c["name"] == "sparse-header"][0]["why"]' "expanded size from the header"
expect_exit 0 "sparse image with its sha256" -- "$UNBRICK" check "$T/disk.simg" --sha256 "$(sha256sum "$T/disk.simg" | cut -d' ' -f1)"
simg2img "$T/disk.simg" "$T/back.img" && cmp -s "$T/back.img" "$T/disk.img" && echo "ok: simg2img agrees the image is sound" || { echo "FAIL: simg2img round trip"; FAILS=$((FAILS+1)); }

cp "$T/disk.simg" "$T/bad.simg"; flip_byte "$T/bad.simg" 16   # total blocks
expect_exit 3 "header total blocks altered" -- "$UNBRICK" check "$T/bad.simg" --json
expect_json '[c for c in j["checks"] if c["name"] == "sparse-chunks"][0]["verdict"] == "fail"' "chunks no longer add up"
cp "$T/disk.simg" "$T/bad.simg"; flip_byte "$T/bad.simg" 36   # first chunk's block count
expect_exit 3 "chunk size altered" -- "$UNBRICK" check "$T/bad.simg"
cp "$T/disk.simg" "$T/bad.simg"; flip_byte "$T/bad.simg" 28   # first chunk's type
expect_exit 3 "chunk type altered" -- "$UNBRICK" check "$T/bad.simg"
size=$(stat -c %s "$T/disk.simg")
head -c $((size - 5000)) "$T/disk.simg" > "$T/cut.simg"
expect_exit 3 "truncated sparse image" -- "$UNBRICK" check "$T/cut.simg" --json
expect_json '[c for c in j["checks"] if c["name"] == "sparse-chunks"][0]["advice"].startswith("The image is shorter")' "truncation named"
head -c 20 "$T/disk.simg" > "$T/tiny.simg"
expect_exit 3 "shorter than a header" -- "$UNBRICK" check "$T/tiny.simg"
# A sparse image with CRC32 checkpoints, built from the format.
python3 - "$T/crc.simg" "$T/crcbad.simg" <<'PY'
import os, struct, sys, zlib
blk = 4096
data = os.urandom(blk * 3)
crc = zlib.crc32(data)
fill = b"\x01\x02\x03\x04"
crc = zlib.crc32(fill * (blk // 4) * 2, crc)
chunks = [struct.pack("<HHII", 0xCAC1, 0, 3, 12 + len(data)) + data,
          struct.pack("<HHII", 0xCAC2, 0, 2, 16) + fill,
          struct.pack("<HHII", 0xCAC4, 0, 0, 16) + struct.pack("<I", crc)]
hdr = struct.pack("<IHHHHIIII", 0xED26FF3A, 1, 0, 28, 12, blk, 5, len(chunks), 0)
open(sys.argv[1], "wb").write(hdr + b"".join(chunks))
bad = bytearray(hdr + b"".join(chunks)); bad[28 + 12 + 100] ^= 1
open(sys.argv[2], "wb").write(bad)
PY
expect_exit 0 "sparse image with a CRC32 chunk" -- "$UNBRICK" check "$T/crc.simg" --json
expect_json '[c for c in j["checks"] if c["name"] == "sparse-crc"][0]["verdict"] == "pass"' "its CRC matches"
expect_json 'j["verdict"] == "safe" and "CRC32" in j["why"]' "safe: the CRC32 covers all it expands to"
expect_exit 3 "a flipped data byte under a CRC32 chunk" -- "$UNBRICK" check "$T/crcbad.simg" --json
expect_json '[c for c in j["checks"] if c["name"] == "sparse-crc"][0]["verdict"] == "fail"' "the CRC catches it"

# 44 bytes declaring a fill of 16 TiB, and a header checksum that is not
# its CRC: refused at once, not after hashing 16 TiB (timeout turns a hang
# into exit 124).
python3 - "$T/fill.simg" "$T/late.simg" <<'PY'
import os, struct, sys, zlib
hdr = struct.pack("<IHHHHIIII", 0xED26FF3A, 1, 0, 28, 12, 4096, 0xFFFFFFFF, 1, 0xDEADBEEF)
open(sys.argv[1], "wb").write(hdr + struct.pack("<HHII", 0xCAC2, 0, 0xFFFFFFFF, 16) + b"\xaa\xbb\xcc\xdd")
# data after the last CRC32 checkpoint: the checkpoint does not cover it
data = os.urandom(4096)
chunks = [struct.pack("<HHII", 0xCAC1, 0, 1, 12 + 4096) + data,
          struct.pack("<HHII", 0xCAC4, 0, 0, 16) + struct.pack("<I", zlib.crc32(data)),
          struct.pack("<HHII", 0xCAC1, 0, 1, 12 + 4096) + data]
open(sys.argv[2], "wb").write(struct.pack("<IHHHHIIII", 0xED26FF3A, 1, 0, 28, 12, 4096, 2, 3, 0) + b"".join(chunks))
PY
expect_exit 3 "a 16 TiB fill with a wrong checksum" -- timeout 20 "$UNBRICK" check "$T/fill.simg" --json
expect_json '[c for c in j["checks"] if c["name"] == "sparse-crc"][0]["verdict"] == "fail"' "the header checksum is compared"
expect_exit 3 "data after the last checkpoint" -- "$UNBRICK" check "$T/late.simg" --json
expect_json 'j["verdict"] == "unverified" and [c for c in j["checks"] if c["name"] == "sparse-crc"][0]["verdict"] == "warn"' "unverified: the checkpoint covers part of it"

# bmaptool's block map next to the image is used by itself.  It covers
# the mapped blocks only: the image stays unverified without its sha256.
bmaptool -q create "$T/disk.img" -o "$T/disk.img.bmap"
expect_exit 3 "image with its bmap" -- "$UNBRICK" check "$T/disk.img" --json
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["bmap"] == "pass" and {c["name"]: c["verdict"] for c in j["checks"]}["bmap-file"] == "pass"' "ranges and the bmap's own checksum pass"
expect_json 'j["verdict"] == "unverified"' "unverified: the bmap does not cover unmapped blocks"
expect_exit 0 "image with its bmap and its sha256" -- "$UNBRICK" check "$T/disk.img" --sha256 "$(sha256sum "$T/disk.img" | cut -d' ' -f1)"
cp "$T/disk.img" "$T/disk.orig"; flip_byte "$T/disk.img" $(( (1 << 20) + 1234 ))
expect_exit 3 "a flipped byte in a mapped range" -- "$UNBRICK" check "$T/disk.img" --json
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["bmap"] == "fail"' "the range checksum catches it"
cp "$T/disk.orig" "$T/disk.img"
sed -i 's/<MappedBlocksCount> \([0-9]*\)/<MappedBlocksCount> 1\1/' "$T/disk.img.bmap"
expect_exit 3 "bmap with a wrong mapped count" -- "$UNBRICK" check "$T/disk.img"
bmaptool -q create "$T/disk.img" -o "$T/disk.img.bmap"
python3 - "$T/disk.img.bmap" <<'PY'
import re, sys
p = sys.argv[1]; d = open(p).read()
d = re.sub(r'chksum="([0-9a-f])', lambda m: 'chksum="' + ("0" if m.group(1) != "0" else "1"), d, count=1)
open(p, "w").write(d)
PY
expect_exit 3 "bmap edited after it was made" -- "$UNBRICK" check "$T/disk.img" --json
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["bmap-file"] == "fail"' "its own checksum catches the edit"
bmaptool -q create "$T/disk.img" -o "$T/disk.img.bmap"
expect_exit 3 "a bmap on its own" -- "$UNBRICK" check "$T/disk.img.bmap" --json
expect_json 'j["image"]["layers"] == "bmap" and j["verdict"] == "unverified"' "recognised as a bmap, not an image to flash"
cat > "$T/laughs.bmap" <<'XML'
<?xml version="1.0"?>
<!DOCTYPE bmap [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>
<bmap version="2.0"><ImageSize>&c;</ImageSize></bmap>
XML
expect_exit 3 "entity expansion refused" -- "$UNBRICK" check "$T/laughs.bmap"
expect_grep "DOCTYPE|entit" "$T/err" "says why"
finish
