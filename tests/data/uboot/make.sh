#!/bin/sh
# Makes the uImage and FIT fixtures with the real mkimage (u-boot-tools).
# Run once; the outputs are committed so unit tests need no tools.
# SOURCE_DATE_EPOCH keeps the header timestamps fixed.
set -eu
cd "$(dirname "$0")"
export SOURCE_DATE_EPOCH=1700000000
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

# Deterministic payloads (not random, not compressible to nothing).
python3 - "$W" <<'PY'
import sys, hashlib
w = sys.argv[1]
def blob(name, n, seed):
    out = b''
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f'{seed}{i}'.encode()).digest()
        i += 1
    open(f'{w}/{name}', 'wb').write(out[:n])
blob('kernel.bin', 3000, 'k')
blob('dtb.bin', 501, 'd')
blob('part1.bin', 1001, 'p1')
blob('part2.bin', 77, 'p2')
PY

mkimage -A arm -O linux -T kernel -C none -a 0x80008000 -e 0x80008000 \
	-n 'Linux-5.10.0-test' -d "$W/kernel.bin" kernel.uimg >/dev/null
mkimage -A arm -O linux -T multi -C none -n 'multi 2 parts' \
	-d "$W/part1.bin:$W/part2.bin" multi.uimg >/dev/null
gzip -9 -n -c "$W/kernel.bin" >"$W/kernel.gz"
mkimage -A arm -O linux -T kernel -C gzip -n 'gzip kernel' \
	-d "$W/kernel.gz" gzip.uimg >/dev/null

cat >"$W/fit.its" <<ITS
/dts-v1/;
/ {
	description = "Acme router firmware";
	version = "2.4.1";
	#address-cells = <1>;
	images {
		kernel-1 {
			description = "kernel";
			data = /incbin/("$W/kernel.bin");
			type = "kernel"; arch = "arm"; os = "linux"; compression = "none";
			load = <0x80008000>; entry = <0x80008000>;
			hash-1 { algo = "crc32"; };
			hash-2 { algo = "sha256"; };
		};
		fdt-1 {
			description = "device tree";
			data = /incbin/("$W/dtb.bin");
			type = "flat_dt"; arch = "arm"; compression = "none";
			hash-1 { algo = "sha1"; };
			hash-2 { algo = "md5"; };
			hash-3 { algo = "sha512"; };
		};
		script-1 {
			description = "no hash";
			data = /incbin/("$W/part2.bin");
			type = "script"; compression = "none";
		};
	};
	configurations {
		default = "conf-1";
		conf-1 {
			description = "board a";
			kernel = "kernel-1"; fdt = "fdt-1";
			compatible = "acme,router-a", "acme,router";
		};
		conf-2 {
			description = "board b";
			kernel = "kernel-1"; fdt = "fdt-1";
			compatible = "acme,router-b";
		};
	};
};
ITS
mkimage -f "$W/fit.its" embedded.itb >/dev/null
mkimage -E -f "$W/fit.its" external.itb >/dev/null
mkimage -E -p 0x1000 -f "$W/fit.its" position.itb >/dev/null

# A uImage whose payload is a FIT: the FIT is inspected as an inner layer.
mkimage -A arm -O linux -T firmware -C none -n 'fit in uimage' \
	-d embedded.itb fit.uimg >/dev/null
