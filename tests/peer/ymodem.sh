#!/bin/sh
# unbrick's YMODEM sender against lrzsz's receiver (rb), over a socket
# pair: files of awkward sizes arrive whole, with their name and size.
. "$(dirname "$0")/lib.sh"
need rb python3
: "${UB_YMODEM_SEND:?}"
RB=$(command -v rb)

send() {   # send FILE: runs the sender and rb on the two ends of a socketpair
	python3 - "$UB_YMODEM_SEND" "$RB" "$1" "$T/rx" <<'PY'
import os, socket, subprocess, sys
sender, rb, path, rx = sys.argv[1:]
os.makedirs(rx, exist_ok=True)
a, b = socket.socketpair()
recv = subprocess.Popen([rb, "--ymodem", "-y", "-q"], stdin=a.fileno(), stdout=a.fileno(),
                        stderr=subprocess.DEVNULL, cwd=rx)
send = subprocess.Popen([sender, str(b.fileno()), path], pass_fds=[b.fileno()])
a.close(); b.close()
try:
    rs, rr = send.wait(timeout=120), recv.wait(timeout=30)
except subprocess.TimeoutExpired:
    send.kill(); recv.kill(); sys.exit("timed out")
sys.exit(0 if rs == 0 and rr == 0 else 1)
PY
}

for size in 0 1 127 128 129 1023 1024 1025 300001; do
	head -c $size /dev/urandom > "$T/f$size.bin"
	if send "$T/f$size.bin" && cmp -s "$T/f$size.bin" "$T/rx/f$size.bin"; then
		echo "ok: $size bytes arrive whole"
	else
		echo "FAIL: $size bytes"; FAILS=$((FAILS + 1))
	fi
done
finish
