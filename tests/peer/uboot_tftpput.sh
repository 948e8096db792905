#!/bin/sh
# Backups the board uploads itself with tftpput: U-Boot from Debian's own
# source package, built with the command (scripts/build-uboot-tftpput;
# Debian's builds lack it), on QEMU's virt board with its NIC on a tap
# device in a namespace this test creates.  unbrick's TFTP server takes
# the uploads on 10.77.0.1:69.  The backup must equal the flash and disk
# byte for byte, the board's variables must be as they were, and a board
# that cannot upload must be read over the console (or refused, when
# tftpput was asked for).
. "$(dirname "$0")/lib.sh"
PUT_UBOOT=/var/cache/unbrick/peers/u-boot-tftpput/qemu_arm/u-boot.bin
[ -f "$PUT_UBOOT" ] || { echo "SKIP: $PUT_UBOOT missing (scripts/build-uboot-tftpput builds it)"; exit 77; }
use_board
use_netns ub-put
export UBOOT_BIN="$PUT_UBOOT"
"$BOARD" install "$B" 1.1.0
"$BOARD" start "$B" "$NS" tap0
DEV="uboot:unix:$B/console.sock"

# Random bytes in the firmware region: nothing there is fill, every piece
# must come by upload and match the board's crc32.  The environment saved
# into its region, so that one is not all erased flash either (a region of
# fill is proved with cmp.b, no upload needed).
python3 -c 'import os,sys; f=open(sys.argv[1],"r+b"); f.seek(16<<20); f.write(os.urandom(4<<20))' "$B/disk.img"
"$BOARD" console "$B" "saveenv" > "$T/saveenv.txt"
expect_grep "done|OK" "$T/saveenv.txt" "the board saved its environment into the env region"

expect_exit 0 "backup of every region (the profile gives addresses)" -- $IN "$UNBRICK" backup --device "$DEV" --profile qemu-virt-arm -o "$T/bk" --json
expect_json 'j["backup"]["read_via"] == "tftpput"' "the board uploaded it (read_via tftpput)"
expect_grep "tftpput: [0-9.]+ MiB in [0-9.]+ s" "$T/err" "the uploads are reported"
same_as_board "$T/bk" "the backup equals flash and disk byte for byte"

# The board's variables as they were: none of them set before.
"$BOARD" console "$B" "printenv ipaddr netmask tftpblocksize" > "$T/env.txt"
for v in ipaddr netmask tftpblocksize; do
	expect_grep "\"$v\" not defined" "$T/env.txt" "$v is unset again"
done

expect_exit 0 "--read-via console" -- $IN "$UNBRICK" backup --device "$DEV" --profile qemu-virt-arm --region env --read-via console -o "$T/bk-con" --json
expect_json 'j["backup"]["read_via"] == "console"' "read over the console when asked"

# Port 69 taken on this machine's address: the upload cannot be taken,
# said so, and the backup comes over the console; asked for, exit 4.
$IN python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("10.77.0.1",69)); time.sleep(120)' &
HOLD=$!
EXTRA_CLEANUP="$EXTRA_CLEANUP; kill $HOLD 2>/dev/null || true"
sleep 0.5
expect_exit 0 "backup with port 69 taken" -- $IN "$UNBRICK" backup --device "$DEV" --profile qemu-virt-arm --region env -o "$T/bk-taken" --json
expect_json 'j["backup"]["read_via"] == "console"' "read over the console instead"
expect_grep "tftpput: TFTP: cannot listen on 10.77.0.1 port 69.*; reading over the console" "$T/err" "says why"
same_as_board "$T/bk-taken" "that backup equals the flash too"
expect_exit 4 "read_via=tftpput with port 69 taken" -- $IN "$UNBRICK" backup --device "$DEV" --profile qemu-virt-arm --region env --read-via tftpput -o "$T/bk-taken2"
expect_grep "what to do" "$T/err" "with advice"
kill $HOLD 2>/dev/null || true
wait $HOLD 2>/dev/null || true

# The whole repair of this board (its firmware region is random bytes):
# the backup uploaded, the image pulled by tftpboot, both on port 69.
"$SRCDIR/tests/board/make-firmware" fw 1.2.0 $((0x80000)) "$T/fw-1.2.0.bin"
expect_exit 0 "recover" -- $IN "$UNBRICK" recover "$T/fw-1.2.0.bin" --device "$DEV" --profile qemu-virt-arm --yes --json
expect_json 'j["status"] == "repaired" and j["boot"]["version"] == "1.2.0"' "repaired, boots 1.2.0"
expect_json 'j["steps"]["backup"]["read_via"] == "tftpput" and j["steps"]["flash"]["via"] == "tftp"' "the journal says: backup by tftpput, image by TFTP"
finish
