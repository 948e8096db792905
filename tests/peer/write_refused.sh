#!/bin/sh
# A disk that refuses every write (QEMU's virtio disk opened read-only, as
# a worn-out card behaves): the run of changed blocks fails as one U-Boot
# command, each block is then tried alone as a single block would be, and
# the flash fails with U-Boot's own words, the disk as it was.
. "$(dirname "$0")/lib.sh"
use_board
"$BOARD" install "$B" 1.1.0
# two 64 KiB blocks, both different from what the disk holds: one run
"$SRCDIR/tests/board/make-firmware" fw 1.2.0 $((0x20000)) "$T/fw-1.2.0.bin"
cp "$B/disk.img" "$T/disk.before"
DISK_RO=1 "$BOARD" start "$B"
DEV="uboot:unix:$B/console.sock"

expect_exit 1 "a flash onto a disk that refuses writes fails" -- "$UNBRICK" flash "$T/fw-1.2.0.bin" --device "$DEV" --profile qemu-virt-arm --no-backup --yes --json
expect_grep "virtio write.*blocks written: ERROR" "$T/err" "with U-Boot's own words"
expect_json 'j["blocks"]["written"] == 0 and j["steps"]["flash"]["retries"] >= 1' "the run was tried again block by block, nothing counted as written"
expect_json 'j["error"]["advice_id"] == "write-refused"' "the advice is about the medium, not the profile"
case1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folder"])' "$T/out")
grep -a "^=> virtio write" "$case1/logs/console.log" | cut -d';' -f1 >"$T/writes"
printf '=> virtio write 40200000 8000 100\n=> virtio write 40200000 8000 80\n' >"$T/writes.want"
cmp -s "$T/writes" "$T/writes.want" && echo "ok: the run of two blocks, then its first block alone" ||
	{ echo "FAIL: the writes were:"; cat "$T/writes"; FAILS=$((FAILS + 1)); }
cmp -s "$B/disk.img" "$T/disk.before" && echo "ok: the disk is as it was" || { echo "FAIL: the disk changed"; FAILS=$((FAILS + 1)); }
finish
