#!/bin/sh
# A typo never removes protection.  Reported: a profile whose bootloader
# region said "flgs": ["protected"] made it a writable region; flash
# --region u-boot --yes overwrote the bootloader, and --dry-run said it
# passed every gate.  Now such a profile is refused (exit 2) before the
# device is reached, naming the file, the JSON path and the fix; and a
# bootloader with no flags at all is protected by its nature.  On flashrom's
# dummy chip, whose file must come out byte for byte as it went in.
. "$(dirname "$0")/lib.sh"
need python3 cmp
MAKE_CHIP="$SRCDIR/tests/board/make-spi-chip"
CHIP="$T/chip.bin"
DEV="spi:flashrom:dummy,emulate=W25Q128FV,image=$CHIP"

"$MAKE_CHIP" router "$CHIP"
cp "$CHIP" "$T/before.bin"
python3 -c 'import os,sys; sys.stdout.buffer.write(os.urandom(0x40000))' > "$T/u-boot.bin"

# variant NAME PYTHON: the shipped spi-router-16m profile with its u-boot
# region changed by PYTHON (r is the region), saved as $T/NAME.json.
variant() {
	python3 - "$SRCDIR/profiles/spi-router-16m.json" "$T/$1.json" "$2" <<'PY'
import json, sys
p = json.load(open(sys.argv[1]))
r = [r for r in p["flash"] if r["name"] == "u-boot"][0]
r.pop("role")
exec(sys.argv[3])
json.dump(p, open(sys.argv[2], "w"), indent=1)
PY
}
unchanged() {   # unchanged DESCRIPTION: the chip file is as it was
	if cmp -s "$CHIP" "$T/before.bin"; then echo "ok: $1"; else echo "FAIL: $1: the chip changed"; FAILS=$((FAILS + 1)); fi
}

# The reported profile: the bootloader's flags misspelt.
variant TYPO 'r["flgs"] = r.pop("flags")'
expect_exit 2 "--dry-run with the misspelt profile is refused" -- "$UNBRICK" flash --allow-unverified "$T/u-boot.bin" --device "$DEV" --profile "$T/TYPO.json" --region u-boot --dry-run
expect_grep "profile .*/TYPO\.json: flash\[0\]\.flgs: unknown key; did you mean 'flags'\?" "$T/err" "names the file, the JSON path and the fix"
if grep -q "passes every gate" "$T/err" "$T/out"; then echo "FAIL: the dry run still says it passes"; FAILS=$((FAILS + 1)); else echo "ok: no 'passes every gate'"; fi
expect_exit 2 "flash --yes with the misspelt profile is refused" -- "$UNBRICK" flash --allow-unverified "$T/u-boot.bin" --device "$DEV" --profile "$T/TYPO.json" --region u-boot --yes
expect_grep "did you mean 'flags'" "$T/err" "with the same words"
expect_exit 2 "and in JSON" -- "$UNBRICK" flash --allow-unverified "$T/u-boot.bin" --device "$DEV" --profile "$T/TYPO.json" --region u-boot --yes --json
expect_json 'j["ok"] is False and j["exit"] == 2 and j["error"]["advice_id"] == "profile-invalid"' "the error's advice is profile-invalid"
unchanged "the refused runs left the chip alone"
expect_exit 2 "profile check refuses it too" -- "$UNBRICK" profile check "$T/TYPO.json" --json
expect_json 'j["valid"] is False and j["where"] == "flash[0].flgs" and j["did_you_mean"] == "flags"' "check names where and the fix"

# A misspelt flag word is the same mistake.
variant WORD 'r["flags"] = ["protectd"]'
expect_exit 2 "a misspelt flag word is refused" -- "$UNBRICK" flash --allow-unverified "$T/u-boot.bin" --device "$DEV" --profile "$T/WORD.json" --region u-boot --yes
expect_grep "flash\[0\]\.flags\[0\]: 'protectd' is not one of .*; did you mean 'protected'\?" "$T/err" "names the word and the fix"
unchanged "the chip is as it was"

# No flags at all: a bootloader is protected by its nature.
variant BARE 'r.pop("flags")'
expect_exit 0 "a bootloader with no flags is valid" -- "$UNBRICK" profile check "$T/BARE.json" --json
expect_json '[x for x in j["regions"] if x["name"] == "u-boot"][0]["protected"] is True and [x for x in j["regions"] if x["name"] == "u-boot"][0]["protection"] == "role"' "and protected by its role"
expect_exit 3 "--dry-run names the gate" -- "$UNBRICK" flash --allow-unverified "$T/u-boot.bin" --device "$DEV" --profile "$T/BARE.json" --region u-boot --dry-run --json
expect_json '"region-protected" in [x["advice"] for x in j["would_refuse"]]' "the protected-region gate"
expect_exit 3 "--yes is refused by that gate" -- "$UNBRICK" flash --allow-unverified "$T/u-boot.bin" --device "$DEV" --profile "$T/BARE.json" --region u-boot --yes --no-backup
expect_grep "region u-boot is protected" "$T/err" "says so"
unchanged "the chip is as it was"

# The gate is the only thing in the way: --unlock u-boot writes it, and
# only it.  So do the words "protected": false.
expect_exit 0 "--unlock u-boot writes the bootloader" -- "$UNBRICK" flash --allow-unverified "$T/u-boot.bin" --device "$DEV" --profile "$T/BARE.json" --region u-boot --unlock u-boot --yes --no-backup
python3 - "$CHIP" "$T/before.bin" "$T/u-boot.bin" <<'PY' && echo "ok: u-boot holds the image, the rest is as it was" || { echo "FAIL: the chip after --unlock"; FAILS=$((FAILS + 1)); }
import sys
chip, before, img = (open(f, "rb").read() for f in sys.argv[1:])
assert chip[:0x40000] == img and chip[0x40000:] == before[0x40000:]
PY
cp "$T/before.bin" "$CHIP"
variant WAIVED 'r.pop("flags"); r["protected"] = False'
expect_exit 0 '"protected": false, in so many words, is honoured' -- "$UNBRICK" flash --allow-unverified "$T/u-boot.bin" --device "$DEV" --profile "$T/WAIVED.json" --region u-boot --yes --no-backup
python3 -c 'import sys; assert open(sys.argv[1],"rb").read()[:0x40000] == open(sys.argv[2],"rb").read()' "$CHIP" "$T/u-boot.bin" &&
	echo "ok: written" || { echo "FAIL: not written"; FAILS=$((FAILS + 1)); }
finish
