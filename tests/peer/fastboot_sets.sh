#!/bin/sh
# Image sets through fastboot, on our TCP device (tests/tools/
# ub-fastboot-device.c), which behaves as a phone's bootloader does:
# reboot-bootloader drops the connection and it comes back running the
# bootloader (and radio) its partitions hold now, their versions in
# version-bootloader and version-baseband; flashing unlock erases userdata.
# Debian's fastboot client is checked against it first (update, the
# reboot, the unlock).  Then unbrick: an update zip byte for byte with
# userdata left out; requirements that do not match refused (exit 3, the
# line named, nothing written); a factory archive's two passes, the
# journal's steps in order and each new version checked after its
# restart; a bootloader that does not bring the version the set requires
# stops the set, so does one that says OKAY to reboot-bootloader and does
# not restart; the device gone mid-set and --resume finishing without
# writing again what was done; --unlock-bootloader refused without its
# confirmation (nothing erased) and done with it (typed, or
# --erase-user-data); and the same factory archive flashed the
# flash-all.sh way by Debian's client leaving the same bytes.
. "$(dirname "$0")/lib.sh"
need fastboot python3 cmp script
: "${UB_FASTBOOT_DEVICE:?UB_FASTBOOT_DEVICE must point at ub-fastboot-device}"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DEV="$T/dev.img"
PARTS="bootloader:0x0:0x100000 radio:0x100000:0x100000 boot:0x200000:0x200000 system:0x400000:0x800000 userdata:0xc00000:0x400000"
start_device() {
	rm -f "$T/dev.pid"
	# shellcheck disable=SC2086
	"$UB_FASTBOOT_DEVICE" -m 0x100000 -r 200 -p "$T/dev.pid" "$@" "$PORT" "$DEV" $PARTS 2>>"$T/dev.log" &
	i=0
	while [ ! -s "$T/dev.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
stop_device() {
	if [ -s "$T/dev.pid" ]; then kill "$(cat "$T/dev.pid")" 2>/dev/null || true; fi   # gone already after -x
	rm -f "$T/dev.pid"
	wait 2>/dev/null || true
}
trap 'stop_device; rm -rf "$T"' EXIT

# the device's file, the images and the sets (random bytes; a bootloader
# or radio carries its version as "UB-VERSION=..." inside)
python3 - "$T" <<'PY'
import io, os, sys, zipfile
t = sys.argv[1]
def versioned(n, v):
    b = bytearray(os.urandom(n)); m = b"UB-VERSION=" + v + b"\n"; b[777:777 + len(m)] = m; return bytes(b)
dev = bytearray(os.urandom(16 << 20))
dev[0:8192] = versioned(8192, b"sim-bl-1")
dev[0x100000:0x100000 + 4096] = versioned(4096, b"sim-radio-1")
open(t + "/pristine.img", "wb").write(dev)
files = {
    "bl2.img": versioned(12288, b"sim-bl-2"), "bl3.img": versioned(12288, b"sim-bl-3"),
    "radio2.img": versioned(6000, b"sim-radio-2"),
    "boot.img": os.urandom(300000), "system.img": os.urandom(375 * 4096), "userdata.img": os.urandom(8192),
}
for n, d in files.items():
    open(t + "/" + n, "wb").write(d)
def z(entries):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", zipfile.ZIP_DEFLATED) as f:
        for n, d in entries:
            f.writestr(n, d)
    return b.getvalue()
imgs = [("boot.img", files["boot.img"]), ("system.img", files["system.img"]), ("userdata.img", files["userdata.img"])]
def update(info):
    return z([("android-info.txt", info)] + imgs)
open(t + "/ok.zip", "wb").write(update(b"require board=unbrick-sim\nrequire version-bootloader=sim-bl-1|sim-bl-2\nrequire partition-exists=boot\n"))
open(t + "/board.zip", "wb").write(update(b"require board=other-phone\nrequire version-bootloader=sim-bl-1\n"))
open(t + "/blver.zip", "wb").write(update(b"# the bootloader it needs\nrequire board=unbrick-sim\nrequire version-bootloader=sim-bl-9\n"))
inner = update(b"require board=unbrick-sim\nrequire version-bootloader=sim-bl-2\nrequire version-baseband=sim-radio-2\n")
open(t + "/image-unbrick-sim-2.zip", "wb").write(inner)
def factory(bl):
    return z([("sim-2/flash-all.sh", b"#!/bin/sh\n"), ("sim-2/bootloader-unbrick-sim-sim-bl-2.img", files[bl]),
              ("sim-2/radio-unbrick-sim-sim-radio-2.img", files["radio2.img"]), ("sim-2/image-unbrick-sim-2.zip", inner)])
open(t + "/factory.zip", "wb").write(factory("bl2.img"))
inner = update(b"require board=unbrick-sim\nrequire version-bootloader=sim-bl-2\n")
open(t + "/norad.zip", "wb").write(factory("bl2.img"))
open(t + "/wrongbl.zip", "wb").write(factory("bl3.img"))
PY
cp "$T/pristine.img" "$DEV"
start_device

cat > "$T/sim.json" <<'EOF'
{
  "name": "fastboot-sim-sets",
  "description": "tests/tools/ub-fastboot-device's partitions, as fastboot_sets.sh starts it",
  "family": "fastboot",
  "match": { "models": ["unbrick-sim"] },
  "flash": [
    { "name": "bootloader", "storage": "partition", "offset": "0x0", "size": "0x100000" },
    { "name": "radio", "storage": "partition", "offset": "0x100000", "size": "0x100000" },
    { "name": "boot", "storage": "partition", "offset": "0x200000", "size": "0x200000", "role": "kernel" },
    { "name": "system", "storage": "partition", "offset": "0x400000", "size": "0x800000", "role": "rootfs", "flags": ["firmware"] },
    { "name": "userdata", "storage": "partition", "offset": "0xc00000", "size": "0x400000", "role": "data" }
  ]
}
EOF
FB="fastboot -s tcp:127.0.0.1:$PORT"
SPEC="fastboot:tcp:127.0.0.1:$PORT"

# part FILE NAME OUT: partition NAME as FILE holds it
part() {
	for p in $PARTS; do
		case $p in "$2":*)
			python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2],0)); open(sys.argv[4],"wb").write(f.read(int(sys.argv[3],0)))' \
				"$1" "$(echo "$p" | cut -d: -f2)" "$(echo "$p" | cut -d: -f3)" "$3"
		esac
	done
}
# holds NAME FILE WHAT: partition NAME starts with FILE's bytes
holds() {
	part "$DEV" "$1" "$T/part.bin"
	if cmp -s -n "$(stat -c %s "$2")" "$2" "$T/part.bin"; then echo "ok: $3"; else echo "FAIL: $3"; FAILS=$((FAILS + 1)); fi
}
# unchanged NAME WHAT: partition NAME as the pristine file has it
unchanged() {
	part "$DEV" "$1" "$T/now.bin"; part "$T/pristine.img" "$1" "$T/then.bin"
	if cmp -s "$T/now.bin" "$T/then.bin"; then echo "ok: $2"; else echo "FAIL: $2"; FAILS=$((FAILS + 1)); fi
}
zeros() {
	part "$DEV" "$1" "$T/now.bin"
	if python3 -c 'import sys; d=open(sys.argv[1],"rb").read(); sys.exit(0 if d == bytes(len(d)) else 1)' "$T/now.bin"; then
		echo "ok: $2"; else echo "FAIL: $2"; FAILS=$((FAILS + 1)); fi
}
same_file() {
	if cmp -s "$1" "$2"; then echo "ok: $3"; else echo "FAIL: $3 ($1 differs from $2)"; FAILS=$((FAILS + 1)); fi
}
no_log() {   # no_log PATTERN WHAT: the device's log since the mark has no PATTERN
	if tail -n +"$MARK" "$T/dev.log" | grep -Eq -- "$1"; then
		echo "FAIL: $2"; tail -n +"$MARK" "$T/dev.log" | grep -E -- "$1" | head -n 3; FAILS=$((FAILS + 1))
	else echo "ok: $2"; fi
}
mark() { MARK=$(($(wc -l < "$T/dev.log") + 1)); }
fresh() {   # the device as it left the factory, its log marked
	stop_device; cp "$T/pristine.img" "$DEV"; start_device "$@"; mark
}
sha() { sha256sum "$1" | cut -c1-64; }
flash() {   # flash EXIT WHAT IMAGE [options]: unbrick flash, output in $T/out and $T/err
	want=$1; what=$2; img=$3; shift 3
	expect_exit "$want" "$what" -- "$UNBRICK" flash "$img" --profile "$T/sim.json" --sha256 "$(sha "$img")" --device "$SPEC" --no-backup "$@"
}
case_of() { sed -n 's/^opened case \([0-9]*\):.*/\1/p' "$T/err" | head -n 1; }
steps_of() {   # steps_of CASE: the journal's step names, in order, one line
	"$UNBRICK" case show "$1" --json | python3 -c 'import json,sys; print(" ".join(s["name"] for s in json.load(sys.stdin)["case"]["steps"]))'
}

# ---- the device of ours against the real client
expect_exit 0 "the real client: getvar version-bootloader" -- $FB getvar version-bootloader
expect_grep "^version-bootloader: sim-bl-1" "$T/err" "the device runs the bootloader its partition holds"
expect_exit 0 "the real client: fastboot update" -- $FB update "$T/ok.zip"
expect_grep "Checking 'product' +OKAY" "$T/err" "which checks android-info.txt's product"
expect_grep "Checking 'version-bootloader' +OKAY" "$T/err" "and version-bootloader"
holds boot "$T/boot.img" "boot holds the real client's update"
holds system "$T/system.img" "and system"
unchanged userdata "the real client's update leaves userdata (no -w)"
expect_exit 1 "the real client refuses a set for another board" -- $FB update "$T/board.zip"
expect_grep "requirement.*other-phone|other-phone.*requirement|Device product is 'unbrick-sim'" "$T/err" "saying so"
expect_exit 0 "the real client flashes a new bootloader" -- $FB flash bootloader "$T/bl2.img"
expect_exit 0 "getvar version-bootloader" -- $FB getvar version-bootloader
expect_grep "^version-bootloader: sim-bl-1" "$T/err" "the old one still runs until the restart"
expect_exit 0 "the real client: reboot-bootloader" -- $FB reboot-bootloader
expect_exit 0 "getvar version-bootloader once it is back" -- $FB getvar version-bootloader
expect_grep "^version-bootloader: sim-bl-2" "$T/err" "the new bootloader runs"
stop_device; start_device -v unlocked=no
expect_exit 1 "the real client cannot flash a locked device" -- $FB flash boot "$T/boot.img"
expect_grep "Lock State" "$T/err" "the device says it is locked"
expect_exit 0 "the real client: flashing unlock" -- $FB flashing unlock
expect_exit 0 "getvar unlocked" -- $FB getvar unlocked
expect_grep "^unlocked: yes" "$T/err" "unlocked"
zeros userdata "and the unlock erased userdata"

# ---- an update zip
fresh
flash 0 "an update zip" "$T/ok.zip" --yes
holds boot "$T/boot.img" "boot holds its boot.img byte for byte"
holds system "$T/system.img" "system holds its system.img (sent in sparse pieces)"
unchanged userdata "userdata left as it was"
unchanged bootloader "the bootloader too"
expect_grep "userdata.img left out: it would erase the owner's data" "$T/err" "it says userdata.img is left out, and why"
expect_grep "ok +android-info.txt line 3 \(require partition-exists=boot\)" "$T/err" "each requirement checked, by its line"
no_log "flash:userdata|erase" "userdata was never sent"
C=$(case_of)
expect_exit 0 "case show" -- "$UNBRICK" case show "$C"
[ "$(steps_of "$C")" = "check identify requirements preflight backup flash:boot flash:system settings" ] &&
	echo "ok: the journal: requirements, then flash:boot and flash:system" ||
	{ echo "FAIL: the journal's steps: $(steps_of "$C")"; FAILS=$((FAILS + 1)); }

# ---- requirements that do not match: exit 3, the line named, nothing written
fresh
flash 3 "a set for another board" "$T/board.zip" --yes
expect_grep "android-info.txt line 1 \(require board=other-phone\): the device's product is 'unbrick-sim'" "$T/err" "refused, naming the line and the device's value"
expect_grep "nothing was written" "$T/err" "saying nothing was written"
flash 3 "a set for another bootloader" "$T/blver.zip" --yes
expect_grep "android-info.txt line 3 \(require version-bootloader=sim-bl-9\): the device's version-bootloader is 'sim-bl-1'" "$T/err" "refused, naming line 3"
same_file "$DEV" "$T/pristine.img" "the refusals wrote nothing"
no_log "download|flash:" "nothing was sent to the device"

# ---- a factory archive: the two passes
expect_exit 0 "check on a factory archive" -- "$UNBRICK" check "$T/factory.zip" --sha256 "$(sha "$T/factory.zip")"
expect_grep "an image set \(factory archive\) of 4 images, written in this order" "$T/err" "check says it is a set"
expect_grep "1\. bootloader +sim-2/bootloader-unbrick-sim-sim-bl-2.img \(12288 bytes\), then a restart" "$T/err" "the bootloader first, then a restart"
expect_grep "4\. system +sim-2/image-unbrick-sim-2.zip:system.img" "$T/err" "the zip's images last"
expect_grep "line 2: require version-bootloader=sim-bl-2, checked after the restart for bootloader" "$T/err" "and when each requirement is checked"
expect_exit 0 "check --json" -- "$UNBRICK" check "$T/factory.zip" --sha256 "$(sha "$T/factory.zip")" --json
expect_json '[i["partition"] for i in j["set"]["images"]] == ["bootloader", "radio", "boot", "system"] and "userdata.img left out" in j["set"]["left_out"]' "the set in check's JSON"
flash 0 "the plan of a factory archive" "$T/factory.zip" --yes --unlock bootloader,radio --dry-run --json
expect_json '[s["step"] for s in j["plan"]] == ["check", "identify", "requirements", "backup", "flash:bootloader", "restart:bootloader", "flash:radio", "restart:radio", "flash:boot", "flash:system"]' "--dry-run plans each image and restart"
flash 2 "--region with a set" "$T/factory.zip" --yes --unlock bootloader,radio --region boot
expect_grep "the image is a set \(factory archive\) that names the region of each of its images; leave --region out" "$T/err" "refused: the set names the regions"
fresh
flash 3 "a factory archive without --unlock bootloader,radio" "$T/factory.zip" --yes
expect_grep "region bootloader is protected" "$T/err" "refused: the bootloader is protected"
flash 0 "a factory archive" "$T/factory.zip" --yes --unlock bootloader,radio
C=$(case_of)
holds bootloader "$T/bl2.img" "bootloader holds the new bootloader"
holds radio "$T/radio2.img" "radio the new radio"
holds boot "$T/boot.img" "boot its boot.img"
holds system "$T/system.img" "system its system.img"
unchanged userdata "userdata left as it was"
[ "$(steps_of "$C")" = "check identify requirements preflight backup flash:bootloader restart:bootloader flash:radio restart:radio flash:boot flash:system settings" ] &&
	echo "ok: the journal: flash:bootloader, restart:bootloader, flash:radio, restart:radio, then the images" ||
	{ echo "FAIL: the journal's steps: $(steps_of "$C")"; FAILS=$((FAILS + 1)); }
"$UNBRICK" case show "$C" --json > "$T/out"
expect_json '[c["verdict"] for s in j["case"]["steps"] if s["name"] == "restart:bootloader" for c in s["detail"]["checks"] if "version-bootloader=sim-bl-2" in c["line"]] == ["holds"]' "after restart:bootloader the new version was checked"
expect_json '[c["verdict"] for s in j["case"]["steps"] if s["name"] == "restart:radio" for c in s["detail"]["checks"] if "version-baseband=sim-radio-2" in c["line"]] == ["holds"]' "after restart:radio the new baseband was checked"
tail -n +"$MARK" "$T/dev.log" | grep -E "^ub-fastboot-device: (flash:|reboot-bootloader|getvar:version-b)" | sed 's/^ub-fastboot-device: //' | tr '\n' ' ' | sed 's/^/ /' > "$T/order"
expect_grep " flash:bootloader reboot-bootloader .*getvar:version-bootloader .*flash:radio reboot-bootloader .*getvar:version-baseband .*flash:boot( flash:system)+ $" "$T/order" "on the device: bootloader, restart, its version asked, radio, restart, its version, then the images"

# a bootloader that does not bring what the set requires stops the set
fresh
flash 1 "a factory archive whose bootloader is not the version its zip requires" "$T/wrongbl.zip" --yes --unlock bootloader,radio
expect_grep "after bootloader was written and the device restarted, .*line 2 \(require version-bootloader=sim-bl-2\): the device's version-bootloader is 'sim-bl-3'" "$T/err" "stopped after the restart, naming the line and the version"
holds bootloader "$T/bl3.img" "the bootloader was written"
unchanged radio "nothing after it: the radio as it was"
unchanged system "and system"

# a device that answers OKAY to reboot-bootloader and goes on running the
# old bootloader: the set stops, never taking the OKAY for a restart
fresh -n
flash 1 "a device that says OKAY to reboot-bootloader and does not restart" "$T/factory.zip" --yes --unlock bootloader,radio
expect_grep "answered OKAY to reboot-bootloader but still answers 10 s later: it did not restart" "$T/err" "stopped: it did not restart"
holds bootloader "$T/bl2.img" "the bootloader was written"
unchanged radio "nothing after it: the radio as it was"

# ---- the device gone mid-set, then --resume
fresh -x flash:system
flash 4 "the device gone when system is flashed" "$T/factory.zip" --yes --unlock bootloader,radio
C=$(case_of)
expect_grep "resume" "$T/err" "it says how to resume"
holds boot "$T/boot.img" "boot was written before"
stop_device; start_device; mark
flash 0 "--resume finishes the set" "$T/factory.zip" --yes --unlock bootloader,radio --resume "$C"
expect_grep "already written in this case" "$T/err" "it says what was written already"
no_log "flash:(bootloader|radio|boot)$|reboot-bootloader" "bootloader, radio and boot not sent again, no restart"
holds system "$T/system.img" "system holds its image now"
holds bootloader "$T/bl2.img" "and the bootloader is the new one"
holds boot "$T/boot.img" "boot too"
"$UNBRICK" case show "$C" --json > "$T/out"
expect_json '[s["outcome"] for s in j["case"]["steps"] if s["name"] == "flash:system"][-1] == "unverifiable"' "the journal: flash:system written (unverifiable: fastboot cannot read back)"
expect_json '[s["outcome"] for s in j["case"]["steps"] if s["name"] == "flash:bootloader"][-1] == "skipped"' "and flash:bootloader skipped on resume"

# stopped (SIGTERM) while the device restarts after the bootloader: the
# run ends at the next safe point, and --resume neither writes the
# bootloader again nor restarts for it (its version holds)
fresh -r 1500
set +e
"$UNBRICK" flash "$T/factory.zip" --profile "$T/sim.json" --sha256 "$(sha "$T/factory.zip")" --device "$SPEC" --no-backup \
	--yes --unlock bootloader,radio >"$T/out" 2>"$T/err" &
pid=$!
i=0
until tail -n +"$MARK" "$T/dev.log" | grep -q "^ub-fastboot-device: reboot-bootloader" || [ $i -gt 200 ]; do sleep 0.02; i=$((i + 1)); done
kill -TERM "$pid"
wait "$pid"; rc=$?
set -e
[ $rc -eq 130 ] || [ $rc -eq 143 ] && echo "ok: stopped by SIGTERM during the restart (exit $rc)" || { echo "FAIL: exit $rc after SIGTERM"; cat "$T/err"; FAILS=$((FAILS + 1)); }
C=$(case_of)
unchanged radio "nothing after the stop: radio as it was"
mark
flash 0 "--resume after the stop" "$T/factory.zip" --yes --unlock bootloader,radio --resume "$C"
[ "$(tail -n +"$MARK" "$T/dev.log" | grep -Ec "^ub-fastboot-device: (reboot-bootloader|flash:bootloader)$")" = 1 ] &&
	echo "ok: the bootloader not written again nor restarted for; the radio's restart done" ||
	{ echo "FAIL: on resume: $(tail -n +"$MARK" "$T/dev.log" | grep -E "reboot|flash:" | tr '\n' ' ')"; FAILS=$((FAILS + 1)); }
holds radio "$T/radio2.img" "radio written"
holds system "$T/system.img" "and system"

# a set that requires nothing of the new radio: on resume the device
# cannot show it runs it, so it restarts again
fresh -x flash:boot
flash 4 "a set without a version-baseband requirement, the device gone at boot" "$T/norad.zip" --yes --unlock bootloader,radio
C=$(case_of)
stop_device; start_device; mark
flash 0 "--resume" "$T/norad.zip" --yes --unlock bootloader,radio --resume "$C"
[ "$(tail -n +"$MARK" "$T/dev.log" | grep -Ec "^ub-fastboot-device: (reboot-bootloader|flash:(bootloader|radio))$")" = 1 ] &&
	echo "ok: bootloader and radio not written again; the radio's restart done again (nothing to ask whether it runs)" ||
	{ echo "FAIL: on resume: $(tail -n +"$MARK" "$T/dev.log" | grep -E "reboot|flash:" | tr '\n' ' ')"; FAILS=$((FAILS + 1)); }
holds boot "$T/boot.img" "boot holds its image"

# ---- --unlock-bootloader
fresh -v unlocked=no
flash 3 "a locked device without --unlock-bootloader" "$T/ok.zip" --yes
expect_grep "bootloader is locked" "$T/err" "refused: locked"
flash 3 "--unlock-bootloader with --yes and nobody to ask" "$T/ok.zip" --yes --unlock-bootloader
expect_grep "ERASE ALL USER DATA" "$T/err" "it warns that the device erases user data"
expect_grep "not confirmed .*type 'erase user data'.*--yes is not enough" "$T/err" "refused: --yes is not enough"
same_file "$DEV" "$T/pristine.img" "nothing erased, nothing written"
no_log "flashing|download" "no unlock sent"
expect_exit 2 "--unlock-bootloader for a family that cannot unlock" -- "$UNBRICK" flash "$T/boot.img" --profile "$SRCDIR/profiles/fake-board.json" \
	--device "fake:file:$T/none.img" --no-backup --yes --unlock-bootloader --sha256 "$(sha "$T/boot.img")"
expect_grep "the fake family has no way to unlock a bootloader" "$T/err" "refused as a usage error, naming the family"
expect_exit 2 "--erase-user-data alone" -- "$UNBRICK" flash "$T/ok.zip" --profile "$T/sim.json" --device "$SPEC" --no-backup --yes --erase-user-data
# typed on a terminal: the wrong words stop it, the right ones go on
CMD="'$UNBRICK' flash '$T/ok.zip' --profile '$T/sim.json' --sha256 $(sha "$T/ok.zip") --device '$SPEC' --no-backup --yes --unlock-bootloader"
set +e; (sleep 2; printf 'yes\n') | script -qec "$CMD" /dev/null > "$T/typed" 2>&1; rc=$?; set -e
[ $rc -eq 3 ] && echo "ok: 'yes' typed: refused (exit 3)" || { echo "FAIL: 'yes' typed: exit $rc"; cat "$T/typed"; FAILS=$((FAILS + 1)); }
expect_grep "Type 'erase user data' to go on" "$T/typed" "it asks for the words that name the loss"
same_file "$DEV" "$T/pristine.img" "nothing erased"
set +e; (sleep 2; printf 'erase user data\n') | script -qec "$CMD" /dev/null > "$T/typed" 2>&1; rc=$?; set -e
[ $rc -eq 0 ] && echo "ok: 'erase user data' typed: unlocked and written" || { echo "FAIL: typed: exit $rc"; cat "$T/typed"; FAILS=$((FAILS + 1)); }
zeros userdata "the device erased userdata"
holds boot "$T/boot.img" "boot written after the unlock"
holds system "$T/system.img" "system too"
tail -n +"$MARK" "$T/dev.log" | grep -E "^ub-fastboot-device: (flashing unlock|flash:)" | sed 's/^ub-fastboot-device: //' | head -n 2 | tr '\n' ' ' > "$T/order"
expect_grep "^flashing unlock flash:boot $" "$T/order" "the unlock went before the first write"
fresh -v unlocked=no
flash 0 "--unlock-bootloader --erase-user-data (scripts)" "$T/ok.zip" --yes --unlock-bootloader --erase-user-data
expect_grep "accepted with --erase-user-data" "$T/err" "it says how the loss was agreed to"
zeros userdata "userdata erased by the device"
holds system "$T/system.img" "system written"
expect_exit 0 "the real client: getvar unlocked" -- $FB getvar unlocked
expect_grep "^unlocked: yes" "$T/err" "the device says it is unlocked"
flash 0 "--unlock-bootloader on an unlocked device" "$T/ok.zip" --yes --unlock-bootloader
expect_grep "unlocked already: nothing to do, nothing erased" "$T/err" "nothing to do"

# ---- the same factory archive, flash-all.sh's way with the real client
fresh
flash 0 "unbrick: the factory archive" "$T/factory.zip" --yes --unlock bootloader,radio
cp "$DEV" "$T/unbrick.img"
fresh
(cd "$T" && python3 -c 'import zipfile; zipfile.ZipFile("factory.zip").extractall("fa")')
expect_exit 0 "the real client: flash bootloader" -- $FB flash bootloader "$T/fa/sim-2/bootloader-unbrick-sim-sim-bl-2.img"
expect_exit 0 "reboot-bootloader" -- $FB reboot-bootloader
expect_exit 0 "flash radio" -- $FB flash radio "$T/fa/sim-2/radio-unbrick-sim-sim-radio-2.img"
expect_exit 0 "reboot-bootloader" -- $FB reboot-bootloader
expect_exit 0 "update image-unbrick-sim-2.zip (its requirements hold now)" -- $FB update "$T/fa/sim-2/image-unbrick-sim-2.zip"
# the same bytes, but for the sector tails: radio-*.img (6000 bytes) and
# boot.img (300000) are no whole number of 512-byte sectors, and unbrick
# pads with zeros what the device writes as a whole sector anyway (the
# family's README); the real client leaves the old bytes there
python3 - "$DEV" "$T/unbrick.img" "$T/pristine.img" <<'PY' > "$T/cmp" || true
import sys
real, ours, first = (bytearray(open(p, "rb").read()) for p in sys.argv[1:])
tails = [(0x100000 + 6000, 0x100000 + 6144), (0x200000 + 300000, 0x200000 + 300032)]
print("tails zeros" if all(ours[a:b] == bytes(b - a) and real[a:b] == first[a:b] for a, b in tails) else "tails differ")
for a, b in tails:
    real[a:b] = ours[a:b] = bytes(b - a)
print("the rest equal" if real == ours else "the rest differs")
PY
expect_grep "^the rest equal" "$T/cmp" "the device holds the same bytes after either"
expect_grep "^tails zeros" "$T/cmp" "but for the last sectors of radio and boot, which unbrick padded with zeros"
finish
