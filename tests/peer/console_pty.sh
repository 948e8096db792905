#!/bin/sh
# The U-Boot console on a pseudo-terminal (QEMU's -serial pty): diagnose
# listening to the board's power-on (nothing else reaches the device
# meanwhile), then identify and a verified backup of
# one region through it.
. "$(dirname "$0")/lib.sh"
use_board
CONSOLE=pty PAUSED=1 "$BOARD" start "$B"
PTY=$(cat "$B/console.pty")
[ -c "$PTY" ] && echo "ok: the board's console is $PTY" || { echo "FAIL: no pty from QEMU"; cat "$B/qemu.err"; exit 1; }

"$UNBRICK" diagnose --device "uboot:pty:$PTY" --listen 8 --json >"$T/diag.json" 2>"$T/diag.err" &
pid=$!
sleep 1
"$BOARD" resume "$B"
# the console's bytes go to one reader: nothing else reaches the device
# while diagnose listens (it holds the device's lock)
expect_exit 4 "identify while diagnose listens" -- "$UNBRICK" identify --device "uboot:pty:$PTY" --profile qemu-virt-arm --json
expect_json 'j["error"]["advice_id"] == "device-busy"' "refused: the device is busy"
if wait $pid; then echo "ok: diagnose listened over a pty"; else echo "FAIL: diagnose exited $?"; cat "$T/diag.err"; FAILS=$((FAILS + 1)); fi
cp "$T/diag.json" "$T/out"
expect_json 'j["diagnosis"]["bootloader_seen"] and j["diagnosis"]["path"] == "console"' "it heard the bootloader: recover through the console"

expect_exit 0 "identify over a pty" -- "$UNBRICK" identify --device "uboot:pty:$PTY" --profile qemu-virt-arm --json
expect_json 'j["identity"]["model"] == "qemu-arm" and j["identity"]["bootloader"].startswith("U-Boot 2023")' "the board answers through the pty"
expect_exit 0 "backup of the environment over a pty" -- "$UNBRICK" backup --device "uboot:pty:$PTY" --profile qemu-virt-arm --region env -o "$T/bk" --json
python3 -c 'import sys; sys.exit(open(sys.argv[1],"rb").read() != open(sys.argv[2],"rb").read()[:0x40000])' "$T/bk/env.bin" "$B/flash1.img" &&
	echo "ok: the backup equals the flash" || { echo "FAIL: backup differs"; FAILS=$((FAILS + 1)); }
expect_exit 2 "a file that is not a terminal" -- "$UNBRICK" identify --device "uboot:pty:$B/flash0.img" --profile qemu-virt-arm
expect_grep "not a terminal" "$T/err" "says so"
expect_exit 2 "the pty named as a serial port" -- "$UNBRICK" identify --device "uboot:serial:$PTY" --profile qemu-virt-arm
expect_grep "is a pseudo-terminal, not a serial port: .*uboot:pty:$PTY" "$T/err" "says which transport reaches it"
finish
