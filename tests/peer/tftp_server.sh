#!/bin/sh
# unbrick's TFTP server against real clients from Debian on loopback:
# tftp-hpa's tftp, curl and atftp (with windowsize).  Sizes at the edges
# (empty, one block exactly, many blocks exactly, not a multiple) and one
# past 65535 blocks, so block numbers wrap.  Other names and writes are
# refused with TFTP errors the clients show.  Turned around (-r), it takes
# one upload of a known size, as U-Boot's tftpput sends a backup: from
# tftp-hpa, curl and atftp, the wrong sizes refused.
. "$(dirname "$0")/lib.sh"
need tftp curl atftp python3 cmp
: "${UB_TFTP_SERVE:?}"
PORT=$((20000 + $$ % 20000))
SRV_PID=
CL_PID=
# (each kill may find its process gone: under set -e a failing last
# command would turn the script's exit status into 1)
trap 'for p in $SRV_PID $CL_PID; do kill $p 2>/dev/null || true; done; rm -rf "$T"' EXIT
trap 'exit 1' INT TERM HUP

# serve FILE [MAX_BLKSIZE [MAX_WINDOW]]: starts the server on a fresh port.
serve() {
	PORT=$((PORT + 1))
	"$UB_TFTP_SERVE" 127.0.0.1 $PORT fw.bin "$@" >"$T/stats.json" 2>"$T/serve.err" &
	SRV_PID=$!
	i=0
	until grep -q listening "$T/serve.err" 2>/dev/null || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

# receive SIZE [MAX_BLKSIZE]: a receiving server on a fresh port, into got.bin.
receive() {
	PORT=$((PORT + 1))
	rm -f "$T/got.bin"
	"$UB_TFTP_SERVE" -r "$1" 127.0.0.1 $PORT up.bin "$T/got.bin" ${2:-} >"$T/stats.json" 2>"$T/serve.err" &
	SRV_PID=$!
	i=0
	until grep -q listening "$T/serve.err" 2>/dev/null || [ $i -gt 50 ]; do sleep 0.1; i=$((i + 1)); done
}

# refused_size WHAT: the receiving server failed saying the size was wrong.
refused_size() {
	rc=0; wait $SRV_PID || rc=$?; SRV_PID=
	if [ $rc -eq 1 ] && [ ! -e "$T/got.bin" ] &&
	   python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["advice"] == "tftp-size" else 1)' "$T/stats.json"; then
		echo "ok: $1"
	else
		echo "FAIL: $1 (server exit $rc)"; cat "$T/stats.json" "$T/serve.err"; FAILS=$((FAILS + 1))
	fi
}

# served WHAT: the server ended well and the copy equals the file.  The
# clients' own exit statuses are not trusted (tftp-hpa says 0 after an
# error) nor passed on (one of 77 would read as a skip): cmp decides.
served() {
	rc=0; wait $SRV_PID || rc=$?; SRV_PID=
	if [ $rc -eq 0 ] && cmp -s "$T/got.bin" "$1"; then echo "ok: $2"; else
		echo "FAIL: $2 (server exit $rc)"; cat "$T/serve.err"; FAILS=$((FAILS + 1)); fi
}

python3 - "$T" <<'PY'
import os, sys
t = sys.argv[1]
for name, size in [("empty", 0), ("one", 512), ("many", 512 * 40), ("odd", 3 * 1024 * 1024 + 7),
                   ("wrap", 512 * 65536 + 1000)]:
    with open(os.path.join(t, name + ".bin"), "wb") as f:
        f.write(os.urandom(size))
PY

for f in empty one many odd; do
	serve "$T/$f.bin"
	rm -f "$T/got.bin"
	tftp 127.0.0.1 $PORT -m binary -c get fw.bin "$T/got.bin" >"$T/client.log" 2>&1 || true
	served "$T/$f.bin" "tftp-hpa gets the $f file"
done

# verbose mode prints what it received: the size must be the file's
serve "$T/many.bin"
rm -f "$T/got.bin"
tftp -v 127.0.0.1 $PORT -m binary -c get fw.bin "$T/got.bin" >"$T/client.log" 2>&1 || true
served "$T/many.bin" "tftp-hpa -v gets the many file"
expect_grep "Received 20480 bytes" "$T/client.log" "tftp-hpa -v counts 20480 bytes"

serve "$T/wrap.bin"
rm -f "$T/got.bin"
tftp 127.0.0.1 $PORT -m binary -c get fw.bin "$T/got.bin" >"$T/client.log" 2>&1 || true
served "$T/wrap.bin" "tftp-hpa gets 65538 blocks of 512 (block numbers wrap)"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["blocks"] == 65538 and j["blksize"] == 512 else 1)' "$T/stats.json" &&
	echo "ok: the server counted every block" || { echo "FAIL: stats"; cat "$T/stats.json"; FAILS=$((FAILS + 1)); }

# A client killed mid-transfer: the server gives up after its retries (8 of
# 1 s) with the advice for a stalled transfer, and says so in its JSON.
serve "$T/wrap.bin"
rm -f "$T/got.bin"
tftp 127.0.0.1 $PORT -m binary -c get fw.bin "$T/got.bin" >"$T/client.log" 2>&1 &
CL_PID=$!
# Killed once data flows (a fixed sleep was too short on a loaded machine:
# the client was gone before it asked, and the server waited for a request).
i=0
while [ "$(stat -c %s "$T/got.bin" 2>/dev/null || echo 0)" -lt 4096 ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
kill $CL_PID 2>/dev/null || true
wait $CL_PID 2>/dev/null || true
CL_PID=
rc=0; wait $SRV_PID || rc=$?; SRV_PID=
if [ $rc -eq 1 ] && python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["advice"] == "tftp-timeout" and "stopped acknowledging" in j["error"] and not j["unconfirmed"] and 0 < j["bytes"] < 512 * 65536 else 1)' "$T/stats.json"; then
	echo "ok: a vanished client: the server gives up, saying where"
else
	echo "FAIL: vanished client (server exit $rc)"; cat "$T/stats.json" "$T/serve.err"; FAILS=$((FAILS + 1))
fi

serve "$T/odd.bin"
rm -f "$T/got.bin"
curl -sS --tftp-blksize 1468 -o "$T/got.bin" "tftp://127.0.0.1:$PORT/fw.bin" 2>"$T/client.log" || true
served "$T/odd.bin" "curl with blksize 1468"

for w in 1 8 64; do
	serve "$T/odd.bin" 1468 64   # the cap raised, so 64 is granted
	rm -f "$T/got.bin"
	atftp --option "blksize 1468" --option "windowsize $w" --option "tsize 0" -g -r fw.bin -l "$T/got.bin" 127.0.0.1 $PORT >"$T/client.log" 2>&1 || true
	served "$T/odd.bin" "atftp with windowsize $w"
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["windowsize"] == int(sys.argv[2]) and j["blksize"] == 1468 else 1)' "$T/stats.json" $w &&
		echo "ok: windowsize $w negotiated" || { echo "FAIL: negotiation"; cat "$T/stats.json"; FAILS=$((FAILS + 1)); }
done

# A client asking more than we grant gets what we grant.
serve "$T/odd.bin" 1024 4
rm -f "$T/got.bin"
atftp --option "blksize 8192" --option "windowsize 32" -g -r fw.bin -l "$T/got.bin" 127.0.0.1 $PORT >"$T/client.log" 2>&1 || true
served "$T/odd.bin" "atftp asking for more than the server grants"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["windowsize"] == 4 and j["blksize"] == 1024 else 1)' "$T/stats.json" &&
	echo "ok: capped at blksize 1024, windowsize 4" || { echo "FAIL: caps"; cat "$T/stats.json"; FAILS=$((FAILS + 1)); }

serve "$T/one.bin"
tftp 127.0.0.1 $PORT -m binary -c get other.bin "$T/other.bin" >"$T/client.log" 2>&1 || true
expect_grep "Error code 1: File not found" "$T/client.log" "another name: File not found"
tftp 127.0.0.1 $PORT -m binary -c put "$T/one.bin" fw.bin >"$T/client.log" 2>&1 || true
expect_grep "Error code 2: read-only" "$T/client.log" "a write is refused (access violation)"
# netascii, tftp-hpa's default mode, would change the bytes of an image
tftp 127.0.0.1 $PORT -c get fw.bin "$T/ascii.bin" >"$T/client.log" 2>&1 || true
expect_grep "Error code 0: only octet" "$T/client.log" "netascii is refused"
rc=0; curl -sS -o "$T/other.bin" "tftp://127.0.0.1:$PORT/other.bin" 2>"$T/client.log" || rc=$?
[ $rc -eq 68 ] && echo "ok: curl: another name, exit 68 (file not found)" ||
	{ echo "FAIL: curl on another name exit $rc"; cat "$T/client.log"; FAILS=$((FAILS + 1)); }
rc=0; curl -sS -T "$T/one.bin" "tftp://127.0.0.1:$PORT/fw.bin" 2>"$T/client.log" || rc=$?
[ $rc -eq 69 ] && echo "ok: curl: an upload, exit 69 (permission problem)" ||
	{ echo "FAIL: curl upload exit $rc"; cat "$T/client.log"; FAILS=$((FAILS + 1)); }
atftp -p -l "$T/one.bin" -r fw.bin 127.0.0.1 $PORT >"$T/client.log" 2>&1 || true
expect_grep "read-only" "$T/client.log" "atftp: a write is refused"
rm -f "$T/got.bin"
tftp 127.0.0.1 $PORT -m binary -c get fw.bin "$T/got.bin" >"$T/client.log" 2>&1 || true
served "$T/one.bin" "the right request after the refusals is served"

# ---- receiving (tftpput's side) ----
for f in empty one odd wrap; do
	receive "$(stat -c %s "$T/$f.bin")"
	tftp 127.0.0.1 $PORT -m binary -c put "$T/$f.bin" up.bin >"$T/client.log" 2>&1 || true
	served "$T/$f.bin" "tftp-hpa puts the $f file"
done
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["blocks"] == 65538 and j["bytes"] == 512 * 65536 + 1000 else 1)' "$T/stats.json" &&
	echo "ok: 65538 blocks received (block numbers wrap)" || { echo "FAIL: stats"; cat "$T/stats.json"; FAILS=$((FAILS + 1)); }

receive "$(stat -c %s "$T/odd.bin")"
curl -sS --tftp-blksize 1468 -T "$T/odd.bin" "tftp://127.0.0.1:$PORT/up.bin" 2>"$T/client.log" || true
served "$T/odd.bin" "curl uploads with blksize 1468 and its tsize"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["blksize"] == 1468 and j["windowsize"] == 1 else 1)' "$T/stats.json" &&
	echo "ok: blksize 1468 granted for a write, no window" || { echo "FAIL: write options"; cat "$T/stats.json"; FAILS=$((FAILS + 1)); }

receive "$(stat -c %s "$T/odd.bin")" 1024
atftp --option "blksize 8192" --option "tsize" -p -l "$T/odd.bin" -r up.bin 127.0.0.1 $PORT >"$T/client.log" 2>&1 || true
served "$T/odd.bin" "atftp uploads asking blksize 8192, granted the cap"
python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if j["blksize"] == 1024 else 1)' "$T/stats.json" &&
	echo "ok: atftp's write capped at blksize 1024" || { echo "FAIL: write cap"; cat "$T/stats.json"; FAILS=$((FAILS + 1)); }

# Sizes that are not the one asked: more (found on the block that runs
# over), fewer (found on the last block), another in tsize (before any).
receive $((512 * 40 - 1))
tftp 127.0.0.1 $PORT -m binary -c put "$T/many.bin" up.bin >"$T/client.log" 2>&1 || true
refused_size "a byte more than asked is refused"
expect_grep "Disk full" "$T/client.log" "tftp-hpa is told the disk is full"
receive $((512 * 40 + 1))
tftp 127.0.0.1 $PORT -m binary -c put "$T/many.bin" up.bin >"$T/client.log" 2>&1 || true
refused_size "a byte fewer than asked is refused"
expect_grep "20480 bytes as up.bin, not the 20481" "$T/serve.err" "the shortfall is said in numbers"
receive 1000
curl -sS -T "$T/many.bin" "tftp://127.0.0.1:$PORT/up.bin" 2>"$T/client.log" || true
refused_size "curl announcing another size in tsize is refused before any data"
expect_grep "going to send 20480 bytes" "$T/serve.err" "the announced size is quoted"

receive 512
tftp 127.0.0.1 $PORT -m binary -c get up.bin "$T/x.bin" >"$T/client.log" 2>&1 || true
expect_grep "write-only" "$T/client.log" "a receiving server refuses reads"
tftp 127.0.0.1 $PORT -m binary -c put "$T/one.bin" other.bin >"$T/client.log" 2>&1 || true
expect_grep "File not found" "$T/client.log" "a write of another name is refused"
tftp 127.0.0.1 $PORT -m binary -c put "$T/one.bin" up.bin >"$T/client.log" 2>&1 || true
served "$T/one.bin" "the right write after the refusals is taken"
finish
