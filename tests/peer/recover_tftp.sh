#!/bin/sh
# The repair over the network: Debian's U-Boot on QEMU's virt board with
# its NIC on a tap device inside a network namespace this test creates;
# unbrick serves the image from 10.77.0.1 (the namespace's own address) and
# the board pulls it with tftpboot.  The board's network settings must be
# as they were afterwards (nothing saved, nothing left set).
. "$(dirname "$0")/lib.sh"
use_board
use_netns ub-tftp

"$BOARD" install "$B" 1.1.0
"$BOARD" brick "$B"
"$BOARD" start "$B" "$NS" tap0
"$SRCDIR/tests/board/make-firmware" fw 1.2.0 $((0x80000)) "$T/fw-1.2.0.bin"
DEV="uboot:unix:$B/console.sock"

expect_exit 0 "recover over TFTP (the default with the profile's addresses)" -- $IN "$UNBRICK" recover "$T/fw-1.2.0.bin" --device "$DEV" --profile qemu-virt-arm --yes --json
expect_json 'j["status"] == "repaired" and j["boot"]["version"] == "1.2.0"' "repaired, boots 1.2.0"
expect_json 'j["steps"]["flash"]["via"] == "tftp" and j["blocks"]["written"] == 8' "the image went by TFTP, 8 blocks written"
expect_json 'j["steps"]["backup"]["read_via"] == "console"' "the journal says the backup came over the console (this U-Boot has no netconsole)"
expect_grep "TFTP: .* blksize 1468, window 8" "$T/err" "the transfer is reported"

# flash (no reset): the board's settings must be back as they were, a
# value with a quote in it too
"$SRCDIR/tests/board/make-firmware" fw 1.3.0 $((0x80000)) "$T/fw-1.3.0.bin"
"$BOARD" console "$B" "setenv autoload 'it'\\''s mine'" >/dev/null
case1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folder"])' "$T/out")
expect_exit 0 "flash over TFTP, window 16" -- $IN "$UNBRICK" flash "$T/fw-1.3.0.bin" --device "$DEV,tftp_window=16" --profile qemu-virt-arm --via tftp --backup "$case1/backup" --yes --json
expect_json 'j["steps"]["flash"]["via"] == "tftp" and j["blocks"]["written"] == 8' "written by TFTP"
python3 - "$B/console.sock" > "$T/env.txt" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(0.5)
s.sendall(b"printenv ipaddr serverip tftpwindowsize autoload\n")
out, end = b"", time.time() + 5
while time.time() < end:
    try:
        out += s.recv(4096)
    except socket.timeout:
        if b"=> " in out[-8:]:
            break
print(out.decode(errors="replace"))
PY
for v in ipaddr serverip tftpwindowsize; do
	expect_grep "\"$v\" not defined" "$T/env.txt" "$v is unset again"
done
expect_grep "^autoload=it's mine" "$T/env.txt" "autoload has its old value back, quote and all"

# An address this machine does not have: TFTP cannot be served, and says so.
expect_exit 1 "TFTP asked with no way to serve" -- $IN "$UNBRICK" flash "$T/fw-1.3.0.bin" --device "$DEV" --profile qemu-virt-arm --via tftp --server-ip 10.77.0.9 --yes
expect_grep "cannot serve on the server address" "$T/err" "says why, before touching the board"
finish
