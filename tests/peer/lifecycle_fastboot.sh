#!/bin/sh
# The family contract (tests/contract/lifecycle.c) on the fastboot family:
# U-Boot with fastboot over UDP on QEMU's virt board (as fastboot_qemu.sh),
# region misc (1 MiB, a GPT partition of the SD card).  fastboot can
# neither read nor digest: the harness must see the read refused, every
# block written, and nothing called verified; the SD image's file is the
# second opinion on what was written.
. "$(dirname "$0")/lib.sh"
need qemu-system-arm sfdisk python3 cmp
: "${UB_LIFECYCLE:?UB_LIFECYCLE must point at ub-lifecycle}"
BOARD="$SRCDIR/tests/board/qemu-fastboot-board"
UBOOT_BIN=${UBOOT_BIN:-/var/cache/unbrick/peers/u-boot-fastboot/qemu_arm/u-boot.bin}
[ -f "$UBOOT_BIN" ] || { echo "SKIP: $UBOOT_BIN missing (scripts/build-uboot-fastboot, as root: make peers)"; exit 77; }
B="$T/board"
trap '"$BOARD" stop "$B"; rm -rf "$T"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
P="$SRCDIR/profiles/qemu-virt-arm-fastboot.json"
DEV="fastboot:udp:127.0.0.1:$PORT,wait=20"
"$BOARD" start "$B" "$PORT"
"$BOARD" part "$B" misc "$T/misc-orig.bin"
cp "$B/sd.img" "$T/sd-before.img"
same() {
	if cmp -s "$1" "$2"; then echo "ok: $3"; else echo "FAIL: $3 ($1 differs from $2)"; FAILS=$((FAILS + 1)); fi
}

expect_exit 0 "lifecycle of partition misc" -- "$UB_LIFECYCLE" "$DEV" "$P" misc --original "$T/misc-orig.bin"
sed 's/^/    /' "$T/out"
expect_grep "^ok: identify: model 'qemu-arm'" "$T/out" "the board identified, twice the same"
expect_grep "^ok: read: refused as it should \\(fastboot cannot read partitions" "$T/out" "the read refused, saying why"
expect_grep "^ok: write: 256 of 256 blocks written \\(compared by none\\), 0 skipped" "$T/out" "every block written: nothing can be compared"
expect_grep "^ok: verify: unverifiable: written, not verified" "$T/out" "verify says unverifiable"
if grep -q "verified:" "$T/out"; then
	echo "FAIL: something was called verified:"; grep "verified:" "$T/out"; FAILS=$((FAILS + 1))
else
	echo "ok: nothing is called verified"
fi
same "$B/sd.img" "$T/sd-before.img" "the SD card holds what it held before (changed, then put back)"

expect_exit 0 "the changed image left on the board" -- "$UB_LIFECYCLE" "$DEV" "$P" misc --original "$T/misc-orig.bin" --no-restore --save "$T/saved"
"$BOARD" part "$B" misc "$T/misc-now.bin"
same "$T/misc-now.bin" "$T/saved/changed.bin" "the SD card's misc holds the changed image the harness wrote blind"
python3 - "$T/sd-before.img" "$B/sd.img" <<'PY' && echo "ok: nothing outside misc changed" || { echo "FAIL: bytes outside misc changed"; FAILS=$((FAILS + 1)); }
import sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
assert a[:0x2a00000] == b[:0x2a00000] and a[0x2b00000:] == b[0x2b00000:]
PY
finish
