#!/bin/sh
# Device strings on a terminal: escape sequences in an image's fwtool
# metadata and in a case's model (a title, a screen clear, a CSI as C1)
# are shown as visible escapes by every command that prints them, on
# stderr and stdout; JSON carries them escaped by jansson, unchanged; and
# unbrick's own colours still reach a real terminal (script(1)'s pty).
. "$(dirname "$0")/lib.sh"
need python3 tar script
APPEND="$SRCDIR/tests/tools/fwtool-append"

# raw_free FILE WHAT: FILE holds no ESC, BEL, raw C1 byte or U+0080..U+009F.
raw_free() {
	if python3 - "$1" <<'PY'
import re, sys
b = open(sys.argv[1], "rb").read()
sys.exit(1 if re.search(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", b) else 0)
PY
	then echo "ok: $2"; else echo "FAIL: $2:"; cat -v "$1"; FAILS=$((FAILS + 1)); fi
}

mkdir -p "$T/sysupgrade-x"
head -c 1000 /dev/urandom > "$T/sysupgrade-x/kernel"
tar -C "$T" -cf "$T/fw.bin" sysupgrade-x
cat > "$T/meta.json" <<'JSON'
{"metadata_version": "1.1", "compat_version": "1.0",
 "supported_devices": ["acme,wr\u001b]0;pwned\u0007-100"],
 "version": {"dist": "OpenWrt", "version": "23.05\u001b[2J\u009b.2", "board": "x"}}
JSON
"$APPEND" -I "$T/meta.json" "$T/fw.bin"

expect_exit 0 "check an image whose metadata holds escapes" -- "$UNBRICK" check "$T/fw.bin"
raw_free "$T/err" "no raw control character reaches stderr"
expect_grep 'version 23\.05\\x1b\[2J\\u009b\.2 for acme,wr\\x1b\]0;pwned\\x07-100' "$T/err" "the escapes are shown, visibly"
expect_exit 0 "the same with --json" -- "$UNBRICK" check "$T/fw.bin" --json
expect_json 'j["image"]["version"] == "23.05\x1b[2J\x9b.2" and j["image"]["models"] == ["acme,wr\x1b]0;pwned\x07-100"]' "JSON keeps the strings as they are (escaped by JSON itself)"
raw_free "$T/out" "and has no raw control character either"

expect_exit 0 "a case whose model holds escapes" -- "$UNBRICK" case new --model "$(printf 'wr\033]0;pwned\007\033[2J')" --serial "$(printf 'SN\302\2331')"
expect_exit 0 "cases" -- "$UNBRICK" cases
raw_free "$T/out" "the case list (on stdout) is safe"
expect_grep 'wr\\x1b\]0;pwned' "$T/out" "and shows the model's escapes"
expect_exit 0 "case show" -- "$UNBRICK" case show 1
raw_free "$T/out" "case show (on stdout) is safe"
expect_exit 0 "the report on stdout" -- "$UNBRICK" report 1 -o -
raw_free "$T/out" "the markdown report is safe"
# (markdown escapes the escape's backslash: SN\\u009b1 shows as SN\u009b1)
expect_grep 'SN\\\\u009b1' "$T/out" "and shows the serial's C1 control"

# On a terminal, with colours: ours are there, the image's are not.
env -u NO_COLOR script -qec "'$UNBRICK' check '$T/fw.bin'" /dev/null > "$T/tty" 2>&1 || true
if grep -q "$(printf '\033')\[1m" "$T/tty"; then echo "ok: unbrick's own colours reach the terminal"; else
	echo "FAIL: no colours on a terminal:"; cat -v "$T/tty"; FAILS=$((FAILS + 1)); fi
if grep -q "$(printf '\033')\]0;\|$(printf '\033')\[2J" "$T/tty"; then echo "FAIL: the image's escapes reached the terminal:"; cat -v "$T/tty"; FAILS=$((FAILS + 1)); else
	echo "ok: the image's escapes did not"; fi
expect_grep 'verdict: safe to flash' "$T/tty" "the verdict is there"
finish
