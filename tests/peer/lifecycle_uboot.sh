#!/bin/sh
# The family contract (tests/contract/lifecycle.c) on the U-Boot family:
# QEMU's virt board with Debian's U-Boot over its console socket, the
# smallest setup that writes: a 128 KiB region of its virtio disk in 4 KiB
# blocks (reads are md.b dumps at about 55 KiB/s, images go by YMODEM, so
# the region is kept small).  The disk's file is the second opinion.
. "$(dirname "$0")/lib.sh"
: "${UB_LIFECYCLE:?UB_LIFECYCLE must point at ub-lifecycle}"
use_board
"$BOARD" install "$B" 1.1.0
"$BOARD" start "$B"
DEV="uboot:unix:$B/console.sock"
OFF=$((0x1000000)); SIZE=$((0x20000))

# The virt board's profile with one small region to write, and no network
# addresses: the images go by YMODEM over the console, whatever this
# machine's addresses are.
python3 - "$SRCDIR/profiles/qemu-virt-arm.json" "$T/board.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["name"] = "qemu-virt-arm-lifecycle"
p["flash"] = [r for r in p["flash"] if r["name"] == "u-boot"] + [
    {"name": "scratch", "storage": "virtio", "dev": 0, "offset": "0x01000000", "size": "0x20000",
     "erase_block": "0x1000", "flags": ["firmware"]}]
del p["recovery"]["network"]
json.dump(p, open(sys.argv[2], "w"))
PY
# disk ARG: the region as the disk's file holds it now
disk() {
	python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2])); open(sys.argv[4],"wb").write(f.read(int(sys.argv[3])))' "$B/disk.img" $OFF $SIZE "$1"
}
same() {
	if cmp -s "$1" "$2"; then echo "ok: $3"; else echo "FAIL: $3 ($1 differs from $2)"; FAILS=$((FAILS + 1)); fi
}
disk "$T/before.bin"

expect_exit 0 "lifecycle of a 128 KiB region of the virtio disk" -- "$UB_LIFECYCLE" "$DEV" "$T/board.json" scratch
sed 's/^/    /' "$T/out"
expect_grep "^ok: identify: model 'qemu-arm'" "$T/out" "the board identified, twice the same"
expect_grep "^ok: write: 3 of 32 blocks written \\(compared by crc32\\), 29 skipped" "$T/out" "only the 3 changed blocks written"
expect_grep "^ok: verify: verified: every block by crc32, fresh" "$T/out" "verified by the board's crc32"
expect_grep "^ok: verify-detects: the wrong image fails verification on its 3 blocks" "$T/out" "verify can fail"
disk "$T/after.bin"
same "$T/after.bin" "$T/before.bin" "the disk holds what it held before"

expect_exit 0 "the changed image left on the board" -- "$UB_LIFECYCLE" "$DEV" "$T/board.json" scratch --no-restore --save "$T/saved"
grep -E '^(FAIL|PASS)' "$T/out" | sed 's/^/    /'
disk "$T/now.bin"
same "$T/now.bin" "$T/saved/changed.bin" "the disk's file holds the changed image the harness wrote"
finish
