#!/bin/sh
# fastboot over TCP.  No real device speaks it here, so a device of ours
# (tests/tools/ub-fastboot-device.c: AOSP's TCP framing on a loopback
# socket, partitions in a file) is checked first against Debian's
# fastboot client (getvar, a raw flash, a flash split with -S, a sparse
# image), then unbrick drives it: identify as the client saw it, raw and
# sparse flashes byte for byte, pieces where the image is larger than
# max-download-size, and the refusals (protected partition, locked
# bootloader, a profile of another layout, a backup fastboot cannot make),
# each leaving the device's file as it was.
. "$(dirname "$0")/lib.sh"
need fastboot img2simg python3 cmp
: "${UB_FASTBOOT_DEVICE:?UB_FASTBOOT_DEVICE must point at ub-fastboot-device}"

PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
DEV="$T/dev.img"
head -c $((16 << 20)) /dev/urandom > "$DEV"
# name:offset:size, as the profile below says (one partition of another
# size comes later)
PARTS="bootloader:0x0:0x100000 boot:0x100000:0x200000 system:0x300000:0x800000 misc:0xb00000:0x100000"
start_device() {
	rm -f "$T/dev.pid"
	# shellcheck disable=SC2086
	"$UB_FASTBOOT_DEVICE" -m 0x100000 -p "$T/dev.pid" "$@" "$PORT" "$DEV" $PARTS 2>>"$T/dev.log" &
	i=0
	while [ ! -s "$T/dev.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
}
stop_device() {
	[ -s "$T/dev.pid" ] && kill "$(cat "$T/dev.pid")" 2>/dev/null; rm -f "$T/dev.pid"
	wait 2>/dev/null || true
}
trap 'stop_device; rm -rf "$T"' EXIT
start_device

cat > "$T/sim.json" <<'EOF'
{
  "name": "fastboot-sim",
  "description": "tests/tools/ub-fastboot-device's partitions, as fastboot_tcp.sh starts it",
  "family": "fastboot",
  "match": { "models": ["unbrick-sim"] },
  "flash": [
    { "name": "bootloader", "storage": "partition", "offset": "0x0", "size": "0x100000", "role": "bootloader" },
    { "name": "boot", "storage": "partition", "offset": "0x100000", "size": "0x200000", "role": "kernel" },
    { "name": "system", "storage": "partition", "offset": "0x300000", "size": "0x800000", "role": "rootfs", "flags": ["firmware"] },
    { "name": "misc", "storage": "partition", "offset": "0xb00000", "size": "0x100000", "role": "data" }
  ]
}
EOF
FB="fastboot -s tcp:127.0.0.1:$PORT"
SPEC="fastboot:tcp:127.0.0.1:$PORT"

# part NAME OUT: the partition as the device's file holds it
part() {
	for p in $PARTS; do
		case $p in "$1":*)
			off=$(echo "$p" | cut -d: -f2); size=$(echo "$p" | cut -d: -f3)
			python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2],0)); open(sys.argv[4],"wb").write(f.read(int(sys.argv[3],0)))' "$DEV" "$off" "$size" "$2"
		esac
	done
}
# holds NAME FILE WHAT: partition NAME starts with FILE's bytes
holds() {
	part "$1" "$T/part.bin"
	if cmp -s -n "$(stat -c %s "$2")" "$2" "$T/part.bin"; then echo "ok: $3"; else echo "FAIL: $3"; FAILS=$((FAILS + 1)); fi
}
same_file() {
	if cmp -s "$1" "$2"; then echo "ok: $3"; else echo "FAIL: $3 ($1 differs from $2)"; FAILS=$((FAILS + 1)); fi
}
sha() { sha256sum "$1" | cut -c1-64; }
flash() {   # flash EXIT WHAT IMAGE [options]: unbrick flash, output in $T/out and $T/err
	want=$1; what=$2; img=$3; shift 3
	expect_exit "$want" "$what" -- "$UNBRICK" flash "$img" --profile "$T/sim.json" --sha256 "$(sha "$img")" --yes "$@"
}

# ---- the device of ours against the real client
expect_exit 0 "the real client: getvar product" -- $FB getvar product
expect_grep "^product: unbrick-sim" "$T/err" "the real client reads the product"
expect_exit 0 "the real client: getvar partition-size:system" -- $FB getvar partition-size:system
expect_grep "^partition-size:system: 0x0*800000" "$T/err" "and a partition's size"
head -c $((1 << 20)) /dev/urandom > "$T/raw1.bin"
expect_exit 0 "the real client flashes 1 MiB raw into boot" -- $FB flash boot "$T/raw1.bin"
holds boot "$T/raw1.bin" "the device holds the real client's raw image"
# 3 MiB, a whole number of 4 KiB blocks: Debian's client 29.0.6 splits an
# image of another size into pieces that announce a trailing "don't care"
# chunk they do not carry (its libsparse refuses to write it)
head -c $((3 << 20)) /dev/urandom > "$T/raw3.bin"
expect_exit 0 "the real client flashes 3 MiB split with -S 256K" -- $FB -S 256K flash system "$T/raw3.bin"
expect_grep "Sending sparse 'system' 1[0-9]/1[0-9]" "$T/err" "in sparse pieces"
holds system "$T/raw3.bin" "the device holds the real client's pieces"
python3 -c 'import os,sys; open(sys.argv[1],"wb").write(os.urandom(1<<20) + bytes(2<<20) + os.urandom(1<<20))' "$T/holes.bin"
img2simg "$T/holes.bin" "$T/holes.simg"
expect_exit 0 "the real client flashes an img2simg image" -- $FB flash system "$T/holes.simg"
holds system "$T/holes.bin" "the device holds what the sparse image expands to"

# ---- unbrick against it
expect_exit 0 "identify" -- "$UNBRICK" identify --json --device "$SPEC" --profile "$T/sim.json"
expect_json 'j["identity"]["model"] == "unbrick-sim" and j["identity"]["serial"] == "SIM0001"' "identify says what the real client's getvar says"
expect_json '"max download 1 MiB" in j["identity"]["hardware"] and "tcp 127.0.0.1" in j["identity"]["hardware"]' "and its max-download-size, over TCP"
cp "$DEV" "$T/before.img"

head -c $((1 << 20)) /dev/urandom > "$T/raw2.bin"
flash 0 "flash 1 MiB raw into boot" "$T/raw2.bin" --device "$SPEC" --region boot --no-backup
holds boot "$T/raw2.bin" "boot holds unbrick's raw image"
expect_grep "written, NOT verified" "$T/err" "and it says written, not verified"
flash 0 "flash the img2simg image into system" "$T/holes.simg" --device "$SPEC" --region system --no-backup
holds system "$T/holes.bin" "system holds what it expands to"
# a sparse image goes to fastboot as it is; for a family that does not
# take sparse images it stays a container to unpack
expect_exit 3 "the img2simg image planned for the fake family" -- "$UNBRICK" flash "$T/holes.simg" --dry-run \
	--device "fake:file:$T/none.img" --profile "$SRCDIR/profiles/fake-board.json" --sha256 "$(sha "$T/holes.simg")" --no-backup
expect_grep "the image is packed \(sparse\)" "$T/err" "is refused there as packed"
flash 0 "the same, larger than max_download=256K: pieces" "$T/holes.simg" --device "$SPEC,max_download=256K" --region system --no-backup
expect_grep "goes as [0-9]+ sparse pieces" "$T/err" "sent in pieces"
holds system "$T/holes.bin" "system holds it"
# the size the real client cannot split: unbrick pads the last block
head -c 1500000 /dev/urandom > "$T/odd.bin"
flash 0 "1500000 bytes raw into system, in pieces of 256K" "$T/odd.bin" --device "$SPEC,max_download=256K" --region system --no-backup
holds system "$T/odd.bin" "system holds them"
part misc "$T/misc-now.bin"; python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(0xb00000); open(sys.argv[2],"wb").write(f.read(0x100000))' "$T/before.img" "$T/misc-before.bin"
same_file "$T/misc-now.bin" "$T/misc-before.bin" "the partition after them untouched"
cp "$DEV" "$T/before.img"

# ---- refusals, nothing written
flash 3 "the protected bootloader without --unlock" "$T/raw2.bin" --device "$SPEC" --region bootloader --no-backup
expect_grep "region bootloader is protected" "$T/err" "refused, naming the region"
flash 3 "a flash with a backup fastboot cannot make" "$T/raw2.bin" --device "$SPEC" --region boot
expect_grep "fastboot device cannot be read, so nothing can be backed up" "$T/err" "refused before the device is reached, saying why"
expect_grep "no-backup" "$T/err" "and what to do"
sed 's/"size": "0x100000", "role": "data"/"size": "0x200000", "role": "data"/' "$T/sim.json" > "$T/other.json"
expect_exit 3 "a profile of another layout" -- "$UNBRICK" flash "$T/raw2.bin" --profile "$T/other.json" --sha256 "$(sha "$T/raw2.bin")" --yes --device "$SPEC" --region boot --no-backup
expect_grep "partition misc is 1048576 bytes on the device and 2097152 in profile" "$T/err" "refused, naming the partition"
stop_device
start_device -v unlocked=no
flash 3 "a locked bootloader" "$T/raw2.bin" --device "$SPEC" --region boot --no-backup
expect_grep "bootloader is locked" "$T/err" "refused, saying so"
expect_grep "erases the owner's data" "$T/err" "with the advice that unlocking erases data"
same_file "$DEV" "$T/before.img" "the refusals wrote nothing"
stop_device
start_device
flash 0 "--unlock bootloader writes it" "$T/raw2.bin" --device "$SPEC" --region bootloader --unlock bootloader --no-backup
holds bootloader "$T/raw2.bin" "the bootloader partition holds it"

# ---- slots: an A/B device (boot_a, boot_b; system_a only)
stop_device
PARTS="boot_a:0x100000:0x200000 boot_b:0x300000:0x200000 system_a:0x500000:0x800000"
cat > "$T/ab.json" <<'EOF'
{
  "name": "fastboot-sim-ab",
  "family": "fastboot",
  "match": { "models": ["unbrick-sim"] },
  "flash": [
    { "name": "boot", "storage": "partition", "offset": "0x100000", "size": "0x200000", "role": "kernel", "flags": ["firmware"] },
    { "name": "system", "storage": "partition", "offset": "0x500000", "size": "0x800000", "role": "rootfs" }
  ]
}
EOF
start_device -v current-slot=a -v slot-count=2
abflash() {   # abflash EXIT WHAT IMAGE [options]
	want=$1; what=$2; img=$3; shift 3
	expect_exit "$want" "$what" -- "$UNBRICK" flash "$img" --profile "$T/ab.json" --sha256 "$(sha "$img")" --yes --no-backup "$@"
}
part_of() { python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2],0)); open(sys.argv[4],"wb").write(f.read(int(sys.argv[3],0)))' "$@"; }
cp "$DEV" "$T/before.img"
abflash 0 "--slot other (the device boots a)" "$T/raw2.bin" --device "$SPEC" --region boot --slot other
holds boot_b "$T/raw2.bin" "boot_b holds it"
part boot_a "$T/a-now.bin"
part_of "$T/before.img" 0x100000 0x200000 "$T/a-before.bin"
same_file "$T/a-now.bin" "$T/a-before.bin" "boot_a untouched"
expect_exit 0 "the real client asks the current slot" -- $FB getvar current-slot
expect_grep "^current-slot: a" "$T/err" "still a: no set_active without set_active=on"
head -c $((1 << 20)) /dev/urandom > "$T/raw4.bin"
abflash 0 "--slot all" "$T/raw4.bin" --device "$SPEC" --region boot --slot all
holds boot_a "$T/raw4.bin" "boot_a holds it"
holds boot_b "$T/raw4.bin" "and boot_b"
cp "$DEV" "$T/before.img"
abflash 3 "--slot b of a partition the device has only in slot a" "$T/raw2.bin" --device "$SPEC,set_active=on" --region system --slot b
expect_grep "no partition system_b" "$T/err" "refused, naming the partition"
same_file "$DEV" "$T/before.img" "nothing written"
if grep -q "set_active" "$T/dev.log"; then echo "FAIL: set_active was sent after a refused write"; FAILS=$((FAILS + 1)); else echo "ok: and no set_active sent"; fi
abflash 0 "--slot b with set_active=on" "$T/raw2.bin" --device "$SPEC,set_active=on" --region boot --slot b
holds boot_b "$T/raw2.bin" "boot_b holds it"
expect_exit 0 "the real client asks the current slot" -- $FB getvar current-slot
expect_grep "^current-slot: b" "$T/err" "the device boots b now"
if grep -E "flash:boot_b|set_active" "$T/dev.log" | tail -n 2 | tr '\n' ' ' | grep -q "flash:boot_b.*set_active:b"; then
	echo "ok: set_active came after the flash"
else
	echo "FAIL: set_active not after the flash"; FAILS=$((FAILS + 1))
fi
expect_exit 2 "set_active=on with --slot all is a usage error" -- "$UNBRICK" flash "$T/raw2.bin" --profile "$T/ab.json" --sha256 "$(sha "$T/raw2.bin")" --yes --no-backup --device "$SPEC,set_active=on" --region boot --slot all
stop_device
start_device -v slot-count=2
abflash 3 "--slot other on a device that does not say its slot" "$T/raw2.bin" --device "$SPEC" --region boot --slot other
expect_grep "needs the device's current slot" "$T/err" "refused, saying why"

# Ctrl-C while unbrick waits for a device that is not there yet (wait=120)
# ends the wait within a second, with the interrupt's exit and its
# advice, over TCP (nothing listens) and UDP (a port that never answers)
SILENT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
python3 -c 'import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0))
open(sys.argv[1], "w").write(str(s.getsockname()[1])); time.sleep(60)' "$T/udp.port" &
SINK=$!
i=0; while [ ! -s "$T/udp.port" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
for tr in "tcp:127.0.0.1:$SILENT" "udp:127.0.0.1:$(cat "$T/udp.port")"; do
	"$UNBRICK" flash "$T/raw2.bin" --profile "$T/sim.json" --sha256 "$(sha "$T/raw2.bin")" --yes --no-backup \
		--device "fastboot:$tr,wait=120" --region boot --json >"$T/out" 2>"$T/err" &
	pid=$!
	sleep 2
	kill -INT $pid 2>/dev/null || true
	# a guard against the old wait, not a measure: 20 s, then it is killed
	i=0; while kill -0 $pid 2>/dev/null && [ $i -lt 200 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 $pid 2>/dev/null || true
	rc=0; wait $pid || rc=$?
	[ $rc = 130 ] && echo "ok: Ctrl-C while waiting for fastboot:${tr%%:*}: exit 130" ||
		{ echo "FAIL: Ctrl-C while waiting for fastboot:${tr%%:*}: exit $rc"; cat "$T/err"; FAILS=$((FAILS + 1)); }
	expect_json 'j["error"]["advice_id"] == "interrupted" and "waiting for the fastboot device" in j["error"]["message"]' "it says it stopped waiting"
done
kill $SINK 2>/dev/null; wait $SINK 2>/dev/null || true
finish
