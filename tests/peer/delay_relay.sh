#!/bin/sh
# tests' ub-delay-relay, the link with added delay the TFTP bench uses: in a
# network namespace this test creates, frames sent on the relay's socket (as
# QEMU's stream netdev sends them) reach the tap and the namespace's
# answers come back, each way DELAY later, intact and in order; it ends on
# SIGTERM and when its peer closes.  Then the QEMU board boots with its NIC
# through the relay and U-Boot pings the namespace's address.
. "$(dirname "$0")/lib.sh"
need python3
: "${UB_DELAY_RELAY:?UB_DELAY_RELAY must point at ub-delay-relay}"
EXTRA_CLEANUP='[ -n "${RP:-}" ] && kill "$RP" 2>/dev/null; [ -n "${EP:-}" ] && kill "$EP" 2>/dev/null'
use_board
use_netns ub-relay
DELAY=5000   # us each way: well above this machine's scheduling noise

expect_exit 2 "usage on bad arguments" -- "$UB_DELAY_RELAY" tap0 "$T/r.sock" 5ms
expect_grep "usage: ub-delay-relay" "$T/err" "says how to call it"

# A UDP echo in the namespace: the frames' far end.  It says when it is
# bound: a datagram that beats it gets an ICMP error and never an echo.
$IN python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("10.77.0.1", 7777))
open(sys.argv[1], "w").write("bound")
while True:
    d, a = s.recvfrom(65536)
    s.sendto(d, a)
' "$T/echo.ready" & EP=$!
i=0; while [ ! -s "$T/echo.ready" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i + 1)); done
[ -s "$T/echo.ready" ] || { echo "FAIL: the UDP echo did not start"; exit 1; }

# The stand-in for QEMU: one ARP request (the namespace's kernel answers),
# then 40 UDP datagrams of random sizes and bytes sent back to back; every
# echo must come back whole, in order, no sooner than 2 * DELAY.
cat > "$T/vm.py" <<'PY'
import os, socket, struct, sys, time
sock, delay = sys.argv[1], int(sys.argv[2]) / 1e6
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
s.settimeout(30)   # a loaded machine, not the relay, sets this pace
mac, ns_ip, me_ip = bytes.fromhex("525400654321"), socket.inet_aton("10.77.0.1"), socket.inet_aton("10.77.0.2")
buf = b""
def send(frame):
    s.sendall(struct.pack("!I", len(frame)) + frame)
def arp(op, dst_mac, tha, tpa):
    return dst_mac + mac + b"\x08\x06" + struct.pack("!HHBBH", 1, 0x0800, 6, 4, op) + mac + me_ip + tha + tpa
def frames():
    global buf
    while True:
        while len(buf) >= 4 and len(buf) >= 4 + struct.unpack("!I", buf[:4])[0]:
            n = struct.unpack("!I", buf[:4])[0]
            f, buf = buf[4:4 + n], buf[4 + n:]
            # the kernel may check who 10.77.0.2 is again: answer it
            if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x01" and f[38:42] == me_ip:
                send(arp(2, f[6:12], f[22:28], f[28:32]))
                continue
            yield f
        buf += s.recv(65536)
def csum(h):
    t = sum(struct.unpack("!%dH" % (len(h) // 2), h))
    while t >> 16:
        t = (t & 0xffff) + (t >> 16)
    return ~t & 0xffff
rx = frames()
t = time.monotonic()
send(arp(1, b"\xff" * 6, b"\0" * 6, ns_ip))
for f in rx:
    if f[12:14] == b"\x08\x06" and f[20:22] == b"\x00\x02":
        ns_mac = f[22:28]
        break
rtt = time.monotonic() - t
print("arp round trip %.1f ms" % (rtt * 1e3))
if rtt < 2 * delay:
    sys.exit("FAIL: the ARP answer came back in %.1f ms, before 2 x the delay" % (rtt * 1e3))
sent = []
for i in range(40):
    data = struct.pack("!I", i) + os.urandom(int.from_bytes(os.urandom(2), "big") % 1400)
    udp = struct.pack("!HHHH", 40000, 7777, 8 + len(data), 0) + data   # no UDP checksum (IPv4 allows it)
    ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(udp), i, 0, 64, 17, 0, me_ip, ns_ip)
    ip = ip[:10] + struct.pack("!H", csum(ip)) + ip[12:]
    sent.append((data, time.monotonic()))
    send(ns_mac + mac + b"\x08\x00" + ip + udp)
got = 0
for f in rx:
    if f[12:14] != b"\x08\x00" or f[23] != 17:
        continue
    data, t = sent[got]
    back = f[14 + 20 + 8:14 + 20 + 8 + len(data)]
    took = time.monotonic() - t
    if back != data:
        sys.exit("FAIL: echo %d came back different (or out of order)" % got)
    if took < 2 * delay:
        sys.exit("FAIL: echo %d came back in %.1f ms, before 2 x the delay" % (got, took * 1e3))
    got += 1
    if got == len(sent):
        break
print("40 datagrams back intact and in order; the last took %.1f ms" % (took * 1e3))
PY
$IN "$UB_DELAY_RELAY" -p "$T/r.pid" tap0 "$T/r.sock" $DELAY 2>"$T/relay.log" & RP=$!
i=0; while [ ! -s "$T/r.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect_exit 0 "frames cross the relay, delayed each way, intact and in order" -- python3 "$T/vm.py" "$T/r.sock" $DELAY
cat "$T/out"
i=0; while kill -0 "$RP" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect_exit 0 "the relay ends when its peer closes" -- wait "$RP"
expect_grep "4[1-9] frames .* to the tap, .*link closed" "$T/relay.log" "and counts what it carried"

rm -f "$T/r.pid"
$IN "$UB_DELAY_RELAY" -p "$T/r.pid" tap0 "$T/r.sock" $DELAY 2>"$T/relay.log" & RP=$!
i=0; while [ ! -s "$T/r.pid" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
kill -TERM "$RP"
expect_exit 0 "SIGTERM ends it cleanly" -- wait "$RP"
RP=
[ ! -e "$T/r.sock" ] && echo "ok: its socket is gone" || { echo "FAIL: $T/r.sock left behind"; FAILS=$((FAILS + 1)); }

# The board, its NIC through the relay: U-Boot's ping gets its answer.
export UB_DELAY_RELAY
"$BOARD" install "$B" 1.0.0
PAUSED=1 RELAY_DELAY_US=2000 "$BOARD" start "$B" "$NS" tap0
python3 - "$B/console.sock" "$BOARD" "$B" > "$T/ping.txt" <<'PY'
import socket, subprocess, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(0.2)
subprocess.run([sys.argv[2], "resume", sys.argv[3]], check=True)
def until_prompt(wait):
    out, end, poke = b"", time.time() + wait, 0
    while time.time() < end and not out.rstrip().endswith(b"=>"):
        if poke and time.time() > poke:   # stop autoboot, however late it shows
            s.sendall(b"\n")
            poke = time.time() + 0.5
        try:
            got = s.recv(65536)
        except socket.timeout:
            continue
        out += got
        if b"autoboot" in got:
            s.sendall(b"\n")
            poke = time.time() + 0.5
    return out.decode(errors="replace")
until_prompt(90)
s.sendall(b"setenv autoload no; setenv ipaddr 10.77.0.2; setenv serverip 10.77.0.1\n")
until_prompt(5)
s.sendall(b"ping 10.77.0.1\n")
print(until_prompt(30))
PY
expect_grep "host 10.77.0.1 is alive" "$T/ping.txt" "U-Boot's ping crosses the relay"
rp=$(cat "$B/relay.pid")
"$BOARD" stop "$B"
# Gone, or a zombie its new parent (this machine's init) has not reaped
# yet: kill -0 cannot tell those from running.  The relay removes its pid
# file as it leaves, so stop may not wait for its last moments (under ASan
# the leak check, traced, state t): give it 10 s.
i=0
while state=$(sed 's/.*) //' "/proc/$rp/stat" 2>/dev/null | cut -d' ' -f1) &&
	[ -n "$state" ] && [ "$state" != Z ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
[ -n "$state" ] && [ "$state" != Z ] && { echo "FAIL: the relay outlived the board ($state)"; FAILS=$((FAILS + 1)); } || echo "ok: stop ends the relay too"
finish
