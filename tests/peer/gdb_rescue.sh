#!/bin/sh
# The bootloader itself is gone: rescue through a debug probe.  QEMU's ARM
# virt machine started with -S -gdb tcp:127.0.0.1:PORT (its gdbstub is the
# probe, no root needed), the loader U-Boot built to run from RAM
# (scripts/build-uboot-ram), Debian's u-boot.bin the image.  gdb-multiarch
# reads the same stub in the same test: what it sees must be what our
# protocol read and wrote.
#   - a board whose bootloader is garbage: identify and backup through the
#     probe against gdb-multiarch's registers and dumps and the flash
#     files (and the backup through a pty); loaders for another CPU, over
#     the flash, or whose sha256 is wrong are refused and nothing is
#     loaded; the probe's connection dropped mid-load stops the run with
#     nothing written, and --resume finishes the rescue;
#   - another such board: a loader that never prompts (4 KiB of ARM
#     "b ." put in RAM) is reported with the CPU's PC and state, the CPU
#     left halted and the flash untouched;
#   - a board with both NOR banks erased: diagnosed from its silent
#     console (a programmer's way, which this family is), then the whole
#     rescue, from nothing on the console to Debian's bootloader booting
#     from flash (the flash image then equals u-boot.bin at offset 0; QEMU
#     writes pflash back to its file).
. "$(dirname "$0")/lib.sh"
need qemu-system-arm gdb-multiarch python3
LOADER=/var/cache/unbrick/peers/u-boot-ram/qemu_arm/u-boot.bin
STOCK=/usr/lib/u-boot/qemu_arm/u-boot.bin
[ -f "$LOADER" ] || { echo "SKIP: $LOADER missing (scripts/build-uboot-ram builds it, as root)"; exit 77; }
[ -f "$STOCK" ] || { echo "SKIP: u-boot-qemu not installed"; exit 77; }
STOCK_SHA=$(sha256sum "$STOCK" | cut -d' ' -f1)
STOCK_LEN=$(stat -c %s "$STOCK")

GBOARD="$SRCDIR/tests/board/qemu-gdb-board"
boards=""
# board DIR KIND (tests/board/qemu-gdb-board); sets PORT
board() {
	"$GBOARD" start "$1" "$2"
	PORT=$(cat "$1/port")
	boards="$boards $1"
}
trap 'for d in $boards; do "$GBOARD" stop "$d"; done; rm -rf "$T"' EXIT

# gdb-multiarch on the same stub: commands, then it lets go without
# resuming the CPU (disconnect, not detach).
gdbx() {
	port=$1; shift
	for c in "$@"; do set -- "$@" -ex "$c"; shift; done
	gdb-multiarch -nx -batch -ex "set architecture arm" -ex "target remote 127.0.0.1:$port" "$@" \
		-ex disconnect 2>&1
}

# profile FILE LOADER SHA256 [TIMEOUT]: the test board's profile.
profile() {
	cat >"$1" <<EOF
{
  "name": "qemu-virt-arm-gdb",
  "description": "QEMU's ARM virt machine through its gdbstub, its bootloader gone; the loader is U-Boot built to run from RAM.",
  "family": "gdb",
  "match": { "models": ["qemu-arm"] },
  "flash": [
    { "name": "u-boot", "storage": "nor", "offset": "0x0", "size": "0x100000", "erase_block": "0x40000", "role": "bootloader" },
    { "name": "env", "storage": "nor", "offset": "0x04000000", "size": "0x40000", "erase_block": "0x40000", "role": "config", "flags": ["config"], "restore": "any" }
  ],
  "loader": { "file": "$2", "sha256": "$3", "load_addr": "0x60800000", "entry": "0x60800000", "arch": "arm",
              "wait_for": "^U-Boot 20[0-9.]+\\\\+dfsg[^ ]*\\\\+ram ", "timeout": ${4:-20} },
  "recovery": { "prompt": "=> ", "stop_keys": " ", "load_addr": "0x40200000", "load_max": "0x2000000",
                "scratch_addr": "0x44400000", "nor_write_chunk": "0x40000" },
  "boot": { "success": "^U-Boot 2023\\\\.01\\\\+dfsg-[0-9]+\\\\+deb12u[0-9]+ \\\\(", "version_pattern": "^U-Boot ([^ ]+) \\\\(", "timeout": 30 }
}
EOF
}
profile "$T/good.json" "$LOADER" "$(sha256sum "$LOADER" | cut -d' ' -f1)"
profile "$T/wrong-sha.json" "$LOADER" "$STOCK_SHA"
# A loader that spins where it starts ("b ." over and over): it never
# prompts, and it cannot touch the flash, so whatever changes there is
# ours.  (Debian's own build, linked for 0x0, also never prompts, but run
# from RAM it stores into the flash's address range as it likes.)
python3 -c 'import sys; sys.stdout.buffer.write(b"\xfe\xff\xff\xea" * 1024)' >"$T/spin.bin"
profile "$T/silent.json" "$T/spin.bin" "$(sha256sum "$T/spin.bin" | cut -d' ' -f1)" 3

sums() { sha256sum "$1/flash0.img" "$1/flash1.img" | cut -d' ' -f1; }

# --- a board whose bootloader is garbage --------------------------------------
G="$T/garbage"
board "$G" garbage
GPORT=$PORT
DEV="gdb:tcp:127.0.0.1:$GPORT"
gdbx "$GPORT" "info registers pc cpsr" "dump binary memory $T/gdb-u-boot.bin 0 0x100000" \
	"dump binary memory $T/gdb-env.bin 0x04000000 0x04040000" >"$T/gdb1.txt"
expect_grep '^pc +0x0 ' "$T/gdb1.txt" "gdb-multiarch reads the stub (pc 0x0)"

expect_exit 0 "identify through the probe" -- "$UNBRICK" identify --device "$DEV" --profile "$T/good.json" --json
cp "$T/out" "$T/identify.json"
expect_json 'j["identity"]["hardware"].startswith("arm CPU halted (SIGTRAP) at pc 0x0, cpsr 0x")' "an arm CPU, halted at reset"
python3 - "$T/identify.json" "$T/gdb1.txt" <<'PY' && echo "ok: identify's pc and cpsr are gdb-multiarch's" || { echo "FAIL: identify's registers differ from gdb-multiarch's"; FAILS=$((FAILS + 1)); }
import json, re, sys
hw = json.load(open(sys.argv[1]))["identity"]["hardware"]
g = open(sys.argv[2]).read()
ours = dict((k, int(v, 16)) for k, v in re.findall(r"(pc|cpsr) (0x[0-9a-f]+)", hw))
theirs = dict((k, int(v, 16)) for k, v in re.findall(r"^(pc|cpsr) +(0x[0-9a-f]+)", g, re.M))
assert ours == theirs and len(ours) == 2, (ours, theirs)
PY

expect_exit 0 "backup through the probe (no console needed)" -- "$UNBRICK" backup --device "$DEV" --profile "$T/good.json" -o "$T/bk" --json
python3 - "$T/bk" "$G" "$T" <<'PY' && echo "ok: the backup equals the flash files and gdb-multiarch's dumps" || { echo "FAIL: the backup differs"; FAILS=$((FAILS + 1)); }
import hashlib, json, sys
bk, g, t = sys.argv[1:]
man = json.load(open(bk + "/manifest.json"))
want = {"u-boot": (g + "/flash0.img", 0, 1 << 20, t + "/gdb-u-boot.bin"),
        "env": (g + "/flash1.img", 0, 0x40000, t + "/gdb-env.bin")}
assert sorted(r["region"] for r in man["regions"]) == ["env", "u-boot"]
for r in man["regions"]:
    path, off, size, dump = want[r["region"]]
    with open(path, "rb") as f:
        f.seek(off); ref = f.read(size)
    got = open(bk + "/" + r["file"], "rb").read()
    assert got == ref and got == open(dump, "rb").read(), r["region"]
    assert hashlib.sha256(got).hexdigest() == r["sha256"]
assert man["regions"][0]["region"] == "u-boot" and len(set(open(bk + "/u-boot.bin", "rb").read())) > 200
PY
# The same through a pseudo-terminal (the serial-port path a Black Magic
# Probe takes): a relay between a pty and the stub.
python3 - "$GPORT" "$T/pty" <<'PY' &
import os, selectors, socket, sys, time, tty
m, s = os.openpty()
tty.setraw(s)
name = os.ttyname(s)
os.close(s)                      # the client's close is then seen as EIO
q = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
open(sys.argv[2], "w").write(name)
sel = selectors.DefaultSelector()
sel.register(m, selectors.EVENT_READ); sel.register(q, selectors.EVENT_READ)
seen = False
end = time.time() + 60
while time.time() < end:
    for k, _ in sel.select(1):
        if k.fileobj == q:
            d = q.recv(65536)
            if not d:
                sys.exit(0)
            os.write(m, d)
            continue
        try:
            d = os.read(m, 65536)
        except OSError:          # nobody has the pty open (yet, or any more)
            if seen:
                sys.exit(0)
            time.sleep(0.05)
            continue
        seen = True
        q.sendall(d)
PY
PTYRELAY=$!
i=0; while [ ! -s "$T/pty" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
expect_exit 0 "backup through a pty (gdb:pty:)" -- "$UNBRICK" backup --device "gdb:pty:$(cat "$T/pty")" --profile "$T/good.json" -o "$T/bk-pty" --json
wait $PTYRELAY 2>/dev/null || true
cmp -s "$T/bk/u-boot.bin" "$T/bk-pty/u-boot.bin" && cmp -s "$T/bk/env.bin" "$T/bk-pty/env.bin" &&
	echo "ok: the same backup through the pty" || { echo "FAIL: the backup through the pty differs"; FAILS=$((FAILS + 1)); }
BEFORE=$(sums "$G")

# Loaders refused before anything reaches the CPU: one for another CPU,
# one whose load address is the profile's flash (the probe writes RAM only)
sed 's/"arch": "arm"/"arch": "aarch64"/' "$T/good.json" >"$T/arch.json"
expect_exit 3 "a loader for another CPU" -- "$UNBRICK" recover "$STOCK" --device "$DEV,console=unix:$G/console.sock" \
	--profile "$T/arch.json" --region u-boot --unlock u-boot --yes --sha256 "$STOCK_SHA" --json
expect_json 'j["error"]["advice_id"] == "loader-arch" and "built for aarch64 and this CPU is arm" in j["error"]["message"]' "loader-arch: aarch64 against the target description's arm"
sed 's/"load_addr": "0x60800000", "entry": "0x60800000"/"load_addr": "0x80000", "entry": "0x80000"/' "$T/good.json" >"$T/on-flash.json"
expect_exit 3 "a loader whose load address is in the profile's NOR" -- "$UNBRICK" recover "$STOCK" --device "$DEV,console=unix:$G/console.sock" \
	--profile "$T/on-flash.json" --region u-boot --unlock u-boot --yes --sha256 "$STOCK_SHA" --json
expect_json '"over region u-boot" in j["error"]["message"] and "RAM only" in j["error"]["message"]' "refused: the probe writes RAM only"

expect_exit 3 "a loader whose sha256 is not the profile's is refused" -- "$UNBRICK" recover "$STOCK" --device "$DEV,console=unix:$G/console.sock" \
	--profile "$T/wrong-sha.json" --region u-boot --unlock u-boot --yes --sha256 "$STOCK_SHA" --json
expect_json 'j["error"]["advice_id"] == "checksum-mismatch" and "nothing was loaded" in j["error"]["message"]' "checksum-mismatch: nothing was loaded"
gdbx "$GPORT" "info registers pc" "x/4wx 0x60800000" >"$T/gdb2.txt"
expect_grep '^pc +0x0 ' "$T/gdb2.txt" "the PC was not touched"
expect_grep '0x60800000:.*0x00000000.*0x00000000.*0x00000000.*0x00000000' "$T/gdb2.txt" "nothing in RAM at the load address"

# The probe's connection cut mid-load: a relay that closes both sides after
# 400 KB from us (the loader is 790 KB, twice that in hex).
RPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
python3 - "$RPORT" "$GPORT" 400000 <<'PY' &
import selectors, socket, sys
lport, qport, limit = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
ls = socket.socket(); ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.0.0.1", lport)); ls.listen(1); ls.settimeout(60)
c, _ = ls.accept()
q = socket.create_connection(("127.0.0.1", qport))
for x in (c, q):   # each packet on at once, as a probe's link would
    x.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
sel = selectors.DefaultSelector()
sel.register(c, selectors.EVENT_READ, q); sel.register(q, selectors.EVENT_READ, c)
sent = 0
while sent < limit:
    for key, _ in sel.select(30):
        d = key.fileobj.recv(65536)
        if not d:
            sent = limit
            break
        key.data.sendall(d)
        if key.fileobj is c:
            sent += len(d)
c.close(); q.close()
PY
RELAY=$!
sleep 0.3
expect_exit 4 "the probe's connection dropped mid-load" -- "$UNBRICK" recover "$STOCK" --device "gdb:tcp:127.0.0.1:$RPORT,console=unix:$G/console.sock" \
	--profile "$T/good.json" --region u-boot --unlock u-boot --yes --sha256 "$STOCK_SHA" --json
wait $RELAY 2>/dev/null || true
expect_json 'j["error"]["advice_id"] == "probe-lost" and j["steps"]["backup"]["regions"] == 2' "probe-lost, in the loader step, after the backup"
CASE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$T/out")
[ "$(sums "$G")" = "$BEFORE" ] && echo "ok: nothing was written to flash" || { echo "FAIL: the flash changed"; FAILS=$((FAILS + 1)); }
expect_exit 0 "--resume finishes the rescue through the probe itself" -- "$UNBRICK" recover "$STOCK" --device "$DEV,console=unix:$G/console.sock" \
	--profile "$T/good.json" --region u-boot --unlock u-boot --yes --sha256 "$STOCK_SHA" --resume "$CASE" --json
expect_json 'j["status"] == "repaired" and j["verified"] and j["boot"]["version"].startswith("2023.01+dfsg")' "repaired, verified and booted"
cmp -s -n "$STOCK_LEN" "$G/flash0.img" "$STOCK" && echo "ok: the garbage bootloader is Debian's u-boot.bin again" ||
	{ echo "FAIL: flash0.img does not start with u-boot.bin"; FAILS=$((FAILS + 1)); }
"$GBOARD" stop "$G"

# --- a loader that never prompts, on a board of its own -------------------------
# (QEMU's TCG keeps code it ran from flash after the flash is rewritten, so
# the board rescued above must not have run any: see the diagnosis below)
G="$T/silent"
board "$G" garbage
GPORT=$PORT
DEV="gdb:tcp:127.0.0.1:$GPORT"
BEFORE=$(sums "$G")
expect_exit 1 "a loader that never prompts" -- "$UNBRICK" recover "$STOCK" --device "$DEV,console=unix:$G/console.sock" \
	--profile "$T/silent.json" --region u-boot --unlock u-boot --yes --sha256 "$STOCK_SHA" --json
expect_json 'j["error"]["advice_id"] == "loader-silent"' "reported as loader-silent"
expect_json '"within 3 s" in j["error"]["message"] and "nothing was written to flash" in j["error"]["message"]' "within the profile's timeout, nothing written"
expect_json '__import__("re").search(r"The CPU is halted \(SIGINT\) at pc 0x[0-9a-f]+, cpsr 0x[0-9a-f]+", j["error"]["message"])' "with the CPU's PC and state"
case "$("$GBOARD" status "$G")" in
paused*) echo "ok: the CPU is left halted" ;;
*) echo "FAIL: the VM is $("$GBOARD" status "$G")"; FAILS=$((FAILS + 1)) ;;
esac
[ "$(sums "$G")" = "$BEFORE" ] && echo "ok: the flash is untouched" || { echo "FAIL: the flash changed"; FAILS=$((FAILS + 1)); }
# what our protocol wrote, as gdb-multiarch reads it: the loader's first
# 4 KiB (its vectors and start code, which nothing writes)
gdbx "$GPORT" "info registers pc" "dump binary memory $T/gdb-ram.bin 0x60800000 0x60801000" >"$T/gdb3.txt"
cmp -s "$T/spin.bin" "$T/gdb-ram.bin" && echo "ok: gdb-multiarch reads the loader where we wrote it" ||
	{ echo "FAIL: the loader in RAM differs as gdb-multiarch reads it"; FAILS=$((FAILS + 1)); }
python3 - "$T/out" "$T/gdb3.txt" <<'PY' && echo "ok: the PC reported is where gdb-multiarch finds the CPU" || { echo "FAIL: reported PC differs"; FAILS=$((FAILS + 1)); }
import json, re, sys
ours = int(re.search(r"at pc (0x[0-9a-f]+)", json.load(open(sys.argv[1]))["error"]["message"]).group(1), 16)
theirs = int(re.search(r"^pc +(0x[0-9a-f]+)", open(sys.argv[2]).read(), re.M).group(1), 16)
assert ours == theirs, (ours, theirs)
PY

"$GBOARD" stop "$G"

# --- both NOR banks erased: the whole rescue -----------------------------------
E="$T/erased"
board "$E" erased
# First the technician's diagnosis, the board's console heard through the
# gdb family's capture: nothing prints, so the way is a programmer's,
# which a debug probe is.  The CPU stays held meanwhile, which prints
# nothing as a bootloader that is gone does: let run, QEMU's TCG would keep
# the code it translated from the erased flash after U-Boot rewrites it
# (writes to a ROM device invalidate no translations), and run that after
# the reset instead of the new bootloader; a real board's reset does not.
"$UNBRICK" case new --json >"$T/case.json" 2>/dev/null
ECASE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"]["id"])' "$T/case.json")
expect_exit 0 "diagnose the board through its console" -- "$UNBRICK" diagnose --device "gdb:tcp:127.0.0.1:$PORT,console=unix:$E/console.sock" \
	--listen 2 --case "$ECASE" --json
expect_json 'j["diagnosis"]["path"] == "programmer" and not j["diagnosis"]["bootloader_seen"]' "diagnosis: nothing on the console, a programmer's way"

# reset=: a monitor command (qRcmd) before the loader goes in, QEMU's own;
# the case's diagnosis lets this family in
expect_exit 0 "the whole rescue from erased flash" -- "$UNBRICK" recover "$STOCK" --device "gdb:tcp:127.0.0.1:$PORT,console=unix:$E/console.sock,reset=system_reset" \
	--profile "$T/good.json" --region u-boot --unlock u-boot --yes --sha256 "$STOCK_SHA" --resume "$ECASE" --json
cp "$T/out" "$T/rescue.json"
expect_grep '^gdb: monitor system_reset' "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folder"])' "$T/rescue.json")/logs/console.log" "the monitor command ran (the case's log says so)"
expect_json 'j["status"] == "repaired" and j["summary"] == "written, verified on the device, and booted"' "written, verified on the device, and booted"
expect_json 'j["boot"]["version"] == "2023.01+dfsg-2+deb12u3" or j["boot"]["version"].startswith("2023.01+dfsg-")' "the booted version is Debian's (not the +ram loader)"
expect_json 'j["steps"]["loader"]["sha256"] == __import__("hashlib").sha256(open(j["steps"]["loader"]["file"],"rb").read()).hexdigest()' "the loader step recorded the loader's sha256"
expect_json 'j["blocks"]["written"] == 4 and j["steps"]["flash"]["via"] == "probe"' "4 blocks written, their bytes into RAM through the probe"
python3 - "$E" "$STOCK" "$T/rescue.json" <<'PY' && echo "ok: flash0.img is u-boot.bin at offset 0, erased after it; the backup was the erased flash" || { echo "FAIL: flash or backup wrong"; FAILS=$((FAILS + 1)); }
import json, sys
e, stock, res = sys.argv[1:]
def erased(b):
    return b == b"\xff" * len(b)
img = open(stock, "rb").read()
f0 = open(e + "/flash0.img", "rb").read()
assert len(f0) == 64 << 20 and f0[:len(img)] == img and erased(f0[len(img):])
assert erased(open(e + "/flash1.img", "rb").read())
bk = json.load(open(res))["backup"]
assert erased(open(bk + "/u-boot.bin", "rb").read()) and erased(open(bk + "/env.bin", "rb").read())
assert len(open(bk + "/u-boot.bin", "rb").read()) == 1 << 20
PY
finish
