#!/bin/sh
# Guided mode in a real terminal (tmux): the checklist and each step's
# explanation, then the typed confirmation.  A wrong answer leaves the chip
# untouched; the right one writes.  The device is flashrom's dummy chip.
. "$(dirname "$0")/lib.sh"
need tmux flashrom python3
SOCK="ub-test-$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$T"' EXIT
CHIP="$T/chip.bin"
"$SRCDIR/tests/board/make-spi-chip" router "$CHIP"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()[0x50000:0x60000]); b[5]^=1; open(sys.argv[2],"wb").write(b)' "$CHIP" "$T/fw.bin"
cp "$CHIP" "$T/before.bin"

# run_in_tmux ANSWER: runs unbrick flash in a terminal, answers the
# confirmation with ANSWER, leaves the screen in $T/screen.
run_in_tmux() {
	rm -f "$T/done"
	tmux -L "$SOCK" new-session -d -x 160 -y 60 -s guide \
		"UNBRICK_HOME='$UNBRICK_HOME' NO_COLOR=1 '$UNBRICK' flash --allow-unverified '$T/fw.bin' --device 'spi:flashrom:dummy,emulate=W25Q128FV,image=$CHIP' --profile spi-router-16m; echo EXIT=\$? > '$T/done'; sleep 600"
	i=0
	until tmux -L "$SOCK" capture-pane -p -t guide | grep -q "Type 'write firmware' to go on"; do
		i=$((i + 1))
		[ $i -lt 200 ] || { echo "FAIL: no confirmation prompt"; tmux -L "$SOCK" capture-pane -p -t guide; FAILS=$((FAILS + 1)); return; }
		sleep 0.1
	done
	tmux -L "$SOCK" send-keys -t guide "$1" Enter
	i=0
	while [ ! -s "$T/done" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
	tmux -L "$SOCK" capture-pane -p -S -200 -t guide > "$T/screen"
	tmux -L "$SOCK" kill-session -t guide
}

run_in_tmux "no thanks"
expect_grep '^\[x\] check  \[x\] identify  \[x\] preflight  \[x\] backup  \[>\] flash  \[ \] verify  \[ \] settings$' "$T/screen" "the checklist shows done, current and to do"
expect_grep '^== backup: read every region and keep it, verified' "$T/screen" "each step explained before it runs"
expect_grep 'About to write 65536 bytes' "$T/screen" "the confirmation says what will be written"
expect_grep 'not confirmed: nothing was written' "$T/screen" "a wrong answer stops"
grep -q 'EXIT=3' "$T/done" && echo "ok: exit 3 (refused)" || { echo "FAIL: $(cat "$T/done")"; FAILS=$((FAILS + 1)); }
cmp -s "$CHIP" "$T/before.bin" && echo "ok: the chip is untouched" || { echo "FAIL: the chip changed"; FAILS=$((FAILS + 1)); }

run_in_tmux "write firmware"
grep -q 'EXIT=0' "$T/done" && echo "ok: typed confirmation writes" || { echo "FAIL: $(cat "$T/done")"; cat "$T/screen"; FAILS=$((FAILS + 1)); }
python3 -c 'import sys; sys.exit(open(sys.argv[1],"rb").read()[0x50000:0x60000] != open(sys.argv[2],"rb").read())' "$CHIP" "$T/fw.bin" &&
	echo "ok: the chip holds the image" || { echo "FAIL: the chip does not hold the image"; FAILS=$((FAILS + 1)); }
finish
