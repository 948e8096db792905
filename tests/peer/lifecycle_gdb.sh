#!/bin/sh
# The family contract (tests/contract/lifecycle.c) on the gdb family:
# QEMU's virt machine with both NOR banks erased, held with -S and its
# gdbstub the probe (tests/board/qemu-gdb-board), the RAM U-Boot the
# loader (scripts/build-uboot-ram).  After the loader stage, a region of
# 5 erase blocks in the second NOR bank is read through the probe, written
# from the loader's console (3 blocks changed: exactly those written),
# verified by the board's crc32, restored.  The flash file QEMU writes
# back is the second opinion.
. "$(dirname "$0")/lib.sh"
need qemu-system-arm python3 cmp
: "${UB_LIFECYCLE:?UB_LIFECYCLE must point at ub-lifecycle}"
LOADER=/var/cache/unbrick/peers/u-boot-ram/qemu_arm/u-boot.bin
[ -f "$LOADER" ] || { echo "SKIP: $LOADER missing (scripts/build-uboot-ram builds it, as root)"; exit 77; }
GBOARD="$SRCDIR/tests/board/qemu-gdb-board"
B="$T/board"
trap '"$GBOARD" stop "$B"; rm -rf "$T"' EXIT
"$GBOARD" start "$B" erased
DEV="gdb:tcp:127.0.0.1:$(cat "$B/port"),console=unix:$B/console.sock"
OFF=$((0x100000)); SIZE=$((0x140000))   # in flash1.img: 0x04100000 on the board

cat >"$T/board.json" <<JSON
{
  "name": "qemu-virt-arm-gdb-lifecycle",
  "family": "gdb",
  "match": { "models": ["qemu-arm"] },
  "flash": [
    { "name": "scratch", "storage": "nor", "offset": "0x04100000", "size": "0x140000", "erase_block": "0x40000", "flags": ["firmware"] }
  ],
  "loader": { "file": "$LOADER", "sha256": "$(sha256sum "$LOADER" | cut -d' ' -f1)", "load_addr": "0x60800000", "arch": "arm",
              "wait_for": "^U-Boot 20[0-9.]+\\\\+dfsg[^ ]*\\\\+ram ", "timeout": 20 },
  "recovery": { "load_addr": "0x40200000", "scratch_addr": "0x44400000", "nor_write_chunk": "0x40000" }
}
JSON
# flash ARG: the region as the flash file holds it now
flash() {
	python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2])); open(sys.argv[4],"wb").write(f.read(int(sys.argv[3])))' "$B/flash1.img" $OFF $SIZE "$1"
}
same() {
	if cmp -s "$1" "$2"; then echo "ok: $3"; else echo "FAIL: $3 ($1 differs from $2)"; FAILS=$((FAILS + 1)); fi
}
flash "$T/before.bin"

expect_exit 0 "lifecycle of 5 erase blocks of NOR, after the loader stage" -- "$UB_LIFECYCLE" "$DEV" "$T/board.json" scratch --loader "$LOADER"
sed 's/^/    /' "$T/out"
expect_grep "^ok: load_stage: " "$T/out" "the loader runs"
expect_grep "^ok: read: region scratch, 1310720 bytes, twice, equal" "$T/out" "read through the probe, twice the same"
expect_grep "^ok: write: 3 of 5 blocks written \\(compared by crc32\\), 2 skipped, 0 retries, via probe" "$T/out" "only the 3 changed blocks written, their bytes through the probe"
expect_grep "^ok: verify: verified: every block by crc32, fresh" "$T/out" "verified by the board's crc32"
expect_grep "^ok: verify-detects: the wrong image fails verification on its 3 blocks" "$T/out" "verify can fail"
flash "$T/after.bin"
same "$T/after.bin" "$T/before.bin" "the flash file holds what it held before"

expect_exit 0 "the changed image left on the board" -- "$UB_LIFECYCLE" "$DEV" "$T/board.json" scratch --loader "$LOADER" --no-restore --save "$T/saved"
grep -E '^(FAIL|PASS)' "$T/out" | sed 's/^/    /'
flash "$T/now.bin"
same "$T/now.bin" "$T/saved/changed.bin" "the flash file holds the changed image the harness wrote"
finish
