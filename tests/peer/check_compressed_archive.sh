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
	expect_json 'j["verdict"] == "safe" and "'$z' stream" in j["why"]' "$z: safe by the stream's own check"
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
expect_json '"128 times its size" in [c for c in j["checks"] if c["name"] == "decompress"][0]["why"]' "says the bound"
# gzip in gzip in gzip ... deeper than the inspector goes: never safe,
# even with its sha256
cp "$T/fw.img" "$T/deep"
for i in 1 2 3 4 5 6 7 8 9; do gzip -c "$T/deep" > "$T/deep.gz" && mv "$T/deep.gz" "$T/deep"; done
expect_exit 3 "nested deeper than inspected" -- "$UNBRICK" check "$T/deep" --sha256 "$(sha256sum "$T/deep" | cut -d' ' -f1)" --json
expect_json 'j["verdict"] == "unverified" and "not inspected" in j["why"]' "unverified: the inner layers were not inspected"
# bytes after a gzip stream were not inspected
cat "$T/fw.gzip" "$T/payload" > "$T/tail.gz"
expect_exit 3 "data after the gzip stream" -- "$UNBRICK" check "$T/tail.gz" --json
expect_json 'j["verdict"] == "unverified"' "unverified: what follows the stream was not inspected"
UNBRICK_MAX_EXPAND=100000 expect_exit 3 "the limit is adjustable" -- "$UNBRICK" check "$T/fw.gzip"

mkdir -p "$T/dl/docs"
cp "$T/fw.img" "$T/dl/acme-fw.img"
(cd "$T/dl" && sha256sum acme-fw.img > SHA256SUMS && echo notes > README.txt && echo x > docs/manual.md)
(cd "$T/dl" && zip -q -r "$T/fw.zip" . && tar -cf "$T/fw.tar" . && tar -czf "$T/fw.tgz" .)
expect_exit 0 "zip with side files" -- "$UNBRICK" check "$T/fw.zip" --json
expect_json 'j["image"]["layers"] == "zip > uimage > raw" and "acme-fw.img" in [c for c in j["checks"] if c["name"] == "archive-safety"][0]["why"]' "the firmware entry is picked"
expect_json 'j["verdict"] == "safe" and "zip" in j["why"]' "zip: safe by its CRC-32 of the firmware"
expect_exit 0 "tar" -- "$UNBRICK" check "$T/fw.tar" --json
expect_json 'j["verdict"] == "safe" and "uImage" in j["why"]' "tar: safe by the firmware's own CRCs (a tar has none)"
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
d = tarfile.TarInfo("x"); d.type = tarfile.DIRTYPE
# x/y -> .. is the top; a -> x/y/.. is then above it
tar("chain.tar", [reg("fw.bin", b"x" * 1000), (d, None), lnk("x/y", ".."), lnk("a", "x/y/..")])
# b -> . is harmless alone, but a -> b/.. was judged by name before it
tar("chain-late.tar", [reg("fw.bin", b"x" * 1000), lnk("a", "b/.."), lnk("b", ".")])
tar("loop.tar", [reg("fw.bin", b"x" * 1000), lnk("a", "b"), lnk("b", "a")])
tar("hardlink-in.tar", [reg("fw.bin", b"x" * 1000), lnk("fw2.bin", "fw.bin", tarfile.LNKTYPE)])
tar("hardlink-none.tar", [reg("fw.bin", b"x" * 1000), lnk("h", "nothing", tarfile.LNKTYPE)])
big = tarfile.TarInfo("fw.bin"); big.size = 1 << 40
with open(f"{t}/huge.tar", "wb") as f:
    f.write(big.tobuf(format=tarfile.GNU_FORMAT)); f.write(b"\0" * 4096)
PY
for a in slip.zip abs.zip symlink.tar symlink-up.tar hardlink.tar device.tar dup.zip chain.tar chain-late.tar loop.tar hardlink-none.tar; do
	expect_exit 3 "unsafe archive $a refused" -- "$UNBRICK" check "$T/$a" --json
	expect_json '[c for c in j["checks"] if c["name"] == "archive-safety"][0]["verdict"] == "fail"' "$a: the safety check fails"
	[ $a = slip.zip ] && expect_grep "evil" "$T/err" "names the offending entry"
done
expect_exit 3 "entry claiming 1 TiB refused" -- "$UNBRICK" check "$T/huge.tar"
expect_exit 3 "archive with no firmware" -- "$UNBRICK" check "$T/readme.zip"
head -c 3000 "$T/fw.tar" > "$T/cut.tar"
expect_exit 3 "truncated tar" -- "$UNBRICK" check "$T/cut.tar"
# cut between two entries: libarchive alone would call it a smaller tar
python3 - "$T/fw.tar" "$T/cut2.tar" <<'PY'
import sys, tarfile
with tarfile.open(sys.argv[1]) as t:
    m = [x for x in t.getmembers() if x.name.endswith("acme-fw.img")][0]
    end = m.offset_data + (m.size + 511) // 512 * 512
open(sys.argv[2], "wb").write(open(sys.argv[1], "rb").read()[:end])
PY
expect_exit 3 "tar cut after the firmware entry" -- "$UNBRICK" check "$T/cut2.tar" --json
expect_json '[c for c in j["checks"] if c["name"] == "archive-safety"][0]["why"].startswith("the tar stops")' "says the tar stops"
head -c $(( $(stat -c %s "$T/fw.zip") - 30 )) "$T/fw.zip" > "$T/cut.zip"
expect_exit 3 "zip without its central directory's end" -- "$UNBRICK" check "$T/cut.zip"

# unsafe entries made by the real tools, not only by Python
mkdir -p "$T/u" && cp "$T/fw.img" "$T/u/fw.img"
ln -s /etc/passwd "$T/u/passwd"
(cd "$T/u" && zip -q -y "$T/symlink.zip" fw.img passwd && tar -cf "$T/symlink2.tar" fw.img passwd)
rm "$T/u/passwd"; mkfifo "$T/u/pipe"
(cd "$T/u" && tar -cf "$T/fifo.tar" fw.img pipe)
rm "$T/u/pipe"; mkdir "$T/u/sub"; ln -s ../fw.img "$T/u/sub/same"
(cd "$T/u" && tar -cf "$T/inside.tar" fw.img sub)
tar -cf "$T/abs.tar" -P "$T/u/fw.img" 2>/dev/null
for a in symlink.zip symlink2.tar fifo.tar abs.tar; do
	expect_exit 3 "$a (made by zip/tar) refused" -- "$UNBRICK" check "$T/$a" --json
	expect_json '[c for c in j["checks"] if c["name"] == "archive-safety"][0]["advice"].startswith("The archive is built")' "$a: archive-unsafe advice"
done
expect_exit 0 "a link that stays inside is fine" -- "$UNBRICK" check "$T/inside.tar" --json
expect_json 'j["image"]["layers"] == "tar > uimage > raw"' "inside.tar: the firmware is inspected"
# a hard link to a file of the archive, as tar makes it
ln "$T/u/fw.img" "$T/u/fw-copy.img"
(cd "$T/u" && tar -cf "$T/hard.tar" fw.img fw-copy.img)
expect_exit 0 "a hard link to a file inside is fine (made by tar)" -- "$UNBRICK" check "$T/hard.tar" --json
expect_json '[c for c in j["checks"] if c["name"] == "archive-safety"][0]["verdict"] == "pass"' "hard.tar: the safety check passes"
expect_exit 3 "a hard link to a file inside (made by Python), tar holds no checksum" -- "$UNBRICK" check "$T/hardlink-in.tar" --json
expect_json '[c for c in j["checks"] if c["name"] == "archive-safety"][0]["verdict"] == "pass" and j["verdict"] == "unverified"' "hardlink-in.tar: safe entries, unverified data"

# cat a.gz b.gz is one gzip stream; a damaged second member is caught
head -c 1000 "$T/fw.img" | gzip -c > "$T/multi.gz"
tail -c +1001 "$T/fw.img" | gzip -c >> "$T/multi.gz"
expect_exit 0 "two gzip members" -- "$UNBRICK" check "$T/multi.gz" --json
expect_json '[c for c in j["checks"] if c["name"] == "decompress"][0]["verdict"] == "pass"' "both members checked"
flip_byte "$T/multi.gz" $(( $(stat -c %s "$T/multi.gz") - 6 ))
expect_exit 3 "second member's CRC" -- "$UNBRICK" check "$T/multi.gz"
# streams that carry no checksum of their own: a warning, not a pass
zstd -q --no-check -c "$T/fw.img" > "$T/nocheck.zst"
xz --check=none -c "$T/fw.img" > "$T/nocheck.xz"
for f in nocheck.zst nocheck.xz; do
	expect_exit 0 "$f" -- "$UNBRICK" check "$T/$f" --json
	expect_json '[c for c in j["checks"] if c["name"] == "decompress"][0]["verdict"] == "warn"' "$f: warns of no checksum"
	expect_json 'j["verdict"] == "safe" and "uImage" in j["why"]' "$f: safe by the uImage's CRCs inside"
done
ls /tmp/unbrick-* >/dev/null 2>&1 && { echo "FAIL: temporary files left in /tmp"; FAILS=$((FAILS+1)); } || echo "ok: no temporary files left"
finish
