#!/bin/sh
# A factory archive's two passes through a real bootloader: U-Boot with
# fastboot over UDP on QEMU's virt board (as fastboot_qemu.sh), its
# console logged from power-on, so each restart is seen (U-Boot's banner).
#
# U-Boot 2023.01 answers reboot-bootloader with FAIL "Cannot set reboot
# flag" and goes on running; a plain reboot resets it, and its bootcmd
# starts fastboot again after the 2 s autoboot delay.  The profile says so
# (recovery.restart "reboot").  Checked here: the real client's
# reboot-bootloader fails and no reset follows; the archive (bootloader,
# restart, the version U-Boot reports checked, radio, restart, the zip's
# images) written byte for byte, with two resets on the console; a
# bootloader version the board will not report stops the set after the
# bootloader with nothing after it written; and the profile without
# recovery.restart stops at U-Boot's FAIL, never taking it for a restart.
. "$(dirname "$0")/lib.sh"
need qemu-system-arm fastboot sfdisk python3 cmp
BOARD="$SRCDIR/tests/board/qemu-fastboot-board"
UBOOT_BIN=${UBOOT_BIN:-/var/cache/unbrick/peers/u-boot-fastboot/qemu_arm/u-boot.bin}
[ -f "$UBOOT_BIN" ] || { echo "SKIP: $UBOOT_BIN missing (scripts/build-uboot-fastboot, as root: make peers)"; exit 77; }
B="$T/board"
LOGPID=
trap '[ -z "$LOGPID" ] || kill "$LOGPID" 2>/dev/null; "$BOARD" stop "$B"; rm -rf "$T"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
P="$SRCDIR/profiles/qemu-virt-arm-fastboot.json"
SPEC="fastboot:udp:127.0.0.1:$PORT,wait=20"
FB="fastboot -s udp:127.0.0.1:$PORT"
"$BOARD" start "$B" "$PORT"
# the console, line by line, for as long as the board runs
python3 - "$B/console.sock" "$T/console.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
out, buf = open(sys.argv[2], "w"), b""
while True:
    d = s.recv(4096)
    if not d:
        break
    buf += d
    while b"\n" in buf:
        line, buf = buf.split(b"\n", 1)
        out.write(line.decode(errors="replace").rstrip("\r") + "\n")
        out.flush()
PY
LOGPID=$!
"$BOARD" wait "$B" "$PORT"

sha() { sha256sum "$1" | cut -c1-64; }
flash() {   # flash EXIT WHAT IMAGE [options]
	want=$1; what=$2; img=$3; shift 3
	expect_exit "$want" "$what" -- "$UNBRICK" flash "$img" --sha256 "$(sha "$img")" --yes --device "$SPEC" \
		--no-backup --unlock bootloader,radio "$@"
}
holds() {   # holds NAME FILE WHAT: partition NAME of sd.img starts with FILE's bytes
	"$BOARD" part "$B" "$1" "$T/part.bin"
	if cmp -s -n "$(stat -c %s "$2")" "$2" "$T/part.bin"; then echo "ok: $3"; else echo "FAIL: $3"; FAILS=$((FAILS + 1)); fi
}
unchanged() {   # unchanged NAME WHAT: partition NAME as in $T/sd-before.img
	"$BOARD" part "$B" "$1" "$T/now.bin"
	python3 - "$T/sd-before.img" "$T/now.bin" "$SRCDIR/profiles/qemu-virt-arm-fastboot.json" "$1" <<'PY' && echo "ok: $2" || { echo "FAIL: $2"; FAILS=$((FAILS + 1)); }
import json, sys
r = [x for x in json.load(open(sys.argv[3]))["flash"] if x["name"] == sys.argv[4]][0]
f = open(sys.argv[1], "rb")
f.seek(int(r["offset"], 16))
sys.exit(f.read(int(r["size"], 16)) != open(sys.argv[2], "rb").read())
PY
}
mark() { MARK=$(($(wc -l < "$T/console.log") + 1)); }
resets() { tail -n +"$MARK" "$T/console.log" | grep -c "^U-Boot [0-9]" || true; }
case_of() { sed -n 's/^opened case \([0-9]*\):.*/\1/p' "$T/err" | head -n 1; }
steps_of() {   # steps_of CASE: the journal's step names, in order, one line
	"$UNBRICK" case show "$1" --json | python3 -c 'import json,sys; print(" ".join(s["name"] for s in json.load(sys.stdin)["case"]["steps"]))'
}

# ---- what U-Boot does: reboot-bootloader fails, and no reset follows
$FB getvar version-bootloader 2>"$T/getvar.txt" || true
BL=$(sed -n 's/^version-bootloader: //p' "$T/getvar.txt")
[ -n "$BL" ] && echo "ok: U-Boot reports version-bootloader '$BL'" || { echo "FAIL: no version-bootloader"; cat "$T/getvar.txt"; FAILS=$((FAILS + 1)); }
mark
expect_exit 1 "the real client: reboot-bootloader" -- $FB reboot-bootloader
expect_grep "Cannot set reboot flag" "$T/err" "U-Boot cannot set a reboot flag"
sleep 1.5   # a reset prints U-Boot's banner at once
[ "$(resets)" = 0 ] && echo "ok: and does not reset (no banner on its console)" || { echo "FAIL: U-Boot reset after its FAIL"; FAILS=$((FAILS + 1)); }
"$BOARD" wait "$B" "$PORT"

# ---- the factory archives: a good one, and one whose bootloader version
# the board will not report
python3 - "$T" "$BL" <<'PY'
import os, sys, zipfile
t, bl = sys.argv[1], sys.argv[2]
def archive(name, version, build):
    d = "qemu-arm-" + build
    imgs = {"bootloader-qemu-arm-" + build + ".img": 600000, "radio-qemu-arm-r" + build + ".img": 300000}
    with zipfile.ZipFile(t + "/" + name, "w", zipfile.ZIP_DEFLATED) as z:
        for n, size in imgs.items():
            open(t + "/" + name + "-" + n.split("-")[0], "wb").write(os.urandom(size))
            z.write(t + "/" + name + "-" + n.split("-")[0], d + "/" + n)
        inner = t + "/" + name + "-image.zip"
        with zipfile.ZipFile(inner, "w", zipfile.ZIP_DEFLATED) as y:
            y.writestr("android-info.txt", "require board=qemu-arm\nrequire version-bootloader=%s\n" % version)
            for n, size in (("boot", 1 << 20), ("system", 3 << 20)):
                open(t + "/" + name + "-" + n, "wb").write(os.urandom(size))
                y.write(t + "/" + name + "-" + n, n + ".img")
        z.write(inner, d + "/image-qemu-arm-" + build + ".zip")
archive("factory.zip", bl, "1")
archive("wrongbl.zip", "U-Boot 2099.01", "2")
PY

cp "$B/sd.img" "$T/sd-before.img"
mark
flash 0 "a factory archive through the real U-Boot" "$T/factory.zip" --profile "$P"
C=$(case_of)
[ "$(steps_of "$C")" = "check identify requirements preflight backup flash:bootloader restart:bootloader flash:radio restart:radio flash:boot flash:system settings" ] &&
	echo "ok: the journal: flash:bootloader, restart:bootloader, flash:radio, restart:radio, then the images" ||
	{ echo "FAIL: the journal's steps: $(steps_of "$C")"; FAILS=$((FAILS + 1)); }
[ "$(resets)" = 2 ] && echo "ok: U-Boot started twice on the console: the two restarts happened" ||
	{ echo "FAIL: $(resets) U-Boot banners on the console, expected 2"; tail -n +"$MARK" "$T/console.log"; FAILS=$((FAILS + 1)); }
expect_grep "the device answers fastboot again after [0-9.]+ s \(reboot\)" "$T/err" "each restart a plain reboot, and the time until fastboot answered"
"$UNBRICK" case show "$C" --json > "$T/out"
expect_json '[c["verdict"] for s in j["case"]["steps"] if s["name"] == "restart:bootloader" for c in s["detail"]["checks"] if "version-bootloader=" in c["line"]] == ["holds"]' "after restart:bootloader the version U-Boot reports was checked"
holds bootloader "$T/factory.zip-bootloader" "bootloader holds the archive's bootloader, byte for byte"
holds radio "$T/factory.zip-radio" "radio its radio"
holds boot "$T/factory.zip-boot" "boot the zip's boot.img"
holds system "$T/factory.zip-system" "system its system.img"
unchanged userdata "userdata left as it was"
unchanged misc "misc too"

cp "$B/sd.img" "$T/sd-before.img"
mark
flash 1 "a bootloader version the board will not report" "$T/wrongbl.zip" --profile "$P"
expect_grep "after bootloader was written and the device restarted, .*line 2 \(require version-bootloader=U-Boot 2099\.01\): the device's version-bootloader is '$(printf %s "$BL" | sed 's/[].[*+?^$(){}|\\]/\\&/g')'" \
	"$T/err" "stopped after the restart, naming the line and what U-Boot reports"
C=$(case_of)
[ "$(steps_of "$C")" = "check identify requirements preflight backup flash:bootloader restart:bootloader" ] &&
	echo "ok: the journal ends at restart:bootloader" || { echo "FAIL: the journal's steps: $(steps_of "$C")"; FAILS=$((FAILS + 1)); }
[ "$(resets)" = 1 ] && echo "ok: one restart on the console" || { echo "FAIL: $(resets) U-Boot banners, expected 1"; FAILS=$((FAILS + 1)); }
holds bootloader "$T/wrongbl.zip-bootloader" "the bootloader was written"
unchanged radio "nothing after it: radio as it was"
unchanged boot "boot too"
unchanged system "and system"

# ---- the profile without recovery.restart: reboot-bootloader, U-Boot's
# FAIL stops the set (never taken for a restart)
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); del p["recovery"]; json.dump(p, open(sys.argv[2], "w"))' "$P" "$T/nore.json"
cp "$B/sd.img" "$T/sd-before.img"
mark
flash 1 "the same archive with the default restart (reboot-bootloader)" "$T/factory.zip" --profile "$T/nore.json"
expect_grep "the device refused reboot-bootloader \(.*Cannot set reboot flag.*\); nothing more was written.*\"restart\": \"reboot\"" "$T/err" \
	"stopped at U-Boot's FAIL, naming the profile key that fits"
holds bootloader "$T/factory.zip-bootloader" "the bootloader was written"
unchanged radio "nothing after it: radio as it was"
unchanged boot "boot too"
sleep 1.5
[ "$(resets)" = 0 ] && echo "ok: and the board did not reset" || { echo "FAIL: $(resets) U-Boot banners after the FAIL"; FAILS=$((FAILS + 1)); }
finish
