#!/bin/sh
# The fastboot family against a real bootloader: U-Boot built from
# Debian's source with fastboot over UDP (scripts/build-uboot-fastboot) on
# QEMU's virt board, an SD card with a GPT, QEMU's user-mode network (no
# root).  Debian's fastboot client drives the same board in the same test,
# and the two must agree: what getvar says, and the bytes each one's
# flash leaves in the SD image's partitions.  Then the refusals (a
# protected partition, a locked bootloader, another layout) with nothing
# written, the board killed mid-download (a clear error, and the case
# resumed to the end), an Android update zip (its requirements asked of
# U-Boot; a factory archive: fastboot_qemu_sets), and the boot check after a reboot, on the board's console and
# by fastboot answering again.
. "$(dirname "$0")/lib.sh"
need qemu-system-arm fastboot img2simg sfdisk python3 cmp
BOARD="$SRCDIR/tests/board/qemu-fastboot-board"
UBOOT_BIN=${UBOOT_BIN:-/var/cache/unbrick/peers/u-boot-fastboot/qemu_arm/u-boot.bin}
[ -f "$UBOOT_BIN" ] || { echo "SKIP: $UBOOT_BIN missing (scripts/build-uboot-fastboot, as root: make peers)"; exit 77; }
B="$T/board"
trap '"$BOARD" stop "$B"; rm -rf "$T"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
P="$SRCDIR/profiles/qemu-virt-arm-fastboot.json"
SPEC="fastboot:udp:127.0.0.1:$PORT"
FB="fastboot -s udp:127.0.0.1:$PORT"
t0=$(date +%s.%N)
"$BOARD" start "$B" "$PORT"
"$BOARD" wait "$B" "$PORT"
echo "ok: the board answers fastboot $(python3 -c "import sys; print('%.1f' % (float(sys.argv[2]) - float(sys.argv[1])))" "$t0" "$(date +%s.%N)") s after power-on"

sha() { sha256sum "$1" | cut -c1-64; }
flash() {   # flash EXIT WHAT IMAGE [options]
	want=$1; what=$2; img=$3; shift 3
	expect_exit "$want" "$what" -- "$UNBRICK" flash "$img" --profile "$P" --sha256 "$(sha "$img")" --yes "$@"
}
# holds NAME FILE WHAT: partition NAME of sd.img starts with FILE's bytes
holds() {
	"$BOARD" part "$B" "$1" "$T/part.bin"
	if cmp -s -n "$(stat -c %s "$2")" "$2" "$T/part.bin"; then echo "ok: $3"; else echo "FAIL: $3"; FAILS=$((FAILS + 1)); fi
}
# ---- what the board says, to the real client and to unbrick
for v in product max-download-size partition-size:system version-bootloader; do
	$FB getvar "$v" 2>>"$T/getvar.txt" || true
done
expect_grep "^product: qemu-arm" "$T/getvar.txt" "the real client: product qemu-arm"
expect_exit 0 "unbrick identify" -- "$UNBRICK" identify --json --device "$SPEC" --profile "$P"
python3 - "$T/out" "$T/getvar.txt" <<'PY' && echo "ok: identify agrees with the real client's getvar (product, bootloader, max download)" || { echo "FAIL: identify and getvar disagree"; FAILS=$((FAILS + 1)); }
import json, re, sys
j = json.load(open(sys.argv[1]))["identity"]
g = dict(re.findall(r"^([a-z:-]+): (.*)$", open(sys.argv[2]).read(), re.M))
assert j["model"] == g["product"], (j, g)
assert j["bootloader"] == g["version-bootloader"], (j, g)
assert int(g["max-download-size"], 16) == 64 << 20 and "max download 64 MiB" in j["hardware"], (j, g)
assert int(g["partition-size:system"], 16) == 0x2000000
PY

# ---- raw: unbrick and the real client, each into its partition
cp "$B/sd.img" "$T/sd-before.img"
head -c $((2 << 20)) /dev/urandom > "$T/boot.img"
flash 0 "unbrick flashes 2 MiB raw into boot" "$T/boot.img" --device "$SPEC" --region boot --no-backup
holds boot "$T/boot.img" "boot holds it, byte for byte"
expect_grep "written, NOT verified" "$T/err" "and unbrick says written, not verified"
head -c $((2 << 20)) /dev/urandom > "$T/misc-like.img"
head -c $((1 << 20)) "$T/misc-like.img" > "$T/misc.img"
expect_exit 0 "the real client flashes 1 MiB raw into misc" -- $FB flash misc "$T/misc.img"
holds misc "$T/misc.img" "misc holds the real client's image"
flash 0 "unbrick flashes the same image into misc" "$T/misc.img" --device "$SPEC" --region misc --no-backup
holds misc "$T/misc.img" "and after unbrick's flash the same bytes: the two agree"
python3 - "$T/sd-before.img" "$B/sd.img" <<'PY' && echo "ok: nothing outside boot and misc changed" || { echo "FAIL: bytes outside boot and misc changed"; FAILS=$((FAILS + 1)); }
import sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
boot, misc = (0x200000, 0x200000 + (2 << 20)), (0x2a00000, 0x2b00000)
diff = [i for i in range(0, len(a), 512) if a[i:i + 512] != b[i:i + 512]]
assert all(boot[0] <= i < boot[1] or misc[0] <= i < misc[1] for i in diff), hex(diff[0])
PY

# ---- sparse (img2simg): whole, and in pieces smaller than the image
python3 -c 'import os,sys; open(sys.argv[1],"wb").write(os.urandom(1<<20) + bytes(3<<20) + os.urandom(1<<20) + b"\x5a" * (1<<20))' "$T/system.raw"
img2simg "$T/system.raw" "$T/system.simg"
flash 0 "unbrick flashes an img2simg image into system" "$T/system.simg" --device "$SPEC" --region system --no-backup
holds system "$T/system.raw" "system holds what it expands to"
flash 0 "the same into userdata in pieces of 1 MiB (max_download=1M)" "$T/system.simg" --device "$SPEC,max_download=1M" --region userdata --no-backup
expect_grep "goes as [2-9] sparse pieces" "$T/err" "sent as sparse pieces"
holds userdata "$T/system.raw" "userdata holds it"
expect_exit 0 "the real client flashes it into userdata with -S 1M" -- $FB -S 1M flash userdata "$T/system.simg"
holds userdata "$T/system.raw" "and the same bytes after the real client's pieces: the two agree"

# ---- refusals: nothing written
cp "$B/sd.img" "$T/sd-before.img"
flash 3 "the protected bootloader partition without --unlock" "$T/misc.img" --device "$SPEC" --region bootloader --no-backup
expect_grep "region bootloader is protected" "$T/err" "refused, naming the region"
flash 3 "a write with a backup fastboot cannot make" "$T/misc.img" --device "$SPEC" --region misc
expect_grep "fastboot device cannot be read, so nothing can be backed up" "$T/err" "refused before the device is reached: fastboot cannot read"
sed 's/"name": "misc",       "storage": "partition", "offset": "0x02a00000", "size": "0x00100000"/"name": "misc",       "storage": "partition", "offset": "0x02a00000", "size": "0x00080000"/' "$P" > "$T/other.json"
expect_exit 3 "a profile of another layout" -- "$UNBRICK" flash "$T/misc.img" --profile "$T/other.json" --sha256 "$(sha "$T/misc.img")" --yes --device "$SPEC" --region boot --no-backup
expect_grep "partition misc is 1048576 bytes on the device and 524288 in profile" "$T/err" "refused, naming the partition"
"$BOARD" console "$B" "setenv fastboot.unlocked no" "!fastboot udp" >/dev/null
flash 3 "a locked bootloader (getvar unlocked: no)" "$T/misc.img" --device "$SPEC,wait=20" --region misc --no-backup
expect_grep "bootloader is locked" "$T/err" "refused, saying so"
python3 -c 'import sys; sys.exit(open(sys.argv[1],"rb").read() != open(sys.argv[2],"rb").read())' "$T/sd-before.img" "$B/sd.img" &&
	echo "ok: the refusals wrote nothing" || { echo "FAIL: a refusal wrote"; FAILS=$((FAILS + 1)); }
"$BOARD" console "$B" "setenv fastboot.unlocked yes" "!fastboot udp" >/dev/null

# ---- an Android update zip: its requirements asked of the real
# bootloader, its images byte for byte, userdata left out
python3 - "$T" <<'PY'
import io, os, sys, zipfile
t = sys.argv[1]
for n, size in (("boot", 1 << 20), ("misc", 300000), ("userdata", 8192)):
    open(t + "/set-" + n + ".img", "wb").write(os.urandom(size))
def update(name, info):
    with zipfile.ZipFile(t + "/" + name, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("android-info.txt", info)
        for n in ("boot", "misc", "userdata"):
            z.write(t + "/set-" + n + ".img", n + ".img")
update("update.zip", "require board=qemu-arm\nrequire version-bootloader=U-Boot 2023.01*\nrequire partition-exists=misc\n")
update("other.zip", "require board=qemu-arm\nrequire-for-product:qemu-arm version-bootloader=U-Boot 2024.*\n")
PY
cp "$B/sd.img" "$T/sd-before.img"
flash 3 "an update zip for another U-Boot" "$T/other.zip" --device "$SPEC" --no-backup
expect_grep "android-info.txt line 2 \(require-for-product:qemu-arm version-bootloader=U-Boot 2024\.\*\): the device's version-bootloader is 'U-Boot 2023\.01" "$T/err" "refused, naming the line and U-Boot's answer"
python3 -c 'import sys; sys.exit(open(sys.argv[1],"rb").read() != open(sys.argv[2],"rb").read())' "$T/sd-before.img" "$B/sd.img" &&
	echo "ok: nothing written" || { echo "FAIL: the refused set wrote"; FAILS=$((FAILS + 1)); }
flash 0 "an update zip through the real bootloader" "$T/update.zip" --device "$SPEC" --no-backup
expect_grep "ok +android-info.txt line 3 \(require partition-exists=misc\)" "$T/err" "each requirement asked of U-Boot (partition-exists as has-slot)"
holds boot "$T/set-boot.img" "boot holds the zip's boot.img"
holds misc "$T/set-misc.img" "misc holds its misc.img"
"$BOARD" part "$B" userdata "$T/ud-now.bin"; python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(0x2b00000); open(sys.argv[2],"wb").write(f.read(0x1000000))' "$T/sd-before.img" "$T/ud-then.bin"
cmp -s "$T/ud-now.bin" "$T/ud-then.bin" && echo "ok: userdata left as it was" || { echo "FAIL: userdata changed"; FAILS=$((FAILS + 1)); }
# a factory archive's two passes (and U-Boot's reboot-bootloader, which
# fails without a reset): fastboot_qemu_sets

# ---- the board dies mid-download: a clear error, then the case resumed
head -c $((8 << 20)) /dev/urandom > "$T/big.img"
( set +e; "$UNBRICK" flash "$T/big.img" --profile "$P" --sha256 "$(sha "$T/big.img")" --yes --device "$SPEC,wait=20" \
	--region system --no-backup --json-progress >"$T/kill.out" 2>"$T/kill.err"; echo $? >"$T/kill.rc" ) &
# the plug is pulled once the download has moved a MiB (its progress events)
python3 - "$T/kill.out" <<'PY' || { echo "FAIL: the download never moved"; FAILS=$((FAILS + 1)); }
import json, sys, time
end = time.time() + 60
while time.time() < end:
    try:   # the flash in the background may not have made its output yet
        lines = open(sys.argv[1], errors="replace").readlines()
    except FileNotFoundError:
        lines = []
    for line in lines:
        try:
            ev = json.loads(line)
        except ValueError:
            continue
        if ev.get("step") == "download" and ev.get("done", 0) >= 1 << 20:
            sys.exit(0)
    time.sleep(0.02)
sys.exit(1)
PY
"$BOARD" kill "$B"
wait
[ "$(cat "$T/kill.rc")" = 4 ] && echo "ok: the flash ends with exit 4 when the board dies" || { echo "FAIL: exit $(cat "$T/kill.rc") when the board died"; cat "$T/kill.err"; FAILS=$((FAILS + 1)); }
expect_grep "the download, after [0-9]+ of 8388608 bytes: .*(stopped answering|nothing listens)" "$T/kill.err" "the error says where the download stopped and why"
expect_grep "resume" "$T/kill.err" "and how to go on"
CASE=$(sed -n 's/^opened case \([0-9]*\).*/\1/p' "$T/kill.err")
"$BOARD" start "$B" "$PORT"
flash 0 "the case resumed once the board is back" "$T/big.img" --device "$SPEC,wait=20" --region system --no-backup --resume "$CASE"
holds system "$T/big.img" "system holds the whole image"

# ---- reboot and the boot check: on the console, then by fastboot again
# (what the board printed is in the case's console log)
caselog() { cat "$T/out" "$T/err" | sed -n 's|.*report \(.*\)/report.md$|\1/logs/console.log|p' | tail -n 1; }
expect_exit 0 "recover with the board's console for the boot check" -- "$UNBRICK" recover "$T/misc.img" --profile "$P" \
	--sha256 "$(sha "$T/misc.img")" --yes --device "$SPEC,wait=20,console=unix:$B/console.sock" --region misc --no-backup
LOG=$(caselog)
expect_grep "^U-Boot 2023\.01.*fastboot" "$LOG" "the console showed U-Boot starting again after the reboot"
# the check stops reading at the profile's line: what follows it may not be in the log
expect_grep "^Listening for fastboot command on" "$LOG" "and back in fastboot: the profile's boot line"
expect_exit 0 "recover without a console" -- "$UNBRICK" recover "$T/misc.img" --profile "$P" \
	--sha256 "$(sha "$T/misc.img")" --yes --device "$SPEC,wait=20" --region misc --no-backup
LOG=$(caselog)
expect_grep "fastboot answered again after .* a bootloader came back; which system would boot is not seen" "$LOG" \
	"the boot check is fastboot answering again, and says what that does not show"
holds misc "$T/misc.img" "misc holds the image after both"
finish
