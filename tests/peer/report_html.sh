#!/bin/sh
# The HTML report of a real case (a SPI chip flashed, a diagnosis with a
# hostile console log), rendered by headless Chromium: printed to PDF, the
# key facts must be visible text, the log's markup shown, never run.
. "$(dirname "$0")/lib.sh"
need flashrom python3 pdftotext
CHROME=$(command -v chromium || command -v chromium-browser || true)
[ -n "$CHROME" ] || { echo "SKIP: chromium not installed"; exit 77; }
CHIP="$T/chip.bin"
"$SRCDIR/tests/board/make-spi-chip" router "$CHIP"
python3 -c 'import sys; b=bytearray(open(sys.argv[1],"rb").read()[0x50000:0x60000]); b[9]^=1; open(sys.argv[2],"wb").write(b)' "$CHIP" "$T/fw.bin"
SHA=$(sha256sum "$T/fw.bin" | cut -d' ' -f1)

expect_exit 0 "a case to report on" -- "$UNBRICK" flash --allow-unverified "$T/fw.bin" --device "spi:flashrom:dummy,emulate=W25Q128FV,image=$CHIP" --profile spi-router-16m --yes --json
CASE=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"])' "$T/out")
printf 'U-Boot 2023.01 (x)\n<script>document.title="pwned"</script> Bad Data CRC & more\n=> ' > "$T/boot.log"
expect_exit 0 "a diagnosis in the case" -- "$UNBRICK" diagnose --console-log "$T/boot.log" --case "$CASE"
expect_exit 0 "HTML report" -- "$UNBRICK" report "$CASE" --format html
HTML=$(cat "$T/out")
expect_grep '^<!DOCTYPE html>' "$HTML" "an HTML document"
if grep -qi '<script\|<link\|src=' "$HTML"; then echo "FAIL: the report has scripts or outside files"; FAILS=$((FAILS + 1)); else echo "ok: self-contained, no scripts"; fi

"$CHROME" --headless --no-sandbox --disable-gpu --no-pdf-header-footer --print-to-pdf="$T/r.pdf" "file://$HTML" >"$T/chrome.log" 2>&1
pdftotext -layout "$T/r.pdf" "$T/r.txt" || { echo "FAIL: no PDF"; cat "$T/chrome.log"; FAILS=$((FAILS + 1)); }
[ "$(wc -c < "$T/r.txt")" -gt 1000 ] && echo "ok: rendered, not empty" || { echo "FAIL: rendered text too short"; FAILS=$((FAILS + 1)); }
expect_grep "Repair report: case $CASE" "$T/r.txt" "the title is visible"
expect_grep "Status: flashed" "$T/r.txt" "the status is visible"
# a long hash may wrap in the printed table: compare without white space
tr -d ' \n' < "$T/r.txt" > "$T/r.flat"
expect_grep "$SHA" "$T/r.flat" "the image hash is visible"
expect_grep "Winbond W25Q128" "$T/r.txt" "the chip is visible"
expect_grep "recover through the bootloader" "$T/r.txt" "the diagnosis verdict is visible"
expect_grep '<script>document.title="pwned"</script> Bad Data CRC & more' "$T/r.txt" "the console log is attached, its markup shown as text"
"$CHROME" --headless --no-sandbox --disable-gpu --dump-dom "file://$HTML" 2>/dev/null > "$T/dom.html"
expect_grep "<title>Repair report: case $CASE</title>" "$T/dom.html" "the log's script did not run"
finish
