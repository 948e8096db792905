#!/bin/sh
# unbrick diagnose listening to Debian's U-Boot on QEMU's virt board in its
# failure states: a half-written firmware, no firmware at all, and a build
# that resets the board (a boot loop).  The board is held at power-on until
# unbrick listens, so the log is the whole boot.
. "$(dirname "$0")/lib.sh"
use_board

# listen SECONDS: powers the board on under unbrick's ear; JSON to $T/out.
listen() {
	PAUSED=1 "$BOARD" start "$B"
	"$UNBRICK" diagnose --device "uboot:unix:$B/console.sock" --listen "$1" --json ${2:-} >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 1
	"$BOARD" resume "$B"
	wait $pid || { echo "FAIL: diagnose exited $?"; cat "$T/err"; FAILS=$((FAILS + 1)); }
	"$BOARD" stop "$B"
}

"$BOARD" install "$B" 1.1.0
"$BOARD" brick "$B"
"$UNBRICK" case new --json >"$T/case.json" 2>/dev/null
CASE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"]["id"])' "$T/case.json")
listen 20 "--case $CASE"
expect_json 'j["diagnosis"]["path"] == "console"' "half-written firmware: recover through the console"
expect_json '"wrong-image-format" in [f["id"] for f in j["diagnosis"]["findings"]]' "U-Boot's own complaint found"
expect_json 'j["diagnosis"]["bootloader_seen"]' "the bootloader was heard"
expect_exit 0 "the case shows the diagnosis" -- "$UNBRICK" case show "$CASE" --json
expect_json '[s["name"] for s in j["case"]["steps"]] == ["diagnose"] and any(a["kind"] == "log" for a in j["case"]["artifacts"])' "a diagnose step and its console log in the case"

"$BOARD" erase "$B"
listen 20
expect_json 'j["diagnosis"]["path"] == "console" and "wrong-image-format" in [f["id"] for f in j["diagnosis"]["findings"]]' "no firmware at all: found, console path"

"$BOARD" install "$B" 1.1.1 loop
listen 25
expect_json '[f for f in j["diagnosis"]["findings"] if f["id"] == "boot-loop"][0]["count"] >= 3' "the boot loop is counted"
expect_json 'j["diagnosis"]["path"] == "console"' "boot loop with a working bootloader: console path"
# A repair whose new firmware does not boot: the failure names the loop.
python3 - "$SRCDIR/profiles/qemu-virt-arm.json" "$T/quick.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
p["name"] = "qemu-virt-arm-quick"
p["boot"]["timeout"] = 20
json.dump(p, open(sys.argv[2], "w"))
PY
"$BOARD" install "$B" 1.1.0
"$BOARD" start "$B"
FW_SIZE=$((0x10000))
"$SRCDIR/tests/board/make-firmware" fw 1.3.0 $FW_SIZE "$T/loop.bin" loop
expect_exit 1 "a firmware that resets the board fails its boot check" -- "$UNBRICK" recover "$T/loop.bin" \
	--device "uboot:unix:$B/console.sock" --profile "$T/quick.json" --no-backup --yes --json
expect_grep "the boot log says: .*restarts again and again" "$T/err" "the failure names the boot loop"
expect_json '"boot-loop" in [f["id"] for f in j["steps"]["boot"]["diagnosis"]["findings"]]' "the diagnosis is in the result"

# One that boots and falls over seconds later: only a soak sees it.
"$SRCDIR/tests/board/make-firmware" fw 1.4.0 $FW_SIZE "$T/late.bin" late-reset
expect_exit 1 "a soak catches a restart after a good boot" -- "$UNBRICK" recover "$T/late.bin" \
	--device "uboot:unix:$B/console.sock" --profile "$T/quick.json" --no-backup --yes --soak 12 --json
expect_grep "restarted during the soak \(U-Boot 20" "$T/err" "the soak names the restart"
expect_json 'j["steps"]["boot"]["outcome"] == "failed" and j["boot"]["booted"]' "it had booted first"
"$SRCDIR/tests/board/make-firmware" fw 1.4.1 $FW_SIZE "$T/good.bin"
expect_exit 0 "a firmware that stays up passes the soak" -- "$UNBRICK" recover "$T/good.bin" \
	--device "uboot:unix:$B/console.sock" --profile "$T/quick.json" --no-backup --yes --soak 8 --json
expect_json 'j["steps"]["boot"]["soak"]["seconds"] == 8' "the soak is recorded"
finish
