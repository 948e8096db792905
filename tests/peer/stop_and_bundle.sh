#!/bin/sh
# Knowing when to stop: a chip that refuses every write (flashrom's dummy
# chip told to reject the page-program command) fails the same way each
# time; after the profile's attempts unbrick stops, says why, and leaves a
# support bundle.  --force-attempt overrides, on the record.
. "$(dirname "$0")/lib.sh"
need flashrom python3 tar
CHIP="$T/chip.bin"
"$SRCDIR/tests/board/make-spi-chip" router "$CHIP"
DEV="spi:flashrom:dummy,emulate=W25Q128FV,image=$CHIP,spi_blacklist=02"
P=spi-router-16m
python3 - "$CHIP" "$T/fw.bin" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read()[0x50000:0x50000 + 0xfa0000])
b[4096 * 7] ^= 0xff
open(sys.argv[2], "wb").write(b)
PY

expect_exit 1 "a chip that refuses writes: attempt 1" -- "$UNBRICK" flash --allow-unverified "$T/fw.bin" --device "$DEV" --profile $P --yes --json
CASE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$T/out")
expect_grep "writing the chip failed: spi_write_cmd failed" "$T/err" "flashrom's own complaint reaches the user"
for i in 2 3; do
	expect_exit 1 "attempt $i on the same case" -- "$UNBRICK" flash --allow-unverified "$T/fw.bin" --device "$DEV" --profile $P --yes --resume "$CASE" --json
	expect_json 'j["steps"]["backup"]["reused"] and j["steps"]["backup"]["dir"] == j["folder"] + "/backup"' "attempt $i uses the case's own backup"
done
cp "$CHIP" "$T/kept.bin"
expect_exit 3 "a fourth attempt is refused" -- "$UNBRICK" flash --allow-unverified "$T/fw.bin" --device "$DEV" --profile $P --yes --resume "$CASE" --json
expect_grep "has failed 3 attempts .*the same failure 3 times in a row" "$T/err" "says why it stops"
expect_grep "repair shop" "$T/err" "says where to go"
expect_json 'j["status"] == "handed-over" and j["bundle"].endswith(".tar.gz")' "the case is handed over with a bundle"
BUNDLE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["bundle"])' "$T/out")
cmp -s "$CHIP" "$T/kept.bin" && echo "ok: the refusal did not touch the chip" || { echo "FAIL: chip changed"; FAILS=$((FAILS + 1)); }
tar tzf "$BUNDLE" > "$T/list"
expect_grep '^case\.json$' "$T/list" "the bundle holds the journal rows"
expect_grep '^logs/console\.log$' "$T/list" "and the console log"
expect_grep '^backup/manifest\.json$' "$T/list" "and the backup manifest"
if grep -q '^backup/.*\.bin$' "$T/list"; then echo "FAIL: backups in a bundle without --with-backups"; FAILS=$((FAILS + 1)); else echo "ok: no backup data without --with-backups"; fi
tar xzf "$BUNDLE" -C "$T" case.json
python3 -c 'import json,sys; c=json.load(open(sys.argv[1])); assert sum(1 for s in c["steps"] if s["name"] == "flash" and s["outcome"] == "failed") == 3' "$T/case.json" &&
	echo "ok: case.json lists the three failed writes" || { echo "FAIL: case.json"; FAILS=$((FAILS + 1)); }

expect_exit 1 "--force-attempt tries once more" -- "$UNBRICK" flash --allow-unverified "$T/fw.bin" --device "$DEV" --profile $P --yes --resume "$CASE" --force-attempt --json
expect_grep "because of --force-attempt" "$T/err" "the override is announced"
expect_exit 0 "explicit bundle with the backups" -- "$UNBRICK" bundle "$CASE" --with-backups -o "$T/full.tar.gz" --json
tar tzf "$T/full.tar.gz" > "$T/list"
expect_grep '^backup/firmware\.bin$' "$T/list" "the backups are in it"
expect_exit 0 "case show" -- "$UNBRICK" case show "$CASE" --json
expect_json 'any(s["name"] == "override" and s["detail"]["force_attempt"] for s in j["case"]["steps"])' "the override is in the journal"
expect_json 'sum(1 for a in j["case"]["artifacts"] if a["kind"] == "bundle") == 2' "both bundles recorded"
# A case whose diagnosis says hardware is not flashed; a console verdict
# on a chip is only a note.
expect_exit 0 "a new case" -- "$UNBRICK" case new --json
C2=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"]["id"])' "$T/out")
printf 'U-Boot 2020.10 (x)\nSF: unrecognized JEDEC id bytes: ff, ff, ff\n=> ' > "$T/hw.log"
expect_exit 0 "diagnose: flash not detected" -- "$UNBRICK" diagnose --console-log "$T/hw.log" --case "$C2"
cp "$CHIP" "$T/kept.bin"
expect_exit 3 "recover refuses a hardware verdict" -- "$UNBRICK" flash --allow-unverified "$T/fw.bin" --device "$DEV" --profile $P --yes --resume "$C2" --json
expect_grep "diagnosis points at hardware" "$T/err" "the diagnosis is the reason"
cmp -s "$CHIP" "$T/kept.bin" && echo "ok: nothing written" || { echo "FAIL: chip changed"; FAILS=$((FAILS + 1)); }

expect_exit 2 "bundle needs a case id" -- "$UNBRICK" bundle
expect_exit 2 "bundle of a case that does not exist (a name that does not exist)" -- "$UNBRICK" bundle 999
finish
