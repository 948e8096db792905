#!/bin/sh
# The process killed at every exchange with the device that a repair makes
# (the fake family counts them: identify, read transfers, digests, each
# block's write and the erase inside it, reboot, boot...), then the case
# resumed without the fault.  After each resume:
#   - the resume completes (exit 0);
#   - the backup is intact: its manifest verifies and its content is the
#     device's content before the repair;
#   - the journal agrees with the device: the device holds the image (the
#     other regions as they were), and the last verify step says verified;
#   - no step is left "running" (unbrick case show CASE --json);
#   - no *.partial* file is left in the case folder.
# A 256 KiB device in 4 KiB blocks keeps it to about a minute.
. "$(dirname "$0")/lib.sh"
need python3 cmp find
MAKE="$SRCDIR/tests/contract/make-fake-device"
P=fake-board
"$MAKE" device "$T/orig.img" 1.0.0
"$MAKE" image "$T/orig.img" "$T/fw.bin" 1.1.0

# The counting run: the happy path, every exchange traced.
cp "$T/orig.img" "$T/count.img"
UNBRICK_HOME="$T/count-home" "$UNBRICK" recover "$T/fw.bin" --device "fake:file:$T/count.img,trace=$T/trace" \
	--profile $P --yes >"$T/count.out" 2>"$T/count.err" || { echo "FAIL: the counting run"; cat "$T/count.err"; exit 1; }
echo "ok: the happy path makes $(wc -l <"$T/trace") exchanges:" $(awk '{ n[$2] = $3 } END { for (o in n) printf "%s %d, ", o, n[o] }' "$T/trace")

# check CASE-DIR: the assertions above, one line per case.
cat >"$T/check.py" <<'PY'
import glob, hashlib, json, os, re, sys
name, rc, out, show, orig, dev, img = sys.argv[1:8]
bad = []
if rc != "0":
    bad.append("resume exit %s" % rc)
try:
    res = json.load(open(out))
except ValueError:
    res = {}
try:
    case = json.load(open(show))["case"]
except (ValueError, KeyError):
    case = None
    bad.append("no case show --json")
o, d, i = (open(p, "rb").read() for p in (orig, dev, img))
if d[0x8000:0x38000] != i:
    bad.append("device is not the image")
if d[:0x8000] != o[:0x8000] or d[0x38000:] != o[0x38000:]:
    bad.append("a region outside the firmware changed")
bk = res.get("backup") or (case and os.path.join(case["folder"], "backup"))
where = {"bootloader": (0, 0x8000), "firmware": (0x8000, 0x30000), "config": (0x38000, 0x8000)}
try:
    man = json.load(open(os.path.join(bk, "manifest.json")))
    if sorted(r["region"] for r in man["regions"]) != sorted(where):
        bad.append("backup lacks regions")
    for r in man["regions"]:
        got = open(os.path.join(bk, r["file"]), "rb").read()
        if hashlib.sha256(got).hexdigest() != r["sha256"]:
            bad.append("backup %s fails its manifest" % r["region"])
        off, size = where[r["region"]]
        if got != o[off:off + size]:
            bad.append("backup %s is not the device's first content" % r["region"])
except (OSError, ValueError, TypeError, KeyError) as e:
    bad.append("no usable backup (%s)" % e)
if case:
    running = [s["name"] for s in case["steps"] if s["outcome"] == "running"]
    if running:
        bad.append("left running: " + ",".join(running))
    ver = [s for s in case["steps"] if s["name"] == "verify"]
    last = ver[-1] if ver else None
    det = (last or {}).get("detail") or {}
    said = last and last["outcome"] == "ok" and (det.get("verified") is True or (
        det.get("verified") is not False and det.get("mismatched") == 0 and
        det.get("compared_by") in ("crc32", "md5", "sha256", "read-back")))
    if not said:
        bad.append("last verify step: %s %s" % (last and last["outcome"], json.dumps(det, sort_keys=True)))
    parts = [p for p in glob.glob(os.path.join(case["folder"], "**", "*.partial*"), recursive=True)]
    if parts:
        bad.append("partial files: " + ",".join(os.path.relpath(p, case["folder"]) for p in parts))
print(("FAIL: %s: " % name + "; ".join(bad)) if bad else "ok: %s" % name)
PY

# The checker on the uninterrupted run: it must pass it, or its verdicts
# below mean nothing.
id=$(python3 -c 'import json,sys; print(json.load(sys.stdin)["cases"][0]["id"])' <<EOT
$(UNBRICK_HOME="$T/count-home" "$UNBRICK" cases --json)
EOT
)
UNBRICK_HOME="$T/count-home" "$UNBRICK" case show "$id" --json >"$T/count-show.json" 2>/dev/null || true
python3 "$T/check.py" "the uninterrupted run" 0 /dev/null "$T/count-show.json" "$T/orig.img" "$T/count.img" "$T/fw.bin" >"$T/control"
if grep -q '^ok' "$T/control"; then echo "ok: the checker passes the uninterrupted run"; else cat "$T/control"; FAILS=$((FAILS + 1)); fi

awk '{ print $2, $3 }' "$T/trace" >"$T/cases"
total=0; failed=0
while read -r op n; do
	c="$op:$n"
	k="$T/k/$op-$n"
	mkdir -p "$k"
	cp "$T/orig.img" "$k/dev.img"
	export UNBRICK_HOME="$k/home"
	set +e
	"$UNBRICK" recover "$T/fw.bin" --device "fake:file:$k/dev.img,kill_at=$c" --profile $P --yes --json >"$k/killed.out" 2>"$k/killed.err"
	rc=$?
	set -e
	total=$((total + 1))
	if [ $rc -ne 137 ]; then
		echo "FAIL: kill_at=$c: the run was not killed (exit $rc): the happy path changed since the counting run"
		failed=$((failed + 1)); continue
	fi
	id=1   # the only case in this home
	set +e
	"$UNBRICK" recover "$T/fw.bin" --device "fake:file:$k/dev.img" --profile $P --resume "$id" --yes --json >"$k/resume.out" 2>"$k/resume.err"
	rc=$?
	set -e
	"$UNBRICK" case show "$id" --json >"$k/show.json" 2>/dev/null || true
	python3 "$T/check.py" "kill_at=$c" $rc "$k/resume.out" "$k/show.json" "$T/orig.img" "$k/dev.img" "$T/fw.bin" >"$k/verdict"
	cat "$k/verdict"
	if grep -q '^FAIL' "$k/verdict"; then
		failed=$((failed + 1))
		[ $rc -ne 0 ] && sed -n 's/^unbrick: error: /    resume said: /p' "$k/resume.err" | head -2
	fi
done <"$T/cases"
unset UNBRICK_HOME
echo "kill matrix: $total cases, $failed failed"
# What failed, by kind, and at which exchanges: so a fix shows where it
# lands.
cat "$T"/k/*/verdict | python3 -c '
import re, sys
kinds = {}
for line in sys.stdin:
    m = re.match(r"FAIL: kill_at=([a-z]+:[0-9]+): (.*)", line)
    if not m:
        continue
    for why in m.group(2).split("; "):
        kind = "partial files" if why.startswith("partial files") else why.split(" {")[0].split(" (")[0]
        kinds.setdefault(kind, []).append(m.group(1))
for kind, where in sorted(kinds.items(), key=lambda kv: -len(kv[1])):
    where.sort(key=lambda c: (c.split(":")[0], int(c.split(":")[1])))
    print("  %3d %s: %s" % (len(where), kind, " ".join(where)))
'
[ "$failed" -eq 0 ] || FAILS=$((FAILS + failed))
finish
