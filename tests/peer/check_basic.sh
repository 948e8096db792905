#!/bin/sh
# unbrick check end to end on plain files: digests given on the command line
# and in checksum lists made by coreutils, the sidecar manifest, device and
# version gates, JSON output, and the errors users hit (missing file, empty
# file, bad options).
. "$(dirname "$0")/lib.sh"
need sha256sum sha512sum md5sum python3

head -c 200000 /dev/urandom > "$T/fw.bin"
SHA=$(sha256sum "$T/fw.bin" | cut -d' ' -f1)
SHA512=$(sha512sum "$T/fw.bin" | cut -d' ' -f1)
MD5=$(md5sum "$T/fw.bin" | cut -d' ' -f1)
OTHER=$(printf 'x' | sha256sum | cut -d' ' -f1)

expect_exit 0 "sha256 matches" -- "$UNBRICK" check "$T/fw.bin" --sha256 "$SHA" --json
expect_json 'j["verdict"] == "safe" and j["why"] == "sha256: sha256 matches --sha256"' "safe, and says what vouches for it"
expect_exit 0 "upper-case hex accepted" -- "$UNBRICK" check "$T/fw.bin" --sha256 "$(echo "$SHA" | tr a-f A-F)"
expect_exit 3 "sha256 mismatch refused" -- "$UNBRICK" check "$T/fw.bin" --sha256 "$OTHER" --json
expect_json 'j["ok"] is False and j["exit"] == 3 and j["verdict"] == "refused"' "JSON says refused"
expect_json '[c for c in j["checks"] if c["name"] == "sha256"][0]["verdict"] == "fail"' "sha256 check failed"
expect_json '"Re-download" in [c for c in j["checks"] if c["name"] == "sha256"][0]["advice"]' "advice given"
expect_grep "$SHA" "$T/out" "the actual digest is reported"
expect_exit 0 "sha512 and md5 together" -- "$UNBRICK" check "$T/fw.bin" --sha512 "$SHA512" --md5 "$MD5" --json
expect_json 'j["image"]["sha256"] == "'"$SHA"'" and j["image"]["size"] == 200000' "JSON has size and sha256"
expect_exit 3 "md5 mismatch refused" -- "$UNBRICK" check "$T/fw.bin" --sha512 "$SHA512" --md5 0123456789abcdef0123456789abcdef
expect_exit 2 "malformed hex is a usage error" -- "$UNBRICK" check "$T/fw.bin" --sha256 xyz
expect_grep "64 hex digits" "$T/err" "usage error says what is expected"

# Nothing vouches for bytes that carry no structure: random data, all
# zeros, all 0xff are unverified (exit 3, no check failed), and the verdict
# names the checks that would make them safe.
head -c 1048576 /dev/zero > "$T/zero.bin"
head -c 1048576 /dev/zero | tr '\0' '\377' > "$T/ff.bin"
for f in fw.bin zero.bin ff.bin; do
	expect_exit 3 "$f without a checksum is unverified" -- "$UNBRICK" check "$T/$f" --json
	expect_json 'j["verdict"] == "unverified" and j["ok"] is False and not any(c["verdict"] == "fail" for c in j["checks"])' "$f: unverified, not refused"
	expect_json 'all(w in j["why"] for w in ("--sha256", "--sums", "--sig", "manifest"))' "$f: says which checks would make it safe"
done
expect_exit 3 "human verdict" -- "$UNBRICK" check "$T/fw.bin"
expect_grep "verdict: UNVERIFIED" "$T/err" "says unverified"
expect_exit 0 "all zeros with their sha256 are safe" -- "$UNBRICK" check "$T/zero.bin" --sha256 "$(sha256sum "$T/zero.bin" | cut -d' ' -f1)"

# Checksum lists as coreutils writes them, found by the file's base name.
(cd "$T" && sha256sum fw.bin > SHA256SUMS && sha512sum --tag fw.bin > SHA512.tag)
expect_exit 0 "sha256sum list" -- "$UNBRICK" check "$T/fw.bin" --sums "$T/SHA256SUMS"
expect_exit 0 "BSD tag list" -- "$UNBRICK" check "$T/fw.bin" --sums "$T/SHA512.tag"
cp "$T/fw.bin" "$T/other.bin"
expect_exit 3 "file missing from the list refused" -- "$UNBRICK" check "$T/other.bin" --sums "$T/SHA256SUMS"
expect_grep "other.bin" "$T/err" "names the missing file"

# Sidecar manifest next to the image.
cat > "$T/fw.bin.manifest.json" <<JSON
{"models": ["acme,wr-100"], "revisions": ["v2"], "regions": ["EU"], "version": "2.1.0", "sha256": "$SHA"}
JSON
expect_exit 0 "manifest read, model matches" -- "$UNBRICK" check "$T/fw.bin" --model wr-100 --revision v2 --region EU --json
expect_json 'j["image"]["version"] == "2.1.0" and j["image"]["models"] == ["acme,wr-100"]' "manifest claims in JSON"
expect_exit 3 "wrong model refused" -- "$UNBRICK" check "$T/fw.bin" --model wr-200
expect_grep "model" "$T/err" "names the model check"
expect_exit 3 "wrong region refused" -- "$UNBRICK" check "$T/fw.bin" --model wr-100 --region US
expect_exit 3 "downgrade refused" -- "$UNBRICK" check "$T/fw.bin" --installed-version 2.10.0
expect_grep "older" "$T/err" "says it is older"
expect_exit 0 "downgrade allowed when asked" -- "$UNBRICK" check "$T/fw.bin" --installed-version 2.10.0 --allow-older
expect_exit 0 "upgrade allowed" -- "$UNBRICK" check "$T/fw.bin" --installed-version 2.0.9
expect_exit 0 "profile by path" -- "$UNBRICK" check "$T/fw.bin" --profile "$SRCDIR/profiles/demo-router.json"
expect_exit 0 "profile by name" -- "$UNBRICK" check "$T/fw.bin" --profile demo-router
expect_exit 2 "unknown profile is a usage error" -- "$UNBRICK" check "$T/fw.bin" --profile no-such-board
expect_grep "no profile named" "$T/err" "says the profile is missing"
expect_exit 0 "the manifest's sha256 makes it safe" -- "$UNBRICK" check "$T/fw.bin" --json
expect_json 'j["verdict"] == "safe" and j["why"].startswith("manifest-sha256")' "safe by the manifest's sha256"
printf '{"models": ["acme,wr-100"]}' > "$T/fw.bin.manifest.json"
expect_exit 3 "a manifest without sha256 vouches for nothing" -- "$UNBRICK" check "$T/fw.bin" --json
expect_json 'j["verdict"] == "unverified"' "unverified without the manifest's sha256"
printf '%s' "{\"sha256\": \"$OTHER\"}" > "$T/fw.bin.manifest.json"
expect_exit 3 "manifest digest mismatch refused" -- "$UNBRICK" check "$T/fw.bin"
printf '{"models": "not a list"' > "$T/fw.bin.manifest.json"
expect_exit 3 "broken manifest refused" -- "$UNBRICK" check "$T/fw.bin"
rm "$T/fw.bin.manifest.json"

# Errors users hit.
: > "$T/empty.bin"
expect_exit 3 "empty file refused" -- "$UNBRICK" check "$T/empty.bin"
expect_grep "empty" "$T/err" "says it is empty"
expect_exit 1 "missing file" -- "$UNBRICK" check "$T/nope.bin"
expect_grep "what to do" "$T/err" "missing file gets advice"
expect_exit 1 "a folder is not an image" -- "$UNBRICK" check "$T"
expect_grep "is a folder.*give the path of a regular file" "$T/err" "a folder: says to give a regular file"
# A named pipe with no writer: refused at once, not waited on (timeout
# turns a hang into exit 124).
mkfifo "$T/pipe"
expect_exit 1 "a named pipe is not an image" -- timeout 20 "$UNBRICK" check "$T/pipe"
expect_grep "$T/pipe is a named pipe.*give the path of a regular file" "$T/err" "names the pipe and says what to give"
expect_exit 1 "a device is not an image" -- "$UNBRICK" check /dev/null
expect_grep "/dev/null is a character device" "$T/err" "names the device"
expect_exit 1 "missing file, JSON error object" -- "$UNBRICK" check "$T/nope.bin" --json
expect_json 'j["ok"] is False and j["error"]["code"] == "io"' "JSON error has a code"
expect_exit 2 "no image" -- "$UNBRICK" check
expect_exit 2 "unknown option" -- "$UNBRICK" check "$T/fw.bin" --frobnicate
expect_exit 2 "--sig without --key" -- "$UNBRICK" check "$T/fw.bin" --sig "$T/fw.bin"
expect_exit 0 "help" -- "$UNBRICK" check --help
expect_grep "Exit status" "$T/out" "help documents exit codes"
expect_exit 2 "unknown command" -- "$UNBRICK" frobnicate
expect_exit 0 "version" -- "$UNBRICK" --version
expect_grep "^unbrick [0-9]" "$T/out" "prints a version"

# JSON progress: events on stdout, one object per line, ending at 1.0.
expect_exit 0 "json progress" -- "$UNBRICK" check "$T/fw.bin" --sha256 "$SHA" --json-progress
python3 - "$T/out" <<'PY' && echo "ok: progress events are JSON lines ending at fraction 1" || { echo "FAIL: progress events"; FAILS=$((FAILS+1)); }
import json, sys
ev = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
assert ev and all(e["event"] == "progress" for e in ev)
assert ev[-1]["kind"] == "end" and abs(ev[-1]["fraction"] - 1) < 1e-9
assert any(e["step"] == "hash" for e in ev)
PY
finish
