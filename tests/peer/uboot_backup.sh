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
expect_json 'j["identity"]["hardware"] == "CFI NOR 32768 KiB at 0x0 (256 sectors), CFI NOR 32768 KiB at 0x4000000 (256 sectors)"' "the NOR banks as the board's flinfo lists them"

expect_exit 0 "backup of every region" -- "$UNBRICK" backup --device "$DEV" --profile qemu-virt-arm -o "$T/bk" --json
expect_json '[r["region"] for r in j["backup"]["regions"]] == ["u-boot", "env", "boot", "firmware"]' "four regions backed up"
# This U-Boot has no netconsole: nothing said about it, though the profile
# gives network addresses, unless it is asked for.
if grep -q netconsole "$T/err"; then
	echo "FAIL: a board without a netconsole was told about:"; cat "$T/err"; FAILS=$((FAILS + 1))
else
	echo "ok: a board without a netconsole is read over the console, quietly"
fi
if grep -q tftpput "$T/err"; then
	echo "FAIL: a board without tftpput was told about:"; cat "$T/err"; FAILS=$((FAILS + 1))
else
	echo "ok: nor is anything said of tftpput, which Debian's U-Boot lacks"
fi
expect_exit 4 "read_via=tftpput on a U-Boot without it" -- "$UNBRICK" backup --device "$DEV" --read-via tftpput --profile qemu-virt-arm --region u-boot -o "$T/bk-put"
expect_grep "tftpput: this U-Boot has no tftpput command" "$T/err" "says the board has none"
expect_exit 4 "read_via=netconsole on a U-Boot without one" -- "$UNBRICK" backup --device "$DEV" --read-via netconsole --profile qemu-virt-arm --region env -o "$T/bk-nc"
expect_grep "netconsole: this U-Boot has none \(coninfo lists no nc device\)" "$T/err" "says the board has none"
# The board is still running: compare with its backing files.
same_as_board "$T/bk" "backup equals flash and disk byte for byte"

# Before a long dump, how long it may take, from the profile's own rate
# when it gives one.
python3 - "$SRCDIR/profiles/qemu-virt-arm.json" "$T/slow.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["recovery"]["read_bps"] = 1000
json.dump(p, open(sys.argv[2], "w"))
PY
expect_exit 0 "backup with a slow profile rate" -- "$UNBRICK" backup --device "$DEV" --profile "$T/slow.json" --region env -o "$T/bk-slow"
expect_grep "0\.2 MiB to read: up to ~4 min \(the profile's rate\)" "$T/err" "the time is said before the dump"
# A plan's times follow the link: a serial line at 115200 baud carries
# md.l's 67 characters per 16 bytes at 11520 characters a second; a faster
# one, named with baud=, less; an emulator's socket has no line speed.
"$SRCDIR/tests/board/make-firmware" fw 1.2.0 $((0x10000)) "$T/fw.bin"
near() { [ "$1" -ge $(($2 - 1)) ] && [ "$1" -le $(($2 + 1)) ]; }
plan_backup_s() {   # plan_backup_s SPEC: the dry run's backup seconds
	"$UNBRICK" recover "$T/fw.bin" --device "$1" --profile qemu-virt-arm --dry-run --json 2>"$T/err" >"$T/plan.json"
	python3 -c 'import json,sys; print(int([s for s in json.load(open(sys.argv[1]))["plan"] if s["step"] == "backup"][0]["seconds"]))' "$T/plan.json"
}
bytes=$(python3 -c 'import json,sys; print(sum(int(r["size"], 16) for r in json.load(open(sys.argv[1]))["flash"]))' "$SRCDIR/profiles/qemu-virt-arm.json")
s=$(plan_backup_s uboot:serial:/dev/ttyUSB0)
near "$s" $((bytes * 67 / 16 * 10 / 115200)) && echo "ok: 115200 baud: the backup planned at $s s" || { echo "FAIL: 115200 baud plan $s s"; FAILS=$((FAILS+1)); }
expect_grep "times_from.: ?.a serial console at 115200 baud; reads are faster by the board's tftpput or netconsole, if it has one" "$T/plan.json" "the plan says which link its times are for, and that tftpput or the netconsole may be faster"
# Reads asked to go through the netconsole are not held to the line's rate.
s=$(plan_backup_s uboot:serial:/dev/ttyUSB0,read_via=netconsole)
[ "$s" -lt $((bytes * 67 / 16 * 10 / 115200 / 4)) ] && echo "ok: read_via=netconsole: not the line's rate, $s s" || { echo "FAIL: read_via=netconsole plan $s s"; FAILS=$((FAILS+1)); }
expect_grep "times_from.: ?.a serial console at 115200 baud, reads through the netconsole" "$T/plan.json" "the plan says the reads go through the netconsole"
s=$(plan_backup_s uboot:serial:/dev/ttyUSB0,read_via=tftpput)
[ "$s" -lt $((bytes * 67 / 16 * 10 / 115200 / 4)) ] && echo "ok: read_via=tftpput: not the line's rate, $s s" || { echo "FAIL: read_via=tftpput plan $s s"; FAILS=$((FAILS+1)); }
expect_grep "times_from.: ?.a serial console at 115200 baud, reads uploaded by tftpput" "$T/plan.json" "the plan says the reads are uploaded"
s=$(plan_backup_s "uboot:tcp:127.0.0.1:7000,baud=1500000")
near "$s" $((bytes * 67 / 16 * 10 / 1500000)) && echo "ok: a console server at 1500000 baud: $s s" || { echo "FAIL: 1500000 baud plan $s s"; FAILS=$((FAILS+1)); }
s=$(plan_backup_s "$DEV")
[ "$s" -lt $((bytes * 67 / 16 * 10 / 1500000)) ] && echo "ok: the emulator's socket: typical rates, $s s" || { echo "FAIL: socket plan $s s"; FAILS=$((FAILS+1)); }

"$BOARD" stop "$B"
expect_exit 4 "board switched off" -- "$UNBRICK" identify --device "$DEV" --profile qemu-virt-arm
expect_grep "what to do" "$T/err" "advice given"
expect_exit 2 "no device" -- "$UNBRICK" backup --profile qemu-virt-arm -o "$T/x"
expect_exit 2 "family mismatch" -- "$UNBRICK" identify --device "spi:flashrom:dummy" --profile qemu-virt-arm
finish
