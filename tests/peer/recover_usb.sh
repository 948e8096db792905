#!/bin/sh
# The repair of firmware kept on a USB stick, against Debian's U-Boot on
# QEMU's virt board with a USB mass-storage disk on EHCI: brick the
# stick's firmware, recover over the console (YMODEM), and check against
# the stick's backing file.  Without the stick, unbrick names what is
# missing instead of U-Boot's "USB is stopped".  A SATA disk (U-Boot's
# `scsi`) holding a copy of the stick is read and verified the same way.
. "$(dirname "$0")/lib.sh"
use_board
export USB_DISK=1
MKFW="$SRCDIR/tests/board/make-firmware"
FW=$((16 << 20))

"$BOARD" install "$B" 1.1.0
"$BOARD" brick "$B"
cp "$B/usb.img" "$T/usb.before"
# Two 64 KiB blocks: what is tested is the storage, not YMODEM's speed.
"$MKFW" fw 1.2.0 $((0x20000)) "$T/fw-1.2.0.bin"
"$BOARD" start "$B"
DEV="uboot:unix:$B/console.sock"

expect_exit 0 "recover the firmware on the USB stick" -- "$UNBRICK" recover "$T/fw-1.2.0.bin" --device "$DEV" --profile qemu-virt-arm-usb --yes --json
expect_json 'j["ok"] and j["status"] == "repaired" and j["boot"]["version"] == "1.2.0"' "repaired, and it boots 1.2.0 from the stick"
expect_json 'j["blocks"]["written"] == 2 and j["steps"]["backup"]["regions"] == 3' "2 blocks written after a 3-region backup"
case1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folder"])' "$T/out")
python3 - "$case1/backup" "$T" "$B" $FW <<'PY' && echo "ok: backup = the bricked stick; image in place; the rest of the stick untouched" || { echo "FAIL: backing files"; FAILS=$((FAILS+1)); }
import sys
bk, t, b, fw = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
before = open(t + "/usb.before", "rb").read()
after = open(b + "/usb.img", "rb").read()
img = open(t + "/fw-1.2.0.bin", "rb").read()
assert open(bk + "/firmware.bin", "rb").read() == before[fw:fw + 0x80000], "backup differs"
assert after[fw:fw + len(img)] == img, "image not in place"
assert after[:fw] == before[:fw] and after[fw + len(img):] == before[fw + len(img):], "other bytes changed"
PY
grep -q "usb start" "$case1/logs/console.log" && echo "ok: the USB bus was brought up" || { echo "FAIL: no usb start"; FAILS=$((FAILS+1)); }

# The stick pulled out, its copy on a SATA disk: the board boots without it.
"$BOARD" stop "$B"
cp "$B/usb.img" "$B/sata.img"
USB_DISK=0 SATA_DISK=1 "$BOARD" start "$B"
expect_exit 1 "verify without the stick fails" -- "$UNBRICK" verify "$T/fw-1.2.0.bin" --device "$DEV" --profile qemu-virt-arm-usb
expect_grep "no USB storage device 0 found: is the stick plugged in" "$T/err" "names the missing stick"
sed 's/"storage": "usb"/"storage": "scsi"/' "$SRCDIR/profiles/qemu-virt-arm-usb.json" > "$T/sata.json"
expect_exit 0 "verify the copy on the SATA disk" -- "$UNBRICK" verify "$T/fw-1.2.0.bin" --device "$DEV" --profile "$T/sata.json" --json
expect_json 'j["steps"]["verify"]["mismatched"] == 0 and j["steps"]["verify"]["blocks"] == 2' "2 blocks compared through scsi scan and scsi read"
finish
