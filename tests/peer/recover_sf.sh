#!/bin/sh
# SPI NOR through U-Boot's `sf`, on a third real board: Debian's u-boot-imx
# (the SABRE Lite build, i.MX6 Quad, unpacked from its armhf package by
# scripts/setup) on QEMU's sabrelite, whose SST25VF016B sits on the first
# SPI bus.  QEMU has no i.MX boot ROM, so the image is put in RAM where its
# IVT header says and started at its entry.  Over the console alone
# (YMODEM): write a firmware whose last block is short, check the chip's
# backing file (the short block's tail erased, everything else as it was,
# the backup equal to the chip before); the same image again writes
# nothing; three changed blocks, two of them adjacent, write three; verify
# finds them; a region past the chip's end or on an empty chip select is
# refused before anything is read.
. "$(dirname "$0")/lib.sh"
need qemu-system-arm python3
IMX=${UB_IMX_UBOOT:-/var/cache/unbrick/peers/u-boot-imx/usr/lib/u-boot/mx6qsabrelite/u-boot-dtb.imx}
[ -f "$IMX" ] || { echo "SKIP: $IMX missing (scripts/setup unpacks it)"; exit 77; }
FW_OFF=$((0x100000))
EB=4096

stop_qemu() {
	[ -s "$T/q.pid" ] || return 0
	pid=$(cat "$T/q.pid")
	kill "$pid" 2>/dev/null || return 0
	i=0
	while [ -d "/proc/$pid" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$pid" 2>/dev/null || true
}
trap 'stop_qemu; rm -rf "$T"' EXIT

# The chip: a bootloader in its first 64 KiB, an old firmware in the first
# 64 KiB of the firmware region, the rest erased.
python3 - "$T" "$IMX" <<'PY'
import random, sys
t, imx = sys.argv[1:]
r = random.Random(7)
chip = bytearray(b"\xff" * (2 << 20))
head = open(imx, "rb").read()[:0x10000 - 0x400]
chip[0x400:0x400 + len(head)] = head
chip[0x100000:0x110000] = bytes(r.randrange(256) for _ in range(0x10000))
open(t + "/spi.img", "wb").write(chip)
open(t + "/spi.before", "wb").write(chip)
a = bytes(r.randrange(256) for _ in range(7 * 4096 + 1000))   # last block short
open(t + "/a.bin", "wb").write(a)
b = bytearray(a)
for off in (2 * 4096 + 9, 4 * 4096 + 100, 5 * 4096 + 4000):
    b[off] ^= 0x5a
open(t + "/b.bin", "wb").write(b)
PY
# The image's IVT (at its start) says where it lives: the file goes to
# `self`, and the CPU starts at `entry`.
set -- $(python3 -c 'import struct,sys; h=open(sys.argv[1],"rb").read(32); print(*("0x%x" % v for v in struct.unpack("<8I", h)[1:6:4]))' "$IMX")
ENTRY=$1 SELF=$2
qemu-system-arm -M sabrelite -smp 1 -m 1G -display none -nic none -monitor none \
	-device loader,file="$IMX",addr="$SELF",force-raw=on -device loader,addr="$ENTRY",cpu-num=0 \
	-drive if=mtd,format=raw,file="$T/spi.img" \
	-serial null -serial unix:"$T/con.sock",server=on,wait=off -daemonize -pidfile "$T/q.pid"
DEV="uboot:unix:$T/con.sock"

# A profile for this test: the bootloader protected, a firmware region at
# 1 MiB in the chip's own 4 KiB erase blocks, the board's RAM for loads.
profile() {   # profile FILE FW_OFFSET FW_SIZE FW_DEV
	cat > "$1" <<JSON
{
  "name": "qemu-sabrelite-sf",
  "description": "QEMU's sabrelite with Debian's u-boot-imx (mx6qsabrelite) and its SPI NOR",
  "family": "uboot",
  "match": { "models": ["nitrogen6x"] },
  "identity": { "model_var": "board_name", "serial_var": "serial#" },
  "flash": [
    { "name": "bootloader", "storage": "sf", "dev": 0, "offset": "0x0", "size": "0x10000", "erase_block": "0x1000", "flags": ["protected"] },
    { "name": "firmware", "storage": "sf", "dev": $4, "offset": "$2", "size": "$3", "erase_block": "0x1000", "flags": ["firmware"] }
  ],
  "recovery": {
    "prompt": "=> ",
    "autoboot_text": "Hit any key to stop autoboot",
    "stop_keys": " ",
    "load_addr": "0x12000000",
    "load_max": "0x01000000",
    "scratch_addr": "0x14000000",
    "scratch_max": "0x00100000"
  }
}
JSON
}
profile "$T/p.json" 0x100000 0x40000 0

chip_check() {   # chip_check IMAGE BLOCKS_WRITTEN_FROM_IMAGE: the chip against spi.before and IMAGE
	python3 - "$T" "$1" <<'PY'
import sys
t, img = sys.argv[1:]
chip, before, a = (open(p, "rb").read() for p in (t + "/spi.img", t + "/spi.before", img))
fw, n = 0x100000, len(a)
end = fw + (n + 4095) // 4096 * 4096
assert chip[fw:fw + n] == a, "the image is not on the chip"
assert chip[fw + n:end] == b"\xff" * (end - fw - n), "the short block's tail is not erased"
assert chip[:fw] == before[:fw], "bytes before the firmware region changed"
assert chip[end:] == before[end:], "bytes past the image's blocks changed"
PY
}

expect_exit 0 "write a firmware onto the SPI flash" -- "$UNBRICK" flash --allow-unverified "$T/a.bin" --device "$DEV" --profile "$T/p.json" --via ymodem --yes --json
expect_json 'j["blocks"]["written"] == 8 and j["steps"]["backup"]["regions"] == 2' "8 blocks written after a 2-region backup"
expect_json 'j["steps"]["identify"]["hardware"] == "SPI NOR sst25vf016b, 2048 KiB, 4 KiB erase blocks, chip select 0"' "the chip the board found is in the journal"
chip_check "$T/a.bin" && echo "ok: the chip holds the image, the short block's tail erased, the rest as before" ||
	{ echo "FAIL: the chip after the first write"; FAILS=$((FAILS + 1)); }
case1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folder"])' "$T/out")
python3 - "$case1/backup" "$T" <<'PY' && echo "ok: backup = the chip before" || { echo "FAIL: backup"; FAILS=$((FAILS + 1)); }
import sys
bk, t = sys.argv[1:]
before = open(t + "/spi.before", "rb").read()
assert open(bk + "/bootloader.bin", "rb").read() == before[:0x10000]
assert open(bk + "/firmware.bin", "rb").read() == before[0x100000:0x140000]
PY

expect_exit 0 "the same image again" -- "$UNBRICK" flash --allow-unverified "$T/a.bin" --device "$DEV" --profile "$T/p.json" --via ymodem --backup "$case1/backup" --yes --json
expect_json 'j["blocks"]["written"] == 0 and j["blocks"]["skipped"] == 8' "nothing written"
expect_exit 0 "three blocks changed, two of them adjacent" -- "$UNBRICK" flash --allow-unverified "$T/b.bin" --device "$DEV" --profile "$T/p.json" --via ymodem --backup "$case1/backup" --yes --json
expect_json 'j["blocks"]["written"] == 3 and j["blocks"]["skipped"] == 5' "only those three written"
chip_check "$T/b.bin" && echo "ok: the chip holds the changed image" ||
	{ echo "FAIL: the chip after the three-block change"; FAILS=$((FAILS + 1)); }
expect_exit 1 "verify: the chip does not hold the first image" -- "$UNBRICK" verify "$T/a.bin" --device "$DEV" --profile "$T/p.json" --json
expect_json 'j["steps"]["verify"]["mismatched"] == 3 and j["steps"]["verify"]["blocks"] == 8' "the three blocks that differ found"

expect_exit 0 "identify" -- "$UNBRICK" identify --device "$DEV" --profile "$T/p.json"
expect_grep '^hardware: +SPI NOR sst25vf016b, 2048 KiB' "$T/out" "identify names the chip (on stdout)"

# Profiles that do not match the chip are refused before anything is read.
cp "$T/spi.img" "$T/spi.kept"
profile "$T/past.json" 0x1F0000 0x20000 0
expect_exit 2 "a region past the chip's end" -- "$UNBRICK" backup --device "$DEV" --profile "$T/past.json" -o "$T/bk-past"
expect_grep 'runs past the end of the SPI flash.*0x200000 bytes' "$T/err" "the message names the chip's size"
profile "$T/cs1.json" 0x100000 0x40000 1
expect_exit 1 "a region on a chip select with no chip" -- "$UNBRICK" backup --device "$DEV" --profile "$T/cs1.json" -o "$T/bk-cs1"
expect_grep 'no SPI flash answered on chip select 1' "$T/err" "the message names the chip select"
cmp -s "$T/spi.img" "$T/spi.kept" && echo "ok: the refused runs left the chip alone" ||
	{ echo "FAIL: a refused run changed the chip"; FAILS=$((FAILS + 1)); }
finish
