#!/bin/sh
# The family contract (tests/contract/lifecycle.c) on the SPI family, with
# flashrom's emulated W25Q128FV chip (libflashrom's dummy programmer, in
# process); the flashrom tool reads the chip afterwards as a second opinion.
. "$(dirname "$0")/lib.sh"
need flashrom python3 cmp
: "${UB_LIFECYCLE:?UB_LIFECYCLE must point at ub-lifecycle}"
CHIP="$T/chip.bin"
DEV="spi:flashrom:dummy,emulate=W25Q128FV,image=$CHIP"
P="$SRCDIR/profiles/spi-router-16m.json"   # by path: the harness is not beside a build tree's meson-info
"$SRCDIR/tests/board/make-spi-chip" router "$CHIP"
cp "$CHIP" "$T/before.bin"

slice() {
	python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2],0)); open(sys.argv[4],"wb").write(f.read(int(sys.argv[3],0)))' "$@"
}
same() {
	if cmp -s "$1" "$2"; then echo "ok: $3"; else echo "FAIL: $3 ($1 differs from $2)"; FAILS=$((FAILS + 1)); fi
}
lifecycle() {
	want=$1; what=$2; shift 2
	expect_exit "$want" "$what" -- "$UB_LIFECYCLE" "$DEV" "$P" "$@"
	sed 's/^/    /' "$T/out"
}

lifecycle 0 "lifecycle of the firmware region (4000 blocks)" firmware
expect_grep "^ok: write: 3 of 4000 blocks written \\(compared by crc32\\), 3997 skipped" "$T/out" "only the 3 changed blocks written"
expect_grep "^ok: verify: verified: every block by crc32, fresh" "$T/out" "verified fresh by the chip's crc32"
expect_grep "^ok: verify-detects: the wrong image fails verification on its 3 blocks" "$T/out" "verify can fail"
same "$CHIP" "$T/before.bin" "the chip holds what it held before"

lifecycle 0 "lifecycle of the settings region, 5 of its 16 blocks changed" u-boot-env --blocks 5
expect_grep "^ok: write: 5 of 16 blocks written" "$T/out" "the 5 changed blocks written"
same "$CHIP" "$T/before.bin" "the chip holds what it held before"

# The changed image left on the chip: flashrom's own reading sees it.
lifecycle 0 "the changed firmware left on the chip" firmware --no-restore --save "$T/saved"
flashrom -p "dummy:emulate=W25Q128FV,image=$CHIP" -r "$T/readback.bin" >"$T/flashrom.log" 2>&1 ||
	{ echo "FAIL: flashrom -r"; cat "$T/flashrom.log"; FAILS=$((FAILS + 1)); }
slice "$T/readback.bin" 0x50000 0xfa0000 "$T/rb-fw.bin"
same "$T/rb-fw.bin" "$T/saved/changed.bin" "flashrom reads the changed firmware the harness wrote"
slice "$T/readback.bin" 0 0x50000 "$T/rb-head.bin"; slice "$T/before.bin" 0 0x50000 "$T/head.bin"
same "$T/rb-head.bin" "$T/head.bin" "u-boot and its settings untouched"
slice "$T/readback.bin" 0xff0000 0x10000 "$T/rb-art.bin"; slice "$T/before.bin" 0xff0000 0x10000 "$T/art.bin"
same "$T/rb-art.bin" "$T/art.bin" "the ART calibration untouched"
finish
