#!/bin/sh
# The whole workflow (unbrick recover) against the fake family, where the
# device's every byte can be checked from outside: the happy path, a noisy
# link, a block that does not take, a link that drops in the middle of the
# write, and a device that can neither digest nor be read.
. "$(dirname "$0")/lib.sh"
need python3 cmp
MAKE="$SRCDIR/tests/contract/make-fake-device"
P=fake-board

slice() {
	python3 -c 'import sys; f=open(sys.argv[1],"rb"); f.seek(int(sys.argv[2],0)); open(sys.argv[4],"wb").write(f.read(int(sys.argv[3],0)))' "$@"
}
same() {
	if cmp -s "$1" "$2"; then echo "ok: $3"; else echo "FAIL: $3 ($1 differs from $2)"; FAILS=$((FAILS + 1)); fi
}
# fresh NAME: a new device $T/NAME.img (firmware 1.0.0) and image $T/NAME.bin
# (1.1.0, 8 blocks changed); the device's first state in $T/NAME.orig
fresh() {
	"$MAKE" device "$T/$1.img" 1.0.0
	"$MAKE" image "$T/$1.img" "$T/$1.bin" 1.1.0
	cp "$T/$1.img" "$T/$1.orig"
}
# device_is_image NAME WHAT: the firmware region holds the image, the other
# regions what they held
device_is_image() {
	python3 - "$T/$1.img" "$T/$1.orig" "$T/$1.bin" <<'PY' && echo "ok: $2" || { echo "FAIL: $2"; FAILS=$((FAILS + 1)); }
import sys
dev, orig, img = (open(p, "rb").read() for p in sys.argv[1:4])
assert dev[0x8000:0x38000] == img, "the firmware region is not the image"
assert dev[:0x8000] == orig[:0x8000], "the bootloader changed"
assert dev[0x38000:] == orig[0x38000:], "the settings changed"
PY
}
# backup_is_device DIR NAME WHAT: the backup verifies against its manifest
# and holds the device's first state, region by region
backup_is_device() {
	python3 - "$1" "$T/$2.orig" <<'PY' && echo "ok: $3" || { echo "FAIL: $3"; FAILS=$((FAILS + 1)); }
import hashlib, json, sys
bk, orig = sys.argv[1], open(sys.argv[2], "rb").read()
where = {"bootloader": (0, 0x8000), "firmware": (0x8000, 0x30000), "config": (0x38000, 0x8000)}
man = json.load(open(bk + "/manifest.json"))
assert sorted(r["region"] for r in man["regions"]) == sorted(where), man["regions"]
for r in man["regions"]:
    got = open(bk + "/" + r["file"], "rb").read()
    assert hashlib.sha256(got).hexdigest() == r["sha256"], r["region"] + ": manifest"
    off, size = where[r["region"]]
    assert got == orig[off:off + size], r["region"] + ": not the device's contents"
PY
}
case_of() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$T/out"; }
# case_json CASE: `unbrick case show CASE --json` into $T/case.json
case_json() {
	"$UNBRICK" case show "$1" --json >"$T/case.out" 2>"$T/case.err" ||
		{ echo "FAIL: case show $1"; cat "$T/case.err"; FAILS=$((FAILS + 1)); }
	python3 -c 'import json,sys; json.dump(json.load(open(sys.argv[1]))["case"], open(sys.argv[2], "w"))' "$T/case.out" "$T/case.json"
}
expect_case() {
	if python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$T/case.json" "$1"; then
		echo "ok: $2"
	else
		echo "FAIL: $2: $1 is false for:"; cat "$T/case.json"; FAILS=$((FAILS + 1))
	fi
}

echo "# the happy path"
fresh h
expect_exit 0 "recover on the fake board" -- "$UNBRICK" recover "$T/h.bin" --device "fake:file:$T/h.img" --profile $P --yes --json
cp "$T/out" "$T/h.json"
device_is_image h "the device holds the image, the other regions as they were"
expect_json 'j["blocks"] == {"total": 48, "written": 8, "skipped": 40}' "only the 8 changed blocks written"
expect_json 'j["boot"]["booted"] and j["boot"]["version"] == "1.1.0"' "it booted the new version"
backup_is_device "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["backup"])' "$T/h.json")" h "the backup equals the device as it was"
case_json "$(case_of)"
expect_case 'sorted(s["name"] for s in j["steps"]) == sorted(["check", "identify", "preflight", "backup", "flash", "verify", "settings", "boot"])' "the journal has every step, once"
expect_case 'all(s["outcome"] == "ok" for s in j["steps"])' "every step ok in the journal"
expect_case 'j["status"] == "repaired"' "the case is repaired"

echo "# a noisy link: the backup is right or refused, never wrong"
for f in "flaky_read=2" "flaky_read=2,digest=none" "flaky_read=3,digest=sha256" "flaky_read=1" "flaky_read=1,digest=none"; do
	fresh n
	set +e
	"$UNBRICK" recover "$T/n.bin" --device "fake:file:$T/n.img,$f" --profile $P --yes --json >"$T/out" 2>"$T/err"
	rc=$?
	set -e
	dir=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("backup", ""))' "$T/out")
	if [ $rc -eq 0 ]; then
		echo "ok: $f: recovered"
		backup_is_device "$dir" n "$f: the backup equals the device as it was"
		device_is_image n "$f: the device holds the image"
	else
		folder=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("folder", ""))' "$T/out")
		expect_json 'j["error"]["advice_id"] == "read-unstable"'  "$f: refused, because the reads cannot be confirmed (exit $rc)"
		[ ! -e "$folder/backup/manifest.json" ] && echo "ok: $f: no backup claims to be complete" ||
			backup_is_device "$folder/backup" n "$f: what backup there is equals the device"
		same "$T/n.img" "$T/n.orig" "$f: nothing was written"
	fi
done
# every transfer flipped cannot be confirmed at all: that one must refuse
expect_exit 1 "every read transfer flipped" -- "$UNBRICK" recover "$T/n.bin" --device "fake:file:$T/n.img,flaky_read=1" --profile $P --yes --json
same "$T/n.img" "$T/n.orig" "refused before any write"

echo "# a block that does not take"
fresh s
expect_exit 1 "recover with the firmware's first block stuck" -- "$UNBRICK" recover "$T/s.bin" --device "fake:file:$T/s.img,stuck=0x8040" --profile $P --yes --json
expect_json 'j["error"]["advice_id"] == "verify-failed" and j["exit"] == 1' "verify-failed is the reason"
expect_json 'j["steps"]["flash"]["outcome"] == "failed" and j["steps"]["flash"].get("attempt") == "failed"' "the flash step failed, counted as an attempt"
expect_json 'j["steps"]["flash"]["retries"] >= 1' "the block was written again before giving up"
case_json "$(case_of)"
expect_case '[(s["outcome"], s["detail"].get("attempt"), "0x8000" in s["error"]) for s in j["steps"] if s["name"] == "flash"] == [("failed", "failed", True)]' "the journal records the failed attempt, naming the block"
python3 - "$T/s.img" "$T/s.orig" <<'PY' && echo "ok: the stuck block kept its old contents" || { echo "FAIL: the stuck block changed"; FAILS=$((FAILS + 1)); }
import sys
a, b = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
assert a[0x8000:0x9000] == b[0x8000:0x9000]
PY

echo "# the link drops in the middle of the write; the resume completes it"
fresh d
cp "$T/d.img" "$T/count.img"
UNBRICK_HOME="$T/count-home" "$UNBRICK" recover "$T/d.bin" --device "fake:file:$T/count.img,trace=$T/d.trace" --profile $P --yes >/dev/null 2>&1 ||
	{ echo "FAIL: the counting run"; FAILS=$((FAILS + 1)); }
n=$(awk '$2 == "write" && $3 == 4 { print $1 }' "$T/d.trace")
expect_exit 4 "the link drops at exchange $n (the 4th block's write)" -- "$UNBRICK" recover "$T/d.bin" --device "fake:file:$T/d.img,drop_at=$n" --profile $P --yes --json
C=$(case_of)
expect_json 'j["steps"]["flash"]["outcome"] == "failed"' "the flash step failed"
expect_exit 0 "resume case $C" -- "$UNBRICK" recover "$T/d.bin" --device "fake:file:$T/d.img" --profile $P --resume "$C" --yes --json
expect_json 'j["steps"]["backup"].get("reused") is True' "the resume reuses the verified backup"
expect_json 'j["blocks"]["written"] == 5' "and writes the 5 blocks the drop left"
device_is_image d "the device holds the image after the resume"
backup_is_device "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["backup"])' "$T/out")" d "the backup still equals the device as it first was"

echo "# a device that can neither digest nor be read"
fresh u
expect_exit 3 "recover digest=none read=off without --no-backup" -- "$UNBRICK" recover "$T/u.bin" --device "fake:file:$T/u.img,digest=none,read=off" --profile $P --yes --json
expect_json 'j["error"]["advice_id"] == "backup-impossible" and "identify" not in j["steps"]' "no backup possible: refused before the device, saying how to go on"
expect_exit 0 "recover digest=none read=off (no backup possible)" -- "$UNBRICK" recover "$T/u.bin" --device "fake:file:$T/u.img,digest=none,read=off" --profile $P --yes --no-backup --json
cp "$T/out" "$T/u.json"; cp "$T/err" "$T/u.err"
device_is_image u "the device holds the image (from outside)"
expect_json 'j["blocks"]["written"] == 48' "every block written: nothing could be compared"
# "verified" claimed: the word, not as "not verified", "unverified",
# "unverifiable" or a "verified": false
python3 - "$T/u.json" "$T/u.err" "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1])).get("report", ""))' "$T/u.json")" <<'PY' >"$T/u.checks" || true
import json, re, sys
claim = re.compile(r'(?<![a-z])(?<!not )verified\b(?!"\s*:\s*false)', re.I)
says = re.compile(r"written, not verified", re.I)
res = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read()
report = open(sys.argv[3]).read() if sys.argv[3] else ""
text = json.dumps(res)
print("json-says", bool(says.search(text)))
print("json-claims", bool(claim.search(json.dumps(res["steps"].get("verify", {})))) or
      '"verified": true' in text or bool(claim.search(str(res.get("summary", "")))))
sect = re.search(r"^== verify.*?(?=^== |\Z)", err, re.M | re.S)
tail = "\n".join(l for l in err.splitlines() if not l.startswith(("==", "  ")))
print("summary-says", bool(says.search(err)))
print("summary-claims", bool(sect and claim.search(sect.group(0)[9:])) or bool(claim.search(tail)))
print("report-says", bool(says.search(report)))
print("report-claims", bool(claim.search(report)))
PY
for w in json summary report; do
	grep -q "^$w-says True" "$T/u.checks" && echo "ok: the $w says 'written, not verified'" ||
		{ echo "FAIL: the $w does not say 'written, not verified'"; FAILS=$((FAILS + 1)); }
	grep -q "^$w-claims False" "$T/u.checks" && echo "ok: the $w never calls it verified" ||
		{ echo "FAIL: the $w calls it verified"; FAILS=$((FAILS + 1)); }
done
if [ "$FAILS" -ne 0 ]; then
	echo "--- verify step in --json:"; python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["steps"].get("verify"))' "$T/u.json"
	echo "--- stderr:"; sed 's/^/  /' "$T/u.err"
fi
finish
