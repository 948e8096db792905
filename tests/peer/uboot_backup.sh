#!/bin/sh
# unbrick identify and backup against Debian's U-Boot on QEMU's virt board:
# the backup must equal the board's flash and disk byte for byte, and a
# board that does not answer must give exit 4 with advice.
. "$(dirname "$0")/lib.sh"
use_board
"$BOARD" install "$B" 1.1.0
"$BOARD" start "$B"
DEV="uboot:unix:$B/console.sock"

expect_exit 0 "identify" -- "$UNBRICK" identify --device "$DEV" --profile qemu-virt-arm --json
expect_json 'j["identity"]["model"] == "qemu-arm" and j["identity"]["bootloader"].startswith("U-Boot 2023")' "model and bootloader from the board"

expect_exit 0 "backup of every region" -- "$UNBRICK" backup --device "$DEV" --profile qemu-virt-arm -o "$T/bk" --json
expect_json '[r["region"] for r in j["backup"]["regions"]] == ["u-boot", "env", "boot", "firmware"]' "four regions backed up"
# The board is still running: compare with its backing files.
python3 - "$T/bk" "$B" <<'PY' && echo "ok: backup equals flash and disk byte for byte" || { echo "FAIL: backup differs"; FAILS=$((FAILS+1)); }
import hashlib, json, sys
bk, b = sys.argv[1], sys.argv[2]
want = {"u-boot": (b + "/flash0.img", 0, 1 << 20),
        "env": (b + "/flash1.img", 0, 0x40000),
        "boot": (b + "/disk.img", 0, 16 << 20),
        "firmware": (b + "/disk.img", 16 << 20, 16 << 20)}
man = json.load(open(bk + "/manifest.json"))
for r in man["regions"]:
    path, off, size = want[r["region"]]
    with open(path, "rb") as f:
        f.seek(off); ref = f.read(size)
    got = open(bk + "/" + r["file"], "rb").read()
    assert got == ref, r["region"]
    assert hashlib.sha256(got).hexdigest() == r["sha256"], r["region"]
PY

"$BOARD" stop "$B"
expect_exit 4 "board switched off" -- "$UNBRICK" identify --device "$DEV" --profile qemu-virt-arm
expect_grep "what to do" "$T/err" "advice given"
expect_exit 2 "no device" -- "$UNBRICK" backup --profile qemu-virt-arm -o "$T/x"
expect_exit 2 "family mismatch" -- "$UNBRICK" identify --device "spi:flashrom:dummy" --profile qemu-virt-arm
finish
