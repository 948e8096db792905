#!/bin/sh
# Reading a board through U-Boot's netconsole: Debian's u-boot-imx (SABRE
# Lite build, which has netconsole) on QEMU's sabrelite, its Ethernet on a
# tap device in a network namespace this test creates, its SPI NOR holding
# data to back up.  The dump's text comes as UDP datagrams to unbrick on
# 10.77.0.1; commands stay on the console.  Checked: a board without a MAC
# address, or a firewall that drops the datagrams, means the console, and
# unbrick says why;
# with one, the backup comes through the netconsole and equals the chip,
# also when the network loses datagrams (the lines lost asked for again);
# the board's network variables are as they were afterwards (set ones
# back, unset ones unset) and its console answers on the serial line; a
# port this machine cannot listen on, or --read-via console, means the
# console; read_via=netconsole that cannot be had is an error, with the
# chip untouched throughout.  Last, the board's console moves to the
# netconsole itself: identify, backup (also losing dump lines) and a flash
# by TFTP through it alone.
. "$(dirname "$0")/lib.sh"
need qemu-system-arm python3 ip nft
IMX=${UB_IMX_UBOOT:-/var/cache/unbrick/peers/u-boot-imx/usr/lib/u-boot/mx6qsabrelite/u-boot-dtb.imx}
[ -f "$IMX" ] || { echo "SKIP: $IMX missing (scripts/setup unpacks it)"; exit 77; }

stop_qemu() {
	[ -s "$T/q.pid" ] || return 0
	pid=$(cat "$T/q.pid")
	kill "$pid" 2>/dev/null || return 0
	i=0
	while [ -d "/proc/$pid" ] && [ "$i" -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	kill -9 "$pid" 2>/dev/null || true
}
EXTRA_CLEANUP=stop_qemu
trap 'eval "$EXTRA_CLEANUP"; rm -rf "$T"' EXIT
use_netns ub-nc

# The chip: 320 KiB of data in the region (a dump of its every piece), the
# rest erased.
python3 - "$T" <<'PY'
import random, sys
t = sys.argv[1]
r = random.Random(11)
chip = bytearray(b"\xff" * (2 << 20))
chip[0x100000:0x150000] = bytes(r.randrange(256) for _ in range(0x50000))
open(t + "/spi.img", "wb").write(chip)
open(t + "/spi.before", "wb").write(chip)
PY
set -- $(python3 -c 'import struct,sys; h=open(sys.argv[1],"rb").read(32); print(*("0x%x" % v for v in struct.unpack("<8I", h)[1:6:4]))' "$IMX")
$IN qemu-system-arm -M sabrelite -smp 1 -m 1G -display none -monitor none \
	-device loader,file="$IMX",addr="$2",force-raw=on -device loader,addr="$1",cpu-num=0 \
	-drive if=mtd,format=raw,file="$T/spi.img" -nic tap,ifname=tap0,script=no,downscript=no \
	-serial null -serial unix:"$T/con.sock",server=on,wait=off -daemonize -pidfile "$T/q.pid" </dev/null
DEV="uboot:unix:$T/con.sock"

cat > "$T/p.json" <<JSON
{
  "name": "qemu-sabrelite-nc",
  "description": "QEMU's sabrelite with Debian's u-boot-imx, its SPI NOR and its Ethernet",
  "family": "uboot",
  "match": { "models": ["nitrogen6x"] },
  "identity": { "model_var": "board_name", "serial_var": "serial#" },
  "flash": [
    { "name": "firmware", "storage": "sf", "dev": 0, "offset": "0x100000", "size": "0x80000", "erase_block": "0x1000", "flags": ["firmware"] }
  ],
  "recovery": {
    "prompt": "=> ",
    "stop_keys": " ",
    "load_addr": "0x12000000",
    "scratch_addr": "0x14000000",
    "scratch_max": "0x00100000",
    "network": { "server_ip": "10.77.0.1", "device_ip": "10.77.0.2" }
  }
}
JSON

# Commands typed on the board's console, their output on stdout.
board() {
	python3 - "$T/con.sock" "$@" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
s.settimeout(0.3)
def until_prompt(limit, poke=False):
    out, end = b"", time.time() + limit
    while time.time() < end and not out.endswith(b"=> "):
        try:
            out += s.recv(4096)
        except socket.timeout:
            if poke:   # stop autoboot, or get a fresh prompt
                s.sendall(b" \x03")
    return out
until_prompt(60, poke=True)
time.sleep(0.3)
until_prompt(0.5)
for cmd in sys.argv[2:]:
    s.sendall(cmd.encode() + b"\n")
    print(until_prompt(10).decode(errors="replace"))
PY
}

backup_is_chip() {   # backup_is_chip DIR WHAT
	python3 - "$1/firmware.bin" "$T/spi.before" <<'PY' && echo "ok: $2" || { echo "FAIL: $2"; FAILS=$((FAILS + 1)); }
import sys
got, chip = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
assert got == chip[0x100000:0x180000], "the backup is not the chip's region"
PY
}

# No MAC address: U-Boot cannot bring its Ethernet up, which its ping of
# this machine says before any dump.
expect_exit 0 "backup from a board without a MAC address" -- $IN "$UNBRICK" backup --device "$DEV" --profile "$T/p.json" -o "$T/bk-nomac" --json
expect_json 'j["backup"]["read_via"] == "console"' "the result says it was read over the console"
expect_grep "netconsole: the board cannot reach 10.77.0.1; it said: (Error: ethernet@[0-9a-f]+ address not set\.|\*\*\* ERROR: .ethaddr. not set); reading over the console" "$T/err" "says why in the board's words, and reads over the console"
if grep -q "reading through the netconsole" "$T/err"; then
	echo "FAIL: said it reads through the netconsole, which it could not"; FAILS=$((FAILS + 1))
else
	echo "ok: never claimed the netconsole"
fi
backup_is_chip "$T/bk-nomac" "that backup equals the chip"
expect_exit 4 "read_via=netconsole from a board without a MAC address" -- $IN "$UNBRICK" backup --device "$DEV,read_via=netconsole" --profile "$T/p.json" -o "$T/bk-nomac2"
expect_grep "netconsole: the board cannot reach 10.77.0.1" "$T/err" "fails, saying why"

# The board's own settings, to be found again afterwards.  The addresses
# come from the command line this time, for a profile that has none.
board "setenv ethaddr 52:54:00:12:34:56" "setenv ipaddr 10.77.0.50" > /dev/null
python3 -c 'import json,sys; p=json.load(open(sys.argv[1])); del p["recovery"]["network"]; json.dump(p, open(sys.argv[2], "w"))' "$T/p.json" "$T/p-nonet.json"
expect_exit 0 "backup through the netconsole" -- $IN "$UNBRICK" backup --device "$DEV" --profile "$T/p-nonet.json" \
	--server-ip 10.77.0.1 --device-ip 10.77.0.2 -o "$T/bk-nc" --json
expect_json 'j["backup"]["read_via"] == "netconsole" and "asked_again" not in j["backup"]' "the result says it came through the netconsole"
expect_grep "reading through the netconsole: 10.77.0.2 sends to 10.77.0.1:6666" "$T/err" "the netconsole is used"
if grep -Eq "reading over the console|[1-9][0-9]* of them over the console" "$T/err"; then
	echo "FAIL: the console had to bring some of it:"; cat "$T/err"; FAILS=$((FAILS + 1))
else
	echo "ok: every line came through the netconsole"
fi
backup_is_chip "$T/bk-nc" "the backup through the netconsole equals the chip"
board "printenv ipaddr netmask ncip ncoutport" "coninfo" > "$T/env.txt"
expect_grep "^ipaddr=10.77.0.50" "$T/env.txt" "ipaddr is the board's own again"
for v in netmask ncip ncoutport; do
	expect_grep "\"$v\" not defined" "$T/env.txt" "$v is unset again"
done
expect_grep "^serial +[0-9a-f]{8} IO stdin stdout stderr" "$T/env.txt" "the console writes to the serial line again"

# The network loses every 40th datagram (a rule in the namespace's own
# firewall): the lines lost are asked for again and come.
$IN nft -f - <<'NFT'
table inet ubtest {
	chain in {
		type filter hook input priority 0;
		udp dport 6666 numgen inc mod 40 == 0 drop
	}
}
NFT
expect_exit 0 "backup while the network loses datagrams" -- $IN "$UNBRICK" backup --device "$DEV,read_via=netconsole" --profile "$T/p.json" -o "$T/bk-lossy" --json
expect_json 'j["backup"]["read_via"] == "netconsole" and j["backup"]["asked_again"] > 0' "the result says what was asked for again"
expect_grep "netconsole: [1-9][0-9]* of 20480 lines went missing on the network and were asked for again \(0 of them over the console\)" "$T/err" "the lost lines were asked for again and came through the netconsole"
backup_is_chip "$T/bk-lossy" "that backup equals the chip"
$IN nft delete table inet ubtest

# A firewall here drops it all: the ping goes through, nothing else.
$IN nft -f - <<'NFT'
table inet ubtest {
	chain in {
		type filter hook input priority 0;
		udp dport 6666 drop
	}
}
NFT
expect_exit 0 "backup while a firewall drops the netconsole" -- $IN "$UNBRICK" backup --device "$DEV" --profile "$T/p.json" -o "$T/bk-fw"
expect_grep "netconsole: nothing came from 10.77.0.2 to 10.77.0.1:6666; reading over the console" "$T/err" "says nothing came, and reads over the console"
backup_is_chip "$T/bk-fw" "that backup equals the chip"
$IN nft delete table inet ubtest

# Another program holds the port: the console, said why.
$IN python3 -c 'import socket,time; s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("10.77.0.1",6666)); time.sleep(120)' &
holder=$!
EXTRA_CLEANUP="kill $holder 2>/dev/null || true; $EXTRA_CLEANUP"
sleep 0.5
expect_exit 0 "backup while another program holds the port" -- $IN "$UNBRICK" backup --device "$DEV" --profile "$T/p.json" -o "$T/bk-held"
expect_grep "netconsole: cannot receive on 10.77.0.1:6666.*reading over the console" "$T/err" "says the port is taken"
backup_is_chip "$T/bk-held" "that backup equals the chip"
expect_exit 4 "read_via=netconsole while the port is held" -- $IN "$UNBRICK" backup --device "$DEV,read_via=netconsole" --profile "$T/p.json" -o "$T/bk-held2"
expect_grep "cannot receive on 10.77.0.1:6666" "$T/err" "fails, naming the port"
kill "$holder" 2>/dev/null || true

expect_exit 0 "--read-via console" -- $IN "$UNBRICK" backup --device "$DEV" --read-via console --profile "$T/p.json" -o "$T/bk-con"
if grep -q netconsole "$T/err"; then
	echo "FAIL: --read-via console touched the netconsole:"; cat "$T/err"; FAILS=$((FAILS + 1))
else
	echo "ok: --read-via console reads over the console"
fi
backup_is_chip "$T/bk-con" "that backup equals the chip"
expect_exit 2 "--read-via pigeon" -- "$UNBRICK" backup --device "$DEV" --read-via pigeon --profile "$T/p.json" -o "$T/bk-x"
expect_grep "read_via=pigeon: read_via takes one of tftpput.netconsole.console" "$T/err" "names the choices"
expect_exit 2 "--server-ip with two values" -- "$UNBRICK" backup --device "$DEV" --server-ip 10.77.0.1,read_via=console --profile "$T/p.json" -o "$T/bk-x"
expect_grep "server-ip takes one value" "$T/err" "refused before the board is reached"

cmp -s "$T/spi.img" "$T/spi.before" && echo "ok: the chip is untouched" ||
	{ echo "FAIL: the chip changed"; FAILS=$((FAILS + 1)); }

# A board whose console is its netconsole, with no serial cable: stdin,
# stdout and stderr on nc, as such a board's U-Boot sets them itself
# before autoboot (here over the serial line, which is not used again).
# unbrick reaches it by its address alone, on a profile with no network
# settings: this machine's address is the one the route to it leaves from.
board "setenv ethaddr 52:54:00:12:34:56" "setenv ipaddr 10.77.0.2" "setenv ncip 10.77.0.1" \
	"setenv stdin nc; setenv stdout nc; setenv stderr nc" >/dev/null
NDEV="uboot:netconsole:10.77.0.2"
expect_exit 0 "identify through the netconsole alone" -- $IN "$UNBRICK" identify --device "$NDEV" --profile "$T/p-nonet.json" --json
expect_json 'j["identity"]["model"] == "nitrogen6x" and j["identity"]["hardware"].startswith("SPI NOR sst25vf016b")' "the board answers over UDP"
expect_exit 0 "backup through the netconsole alone" -- $IN "$UNBRICK" backup --device "$NDEV" --profile "$T/p-nonet.json" -o "$T/bk-ncc" --json
backup_is_chip "$T/bk-ncc" "that backup equals the chip"
expect_json 'j["backup"]["read_via"] == "netconsole"' "the result says it came through the netconsole"

# Every 10th line of a dump lost (md.l's lines are the board's only
# 63-byte datagrams): asked for again, and the backup still the chip.
$IN nft -f - <<'NFT'
table inet ubtest {
	chain in {
		type filter hook input priority 0;
		udp dport 6666 udp length 71 numgen inc mod 10 == 0 drop
	}
}
NFT
expect_exit 0 "backup through the netconsole alone, a tenth of the dump lost" -- $IN "$UNBRICK" backup --device "$NDEV" --profile "$T/p-nonet.json" -o "$T/bk-ncc-lossy" --json
backup_is_chip "$T/bk-ncc-lossy" "that backup equals the chip"
expect_json 'j["backup"]["asked_again"] > 0' "the result says what was asked for again"
expect_grep "netconsole: [1-9][0-9]* of 20480 lines went missing on the network and were asked for again" "$T/err" "and so does the command"
$IN nft delete table inet ubtest

# A new image goes by TFTP, the only way through a netconsole.
python3 -c 'import random,sys; sys.stdout.buffer.write(bytes(random.Random(5).randrange(256) for _ in range(0x80000)))' > "$T/new.bin"
expect_exit 0 "flash through the netconsole alone" -- $IN "$UNBRICK" flash --allow-unverified "$T/new.bin" --device "$NDEV" --profile "$T/p-nonet.json" --backup "$T/bk-ncc" --yes --json
expect_json 'j["steps"]["flash"]["via"] == "tftp" and j["blocks"]["written"] == 128 and j["steps"]["verify"]["outcome"] == "ok"' "written by TFTP, every block, and verified"
python3 - "$T/spi.img" "$T/spi.before" "$T/new.bin" <<'PY' && echo "ok: the chip holds the image, and nothing else changed" || { echo "FAIL: the chip"; FAILS=$((FAILS + 1)); }
import sys
chip, before, img = (open(f, "rb").read() for f in sys.argv[1:])
assert chip[0x100000:0x180000] == img
assert chip[:0x100000] == before[:0x100000] and chip[0x180000:] == before[0x180000:]
PY
expect_exit 2 "YMODEM through a netconsole" -- $IN "$UNBRICK" flash --allow-unverified "$T/new.bin" --device "$NDEV" --via ymodem --profile "$T/p-nonet.json" --backup "$T/bk-ncc" --yes
expect_grep "via=ymodem cannot go through a netconsole" "$T/err" "says why, and that TFTP is the way"
finish
