#!/bin/sh
# The owner's settings after a repair, on Debian's U-Boot in QEMU: a board
# whose settings region (on its disk) was wiped after the technician's
# arrival backup gets them back from that backup when the new firmware is
# of the same major version; a new major version leaves them as they are
# (the repair still succeeds, and the user is told how to restore by hand);
# --keep-settings and a backup of another unit never write them.
. "$(dirname "$0")/lib.sh"
use_board
MKFW="$SRCDIR/tests/board/make-firmware"
SET=$((0xF00000))

# The demo profile with a settings region carved from the end of the boot
# region, as boards with eMMC keep theirs.  Its bootloader region is left
# out: the settings never touch it, and dumping it costs every backup here
# 20 s.
python3 - "$SRCDIR/profiles/qemu-virt-arm.json" "$T/p.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["name"] = "qemu-virt-arm-settings"
p["flash"] = [r for r in p["flash"] if r["name"] != "u-boot"]
for r in p["flash"]:
    if r["name"] == "boot":
        r["size"] = "0x00F00000"
p["flash"].append({"name": "settings", "storage": "virtio", "dev": 0, "offset": "0x00F00000",
                   "size": "0x00100000", "erase_block": "0x10000", "flags": ["config"],
                   "restore": "same-major"})
json.dump(p, open(sys.argv[2], "w"))
PY
settings() {   # settings FILE: what the settings region holds now
	dd if="$B/disk.img" of="$1" bs=64K skip=$((SET / 65536)) count=16 status=none
}
wipe() {   # a factory reset: the settings region zeroed
	dd if=/dev/zero of="$B/disk.img" bs=64K seek=$((SET / 65536)) count=16 conv=notrunc status=none
}

"$BOARD" install "$B" 1.1.0
python3 -c 'import sys; sys.stdout.buffer.write(b"wifi_ssid=owner-home\nadmin_hash=5f4dcc3b\n" * 100)' |
	dd of="$B/disk.img" bs=512 seek=$((SET / 512)) conv=notrunc status=none
settings "$T/owner.bin"
"$BOARD" brick "$B"
# Small images (one 64 KiB block) keep the YMODEM transfers short.
"$MKFW" fw 1.2.0 $((0x10000)) "$T/fw-1.2.0.bin"
"$MKFW" fw 2.0.0 $((0x10000)) "$T/fw-2.0.0.bin"
"$BOARD" start "$B"
DEV="uboot:unix:$B/console.sock"
# What the board's environment says of itself (the bricked firmware's
# version and the unit's serial number), as a saved environment would.
"$BOARD" console "$B" "setenv fw_version 1.1.0" "setenv serial# UB-0042" >/dev/null

expect_exit 0 "the arrival backup" -- "$UNBRICK" backup --device "$DEV" --profile "$T/p.json" -o "$T/arrival" --json
python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); assert m["firmware_version"] == "1.1.0" and m["serial"] == "UB-0042"' \
	"$T/arrival/manifest.json" && echo "ok: the manifest names the firmware and the unit" || { echo "FAIL: manifest"; FAILS=$((FAILS+1)); }

wipe
expect_exit 0 "repair with 1.2.0" -- "$UNBRICK" recover "$T/fw-1.2.0.bin" --device "$DEV" --profile "$T/p.json" --backup "$T/arrival" --yes --json
expect_json 'j["status"] == "repaired" and {r["region"]: r["state"] for r in j["settings"]} == {"env": "unchanged", "settings": "restored"}' "settings restored, env left alone"
expect_json '[r for r in j["settings"] if r["region"] == "settings"][0]["mismatched"] == 0' "the restored settings verified on the board"
settings "$T/now.bin"
cmp -s "$T/now.bin" "$T/owner.bin" && echo "ok: the owner's settings are back on the disk" || { echo "FAIL: settings not restored"; FAILS=$((FAILS+1)); }

# The repair's boot reset the board: its environment is the default again.
"$BOARD" console "$B" "setenv serial# UB-0042" >/dev/null
wipe
expect_exit 0 "repair with 2.0.0" -- "$UNBRICK" recover "$T/fw-2.0.0.bin" --device "$DEV" --profile "$T/p.json" --backup "$T/arrival" --yes --json
expect_json 'j["status"] == "repaired" and [r for r in j["settings"] if r["region"] == "settings"][0]["state"] == "kept"' "another major version: settings kept as the new firmware found them"
expect_grep "unbrick restore --from" "$T/err" "says how to restore by hand"
expect_grep "another major version" "$T/err" "says why"
settings "$T/now.bin"
[ "$(tr -d '\0' < "$T/now.bin" | wc -c)" -eq 0 ] && echo "ok: nothing written into the settings" || { echo "FAIL: settings written"; FAILS=$((FAILS+1)); }

"$BOARD" console "$B" "setenv serial# UB-0042" >/dev/null
expect_exit 0 "--keep-settings" -- "$UNBRICK" flash "$T/fw-1.2.0.bin" --device "$DEV" --profile "$T/p.json" --backup "$T/arrival" --keep-settings --yes --json
expect_json 'j["steps"]["settings"]["outcome"] == "skipped"' "settings step skipped"

python3 - "$T/arrival" "$T/other" <<'PY'
import json, shutil, sys
shutil.copytree(sys.argv[1], sys.argv[2])
m = json.load(open(sys.argv[2] + "/manifest.json"))
m["serial"] = "UB-0099"
json.dump(m, open(sys.argv[2] + "/manifest.json", "w"))
PY
expect_exit 0 "a backup of another unit" -- "$UNBRICK" flash "$T/fw-1.2.0.bin" --device "$DEV" --profile "$T/p.json" --backup "$T/other" --yes --json
expect_json '"UB-0099" in j["steps"]["backup"]["rejected"]["why"] and [r for r in j["settings"] if r["region"] == "settings"][0]["state"] != "restored"' "another unit's backup is not used: its settings are not put back"
expect_grep "UB-0099" "$T/err" "names the other unit"
settings "$T/now.bin"
[ "$(tr -d '\0' < "$T/now.bin" | wc -c)" -eq 0 ] && echo "ok: still nothing written into the settings" || { echo "FAIL: settings written"; FAILS=$((FAILS+1)); }
finish
