#!/bin/sh
# The SPI family against flashrom's dummy programmer (in-process, through
# libflashrom), with the flashrom command-line tool as the second opinion:
# backups equal the chip, only changed blocks are written, protected regions
# stay untouched, and every refusal leaves the chip file as it was.
. "$(dirname "$0")/lib.sh"
need flashrom python3 cmp sha256sum
MAKE_CHIP="$SRCDIR/tests/board/make-spi-chip"
CHIP="$T/chip.bin"
DEV="spi:flashrom:dummy,emulate=W25Q128FV,image=$CHIP"
P=spi-router-16m

# slice FILE OFFSET SIZE OUT: copies a part of FILE.
slice() {
	python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2],0)); open(sys.argv[4],"wb").write(f.read(int(sys.argv[3],0)))' "$@"
}

# same A B DESCRIPTION: the two files are equal.
same() {
	if cmp -s "$1" "$2"; then echo "ok: $3"; else echo "FAIL: $3 ($1 differs from $2)"; FAILS=$((FAILS + 1)); fi
}

"$MAKE_CHIP" router "$CHIP"
cp "$CHIP" "$T/before.bin"

slice "$CHIP" 0x50000 0x10000 "$T/small.bin"
expect_exit 0 "a dry run plans without touching anything" -- "$UNBRICK" recover --allow-unverified "$T/small.bin" --device "$DEV" --profile $P --dry-run --json
expect_json '[s["step"] for s in j["plan"]] == ["check", "identify", "backup", "flash", "verify", "settings"] and j["status"] == "planned"' "the plan lists the steps, the image checked first (no boot watch for a chip)"
[ ! -e "$UNBRICK_HOME/journal.db" ] && echo "ok: no case made" || { echo "FAIL: a dry run opened the journal"; FAILS=$((FAILS + 1)); }
expect_json '"SOIC-8 clip" in j["plan"][1]["note"] and "unpowered" in j["plan"][1]["note"]' "the plan says what to wire, from the profile's guide"
expect_exit 0 "the lights, in the user's words, read with the profile's LED rules" -- "$UNBRICK" diagnose --profile $P --symptom "led:All LEDs stay on" --json
expect_json 'j["diagnosis"]["path"] == "programmer" and j["diagnosis"]["findings"][0]["id"] == "led-all-stuck-on"' "every light stuck on: the programmer path"
expect_exit 0 "an LED pattern the profile does not know" -- "$UNBRICK" diagnose --profile $P --symptom "led:green and amber alternate" --json
expect_json 'j["diagnosis"]["path"] == "unknown" and j["diagnosis"]["findings"][0]["id"] == "led"' "reported, not guessed"
expect_exit 3 "a dry run names the gate that would refuse" -- "$UNBRICK" flash --allow-unverified "$T/small.bin" --device "$DEV" --profile $P --region art --dry-run --json
expect_json '[x["advice"] for x in j["would_refuse"]] == ["region-protected"]' "the protected region is the reason"
expect_grep "Pass --unlock" "$T/err" "with the region's own advice"
same "$CHIP" "$T/before.bin" "dry runs left the chip alone"

expect_exit 0 "identify names the chip and finds U-Boot" -- "$UNBRICK" identify --device "$DEV" --profile $P --json
expect_json 'j["identity"]["hardware"].startswith("Winbond W25Q128") and j["identity"]["bootloader"] == "U-Boot 2023.04"' "chip and bootloader in the identity"

expect_exit 0 "backup of every region" -- "$UNBRICK" backup --device "$DEV" --profile $P -o "$T/bk" --json
for r in "u-boot 0x0 0x40000" "u-boot-env 0x40000 0x10000" "firmware 0x50000 0xfa0000" "art 0xff0000 0x10000"; do
	set -- $r
	slice "$T/before.bin" "$2" "$3" "$T/want-$1.bin"
	same "$T/bk/$1.bin" "$T/want-$1.bin" "backup of $1 equals the chip byte for byte"
done
same "$CHIP" "$T/before.bin" "reading changed nothing on the chip"

# A new firmware: the old one with 1% of its 4 KiB blocks changed.
python3 - "$T/bk/firmware.bin" "$T/fw.bin" <<'PY'
import random, sys
b = bytearray(open(sys.argv[1], "rb").read())
blocks = random.Random(7).sample(range(len(b) // 4096), len(b) // 4096 // 100)
for i in blocks:
    b[i * 4096 + 100] ^= 0x5a
open(sys.argv[2], "wb").write(b)
PY
expect_exit 0 "flash trusting the fresh backup" -- "$UNBRICK" flash --allow-unverified "$T/fw.bin" --device "$DEV" --profile $P --backup "$T/bk" --trust-backup --yes --json
expect_json 'j["blocks"] == {"total": 4000, "written": 40, "skipped": 3960}' "only the 40 changed blocks written"
expect_json 'j["steps"]["backup"]["trusted"] is True' "the trust is recorded"
expect_json 'j["settings"] == [{"region": "u-boot-env", "blocks": 16, "mismatched": 0, "compared_by": "crc32", "state": "unchanged"}]' "the settings compared: the write left them alone"
expect_json 'j["steps"]["verify"]["verified_by"] == "write-read-back" and j["steps"]["verify"]["outcome"] == "ok" and "boot" not in j["steps"]' "verify done by the write's read-back; flash watches no boot"
flashrom -p "dummy:emulate=W25Q128FV,image=$CHIP" -r "$T/readback.bin" >"$T/flashrom.log" 2>&1 ||
	{ echo "FAIL: flashrom -r"; cat "$T/flashrom.log"; FAILS=$((FAILS + 1)); }
slice "$T/readback.bin" 0x50000 0xfa0000 "$T/rb-firmware.bin"
same "$T/rb-firmware.bin" "$T/fw.bin" "flashrom reads back the new firmware"
for r in "u-boot 0x0 0x40000" "u-boot-env 0x40000 0x10000" "art 0xff0000 0x10000"; do
	set -- $r
	slice "$T/readback.bin" "$2" "$3" "$T/rb-$1.bin"
	same "$T/rb-$1.bin" "$T/want-$1.bin" "$1 untouched"
done

expect_exit 0 "the same image again, no backup given (read twice)" -- "$UNBRICK" flash --allow-unverified "$T/fw.bin" --device "$DEV" --profile $P --yes --json --full-verify
expect_json 'j["blocks"]["written"] == 0 and j["steps"]["verify"]["outcome"] == "ok" and j["steps"]["verify"]["mismatched"] == 0' "nothing written; the full verify reads the region and agrees"
expect_json 'j["steps"]["backup"]["outcome"] == "ok" and "reused" not in j["steps"]["backup"]' "a fresh backup was read"

# The backup in bk is stale now.  Untrusted (the default) it is only the
# safety net, and the chip is read: the result must be right.
python3 - "$T/fw.bin" "$T/fw2.bin" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[0] ^= 0xff; b[len(b) // 2] ^= 0xff
open(sys.argv[2], "wb").write(b)
PY
expect_exit 0 "flash with a stale backup, not trusted" -- "$UNBRICK" flash --allow-unverified "$T/fw2.bin" --device "$DEV" --profile $P --backup "$T/bk" --yes --json
expect_json 'j["blocks"]["written"] == 2' "the two changed blocks written"
slice "$CHIP" 0x50000 0xfa0000 "$T/now-firmware.bin"
same "$T/now-firmware.bin" "$T/fw2.bin" "the chip holds the image"
# Trusted by mistake: the spot check sees the first block differ.
expect_exit 0 "flash trusting a stale backup" -- "$UNBRICK" flash --allow-unverified "$T/fw.bin" --device "$DEV" --profile $P --backup "$T/bk" --trust-backup --yes --json
expect_grep "does not match the chip" "$T/err" "the stale backup is noticed"
slice "$CHIP" 0x50000 0xfa0000 "$T/now-firmware.bin"
same "$T/now-firmware.bin" "$T/fw.bin" "the chip holds the image despite the stale backup"
expect_exit 2 "--trust-backup alone is a usage error" -- "$UNBRICK" flash --allow-unverified "$T/fw.bin" --device "$DEV" --profile $P --trust-backup --yes
# U-Boot's options on a programmer: refused by name, never handed to
# libflashrom as programmer parameters
expect_exit 2 "--via on a programmer" -- "$UNBRICK" flash --allow-unverified "$T/fw.bin" --device "$DEV" --profile $P --via tftp --yes
expect_grep "\-\-via is for devices of the uboot family; a spi device takes no \-\-via" "$T/err" "says which devices it is for"
expect_exit 2 "--read-via on a programmer" -- "$UNBRICK" backup --device "$DEV" --profile $P --read-via console -o "$T/bk-rv"
expect_grep "\-\-read-via is for devices of the uboot family" "$T/err" "says which devices it is for"

cp "$CHIP" "$T/kept.bin"
head -c $((0xfa0000 + 4096)) /dev/zero > "$T/big.bin"
expect_exit 3 "an image bigger than the region is refused" -- "$UNBRICK" flash --allow-unverified "$T/big.bin" --device "$DEV" --profile $P --yes
expect_exit 3 "a protected region needs --unlock" -- "$UNBRICK" flash --allow-unverified "$T/want-art.bin" --device "$DEV" --profile $P --region art --yes
expect_exit 3 "the wrong profile for the chip is refused" -- "$UNBRICK" flash --allow-unverified "$T/small.bin" --device "$DEV" --profile coreboot-fmap-8m --yes
expect_grep "profile is for a 8192 KiB chip" "$T/err" "the size mismatch is named"
same "$CHIP" "$T/kept.bin" "refusals left the chip as it was"

expect_exit 0 "the art region back from the backup, unlocked" -- "$UNBRICK" restore --from "$T/bk" --region art --unlock art --device "$DEV" --profile $P --yes --json
expect_json 'j["steps"]["restore"]["regions"][0]["blocks_written"] == 0' "art was already right: nothing written"

# The coreboot board: an 8 MiB Macronix chip that several definitions match.
FM="$T/fmap.bin"
"$MAKE_CHIP" fmap "$FM"
MX="spi:flashrom:dummy,emulate=MX25L6436,image=$FM"
expect_exit 2 "an ambiguous chip must be named" -- "$UNBRICK" identify --device "$MX" --profile coreboot-fmap-8m
expect_grep 'several chip definitions: "MX25L6405"' "$T/err" "the candidates are listed"
MX="$MX,chip=MX25L6436E/MX25L6445E/MX25L6465E/MX25L6473E/MX25L6473F"
expect_exit 0 "identify with chip= and an FMAP that agrees" -- "$UNBRICK" identify --device "$MX" --profile coreboot-fmap-8m --json
expect_json 'j["identity"]["bootloader"].startswith("FMAP")' "the FMAP was checked"
cp "$FM" "$T/fmap-before.bin"
head -c $((0x3f0000)) /dev/urandom > "$T/rw.bin"
expect_exit 0 "recover RW_SECTION_A" -- "$UNBRICK" recover --allow-unverified "$T/rw.bin" --device "$MX" --profile coreboot-fmap-8m --yes --json
# flashrom's own FMAP reading picks the area out of the chip
flashrom -p "dummy:emulate=MX25L6436,image=$FM" -c "MX25L6436E/MX25L6445E/MX25L6465E/MX25L6473E/MX25L6473F" \
	--fmap -i RW_SECTION_A -r "$T/fm-rb.bin" >"$T/flashrom.log" 2>&1 ||
	{ echo "FAIL: flashrom --fmap -r"; cat "$T/flashrom.log"; FAILS=$((FAILS + 1)); }
slice "$T/fm-rb.bin" 0x410000 0x3f0000 "$T/fm-rw.bin"
same "$T/fm-rw.bin" "$T/rw.bin" "flashrom finds the new RW_SECTION_A through the FMAP"
slice "$FM" 0 0x410000 "$T/fm-ro-now.bin"
slice "$T/fmap-before.bin" 0 0x410000 "$T/fm-ro-before.bin"
same "$T/fm-ro-now.bin" "$T/fm-ro-before.bin" "RO_SECTION and RW_NVRAM untouched"

"$MAKE_CHIP" fmap-moved "$T/moved.bin"
cp "$T/moved.bin" "$T/moved-before.bin"
expect_exit 3 "an FMAP that disagrees with the profile is refused" -- "$UNBRICK" recover --allow-unverified "$T/rw.bin" --device "spi:flashrom:dummy,emulate=MX25L6436,image=$T/moved.bin,chip=MX25L6436E/MX25L6445E/MX25L6465E/MX25L6473E/MX25L6473F" --profile coreboot-fmap-8m --yes
expect_grep "FMAP puts RW_SECTION_A at 0x420000" "$T/err" "the disagreement is named"
same "$T/moved.bin" "$T/moved-before.bin" "that chip was not written"

"$MAKE_CHIP" ifd "$T/ifd.bin"
expect_exit 0 "identify an x86 board's chip" -- "$UNBRICK" identify --device "spi:flashrom:dummy,emulate=W25Q128FV,image=$T/ifd.bin" --profile $P --json
expect_json 'j["identity"]["bootloader"].startswith("Intel flash descriptor")' "the Intel flash descriptor is recognised"

# A name libflashrom does not know is a usage error naming the near one;
# a programmer it knows that does not answer (no USB programmer here) is a
# device that does not answer.
expect_exit 2 "a programmer libflashrom does not know" -- "$UNBRICK" identify --device "spi:flashrom:nosuch_programmer" --profile $P
expect_grep "knows no programmer 'nosuch_programmer'" "$T/err" "names it"
expect_grep "ch341a_spi" "$T/err" "and lists the ones it knows"
expect_exit 4 "a programmer that does not start" -- "$UNBRICK" identify --device "spi:flashrom:ch341a_spi" --profile $P
expect_grep "what to do" "$T/err" "advice given"
finish
