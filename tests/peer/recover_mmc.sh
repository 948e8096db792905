#!/bin/sh
# An SD card through U-Boot's `mmc`, on a second real board: Debian's
# u-boot-sunxi (the Orange Pi Plus build, Allwinner H3, unpacked from its
# armhf package by scripts/setup) on QEMU's orangepi-pc, which boots it
# from the card.  Over the console alone (YMODEM): write a firmware into a
# region of the card, check it against QEMU's backing file and that the
# bootloader on the same card is untouched; the same image again writes
# nothing; one changed block writes one block; verify finds a wrong one.
. "$(dirname "$0")/lib.sh"
need qemu-system-arm python3
SPL=${UB_SUNXI_UBOOT:-/var/cache/unbrick/peers/u-boot-sunxi/usr/lib/u-boot/orangepi_plus/u-boot-sunxi-with-spl.bin}
[ -f "$SPL" ] || { echo "SKIP: $SPL missing (scripts/setup unpacks it)"; exit 77; }
FW_OFF=$((16 << 20))
trap '[ -s "$T/q.pid" ] && kill "$(cat "$T/q.pid")" 2>/dev/null; rm -rf "$T"' EXIT

# The card: U-Boot with its SPL 8 KiB in, as on a real one; the rest empty.
truncate -s 64M "$T/sd.img"
dd if="$SPL" of="$T/sd.img" bs=1024 seek=8 conv=notrunc status=none
cp "$T/sd.img" "$T/sd.before"
qemu-system-arm -M orangepi-pc -display none -nic none -monitor none \
	-drive if=sd,format=raw,file="$T/sd.img" \
	-serial unix:"$T/con.sock",server=on,wait=off -daemonize -pidfile "$T/q.pid"
DEV="uboot:unix:$T/con.sock"

# A profile for this test: the bootloader area protected, a firmware
# region at 16 MiB, the board's RAM for loads and staging.
cat > "$T/p.json" <<'JSON'
{
  "name": "qemu-orangepi-pc-sd",
  "description": "QEMU's orangepi-pc with Debian's u-boot-sunxi (orangepi_plus) booting from its SD card",
  "family": "uboot",
  "match": { "models": ["sunxi"] },
  "identity": { "model_var": "board_name", "serial_var": "serial#" },
  "flash": [
    { "name": "bootloader", "storage": "mmc", "dev": 0, "offset": "0x2000", "size": "0xFE000", "erase_block": "0x2000", "flags": ["protected"] },
    { "name": "firmware", "storage": "mmc", "dev": 0, "offset": "0x1000000", "size": "0x800000", "erase_block": "0x10000", "flags": ["firmware"] }
  ],
  "recovery": {
    "prompt": "=> ",
    "autoboot_text": "Hit any key to stop autoboot",
    "stop_keys": " ",
    "load_addr": "0x42000000",
    "load_max": "0x01000000",
    "scratch_addr": "0x48000000",
    "scratch_max": "0x01000000"
  }
}
JSON
python3 - "$T" <<'PY'
import random, sys
r = random.Random(5)
a = bytes(r.randrange(256) for _ in range(4 * 65536))
open(sys.argv[1] + "/a.bin", "wb").write(a)
b = bytearray(a); b[2 * 65536 + 9] ^= 0xff
open(sys.argv[1] + "/b.bin", "wb").write(b)
PY
fw_now() {   # fw_now FILE: the firmware region's first 256 KiB on the card now
	dd if="$T/sd.img" of="$1" bs=64K skip=$((FW_OFF / 65536)) count=4 status=none
}

expect_exit 0 "write a firmware onto the SD card" -- "$UNBRICK" flash --allow-unverified "$T/a.bin" --device "$DEV" --profile "$T/p.json" --via ymodem --yes --json
expect_json 'j["blocks"]["written"] == 4 and j["steps"]["backup"]["regions"] == 2' "4 blocks written after a 2-region backup"
fw_now "$T/now.bin"
cmp -s "$T/now.bin" "$T/a.bin" && echo "ok: the card holds the image" || { echo "FAIL: sd.img differs from the image"; FAILS=$((FAILS + 1)); }
case1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folder"])' "$T/out")
python3 - "$case1/backup" "$T" <<'PY' && echo "ok: backup = the card before; bootloader untouched" || { echo "FAIL: backup or bootloader"; FAILS=$((FAILS + 1)); }
import sys
bk, t = sys.argv[1:]
before, after = open(t + "/sd.before", "rb").read(), open(t + "/sd.img", "rb").read()
assert open(bk + "/bootloader.bin", "rb").read() == before[0x2000:0x100000]
assert open(bk + "/firmware.bin", "rb").read() == before[16 << 20:24 << 20]
assert after[:16 << 20] == before[:16 << 20], "bootloader area changed"
assert after[(16 << 20) + 4 * 65536:] == before[(16 << 20) + 4 * 65536:], "bytes past the image changed"
PY

expect_exit 0 "the same image again" -- "$UNBRICK" flash --allow-unverified "$T/a.bin" --device "$DEV" --profile "$T/p.json" --via ymodem --backup "$case1/backup" --yes --json
expect_json 'j["blocks"]["written"] == 0 and j["blocks"]["skipped"] == 4' "nothing written"
expect_exit 0 "one block changed" -- "$UNBRICK" flash --allow-unverified "$T/b.bin" --device "$DEV" --profile "$T/p.json" --via ymodem --backup "$case1/backup" --yes --json
expect_json 'j["blocks"]["written"] == 1 and j["blocks"]["skipped"] == 3' "only that block written"
fw_now "$T/now.bin"
cmp -s "$T/now.bin" "$T/b.bin" && echo "ok: the card holds the changed image" || { echo "FAIL: sd.img differs after the one-block change"; FAILS=$((FAILS + 1)); }
expect_exit 1 "verify: the card does not hold the first image" -- "$UNBRICK" verify "$T/a.bin" --device "$DEV" --profile "$T/p.json" --json
expect_json 'j["steps"]["verify"]["mismatched"] == 1 and j["steps"]["verify"]["blocks"] == 4' "the one block that differs found"
finish
