#!/usr/bin/env python3
"""Writes the slow-* seeds of tests/fuzz/corpus: small inputs that each
cost seconds to hours before the parsers' work was bounded by the input's
real size.  .ci/run fails a harness when any input takes over a second, so
they stay fast.  Deterministic; run once from anywhere."""
import gzip
import hashlib
import io
import json
import os
import struct
import tarfile
import zlib

CORPUS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "corpus")


def put(harness, name, data):
    assert len(data) <= 1 << 20, (name, len(data))   # libFuzzer runs it whole
    with open(os.path.join(CORPUS, harness, name), "wb") as f:
        f.write(data)


# Android sparse: 44 bytes declaring a 16 TiB fill, and 16 TiB of holes
# with a CRC32 chunk after them: the CRC pass hashed every byte (hours).
def sparse(chunks, blocks, checksum):
    hdr = struct.pack("<IHHHHIIII", 0xED26FF3A, 1, 0, 28, 12, 4096, blocks, len(chunks), checksum)
    return hdr + b"".join(chunks)


FILL = sparse([struct.pack("<HHII", 0xCAC2, 0, 0xFFFFFFFF, 16) + b"\xaa\xbb\xcc\xdd"],
              0xFFFFFFFF, 0xDEADBEEF)
HOLES = sparse([struct.pack("<HHII", 0xCAC3, 0, 0xFFFFFFF0, 12),
                struct.pack("<HHII", 0xCAC4, 0, 0, 16) + b"\x01\x02\x03\x04"], 0xFFFFFFF0, 0)
put("sparse", "slow-fill-16tib", FILL)
put("sparse", "slow-holes-16tib", HOLES)


# FIT: thousands of images over the same external bytes (each hashed
# again: quadratic), and over windows of them sliding by 4 bytes.
def fdt(root):
    strings, soff, st = bytearray(), {}, bytearray()

    def so(n):
        if n not in soff:
            soff[n] = len(strings)
            strings.extend(n.encode() + b"\0")
        return soff[n]

    def pad():
        while len(st) % 4:
            st.append(0)

    def node(name, props, kids):
        st.extend(struct.pack(">I", 1) + name.encode() + b"\0")
        pad()
        for k, v in props:
            st.extend(struct.pack(">III", 3, len(v), so(k)) + v)
            pad()
        for c in kids:
            node(*c)
        st.extend(struct.pack(">I", 2))

    node(*root)
    st.extend(struct.pack(">I", 9))
    total = 56 + len(st) + len(strings)
    hdr = struct.pack(">IIIIIIIIII", 0xD00DFEED, total, 56, 56 + len(st), 40, 17, 16, 0,
                      len(strings), len(st))
    return hdr + bytes(16) + bytes(st) + bytes(strings)


def fit(n, size, slide, at):
    data = bytes((i * 131 + (i >> 9)) & 0xFF for i in range(size))
    images = []
    for i in range(n):
        off = 4 * i if slide else 0
        images.append(("i%d" % i, [("data-position", struct.pack(">I", at + off)),
                                   ("data-size", struct.pack(">I", size - off))],
                       [("hash-1", [("algo", b"sha256\0"),
                                    ("value", hashlib.sha256(data[off:]).digest())], [])]))
    tree = fdt(("", [("description", b"slow\0")], [("images", [], images)]))
    assert len(tree) <= at
    return tree + bytes(at - len(tree)) + data


put("fit", "slow-same-data", fit(3000, 600 << 10, False, 400 << 10))
put("fit", "slow-overlapping", fit(3000, 600 << 10, True, 400 << 10))

# A manifest of 40k models: the duplicate check compared each with all
# before it (half a minute here; the 138k took 324 s, and
# test_manifest keeps that case).  Smaller than that, so the replay's 1 s
# holds on a loaded machine (138k took 0.33 s under ASan alone, 1.2 s at
# load 6).
A = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
models = [A[i // 3844] + A[i // 62 % 62] + A[i % 62] for i in range(40000)]
put("manifest", "slow-40k-models.json",
    json.dumps({"models": models}, separators=(",", ":")).encode())


# Compressed: the sparse fill inside a gzip stream, and a gzip bomb (in
# the harness UNBRICK_MAX_EXPAND bounds it; it keeps the refusal covered).
def gz(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


put("compressed", "slow-sparse-fill.gzip", gz(FILL))
put("compressed", "bomb.gzip", gz(bytes(64 << 20)))


# uImage and sysupgrade wrapping the sparse fill: the inner layer is
# inspected too.
def uimage(data):
    h = bytearray(64)
    struct.pack_into(">IIIIIIIBBBB", h, 0, 0x27051956, 0, 0, len(data), 0, 0,
                     zlib.crc32(data), 5, 2, 5, 0)   # linux, arm, firmware, none
    h[32:36] = b"slow"
    struct.pack_into(">I", h, 4, zlib.crc32(bytes(h)))
    return bytes(h) + data


put("uimage", "slow-sparse-fill", uimage(FILL))


def sysupgrade(data):
    """data, then a metadata block and its trailer: magic "FWx0", the
    CRC-32 register (zlib's value inverted) of every byte before the
    trailer, type 1, the block's size with the trailer."""
    meta = bytes(8) + json.dumps({"supported_devices": ["slow"]}).encode()
    body = data + meta
    return body + struct.pack(">IIB3xI", 0x46577830, ~zlib.crc32(body) & 0xFFFFFFFF, 1,
                              len(meta) + 16)


put("fwtool", "slow-sparse-fill", sysupgrade(FILL))


# tar: 8 entries under 60 KB names (checking the folders above each
# compared names: the square of their length), and link chains.
def tar(members, fmt=tarfile.PAX_FORMAT):
    b = io.BytesIO()
    with tarfile.open(fileobj=b, mode="w", format=fmt) as t:
        for ti, d in members:
            ti.mtime = 0
            t.addfile(ti, io.BytesIO(d) if d is not None else None)
    return b.getvalue()


def reg(name, data):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    return ti, data


def lnk(name, target, kind=tarfile.SYMTYPE):
    ti = tarfile.TarInfo(name)
    ti.type = kind
    ti.linkname = target
    return ti, None


deep = "/".join(["a"] * 30000)
put("archive", "slow-deep-names.tar", tar([reg("%s/f%d" % (deep, i), b"x" * 10) for i in range(8)]))
put("archive", "links-chain.tar", tar([reg("fw.bin", b"x" * 1000), lnk("x/y", ".."),
                                       lnk("a", "x/y/..")], tarfile.GNU_FORMAT))
put("archive", "links-loop.tar", tar([reg("fw.bin", b"x" * 1000), lnk("a", "b"), lnk("b", "a")],
                                     tarfile.GNU_FORMAT))
put("archive", "hardlink-in.tar", tar([reg("fw.bin", b"x" * 1000),
                                       lnk("fw2.bin", "fw.bin", tarfile.LNKTYPE)], tarfile.GNU_FORMAT))
