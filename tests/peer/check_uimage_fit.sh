#!/bin/sh
# U-Boot images made by the real mkimage: legacy (kernel, multi-file,
# script) and FIT (inline and external data, several hash algorithms,
# board compatibles).  A flipped byte in header, data or hash is caught.
. "$(dirname "$0")/lib.sh"
need mkimage dtc python3
export SOURCE_DATE_EPOCH=1763856000

head -c 300000 /dev/urandom > "$T/kernel"
head -c 100000 /dev/urandom > "$T/ramdisk"
mkimage -A arm -O linux -T kernel -C none -a 0x40008000 -e 0x40008000 \
	-n "acme wr-100 kernel" -d "$T/kernel" "$T/legacy.img" >/dev/null
expect_exit 0 "legacy kernel image" -- "$UNBRICK" check "$T/legacy.img" --json
expect_json 'j["image"]["layers"] == "uimage > raw" and j["image"]["name"] == "acme wr-100 kernel"' "layers and name"
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["uimage-data-crc"] == "pass"' "data CRC passes"
expect_json 'j["verdict"] == "safe" and "uImage" in j["why"]' "safe: its CRCs cover every byte"
# bytes appended after the data are not covered by its CRC
cat "$T/legacy.img" "$T/ramdisk" > "$T/tail.img"
expect_exit 3 "legacy image with bytes appended" -- "$UNBRICK" check "$T/tail.img" --json
expect_json 'j["verdict"] == "unverified" and {c["name"]: c["verdict"] for c in j["checks"]}["uimage-trailing"] == "warn"' "unverified: the appended bytes are not covered"
head -c 4096 /dev/zero | tr '\0' '\377' | cat "$T/legacy.img" - > "$T/padded.img"
expect_exit 0 "legacy image padded with 0xff" -- "$UNBRICK" check "$T/padded.img"
cp "$T/legacy.img" "$T/bad.img"; flip_byte "$T/bad.img" 20
expect_exit 3 "flipped header byte" -- "$UNBRICK" check "$T/bad.img" --json
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["uimage-header-crc"] == "fail"' "header CRC fails"
cp "$T/legacy.img" "$T/bad.img"; flip_byte "$T/bad.img" 150000
expect_exit 3 "flipped data byte" -- "$UNBRICK" check "$T/bad.img" --json
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["uimage-data-crc"] == "fail"' "data CRC fails"
head -c 200000 "$T/legacy.img" > "$T/cut.img"
expect_exit 3 "truncated image" -- "$UNBRICK" check "$T/cut.img"
expect_grep "re-download|Re-download|cut off" "$T/err" "advice for a cut download"
# a header that claims 3 GiB of data (header CRC made to match)
python3 - "$T/legacy.img" "$T/huge.img" <<'PY'
import struct, sys, zlib
h = bytearray(open(sys.argv[1], "rb").read(64))
h[12:16] = struct.pack(">I", 3 << 30); h[4:8] = b"\0\0\0\0"
h[4:8] = struct.pack(">I", zlib.crc32(bytes(h)))
open(sys.argv[2], "wb").write(bytes(h) + b"\0" * 1000)
PY
expect_exit 3 "absurd data size" -- "$UNBRICK" check "$T/huge.img" --json
expect_json '[c for c in j["checks"] if c["name"] == "uimage-data-crc"][0]["advice"].startswith("A size")' "called impossible, not truncated"
mkimage -A arm -O linux -T multi -C none -n multi -d "$T/kernel:$T/ramdisk" "$T/multi.img" >/dev/null
expect_exit 0 "multi-file image" -- "$UNBRICK" check "$T/multi.img" --json
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["uimage-table"] == "pass"' "its size table fits"
printf 'echo hello\n' > "$T/s.cmd"
mkimage -A arm -T script -C none -n script -d "$T/s.cmd" "$T/script.img" >/dev/null
expect_exit 0 "script image" -- "$UNBRICK" check "$T/script.img"

cat > "$T/fit.its" <<ITS
/dts-v1/;
/ {
	description = "acme wr-100 firmware";
	#address-cells = <1>;
	images {
		kernel-1 {
			description = "kernel";
			data = /incbin/("$T/kernel");
			type = "kernel"; arch = "arm"; os = "linux"; compression = "none";
			load = <0x40008000>; entry = <0x40008000>;
			hash-1 { algo = "crc32"; };
			hash-2 { algo = "sha256"; };
		};
		ramdisk-1 {
			description = "ramdisk";
			data = /incbin/("$T/ramdisk");
			type = "ramdisk"; arch = "arm"; os = "linux"; compression = "none";
			hash-1 { algo = "sha1"; };
			hash-2 { algo = "md5"; };
		};
	};
	configurations {
		default = "conf-1";
		conf-1 { compatible = "acme,wr-100", "acme,wr-100s"; kernel = "kernel-1"; ramdisk = "ramdisk-1"; };
	};
};
ITS
mkimage -f "$T/fit.its" "$T/fit.itb" >/dev/null
expect_exit 0 "FIT with inline data" -- "$UNBRICK" check "$T/fit.itb" --model acme,wr-100s --json
expect_json 'j["image"]["layers"] == "fit" and j["image"]["name"] == "acme wr-100 firmware"' "FIT recognised, description read"
expect_json 'j["image"]["models"] == ["acme,wr-100", "acme,wr-100s"]' "configuration compatibles are the models"
expect_json 'sum(1 for c in j["checks"] if c["name"].startswith("fit-hash:") and c["verdict"] == "pass") == 2' "both images' hashes pass"
expect_json 'j["verdict"] == "safe" and "FIT" in j["why"]' "safe: every image's hash matches"
# an image whose only hash is one unbrick does not compute: unverified
python3 - "$T/fit.itb" "$T/odd.itb" <<'PY'
import sys
d = open(sys.argv[1], "rb").read()
assert d.count(b"sha1\0") == 1 and d.count(b"md5\0") == 1
open(sys.argv[2], "wb").write(d.replace(b"sha1\0", b"sha0\0").replace(b"md5\0", b"md0\0"))
PY
expect_exit 3 "FIT with an image hashed only by an unknown algorithm" -- "$UNBRICK" check "$T/odd.itb" --json
expect_json 'j["verdict"] == "unverified" and {c["name"]: c["verdict"] for c in j["checks"]}["fit-hash:ramdisk-1"] == "warn"' "unverified: that image is not checked"
expect_exit 0 "the same with its sha256" -- "$UNBRICK" check "$T/odd.itb" --sha256 "$(sha256sum "$T/odd.itb" | cut -d' ' -f1)"
expect_exit 3 "FIT for another board" -- "$UNBRICK" check "$T/fit.itb" --model acme,wr-200
off=$(python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); print(d.find(open(sys.argv[2],"rb").read()[:64]) + 5000)' "$T/fit.itb" "$T/ramdisk")
cp "$T/fit.itb" "$T/bad.itb"; flip_byte "$T/bad.itb" "$off"
expect_exit 3 "flipped byte in FIT ramdisk data" -- "$UNBRICK" check "$T/bad.itb" --json
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["fit-hash:ramdisk-1"] == "fail" and {c["name"]: c["verdict"] for c in j["checks"]}["fit-hash:kernel-1"] == "pass"' "the damaged image is named"

mkimage -E -f "$T/fit.its" "$T/fit-ext.itb" >/dev/null
expect_exit 0 "FIT with external data" -- "$UNBRICK" check "$T/fit-ext.itb" --json
expect_json 'sum(1 for c in j["checks"] if c["name"].startswith("fit-hash:") and c["verdict"] == "pass") == 2' "external data hashes pass"
size=$(stat -c %s "$T/fit-ext.itb")
cp "$T/fit-ext.itb" "$T/bad.itb"; flip_byte "$T/bad.itb" $((size - 1000))
expect_exit 3 "flipped byte in external data" -- "$UNBRICK" check "$T/bad.itb"
head -c $((size - 50000)) "$T/fit-ext.itb" > "$T/cut.itb"
expect_exit 3 "external data cut off" -- "$UNBRICK" check "$T/cut.itb"
expect_grep "past the end" "$T/err" "says the data runs past the end"
head -c 2000 "$T/fit.itb" > "$T/cut2.itb"
expect_exit 3 "tree cut off" -- "$UNBRICK" check "$T/cut2.itb"
expect_grep "totalsize" "$T/err" "names the size mismatch"

# the stored hash value itself damaged (sha256 of the kernel, found by value)
off=$(python3 -c 'import sys,hashlib; d=open(sys.argv[1],"rb").read(); print(d.find(hashlib.sha256(open(sys.argv[2],"rb").read()).digest()) + 7)' "$T/fit.itb" "$T/kernel")
[ "$off" -gt 7 ] || { echo "FAIL: sha256 value not found in the FIT"; FAILS=$((FAILS + 1)); }
cp "$T/fit.itb" "$T/bad.itb"; flip_byte "$T/bad.itb" "$off"
expect_exit 3 "flipped byte in a stored hash value" -- "$UNBRICK" check "$T/bad.itb" --json
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["fit-hash:kernel-1"] == "fail"' "the kernel's hash fails"

# external data at a fixed position (mkimage -p): data-position
mkimage -E -p 0x2000 -f "$T/fit.its" "$T/fit-pos.itb" >/dev/null
expect_exit 0 "FIT with data at a fixed position" -- "$UNBRICK" check "$T/fit-pos.itb" --json
expect_json 'sum(1 for c in j["checks"] if c["name"].startswith("fit-hash:") and c["verdict"] == "pass") == 2' "position data hashes pass"
cp "$T/fit-pos.itb" "$T/bad.itb"; flip_byte "$T/bad.itb" $((0x2000 + 10))
expect_exit 3 "flipped byte in position data" -- "$UNBRICK" check "$T/bad.itb" --json
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["fit-hash:kernel-1"] == "fail"' "the kernel at 0x2000 is named"

# a FIT inside a uImage: damage the FIT and make the outer CRCs right again,
# so only the inner layer can catch it
mkimage -A arm -O linux -T firmware -C none -n "fit in uimage" -d "$T/fit.itb" "$T/wrap.img" >/dev/null
expect_exit 0 "FIT inside a uImage" -- "$UNBRICK" check "$T/wrap.img" --json
expect_json 'j["image"]["layers"] == "uimage > fit"' "both layers found"
python3 - "$T/wrap.img" "$T/kernel" <<'PY'
import struct, sys, zlib
p = sys.argv[1]; d = bytearray(open(p, "rb").read())
at = d.find(open(sys.argv[2], "rb").read()[:64]); d[at + 1000] ^= 0xff
size = struct.unpack(">I", d[12:16])[0]
d[24:28] = struct.pack(">I", zlib.crc32(bytes(d[64:64 + size])))
d[4:8] = b"\0\0\0\0"; d[4:8] = struct.pack(">I", zlib.crc32(bytes(d[:64])))
open(p, "wb").write(bytes(d))
PY
expect_exit 3 "damage inside the inner FIT" -- "$UNBRICK" check "$T/wrap.img" --json
expect_json '{c["name"]: c["verdict"] for c in j["checks"]}["uimage-data-crc"] == "pass" and {c["name"]: c["verdict"] for c in j["checks"]}["fit-hash:kernel-1"] == "fail"' "outer CRC passes, inner hash fails"

# a header name that is not UTF-8 (CRC made right) must not break the JSON
python3 - "$T/legacy.img" "$T/name.img" <<'PY'
import struct, sys, zlib
d = bytearray(open(sys.argv[1], "rb").read())
d[32:36] = b"\xff\xfe\x1b["; d[4:8] = b"\0\0\0\0"
d[4:8] = struct.pack(">I", zlib.crc32(bytes(d[:64])))
open(sys.argv[2], "wb").write(bytes(d))
PY
expect_exit 0 "uImage with a non-UTF-8 name" -- "$UNBRICK" check "$T/name.img" --json
expect_json 'j["image"]["name"].startswith("???[")' "the name is printable in the JSON"
finish
