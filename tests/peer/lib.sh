# Shared helpers for peer tests.  Source it: . "$(dirname "$0")/lib.sh"
# Each test gets a private temporary folder, removed on exit, and a private
# UNBRICK_HOME inside it.
set -eu

: "${UNBRICK:?UNBRICK must point at the unbrick binary}"
T=$(mktemp -d "${TMPDIR:-/tmp}/ub-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
export UNBRICK_HOME="$T/home"
export NO_COLOR=1
FAILS=0
# The system's python3 where there is one: a version manager's shim in
# front of it costs half a second a call, and the tests make hundreds.
if [ -x /usr/bin/python3 ]; then
	mkdir "$T/bin" && ln -s /usr/bin/python3 "$T/bin/python3" && PATH="$T/bin:$PATH"
fi

# Skips the whole test (exit 77) when a program is missing.
need() {
	for p in "$@"; do
		command -v "$p" >/dev/null 2>&1 || { echo "SKIP: $p not installed"; exit 77; }
	done
}

# expect_exit CODE DESCRIPTION -- COMMAND...: runs COMMAND, checks its exit
# status; stdout goes to $T/out, stderr to $T/err.
expect_exit() {
	want=$1; what=$2; shift 3
	set +e
	"$@" >"$T/out" 2>"$T/err"
	got=$?
	set -e
	if [ "$got" -ne "$want" ]; then
		echo "FAIL: $what: exit $got, expected $want"
		echo "--- stderr"; cat "$T/err"; echo "--- stdout"; cat "$T/out"
		FAILS=$((FAILS + 1))
		return 0
	fi
	echo "ok: $what"
}

# expect_grep PATTERN FILE DESCRIPTION: FILE must contain PATTERN (ERE).
expect_grep() {
	if grep -Eq -- "$1" "$2"; then
		echo "ok: $3"
	else
		echo "FAIL: $3: /$1/ not in $2:"; sed 's/^/  /' "$2"
		FAILS=$((FAILS + 1))
	fi
}

# expect_json FILTER DESCRIPTION: the JSON on $T/out satisfies a jq-like
# check done with python3 (FILTER is a Python expression over `j`).
expect_json() {
	if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/out" "$1"; then
		echo "ok: $2"
	else
		echo "FAIL: $2: $1 is false for:"; cat "$T/out"
		FAILS=$((FAILS + 1))
	fi
}

# Flips one byte at OFFSET of FILE.
flip_byte() {
	python3 - "$1" "$2" <<'PY'
import sys
p, off = sys.argv[1], int(sys.argv[2])
with open(p, 'r+b') as f:
    f.seek(off); b = f.read(1); f.seek(off); f.write(bytes([b[0] ^ 0xff]))
PY
}

# The QEMU board (tests/board/qemu-board): skips without QEMU or Debian's
# U-Boot, sets BOARD and B (the board's folder), and stops the board on exit
# (EXTRA_CLEANUP runs too, for what else a test started).
use_board() {
	need qemu-system-arm mkimage mformat sfdisk python3
	[ -f /usr/lib/u-boot/qemu_arm/u-boot.bin ] || { echo "SKIP: u-boot-qemu not installed"; exit 77; }
	BOARD="$SRCDIR/tests/board/qemu-board"
	B="$T/board"
	trap '"$BOARD" stop "$B"; eval "${EXTRA_CLEANUP:-:}"; rm -rf "$T"' EXIT
}

# A network namespace the test owns, NAME-PID, with tap0 at 10.77.0.1/24
# for the board's NIC: sets NS and IN (the prefix that runs a command
# inside), skips without root or /dev/net/tun, and deletes it on exit.
# Call after use_board (whose exit trap runs EXTRA_CLEANUP).
use_netns() {
	need ip
	[ "$(id -u)" = 0 ] || { echo "SKIP: a network namespace needs root"; exit 77; }
	[ -c /dev/net/tun ] || { echo "SKIP: no /dev/net/tun"; exit 77; }
	NS="$1-$$"
	EXTRA_CLEANUP="${EXTRA_CLEANUP:-:}; ip netns del \"\$NS\" 2>/dev/null || true"
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	ip -n "$NS" tuntap add dev tap0 mode tap
	ip -n "$NS" addr add 10.77.0.1/24 dev tap0
	ip -n "$NS" link set tap0 up
	IN="ip netns exec $NS"
}

# same_as_board DIR WHAT: every region of the backup in DIR equals the
# virt board's backing files in $B (qemu-virt-arm's flash map), and its
# manifest's sha256; at least one region.  The board runs on: nothing but
# the board writes them.
same_as_board() {
	python3 - "$1" "$B" <<'PY' && echo "ok: $2" || { echo "FAIL: $2"; FAILS=$((FAILS + 1)); }
import hashlib, json, sys
bk, b = sys.argv[1], sys.argv[2]
want = {"u-boot": (b + "/flash0.img", 0, 1 << 20),
        "env": (b + "/flash1.img", 0, 0x40000),
        "boot": (b + "/disk.img", 0, 16 << 20),
        "firmware": (b + "/disk.img", 16 << 20, 16 << 20)}
man = json.load(open(bk + "/manifest.json"))
assert len(man["regions"]) >= 1
for r in man["regions"]:
    path, off, size = want[r["region"]]
    with open(path, "rb") as f:
        f.seek(off); ref = f.read(size)
    got = open(bk + "/" + r["file"], "rb").read()
    assert got == ref, r["region"]
    assert hashlib.sha256(got).hexdigest() == r["sha256"], r["region"]
PY
}

finish() {
	if [ "$FAILS" -ne 0 ]; then
		echo "$FAILS check(s) failed"
		exit 1
	fi
	exit 0
}
