#!/bin/sh
# The repair over the network: Debian's U-Boot on QEMU's virt board with
# its NIC on a tap device inside a network namespace this test creates;
# unbrick serves the image from 10.77.0.1 (the namespace's own address) and
# the board pulls it with tftpboot.  The board's network settings must be
# as they were afterwards (nothing saved, nothing left set).  A neighbour
# asking for the image is refused.
. "$(dirname "$0")/lib.sh"
use_board
use_netns ub-tftp

"$BOARD" install "$B" 1.1.0
"$BOARD" brick "$B"
"$BOARD" start "$B" "$NS" tap0
"$SRCDIR/tests/board/make-firmware" fw 1.2.0 $((0x80000)) "$T/fw-1.2.0.bin"
DEV="uboot:unix:$B/console.sock"

# A neighbour on the board's network (10.77.0.3) asks for the image by its
# name as soon as the board is told it (read off the console log).  Until
# the neighbour has its answer this machine ignores the board's ARP, so the
# neighbour always asks first (U-Boot asks again after 5 s).  It must be
# refused, and the board then served.
ip -n "$NS" addr add 10.77.0.3/24 dev tap0
$IN sh -c 'echo 8 > /proc/sys/net/ipv4/conf/tap0/arp_ignore'
$IN python3 - "$UNBRICK_HOME" "$T/neighbour" <<'PY' &
import glob, re, socket, sys, time
home, out = sys.argv[1], sys.argv[2]
name, result, log, seen = None, "never told a name", None, b""
try:
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("10.77.0.3", 0))
    s.settimeout(0.5)
    end = time.time() + 900
    while not name and time.time() < end:
        logs = glob.glob(home + "/cases/*/logs/console.log")
        log = log or (open(logs[0], "rb") if logs else None)
        seen = seen[-200:] + (log.read() if log else b"")
        m = re.search(rb"tftpboot [0-9a-fA-Fx]+ (\S+\.bin)", seen)
        name = m.group(1) if m else None
        time.sleep(0.02)
    for i in range(10 if name else 0):
        s.sendto(b"\0\1" + name + b"\0octet\0", ("10.77.0.1", 69))
        try:
            d = s.recvfrom(2000)[0]
        except socket.timeout:
            result = "no answer"
            continue
        result = "error %d" % d[3] if d[1] == 5 else "got the image" if d[1] in (3, 6) else "answer %d" % d[1]
        break
finally:
    open("/proc/sys/net/ipv4/conf/tap0/arp_ignore", "w").write("0\n")
    open(out, "w").write("%s: %s\n" % (name.decode() if name else "-", result))
PY
NEIGHBOUR=$!
EXTRA_CLEANUP="$EXTRA_CLEANUP; kill $NEIGHBOUR 2>/dev/null || true"
expect_exit 0 "recover over TFTP (the default with the profile's addresses)" -- $IN "$UNBRICK" recover "$T/fw-1.2.0.bin" --device "$DEV" --profile qemu-virt-arm --yes --json
expect_json 'j["status"] == "repaired" and j["boot"]["version"] == "1.2.0"' "repaired, boots 1.2.0"
kill $NEIGHBOUR 2>/dev/null || true   # done long ago, unless no name ever came
wait $NEIGHBOUR 2>/dev/null || true
$IN sh -c 'echo 0 > /proc/sys/net/ipv4/conf/tap0/arp_ignore'
[ -f "$T/neighbour" ] || echo "-: still waiting for a name when the repair ended" > "$T/neighbour"
expect_grep '^unbrick-[0-9a-f]{16}\.bin: error 2$' "$T/neighbour" "the neighbour asking for the image was refused (access violation)"
expect_grep 'TFTP: refused a read of .unbrick-[0-9a-f]{16}\.bin. from 10\.77\.0\.3' "$T/err" "and the refusal is said"
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
