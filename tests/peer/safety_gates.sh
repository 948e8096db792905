#!/bin/sh
# The safety gates against ordinary mistakes, on flashrom's dummy chip
# (whose image file is checked afterwards): another unit's backup, a
# partial backup, an image swapped at the prompt, two runs on one chip, a
# stop asked for with Ctrl-C or SIGKILL, mistakes that must be found before
# the backup, a FIFO as the image, restore keeping what it overwrites, and
# backup -o over an earlier backup.
. "$(dirname "$0")/lib.sh"
need tmux flashrom python3 cmp mkfifo timeout
SOCK="ub-safety-$$"
trap 'tmux -L "$SOCK" kill-server 2>/dev/null || true; rm -rf "$T"' EXIT
MAKE_CHIP="$SRCDIR/tests/board/make-spi-chip"
P=spi-router-16m
A="$T/a.bin"
B="$T/b.bin"
"$MAKE_CHIP" router "$A"
"$MAKE_CHIP" router "$B"
dev() { echo "spi:flashrom:dummy,emulate=W25Q128FV,image=$1"; }

# part FILE OFFSET SIZE OUT / patch FILE OFFSET HEXBYTE
part() {
	python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2],0)); open(sys.argv[4],"wb").write(f.read(int(sys.argv[3],0)))' "$@"
}
same() {
	if cmp -s "$1" "$2"; then echo "ok: $3"; else echo "FAIL: $3 ($1 differs from $2)"; FAILS=$((FAILS + 1)); fi
}
# the firmware region (0x50000, 0xfa0000) of chip A with its first block changed
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()[0x50000:0x50000+0x10000]); b[7]^=0xff; open(sys.argv[2],"wb").write(b)' "$A" "$T/fw.bin"
sha256sum "$T/fw.bin" | sed "s#$T/##" > "$T/SUMS"

# --- Another unit's backup is never put back, nor trusted ---------------
expect_exit 0 "a backup of unit A" -- "$UNBRICK" backup --device "$(dev "$A")" --profile $P -o "$T/bk-a" --json
part "$B" 0x40000 0x10000 "$T/b-env.bin"
cp "$B" "$T/b-before.bin"
expect_exit 0 "flash unit B given unit A's backup" -- "$UNBRICK" flash "$T/fw.bin" --sums "$T/SUMS" --device "$(dev "$B")" --profile $P --backup "$T/bk-a" --yes --json
expect_json '"rejected" in j["steps"]["backup"] and "differs from the backup" in j["steps"]["backup"]["rejected"]["why"]' "A's backup rejected: the device differs from it outside the firmware"
expect_json 'j["backup"].endswith("/backup") and "bk-a" not in j["backup"]' "B was backed up itself instead"
part "$B" 0x40000 0x10000 "$T/b-env-after.bin"
same "$T/b-env.bin" "$T/b-env-after.bin" "unit B's settings are its own, not A's"
part "$B" 0x50000 0x10000 "$T/b-fw.bin"
same "$T/fw.bin" "$T/b-fw.bin" "and the image was written"

# --- A partial backup is not a backup ---------------------------------
mkdir "$T/partial"
cp "$T/bk-a/u-boot-env.bin" "$T/partial/"
python3 - "$T/bk-a/manifest.json" "$T/partial/manifest.json" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
m["regions"] = [r for r in m["regions"] if r["region"] == "u-boot-env"]
json.dump(m, open(sys.argv[2], "w"))
PY
expect_exit 1 "a manifest listing 1 of 4 regions" -- "$UNBRICK" flash "$T/fw.bin" --sums "$T/SUMS" --device "$(dev "$A")" --profile $P --backup "$T/partial" --yes
expect_grep "has no region u-boot" "$T/err" "named as incomplete"
mkdir "$T/short"
cp "$T/bk-a"/*.bin "$T/short/"
head -c 4096 "$T/bk-a/u-boot-env.bin" > "$T/short/u-boot-env.bin"
python3 - "$T/bk-a/manifest.json" "$T/short/manifest.json" "$T/short/u-boot-env.bin" <<'PY'
import hashlib, json, sys
m = json.load(open(sys.argv[1]))
for r in m["regions"]:
    if r["region"] == "u-boot-env":
        r["sha256"] = hashlib.sha256(open(sys.argv[3], "rb").read()).hexdigest()
        r["size"] = 4096
json.dump(m, open(sys.argv[2], "w"))
PY
expect_exit 1 "a region file shorter than its region, its sha256 matching" -- "$UNBRICK" restore --from "$T/short" --device "$(dev "$A")" --profile $P --yes
expect_grep "u-boot-env is 4096 bytes in the backup" "$T/err" "named: the size, not the hash"

# --- Mistakes are found before the slow part ---------------------------
for c in "missing image:2:$T/nope.bin:" "unknown region:2:$T/fw.bin:--region firmwar" "image larger than its region:3:$T/big.bin:--region u-boot-env" "protected region:3:$T/fw.bin:--region art"; do
	what=${c%%:*}; rest=${c#*:}; code=${rest%%:*}; rest=${rest#*:}; img=${rest%%:*}; extra=${rest#*:}
	head -c $((0x20000)) /dev/zero > "$T/big.bin"
	# shellcheck disable=SC2086
	expect_exit "$code" "$what refused" -- "$UNBRICK" flash "$img" --sums "$T/SUMS" --device "$(dev "$A")" --profile $P $extra --yes --json
	expect_json '"backup" not in j.get("steps", {}) and "identify" not in j.get("steps", {})' "$what: before identify and before any backup"
done
expect_exit 2 "a misspelled region" -- "$UNBRICK" flash "$T/fw.bin" --sums "$T/SUMS" --device "$(dev "$A")" --profile $P --region firmwar --yes
expect_grep "did you mean 'firmware'" "$T/err" "named with its fix"
expect_exit 2 "a misspelled --unlock" -- "$UNBRICK" flash "$T/fw.bin" --sums "$T/SUMS" --device "$(dev "$A")" --profile $P --region art --unlock atr --yes
expect_grep "did you mean 'art'" "$T/err" "named with its fix, and nothing unlocked"

# --- An image nothing vouches for -------------------------------------
expect_exit 3 "a raw image without a checksum" -- "$UNBRICK" flash "$T/fw.bin" --device "$(dev "$A")" --profile $P --yes --json
expect_json 'j["steps"]["check"]["verdict"] == "unverified" and "identify" not in j["steps"]' "unverified, refused before the device"
expect_exit 0 "the same with --allow-unverified" -- "$UNBRICK" flash "$T/fw.bin" --device "$(dev "$A")" --profile $P --allow-unverified --yes --json
expect_json 'j["steps"]["check"]["allowed_unverified"] is True' "the override is recorded"

# --- A FIFO as the image does not hang ----------------------------------
mkfifo "$T/fifo.bin"
expect_exit 2 "a FIFO as the image refused at once" -- timeout 20 "$UNBRICK" flash "$T/fifo.bin" --device "$(dev "$A")" --profile $P --yes
expect_grep "not a regular file \(a pipe\)" "$T/err" "said as a pipe"

# --- What is checked is what is written ----------------------------------
# tmux: the run waits at its typed confirmation while the file is swapped
# for one that fails the check; the confirmed write is of the checked bytes.
start_at_prompt() {   # start_at_prompt NAME COMMAND
	rm -f "$T/$1.done"
	tmux -L "$SOCK" new-session -d -x 200 -y 50 -s "$1" "UNBRICK_HOME='$UNBRICK_HOME' NO_COLOR=1 $2; echo EXIT=\$? > '$T/$1.done'; sleep 600"
	i=0
	until tmux -L "$SOCK" capture-pane -p -t "$1" | grep -q "to go on"; do
		i=$((i + 1))
		[ $i -lt 300 ] || { echo "FAIL: $1: no confirmation prompt"; tmux -L "$SOCK" capture-pane -p -t "$1"; FAILS=$((FAILS + 1)); return 1; }
		sleep 0.1
	done
}
wait_done() {   # wait_done NAME: waits for the run's exit, screen in $T/NAME.screen
	i=0
	while [ ! -s "$T/$1.done" ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	tmux -L "$SOCK" capture-pane -p -S -300 -t "$1" > "$T/$1.screen"
	tmux -L "$SOCK" kill-session -t "$1"
}
cp "$T/fw.bin" "$T/swap.bin"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[100]^=0xff; open(sys.argv[2],"wb").write(b)' "$T/fw.bin" "$T/evil.bin"
sed "s#fw.bin#swap.bin#" "$T/SUMS" > "$T/SUMS2"
if start_at_prompt swap "'$UNBRICK' flash '$T/swap.bin' --sums '$T/SUMS2' --device '$(dev "$A")' --profile $P"; then
	cp "$T/evil.bin" "$T/swap.bin"   # replaced at the prompt, in place
	tmux -L "$SOCK" send-keys -t swap "write firmware" Enter
	wait_done swap
	grep -q EXIT=0 "$T/swap.done" && echo "ok: the confirmed write ran" || { echo "FAIL: $(cat "$T/swap.done")"; cat "$T/swap.screen"; FAILS=$((FAILS + 1)); }
	part "$A" 0x50000 0x10000 "$T/a-fw.bin"
	same "$T/fw.bin" "$T/a-fw.bin" "the chip holds the checked bytes, not the file swapped in"
fi

# --- One device, one writer --------------------------------------------
if start_at_prompt first "'$UNBRICK' flash '$T/fw.bin' --sums '$T/SUMS' --device '$(dev "$A")' --profile $P"; then
	expect_exit 4 "a second run on the same chip" -- "$UNBRICK" flash "$T/fw.bin" --sums "$T/SUMS" --device "$(dev "$A")" --profile $P --yes
	expect_grep "in use by another unbrick run \(case [0-9]+, process [0-9]+\)" "$T/err" "names the holder's case and process"
	expect_exit 4 "the same chip reached by another path" -- "$UNBRICK" identify --device "spi:flashrom:dummy,emulate=W25Q128FV,image=$T/../$(basename "$T")/a.bin" --profile $P
	tmux -L "$SOCK" send-keys -t first "write firmware" Enter
	wait_done first
	grep -q EXIT=0 "$T/first.done" && echo "ok: the first run finished" || { echo "FAIL: first: $(cat "$T/first.done")"; FAILS=$((FAILS + 1)); }
fi

# --- Ctrl-C stops at a safe point; resume finishes -----------------------
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()); b[9]^=0x55; open(sys.argv[2],"wb").write(b)' "$T/fw.bin" "$T/fw2.bin"
sha256sum "$T/fw2.bin" | sed "s#$T/##" >> "$T/SUMS"
if start_at_prompt intr "'$UNBRICK' flash '$T/fw2.bin' --sums '$T/SUMS' --device '$(dev "$A")' --profile $P"; then
	tmux -L "$SOCK" send-keys -t intr C-c
	wait_done intr
	grep -q EXIT=130 "$T/intr.done" && echo "ok: Ctrl-C: exit 130" || { echo "FAIL: Ctrl-C: $(cat "$T/intr.done")"; cat "$T/intr.screen"; FAILS=$((FAILS + 1)); }
	expect_grep "stopped at a safe point; case [0-9]+ is kept" "$T/intr.screen" "says it stopped, and where"
	expect_grep "unbrick flash .*fw2.bin --device .* --resume [0-9]+" "$T/intr.screen" "prints the command that resumes"
	cid=$(grep -Eo -- '--resume [0-9]+' "$T/intr.screen" | head -n 1 | cut -d' ' -f2)
	expect_exit 0 "the case shows the step interrupted" -- "$UNBRICK" case show "$cid" --json
	expect_json '[s["outcome"] for s in j["case"]["steps"] if s["name"] == "flash"] == ["interrupted"]' "flash: interrupted, not running"
	expect_exit 0 "resume finishes" -- "$UNBRICK" flash "$T/fw2.bin" --sums "$T/SUMS" --device "$(dev "$A")" --profile $P --resume "$cid" --yes --json
	expect_exit 0 "the case after the resume" -- "$UNBRICK" case show "$cid" --json
	expect_json 'not [s for s in j["case"]["steps"] if s["outcome"] == "running"] and j["case"]["status"] == "flashed"' "no step left running; flashed"
fi

# --- SIGKILL: the step is found interrupted the next time ---------------
if start_at_prompt killed "'$UNBRICK' flash '$T/fw.bin' --sums '$T/SUMS' --device '$(dev "$A")' --profile $P"; then
	pkill -KILL -f "unbrick flash $T/fw.bin" || true
	wait_done killed
	expect_exit 0 "cases after a SIGKILL" -- "$UNBRICK" cases --json
	cid=$(python3 -c 'import json,sys; print(max(c["id"] for c in json.load(open(sys.argv[1]))["cases"]))' "$T/out")
	expect_exit 0 "the killed case" -- "$UNBRICK" case show "$cid" --json
	expect_json '[s["outcome"] for s in j["case"]["steps"] if s["name"] == "flash"] == ["interrupted"]' "the killed run's step is interrupted, not running"
	if find "$UNBRICK_HOME" -name '*.partial*' | grep -q .; then
		echo "FAIL: partial files left: $(find "$UNBRICK_HOME" -name '*.partial*')"; FAILS=$((FAILS + 1))
	else echo "ok: no partial file left"; fi
fi

# --- restore keeps what it overwrites -----------------------------------
python3 -c 'import sys; f=open(sys.argv[1],"r+b"); f.seek(0x40010); f.write(b"owner changed this"); f.close()' "$A"
part "$A" 0x40000 0x10000 "$T/env-now.bin"
expect_exit 0 "restore the env from A's own backup" -- "$UNBRICK" restore --from "$T/bk-a" --device "$(dev "$A")" --profile $P --yes --json
kept=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["steps"]["restore"]["regions"][0]["kept_before"])' "$T/out")
same "$T/env-now.bin" "$kept/u-boot-env.bin" "what the env held before the restore is kept in the case"
part "$A" 0x40000 0x10000 "$T/env-after.bin"
same "$T/bk-a/u-boot-env.bin" "$T/env-after.bin" "and the env is back"

# --- backup -o does not replace an earlier backup -----------------------
cp "$T/bk-a/manifest.json" "$T/manifest-before.json"
expect_exit 3 "backup -o into a folder holding a backup" -- "$UNBRICK" backup --device "$(dev "$A")" --profile $P -o "$T/bk-a"
same "$T/manifest-before.json" "$T/bk-a/manifest.json" "the earlier backup is untouched"
expect_exit 0 "--force replaces it" -- "$UNBRICK" backup --device "$(dev "$A")" --profile $P -o "$T/bk-a" --force
finish
