#!/bin/sh
# Made once with the real tools; the outputs are committed (tests must not
# depend on the tools' versions).  Rerun only to change the fixtures:
#   cd tests/data/unpack && sh make.sh
set -eu
export SOURCE_DATE_EPOCH=1763856000 TZ=UTC
# The payload: a small U-Boot image, half random (stored deflate blocks,
# where only gzip's CRC sees damage) and half text (Huffman blocks).
python3 - <<'PY'
import random
r = random.Random(7)
open("payload", "wb").write(bytes(r.getrandbits(8) for _ in range(1024)) +
                            b"acme firmware 1.2.3 " * 52)
PY
mkimage -A arm -O linux -T kernel -C none -n "acme fw" -d payload fw.img >/dev/null
rm payload
gzip -n -9 -c fw.img > fw.img.gz
xz -c fw.img > fw.img.xz
zstd -q -c fw.img > fw.img.zst
bzip2 -c fw.img > fw.img.bz2
xz --check=none -c fw.img > nocheck.xz
zstd -q --no-check -c fw.img > nocheck.zst
# two gzip members (what `cat a.gz b.gz` makes) expand to fw.img
head -c 1000 fw.img | gzip -n -c > multi.gz
tail -c +1001 fw.img | gzip -n -c >> multi.gz
# zeros after the stream (some download tools pad)
cp fw.img.gz padded.gz && head -c 512 /dev/zero >> padded.gz

rm -rf dl && mkdir -p dl/docs
cp fw.img dl/acme-fw.img
(cd dl && sha256sum acme-fw.img > SHA256SUMS && echo notes > README.txt && echo x > docs/manual.md)
find dl -exec touch -d @$SOURCE_DATE_EPOCH {} +
(cd dl && zip -q -X -r ../fw.zip acme-fw.img SHA256SUMS README.txt docs)
tar --record-size=512 --sort=name --owner=0 --group=0 --numeric-owner -C dl -cf fw.tar .
gzip -n -c fw.tar > fw.tar.gz
rm -rf dl

python3 -W ignore - <<'PY'
import io, tarfile, zipfile
def z(name, entries):
    with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as f:
        for n, d in entries:
            zi = zipfile.ZipInfo(n, (2025, 11, 23, 0, 0, 0))
            if isinstance(d, tuple):   # ("link", target): a symlink
                zi.external_attr = (0o120777 << 16); d = d[1].encode()
            f.writestr(zi, d)
fw = b"\x27\x05\x19\x56" + b"x" * 996
z("slip.zip", [("fw.bin", fw), ("../../etc/evil", b"boom")])
z("abs.zip", [("/etc/evil", b"boom"), ("fw.bin", fw)])
z("dup.zip", [("fw.bin", fw), ("fw.bin", b"y" * 1000)])
z("link-out.zip", [("fw.bin", fw), ("conf", ("link", "/etc/passwd"))])
z("readme.zip", [("README.txt", b"nothing here"), ("fw.sha256", b"00")])
def tar(name, members):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.GNU_FORMAT) as f:
        for ti, d in members:
            ti.mtime = 1763856000
            f.addfile(ti, io.BytesIO(d) if d is not None else None)
    # drop tarfile's padding to 10 KiB: blocks, then the two zero blocks
    data = buf.getvalue().rstrip(b"\0")
    open(name, "wb").write(data + b"\0" * (-len(data) % 512 + 1024))
def reg(n, d):
    ti = tarfile.TarInfo(n); ti.size = len(d); return ti, d
def lnk(n, target, kind=tarfile.SYMTYPE):
    ti = tarfile.TarInfo(n); ti.type = kind; ti.linkname = target; return ti, None
def node(n, kind):
    ti = tarfile.TarInfo(n); ti.type = kind; ti.devmajor = 8; return ti, None
def dirent(n):
    ti = tarfile.TarInfo(n); ti.type = tarfile.DIRTYPE; return ti, None
tar("abs.tar", [reg("fw.bin", fw), reg("/etc/x", b"boom")])
tar("slip.tar", [reg("fw.bin", fw), reg("a/../../evil", b"boom")])
tar("symlink-abs.tar", [reg("fw.bin", fw), lnk("out", "/etc/passwd")])
tar("symlink-up.tar", [reg("fw.bin", fw), dirent("sub"), lnk("sub/up", "../../etc")])
tar("symlink-in.tar", [dirent("sub"), reg("sub/fw.bin", fw), lnk("sub/cur", "../sub/fw.bin")])
tar("through-link.tar", [reg("fw.bin", fw), lnk("d", "."), reg("d/x", b"boom")])
tar("hardlink.tar", [reg("fw.bin", fw), lnk("h", "../secret", tarfile.LNKTYPE)])
tar("blockdev.tar", [reg("fw.bin", fw), node("dev/sda", tarfile.BLKTYPE)])
tar("chardev.tar", [reg("fw.bin", fw), node("dev/mem", tarfile.CHRTYPE)])
tar("fifo.tar", [reg("fw.bin", fw), node("p", tarfile.FIFOTYPE)])
tar("dup.tar", [reg("fw.bin", fw), reg("./fw.bin", b"y" * 1000)])
big = tarfile.TarInfo("fw.bin"); big.size = 1 << 40; big.mtime = 1763856000
with open("huge.tar", "wb") as f:
    f.write(big.tobuf(format=tarfile.GNU_FORMAT)); f.write(b"\0" * 1024)
PY
