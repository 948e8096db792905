#!/bin/sh
# The U-Boot console behind a console server: Debian's ser2net serves the
# board's serial port (QEMU's -serial pty) over telnet with RFC 2217, over
# plain telnet, and as raw TCP.  A whole repair over YMODEM goes through
# telnet (the image's 0xff bytes are telnet's escape byte); RFC 2217 sets
# the port's rate; the wrong transport, and a line the server cannot set,
# are refused by name.
. "$(dirname "$0")/lib.sh"
need ser2net stty
use_board
"$BOARD" install "$B" 1.1.0
"$BOARD" brick "$B"
cp "$B/disk.img" "$T/disk.before"
"$SRCDIR/tests/board/make-firmware" fw 1.2.0 $((0x80000)) "$T/fw.bin"
ffs=$(python3 -c 'import sys; print(open(sys.argv[1], "rb").read().count(b"\xff"))' "$T/fw.bin")
[ "$ffs" -gt 0 ] && echo "ok: the image holds $ffs bytes of 0xff, which telnet must escape" ||
	{ echo "FAIL: the image has no 0xff byte: the repair would not test telnet's escaping"; FAILS=$((FAILS + 1)); }
CONSOLE=pty "$BOARD" start "$B"
PTY=$(cat "$B/console.pty")

# three free ports on loopback, and ser2net serving the one port each way
set -- $(python3 -c '
import socket
ss = [socket.socket() for _ in range(3)]
for s in ss:
    s.bind(("127.0.0.1", 0))
print(*[s.getsockname()[1] for s in ss])')
RFC=$1 TEL=$2 RAW=$3
ser2net -n -u -P "$T/ser2net.pid" -Y "
connection: &rfc2217#  accepter: telnet(rfc2217),tcp,127.0.0.1,$RFC#  connector: serialdev,$PTY,115200n81,local
connection: &telnet#  accepter: telnet,tcp,127.0.0.1,$TEL#  connector: serialdev,$PTY,115200n81,local
connection: &raw#  accepter: tcp,127.0.0.1,$RAW#  connector: serialdev,$PTY,115200n81,local" \
	>"$T/ser2net.log" 2>&1 &
S2N=$!
EXTRA_CLEANUP="kill $S2N 2>/dev/null || true"
python3 - "$RFC" "$TEL" "$RAW" <<'PY' || { echo "FAIL: ser2net did not listen"; cat "$T/ser2net.log"; exit 1; }
import socket, sys, time
end = time.time() + 10
for port in sys.argv[1:]:
    while True:
        try:
            socket.create_connection(("127.0.0.1", int(port)), 1).close()
            break
        except OSError:
            if time.time() > end:
                sys.exit(1)
            time.sleep(0.1)
PY

# The whole repair through the RFC 2217 port.
DEV="uboot:telnet:127.0.0.1:$RFC,baud=115200"
expect_exit 0 "recover a bricked board through a telnet console server" -- "$UNBRICK" recover "$T/fw.bin" --device "$DEV" --profile qemu-virt-arm --yes --json
expect_json 'j["ok"] and j["status"] == "repaired" and j["boot"]["version"] == "1.2.0"' "repaired, and it boots 1.2.0"
if grep -q "does not set\|did not confirm\|not 115200" "$T/err"; then
	echo "FAIL: the server's setting of the port was questioned"; FAILS=$((FAILS + 1))
else
	echo "ok: the server set the port as asked, without a word"
fi
folder=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folder"])' "$T/out")
python3 - "$folder/backup" "$T" "$B" <<'PY' && echo "ok: the backup is the board before the repair, the image is in place, byte for byte" || { echo "FAIL: backing files"; FAILS=$((FAILS + 1)); }
import sys
bk, t, b = sys.argv[1:]
before = open(t + "/disk.before", "rb").read()
assert open(bk + "/firmware.bin", "rb").read() == before[16 << 20:32 << 20], "backup differs"
img = open(t + "/fw.bin", "rb").read()
after = open(b + "/disk.img", "rb").read()
assert after[16 << 20:(16 << 20) + len(img)] == img, "image not in place"
assert after[:16 << 20] == before[:16 << 20], "boot region changed"
PY

# RFC 2217 reaches the port itself: QEMU's pty runs at the rate asked
# while the connection is open.
"$UNBRICK" diagnose --device "uboot:telnet:127.0.0.1:$RFC,baud=57600" --listen 4 >"$T/diag.out" 2>"$T/diag.err" &
pid=$!
speed=
for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15; do
	sleep 0.2
	speed=$(stty -F "$PTY" speed 2>/dev/null || true)
	[ "$speed" = 57600 ] && break
done
wait $pid || true
[ "$speed" = 57600 ] && echo "ok: baud=57600 set the server's port to 57600" ||
	{ echo "FAIL: the port ran at '$speed'"; cat "$T/diag.err"; FAILS=$((FAILS + 1)); }

expect_exit 4 "dtr=on where the port has no DTR line (a pty)" -- "$UNBRICK" identify --device "uboot:telnet:127.0.0.1:$RFC,dtr=on" --profile qemu-virt-arm
expect_grep "did not confirm dtr on" "$T/err" "says the server did not confirm the line"
expect_grep "RFC 2217" "$T/err" "and what to turn on"

# Plain telnet: no serial settings.
expect_exit 0 "identify through plain telnet, with baud= given" -- "$UNBRICK" identify --device "uboot:telnet:127.0.0.1:$TEL,baud=57600" --profile qemu-virt-arm --json
expect_json 'j["identity"]["bootloader"].startswith("U-Boot 2023")' "the board answers"
expect_grep "does not set its port's rate \(no RFC 2217\): baud=57600 is taken as the rate the server set" "$T/err" "says the rate was not set"
expect_exit 4 "rts=off where the server takes no serial settings" -- "$UNBRICK" identify --device "uboot:telnet:127.0.0.1:$TEL,rts=off" --profile qemu-virt-arm
expect_grep "does not take serial settings \(RFC 2217\), so rts= cannot be set" "$T/err" "says so"

# A colleague's session holds the port: ser2net says so and closes, and
# unbrick passes on its words rather than "connection reset", through
# telnet and through raw TCP alike.
python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
time.sleep(12)' "$RFC" &
holder=$!
sleep 1
for tr in telnet:$RFC tcp:$RAW; do
	expect_exit 4 "the console server's port in use by another session ($tr)" -- "$UNBRICK" identify --device "uboot:${tr%%:*}:127.0.0.1:${tr#*:}" --profile qemu-virt-arm
	expect_grep "${tr%%:*}:127.0.0.1:${tr#*:} closed the connection; it said \"[A-Za-z]" "$T/err" "quotes what the server said"
	sed -n 's/.*\(it said ".*"\).*/  (\1)/p' "$T/err"
done
kill $holder 2>/dev/null || true
wait $holder 2>/dev/null || true

# Raw TCP, and each transport at the other kind of port.
expect_exit 0 "identify through raw TCP" -- "$UNBRICK" identify --device "uboot:tcp:127.0.0.1:$RAW" --profile qemu-virt-arm --json
expect_json 'j["identity"]["model"] == "qemu-arm"' "the board answers"
expect_exit 2 "tcp: at a telnet port" -- "$UNBRICK" identify --device "uboot:tcp:127.0.0.1:$RFC" --profile qemu-virt-arm
expect_grep "is a telnet server .*put telnet:127.0.0.1:$RFC in the device spec" "$T/err" "names the transport to use"
expect_exit 2 "telnet: at a raw port" -- "$UNBRICK" identify --device "uboot:telnet:127.0.0.1:$RAW" --profile qemu-virt-arm
expect_grep "not a telnet server; a raw TCP port is reached as tcp:127.0.0.1:$RAW" "$T/err" "names the transport to use"
expect_exit 2 "dtr= must be on or off" -- "$UNBRICK" identify --device "uboot:telnet:127.0.0.1:$RFC,dtr=1" --profile qemu-virt-arm
expect_grep "dtr=1: dtr takes one of on\|off" "$T/err" "says so"
finish
