#!/bin/sh
# The whole repair against Debian's U-Boot on QEMU's virt board, over the
# console (YMODEM): brick the board, recover it, and check against QEMU's
# own backing files.  Then: a second run writes nothing; a protected region
# and a wrong image are refused without a write; a repair cut by the board
# dying mid-write is resumed and completes with its backup intact and not
# read again.
. "$(dirname "$0")/lib.sh"
need sqlite3
use_board
MKFW="$SRCDIR/tests/board/make-firmware"
FW=$((16 << 20))

"$BOARD" install "$B" 1.1.0
"$BOARD" brick "$B"
cp "$B/disk.img" "$T/disk.before"
cp "$B/flash0.img" "$T/flash0.before"
"$MKFW" fw 1.2.0 $((0x80000)) "$T/fw-1.2.0.bin"
"$BOARD" start "$B"
DEV="uboot:unix:$B/console.sock"

expect_exit 0 "recover a bricked board" -- "$UNBRICK" recover "$T/fw-1.2.0.bin" --device "$DEV" --profile qemu-virt-arm --yes --json
expect_json 'j["ok"] and j["status"] == "repaired" and j["boot"]["version"] == "1.2.0"' "repaired, and it boots 1.2.0"
expect_json 'j["blocks"]["written"] == 8 and j["steps"]["backup"]["regions"] == 4' "8 blocks written after a 4-region backup"
expect_json '[(r["region"], r["state"]) for r in j["settings"]] == [("env", "unchanged")]' "the owner's settings compared after the write: unchanged"
expect_grep "waiting to see: U-Boot's banner" "$T/err" "says what it waits to see (the profile's guide)"
expect_json 'j["steps"]["preflight"]["link_rtt_ms"] > 0 and j["steps"]["preflight"]["disk_free"] > j["steps"]["preflight"]["backup_bytes"]' "preflight: link echoes and disk space checked"
case1=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["folder"])' "$T/out")
python3 - "$case1/backup" "$T" "$B" <<'PY' && echo "ok: backup = the board before the repair; image in place; bootloader untouched" || { echo "FAIL: backing files"; FAILS=$((FAILS+1)); }
import json, sys
bk, t, b = sys.argv[1:]
before = open(t + "/disk.before", "rb").read()
m = {r["region"]: r for r in json.load(open(bk + "/manifest.json"))["regions"]}
assert open(bk + "/boot.bin", "rb").read() == before[:16 << 20]
assert open(bk + "/firmware.bin", "rb").read() == before[16 << 20:32 << 20]
assert open(bk + "/u-boot.bin", "rb").read() == open(t + "/flash0.before", "rb").read()[:1 << 20]
after = open(b + "/disk.img", "rb").read()
img = open(t + "/fw-1.2.0.bin", "rb").read()
assert after[16 << 20:(16 << 20) + len(img)] == img, "image not in place"
assert after[:16 << 20] == before[:16 << 20], "boot region changed"
assert after[(16 << 20) + len(img):] == before[(16 << 20) + len(img):], "bytes past the image changed"
assert open(b + "/flash0.img", "rb").read() == open(t + "/flash0.before", "rb").read(), "u-boot changed"
PY
[ -f "$case1/report.md" ] && grep -q "repaired" "$case1/report.md" && echo "ok: report written" || { echo "FAIL: report"; FAILS=$((FAILS+1)); }
grep -q "unbrick-demo firmware 1.2.0 booted" "$case1/logs/console.log" && echo "ok: console log kept" || { echo "FAIL: console log"; FAILS=$((FAILS+1)); }
steps=$(sqlite3 "$UNBRICK_HOME/journal.db" "SELECT group_concat(name || ':' || outcome, ' ') FROM steps WHERE case_id = 1")
[ "$steps" = "check:ok identify:ok preflight:ok backup:ok flash:ok verify:ok settings:ok boot:ok" ] && echo "ok: journal has every step" || { echo "FAIL: steps '$steps'"; FAILS=$((FAILS+1)); }

expect_exit 0 "same image again" -- "$UNBRICK" flash "$T/fw-1.2.0.bin" --device "$DEV" --profile qemu-virt-arm --backup "$case1/backup" --yes --json
expect_json 'j["blocks"]["written"] == 0 and j["blocks"]["skipped"] == 8 and j["steps"]["backup"]["reused"]' "zero blocks written, the backup reused"
expect_json 'j["steps"]["verify"]["verified_by"] == "flash-compare" and j["steps"]["verify"]["outcome"] == "ok"' "no second compare when the first found every block right: that compare was the verify"

cp "$B/disk.img" "$T/disk.mid"
expect_exit 3 "protected region refused" -- "$UNBRICK" flash "$T/fw-1.2.0.bin" --device "$DEV" --profile qemu-virt-arm --backup "$case1/backup" --region boot --yes
expect_grep "unlock" "$T/err" "advice names --unlock"
cp "$T/fw-1.2.0.bin" "$T/bad.bin"; flip_byte "$T/bad.bin" 100
expect_exit 3 "a damaged image refused" -- "$UNBRICK" flash "$T/bad.bin" --device "$DEV" --profile qemu-virt-arm --backup "$case1/backup" --yes
"$MKFW" fw 1.0.0 $((0x80000)) "$T/fw-1.0.0.bin"
expect_exit 3 "a downgrade refused" -- "$UNBRICK" flash "$T/fw-1.0.0.bin" --device "$DEV" --profile qemu-virt-arm --backup "$case1/backup" --installed-version 1.2.0 --yes
expect_exit 3 "not confirmed without a terminal" -- "$UNBRICK" flash "$T/fw-1.0.0.bin" --device "$DEV" --profile qemu-virt-arm --backup "$case1/backup" </dev/null
cmp -s "$B/disk.img" "$T/disk.mid" && echo "ok: nothing was written by the refused runs" || { echo "FAIL: a refused run wrote"; FAILS=$((FAILS+1)); }

# The board dies mid-write; the case is resumed on a fresh power-up.  The
# cut run is given the first case's backup, as a technician who made one
# with `unbrick backup` would; the resumed run must remember it rather than
# read the board again.
"$MKFW" fw 1.3.0 $((0x80000)) "$T/fw-1.3.0.bin"
(cd "$case1/backup" && sha256sum *) > "$T/backup.sums"
"$UNBRICK" recover "$T/fw-1.3.0.bin" --device "$DEV" --profile qemu-virt-arm --backup "$case1/backup" --yes --json >"$T/cut.json" 2>"$T/cut.err" &
pid=$!
i=0
# Checking the backup before the write takes a while on a loaded machine
# (or under ASan): wait for the write itself, so the cut lands in it.
while ! grep -q "== flash" "$T/cut.err" && kill -0 $pid 2>/dev/null && [ $i -lt 4500 ]; do sleep 0.2; i=$((i + 1)); done
grep -q "== flash" "$T/cut.err" && echo "ok: the write started" || { echo "FAIL: the write never started"; cat "$T/cut.err"; FAILS=$((FAILS+1)); }
sleep 3
"$BOARD" stop "$B"
set +e; wait $pid; cut_rc=$?; set -e
[ $cut_rc -eq 4 ] || [ $cut_rc -eq 1 ] && echo "ok: the cut run fails ($cut_rc)" || { echo "FAIL: cut run exit $cut_rc"; cat "$T/cut.err"; FAILS=$((FAILS+1)); }
case2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$T/cut.json")
"$BOARD" start "$B"
expect_exit 0 "resume the cut case" -- "$UNBRICK" recover "$T/fw-1.3.0.bin" --device "$DEV" --profile qemu-virt-arm --resume "$case2" --yes --json
expect_json 'j["status"] == "repaired" and j["boot"]["version"] == "1.3.0"' "repaired on resume"
expect_json 'j["steps"]["backup"]["reused"] and j["steps"]["backup"]["dir"] == "'"$case1/backup"'"' "the backup it was given is remembered, not read again"
(cd "$case1/backup" && sha256sum -c --quiet "$T/backup.sums") && echo "ok: the backup is intact" || { echo "FAIL: the backup changed"; FAILS=$((FAILS+1)); }
python3 - "$UNBRICK_HOME/journal.db" "$case2" <<'PY' && echo "ok: the cut flash step stays in the journal" || { echo "FAIL: journal of the cut case"; FAILS=$((FAILS+1)); }
import sqlite3, sys
rows = sqlite3.connect(sys.argv[1]).execute("SELECT name, outcome FROM steps WHERE case_id = ? ORDER BY id", (int(sys.argv[2]),)).fetchall()
names = [r[0] + ":" + r[1] for r in rows]
assert "flash:failed" in names or "flash:running" in names, names
assert names.count("backup:ok") == 2 and names[-1] == "boot:ok", names
PY

expect_exit 0 "verify: the board holds 1.3.0" -- "$UNBRICK" verify "$T/fw-1.3.0.bin" --device "$DEV" --profile qemu-virt-arm --json
expect_json 'j["steps"]["verify"]["mismatched"] == 0 and j["steps"]["verify"]["blocks"] == 8' "8 blocks compared on the board"
expect_exit 1 "verify: it does not hold 1.2.0" -- "$UNBRICK" verify "$T/fw-1.2.0.bin" --device "$DEV" --profile qemu-virt-arm
expect_grep "differ" "$T/err" "says the blocks differ"
# A match is confirmed with one crc32 per group of blocks; a miss must
# still be found block by block, down to the one that differs.
python3 - "$T/fw-1.3.0.bin" "$T/one-off.bin" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[5 * 65536 + 7] ^= 1
open(sys.argv[2], "wb").write(b)
PY
expect_exit 1 "verify: one block off" -- "$UNBRICK" verify "$T/one-off.bin" --device "$DEV" --profile qemu-virt-arm --json
expect_json 'j["steps"]["verify"]["mismatched"] == 1 and j["steps"]["verify"]["blocks"] == 8' "exactly that block found"
# The owner's settings (the config region) put back from the first backup:
# they never changed, so nothing is written, and the result is verified.
expect_exit 0 "restore the config regions" -- "$UNBRICK" restore --from "$case1/backup" --device "$DEV" --profile qemu-virt-arm --yes --json
expect_json '[r["region"] for r in j["steps"]["restore"]["regions"]] == ["env"] and j["steps"]["restore"]["regions"][0]["blocks_written"] == 0 and j["steps"]["restore"]["regions"][0]["mismatched"] == 0' "env compared, nothing to write, verified"
expect_exit 3 "restore into the protected boot region refused" -- "$UNBRICK" restore --from "$case1/backup" --region boot --device "$DEV" --profile qemu-virt-arm --yes
cp -r "$case1/backup" "$T/bk2"; flip_byte "$T/bk2/env.bin" 10
expect_exit 1 "restore from a damaged backup refused" -- "$UNBRICK" restore --from "$T/bk2" --device "$DEV" --profile qemu-virt-arm --yes
expect_grep "manifest" "$T/err" "says the backup does not match its manifest"
finish
