#!/bin/sh
# What leaves a case keeps its secrets in: a console log with a Wi-Fi key
# set in U-Boot, a password on the kernel's command line, a shadow line
# and a private key, and a device spec with a password, bundled and
# reported: absent by default, there with --no-redact; the case's own
# files untouched.  And the home folder and journal are private: made so,
# and tightened when found open to others.
. "$(dirname "$0")/lib.sh"
need python3 tar sqlite3

# mode PATH: its permission bits, in octal
mode() { stat -c %a "$1"; }
check_mode() {
	[ "$(mode "$1")" = "$2" ] && echo "ok: $3 ($2)" || { echo "FAIL: $3: $(mode "$1"), expected $2"; FAILS=$((FAILS + 1)); }
}

# --- permissions
umask 022
expect_exit 0 "a first case" -- "$UNBRICK" case new --model wr-100 --device 'uboot:tcp:10.0.0.1:23,password=hunter9' --json
check_mode "$UNBRICK_HOME" 700 "the home folder is private"
check_mode "$UNBRICK_HOME/journal.db" 600 "the journal is private, whatever the umask"
FOLDER=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"]["folder"])' "$T/out")
chmod 0755 "$UNBRICK_HOME"
chmod 0644 "$UNBRICK_HOME/journal.db"
expect_exit 0 "found open to others" -- "$UNBRICK" cases
check_mode "$UNBRICK_HOME" 700 "the home folder is tightened"
check_mode "$UNBRICK_HOME/journal.db" 600 "the journal is tightened"
[ "$(grep -c 'only you' "$T/err")" = 1 ] && echo "ok: said once" || { echo "FAIL: not said once:"; cat "$T/err"; FAILS=$((FAILS + 1)); }
expect_grep 'journal\.db \(was 644\)' "$T/err" "names the file and its old mode"
expect_exit 0 "again" -- "$UNBRICK" cases
if grep -q 'only you' "$T/err"; then echo "FAIL: said again with nothing to tighten"; FAILS=$((FAILS + 1)); else echo "ok: nothing to say the second time"; fi
[ "$(sqlite3 "$UNBRICK_HOME/journal.db" 'SELECT count(*) FROM cases')" = 1 ] && echo "ok: the journal still reads" || { echo "FAIL: journal"; FAILS=$((FAILS + 1)); }

# --- a case with secrets in its log and its rows
python3 - "$T/boot.log" <<'PY'
import sys
open(sys.argv[1], "wb").write(
    b"U-Boot 2023.01 (x)\r\n"
    b"=> setenv wpa_psk hunter2\r\n"
    b"=> printenv bootargs\r\n"
    b"bootargs=console=ttyS0 password=s3cr3tpw root=/dev/mtdblock2\r\n"
    b"ethaddr=52:54:00:12:34:56\r\n"
    b"# cat /etc/shadow\n"
    b"root:$6$saltsalt$Zq8hashhashhashhashhashhashhashhashhash:19000:0:99999:7:::\n"
    b"passwd: hunter3\n"
    b"-----BEGIN EC PRIVATE KEY-----\n"
    b"MHcCAQEEIKEYKEYKEYBODY\n"
    b"-----END EC PRIVATE KEY-----\n"
    b"\x1b]0;pwned\x07\x1b[2J title and clear\n"
    b"Bad Data CRC\n=> ")
PY
SECRETS='hunter2|s3cr3tpw|hunter9|Zq8hash|hunter3|KEYKEYBODY'
expect_exit 0 "a diagnosis with the log, into the case" -- "$UNBRICK" diagnose --console-log "$T/boot.log" --case 1
expect_exit 0 "a report written with --no-redact (the bundle must not trust it)" -- "$UNBRICK" report 1 --no-redact
expect_grep 'secrets are kept' "$T/err" "--no-redact says what it does"
expect_grep 'hunter9' "$FOLDER/report.md" "that report holds the spec's password"

# absent WHAT FILE...: none of the secrets is in the files
absent() {
	what=$1; shift
	if grep -aEq "$SECRETS" "$@"; then echo "FAIL: $what:"; grep -aEn "$SECRETS" "$@" | head; FAILS=$((FAILS + 1)); else echo "ok: $what"; fi
}
# present WHAT FILE...: every one is
present() {
	what=$1; shift
	for s in $(echo "$SECRETS" | tr '|' ' '); do
		grep -aq "$s" "$@" || { echo "FAIL: $what: $s missing"; FAILS=$((FAILS + 1)); return 0; }
	done
	echo "ok: $what"
}

expect_exit 0 "bundle" -- "$UNBRICK" bundle 1 -o "$T/b.tar.gz" --json
expect_json 'j["redacted"] is True' "the JSON says it was redacted"
expect_grep 'redacted' "$T/err" "and so does the message"
mkdir "$T/b" && tar xzf "$T/b.tar.gz" -C "$T/b"
absent "no secret in the bundle" -r "$T/b"
expect_grep '^bootargs=console=ttyS0 password=\[redacted\] root=/dev/mtdblock2' "$T/b/logs/diagnose-"*.log "the log keeps its lines, the values go"
expect_grep '^ethaddr=52:54:00:12:34:56' "$T/b/logs/diagnose-"*.log "MAC addresses stay"
expect_grep '^=> setenv wpa_psk \[redacted\]' "$T/b/logs/diagnose-"*.log "setenv's value goes"
expect_grep '^root:\[redacted\]:19000' "$T/b/logs/diagnose-"*.log "the shadow hash goes"
expect_grep 'replaced [1-9][0-9]* values' "$T/b/REDACTION.txt" "REDACTION.txt says how many"
expect_grep 'password=\[redacted\]' "$T/b/case.json" "case.json's device spec is redacted"
cmp -s "$T/boot.log" "$FOLDER"/logs/diagnose-*.log && echo "ok: the case's own log is untouched" ||
	{ echo "FAIL: the case's log changed"; FAILS=$((FAILS + 1)); }
expect_grep 'hunter9' "$FOLDER/report.md" "the case's report is left as it was"

expect_exit 0 "bundle --no-redact" -- "$UNBRICK" bundle 1 --no-redact -o "$T/raw.tar.gz" --json
expect_json 'j["redacted"] is False' "the JSON says it was not"
expect_grep 'no-redact' "$T/err" "the message says so"
mkdir "$T/raw" && tar xzf "$T/raw.tar.gz" -C "$T/raw"
present "every secret in the --no-redact bundle" -r "$T/raw"
expect_grep 'no-redact' "$T/raw/REDACTION.txt" "its REDACTION.txt says so"

expect_exit 0 "HTML report" -- "$UNBRICK" report 1 --format html -o "$T/r.html"
absent "no secret in the HTML report" "$T/r.html"
expect_grep '\[redacted\]' "$T/r.html" "the log is attached, redacted"
expect_grep '\\x1b\]0;pwned\\x07\\x1b\[2J title and clear' "$T/r.html" "the log's escapes are shown, visibly"
if grep -q "$(printf '\033')" "$T/r.html"; then echo "FAIL: a raw ESC in the HTML"; FAILS=$((FAILS + 1)); else echo "ok: no raw ESC in the HTML"; fi
expect_exit 0 "HTML report --no-redact" -- "$UNBRICK" report 1 --format html --no-redact -o "$T/r2.html"
for s in hunter2 s3cr3tpw hunter9 KEYKEYBODY; do
	grep -q "$s" "$T/r2.html" || { echo "FAIL: $s not in the --no-redact HTML"; FAILS=$((FAILS + 1)); }
done
echo "ok: --no-redact keeps them in the HTML"
expect_exit 0 "JSON report on stdout" -- "$UNBRICK" report 1 --format json -o -
absent "no secret in the JSON report" "$T/out"
expect_json 'j["device"] == "uboot:tcp:10.0.0.1:23,password=[redacted]"' "the JSON report is JSON, redacted"
expect_exit 0 "markdown report" -- "$UNBRICK" report 1
absent "no secret in report.md" "$FOLDER/report.md"
finish
