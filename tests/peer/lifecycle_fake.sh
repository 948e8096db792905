#!/bin/sh
# The family contract (tests/contract/lifecycle.c) on the fake family, in
# every combination of capabilities it has (digest crc32, md5, sha256 or
# none; readable or not), then with its faults: each must end in a PASS,
# or in a FAIL line naming the step, and the device's file must say the
# same as the harness (read from outside, not through the family).
. "$(dirname "$0")/lib.sh"
need python3 cmp
: "${UB_LIFECYCLE:?UB_LIFECYCLE must point at ub-lifecycle}"
MAKE="$SRCDIR/tests/contract/make-fake-device"
P="$SRCDIR/profiles/fake-board.json"   # by path: the harness is not beside a build tree's meson-info
DEV="$T/dev.img"
"$MAKE" device "$DEV"
cp "$DEV" "$T/before.img"

# slice FILE OFFSET SIZE OUT
slice() {
	python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2],0)); open(sys.argv[4],"wb").write(f.read(int(sys.argv[3],0)))' "$@"
}
same() {
	if cmp -s "$1" "$2"; then echo "ok: $3"; else echo "FAIL: $3 ($1 differs from $2)"; FAILS=$((FAILS + 1)); fi
}
# lifecycle EXIT DESCRIPTION SPEC-PARAMS [harness options]: output in $T/out
lifecycle() {
	want=$1; what=$2; params=$3; shift 3
	expect_exit "$want" "$what" -- "$UB_LIFECYCLE" "fake:file:$DEV$params" "$P" firmware "$@"
	if [ "$want" -ne 0 ] || ! grep -q '^PASS: ' "$T/out"; then sed 's/^/    /' "$T/out"; fi
}
slice "$DEV" 0x8000 0x30000 "$T/fw-orig.bin"

for d in crc32 md5 sha256 none; do
	lifecycle 0 "lifecycle with digest=$d" ",digest=$d"
	how=$d; [ $d = none ] && how=read-back
	expect_grep "^ok: verify: verified: every block by $how, fresh" "$T/out" "digest=$d: verified by $how"
	expect_grep "^ok: write: 3 of 48 blocks written \\(compared by $how\\), 45 skipped" "$T/out" "digest=$d: only the 3 changed blocks written"
	expect_grep "^ok: verify-detects: the wrong image fails verification on its 3 blocks" "$T/out" "digest=$d: verify can fail"
	same "$DEV" "$T/before.img" "digest=$d: the device holds what it held before"
done

lifecycle 0 "lifecycle with read=off (crc32 left)" ",read=off" --original "$T/fw-orig.bin"
expect_grep "^ok: read: refused as it should" "$T/out" "read=off: the read refuses"
expect_grep "^ok: verify: verified: every block by crc32" "$T/out" "read=off: still verified by the device's crc32"
same "$DEV" "$T/before.img" "read=off: the device holds what it held before"

lifecycle 0 "lifecycle with digest=none read=off" ",digest=none,read=off" --original "$T/fw-orig.bin"
expect_grep "^ok: write: 48 of 48 blocks written \\(compared by none\\)" "$T/out" "nothing to compare with: every block written"
expect_grep "^ok: verify: unverifiable: written, not verified" "$T/out" "verify says unverifiable"
expect_grep "^ok: restore-verify: unverifiable: written, not verified" "$T/out" "and so does the verify after the restore"
if grep -q "verified:" "$T/out"; then
	echo "FAIL: digest=none read=off: something was called verified:"; grep "verified:" "$T/out"; FAILS=$((FAILS + 1))
else
	echo "ok: digest=none read=off: nothing is called verified"
fi
same "$DEV" "$T/before.img" "digest=none read=off: the device holds what it held before"
# What the harness cannot read back, the file shows: the changed image.
lifecycle 0 "digest=none read=off, the changed image left on the device" ",digest=none,read=off" --original "$T/fw-orig.bin" --no-restore --save "$T/saved"
slice "$DEV" 0x8000 0x30000 "$T/fw-now.bin"
same "$T/fw-now.bin" "$T/saved/changed.bin" "the device holds the changed image the harness wrote blind"
slice "$DEV" 0 0x8000 "$T/boot-now.bin"; slice "$T/before.img" 0 0x8000 "$T/boot-before.bin"
same "$T/boot-now.bin" "$T/boot-before.bin" "the bootloader region around it untouched"
slice "$DEV" 0x38000 0x8000 "$T/cfg-now.bin"; slice "$T/before.img" 0x38000 0x8000 "$T/cfg-before.bin"
same "$T/cfg-now.bin" "$T/cfg-before.bin" "the config region around it untouched"
cp "$T/before.img" "$DEV"

# Faults.  A noisy link: every reading is confirmed, the result is right.
lifecycle 0 "every 2nd read transfer flipped, crc32" ",flaky_read=2"
lifecycle 0 "every 2nd read transfer flipped, no digest (reads compared)" ",flaky_read=2,digest=none"
same "$DEV" "$T/before.img" "the noisy link changed nothing"
# Every transfer flipped: nothing can be confirmed, and the harness must
# stop at the read, not pass a wrong region on.
lifecycle 1 "every read transfer flipped" ",flaky_read=1"
expect_grep "^FAIL: read: (three|5) reads .* (differ|different)" "$T/out" "the read is refused, naming the step"

# A block that does not take: the write fails, retried once, nothing
# claimed.
lifecycle 1 "a stuck block in the way of the write" ",stuck=0x8123"
expect_grep "^FAIL: write: the block at 0x8000 does not hold what was written \\(twice\\)" "$T/out" "the stuck block is named at the write step"
same "$DEV" "$T/before.img" "the stuck block kept its contents, nothing else was written"

# The link drops: at the first exchange, and in the middle of the write.
lifecycle 1 "the link drops at once" ",drop_at=1"
expect_grep "^FAIL: enter_recovery: the fake device .* stopped answering at call 1" "$T/out" "named at enter_recovery"
rm -f "$T/trace"
lifecycle 0 "a counting run" ",trace=$T/trace"
n=$(awk '$2 == "write" && $3 == 2 { print $1 }' "$T/trace")
lifecycle 1 "the link drops at the second block's write" ",drop_at=$n"
expect_grep "^FAIL: write: the fake device .* stopped answering at call $n \\(write" "$T/out" "named at the write step"
python3 - "$DEV" "$T/before.img" <<'PY' && echo "ok: one block written before the drop, the rest as before" || { echo "FAIL: the device after the drop"; FAILS=$((FAILS + 1)); }
import sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
diff = sorted({i // 4096 for i in range(len(a)) if a[i] != b[i]})
assert diff == [0x8000 // 4096], diff
PY
cp "$T/before.img" "$DEV"

# A device that needs its loader: refused before it ran, untouched by a
# wrong one, written after the right one.
echo "the fake loader, version 1" > "$T/loader.bin"
echo "some other loader" > "$T/other.bin"
SUM=$(sha256sum "$T/loader.bin" | cut -c1-64)
lifecycle 1 "writes before the loader stage" ",needs_loader=on,loader_sha256=$SUM"
expect_grep "^FAIL: write: this device takes writes only after its loader stage ran" "$T/out" "refused at the write step"
lifecycle 1 "a loader the device does not take" ",needs_loader=on,loader_sha256=$SUM" --loader "$T/other.bin"
expect_grep "^FAIL: load_stage: the device refused the loader" "$T/out" "named at the loader stage"
same "$DEV" "$T/before.img" "refusals left the device as it was"
lifecycle 0 "with the right loader" ",needs_loader=on,loader_sha256=$SUM" --loader "$T/loader.bin"
same "$DEV" "$T/before.img" "the device holds what it held before"
finish
