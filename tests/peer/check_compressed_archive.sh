#!/bin/sh
# Compressed streams and archives made by the real tools (gzip, xz, zstd,
# bzip2, zip, tar), and unsafe archives crafted with Python's zipfile and
# tarfile: each damage and each trick must be refused with exit 3.
. "$(dirname "$0")/lib.sh"
need gzip xz zstd bzip2 zip tar mkimage python3
export SOURCE_DATE_EPOCH=1763856000
head -c 400000 /dev/urandom > "$T/payload"
mkimage -A arm -O linux -T kernel -C none -n "acme fw" -d "$T/payload" "$T/fw.img" >/dev/null

for z in gzip xz zstd bzip2; do
	$z -c "$T/fw.img" > "$T/fw.$z"
	expect_exit 0 "$z stream" -- "$UNBRICK" check "$T/fw.$z" --json
	expect_json 'j["image"]["layers"] == "'$z' > uimage > raw"' "$z: layers named"
	cp "$T/fw.$z" "$T/bad.$z"; flip_byte "$T/bad.$z" 200000
	expect_exit 3 "$z: flipped byte in the stream" -- "$UNBRICK" check "$T/bad.$z"
	size=$(stat -c %s "$T/fw.$z")
	head -c $((size / 2)) "$T/fw.$z" > "$T/cut.$z"
	expect_exit 3 "$z: truncated stream" -- "$UNBRICK" check "$T/cut.$z" --json
	expect_json 'any(c["verdict"] == "fail" and c["advice"] for c in j["checks"])' "$z: truncation explained"
done
# gzip's own trailer catches damage the inflater cannot see
python3 - "$T/fw.gzip" "$T/trailer.gz" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read()); d[-6] ^= 0x01
open(sys.argv[2], "wb").write(d)
PY
expect_exit 3 "gzip: wrong CRC in the trailer" -- "$UNBRICK" check "$T/trailer.gz"
expect_grep "trailer" "$T/err" "says the trailer disagrees"

# A decompression bomb: 2 GiB of zeros in about 64 KiB.
head -c $((2 << 30)) /dev/zero | zstd -q -c > "$T/bomb.zst"
expect_exit 3 "zstd bomb stopped" -- "$UNBRICK" check "$T/bomb.zst" --json
expect_json '[c for c in j["checks"] if c["name"] == "decompress"][0]["advice"].startswith("A size")' "called impossible"
UNBRICK_MAX_EXPAND=100000 expect_exit 3 "the limit is adjustable" -- "$UNBRICK" check "$T/fw.gzip"

mkdir -p "$T/dl/docs"
cp "$T/fw.img" "$T/dl/acme-fw.img"
(cd "$T/dl" && sha256sum acme-fw.img > SHA256SUMS && echo notes > README.txt && echo x > docs/manual.md)
(cd "$T/dl" && zip -q -r "$T/fw.zip" . && tar -cf "$T/fw.tar" . && tar -czf "$T/fw.tgz" .)
expect_exit 0 "zip with side files" -- "$UNBRICK" check "$T/fw.zip" --json
expect_json 'j["image"]["layers"] == "zip > uimage > raw" and "acme-fw.img" in [c for c in j["checks"] if c["name"] == "archive-safety"][0]["why"]' "the firmware entry is picked"
expect_exit 0 "tar" -- "$UNBRICK" check "$T/fw.tar"
expect_exit 0 "tar.gz" -- "$UNBRICK" check "$T/fw.tgz" --json
expect_json 'j["image"]["layers"] == "gzip > tar > uimage > raw"' "gzip > tar > uimage"
cp "$T/fw.zip" "$T/bad.zip"; flip_byte "$T/bad.zip" 100000
expect_exit 3 "zip: flipped byte in the entry" -- "$UNBRICK" check "$T/bad.zip"

python3 -W ignore - "$T" <<'PY'
import io, sys, tarfile, zipfile
t = sys.argv[1]
def z(name, entries):
    with zipfile.ZipFile(f"{t}/{name}", "w") as f:
        for n, d in entries: f.writestr(n, d)
z("slip.zip", [("fw.bin", b"x" * 1000), ("../../etc/evil", b"boom")])
z("abs.zip", [("/etc/evil", b"boom"), ("fw.bin", b"x" * 1000)])
z("dup.zip", [("fw.bin", b"x" * 1000), ("fw.bin", b"y" * 1000)])
z("readme.zip", [("README.txt", b"nothing here")])
def tar(name, members):
    with tarfile.open(f"{t}/{name}", "w", format=tarfile.GNU_FORMAT) as f:
        for ti, d in members: f.addfile(ti, io.BytesIO(d) if d is not None else None)
def reg(n, d): ti = tarfile.TarInfo(n); ti.size = len(d); return ti, d
def lnk(n, target, kind=tarfile.SYMTYPE): ti = tarfile.TarInfo(n); ti.type = kind; ti.linkname = target; return ti, None
dev = tarfile.TarInfo("dev/sda"); dev.type = tarfile.BLKTYPE; dev.devmajor = 8
tar("symlink.tar", [reg("fw.bin", b"x" * 1000), lnk("out", "/etc/passwd")])
tar("symlink-up.tar", [reg("fw.bin", b"x" * 1000), lnk("up", "../../etc")])
tar("hardlink.tar", [reg("fw.bin", b"x" * 1000), lnk("h", "../secret", tarfile.LNKTYPE)])
tar("device.tar", [reg("fw.bin", b"x" * 1000), (dev, None)])
big = tarfile.TarInfo("fw.bin"); big.size = 1 << 40
with open(f"{t}/huge.tar", "wb") as f:
    f.write(big.tobuf(format=tarfile.GNU_FORMAT)); f.write(b"\0" * 4096)
PY
for a in slip.zip abs.zip symlink.tar symlink-up.tar hardlink.tar device.tar dup.zip; do
	expect_exit 3 "unsafe archive $a refused" -- "$UNBRICK" check "$T/$a" --json
	expect_json '[c for c in j["checks"] if c["name"] == "archive-safety"][0]["verdict"] == "fail"' "$a: the safety check fails"
	[ $a = slip.zip ] && expect_grep "evil" "$T/err" "names the offending entry"
done
expect_exit 3 "entry claiming 1 TiB refused" -- "$UNBRICK" check "$T/huge.tar"
expect_exit 3 "archive with no firmware" -- "$UNBRICK" check "$T/readme.zip"
head -c 3000 "$T/fw.tar" > "$T/cut.tar"
expect_exit 3 "truncated tar" -- "$UNBRICK" check "$T/cut.tar"
ls /tmp/unbrick-* >/dev/null 2>&1 && { echo "FAIL: temporary files left in /tmp"; FAILS=$((FAILS+1)); } || echo "ok: no temporary files left"
finish
