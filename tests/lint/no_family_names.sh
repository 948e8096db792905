#!/bin/sh
# core/ and cli/ never name a device family: what a family is, takes and
# does is in its own folder (src/family/NAME/) and reaches the rest through
# the family table.  Comments may name one (as an example); code and
# strings may not.
set -eu
: "${SRCDIR:?}"
pattern='uboot|u-boot|flashrom|"spi"'
fails=0
n=0

# C source on stdin with its comments blanked out, strings and line
# numbers kept.
strip() {
	awk '
		BEGIN { RS = "\001" }
		{
			out = ""; s = $0; n = length(s); i = 1; st = "code"
			while (i <= n) {
				c = substr(s, i, 1); d = substr(s, i, 2)
				if (st == "code") {
					if (d == "/*") { st = "block"; out = out "  "; i += 2; continue }
					if (d == "//") { st = "line"; out = out "  "; i += 2; continue }
					if (c == "\"") st = "str"
					else if (c == "\047") st = "chr"
					out = out c; i++; continue
				}
				if (st == "block") {
					if (d == "*/") { st = "code"; out = out "  "; i += 2; continue }
					out = out (c == "\n" ? "\n" : " "); i++; continue
				}
				if (st == "line") {
					if (c == "\n") { st = "code"; out = out c } else out = out " "
					i++; continue
				}
				# in a string or a character literal
				if (c == "\\") { out = out d; i += 2; continue }
				if ((st == "str" && c == "\"") || (st == "chr" && c == "\047")) st = "code"
				out = out c; i++
			}
			printf "%s", out
		}'
}

# the stripper must blank comments and keep strings, or this check means
# nothing
[ "$(printf '/* uboot */ a = "spi"; // flashrom\n' | strip | grep -ciE "$pattern")" = 1 ] &&
	! printf '/* "spi"\n uboot */ b;\n' | strip | grep -qiE "$pattern" ||
	{ echo "FAIL: the comment stripper is broken"; exit 1; }
for dir in src/core src/cli; do
	for f in "$SRCDIR/$dir"/*.c "$SRCDIR/$dir"/*.h; do
		[ -e "$f" ] || continue
		n=$((n + 1))
		# blank out comments, keep strings and line numbers
		hits=$(strip <"$f" | grep -niE "$pattern" || true)
		if [ -n "$hits" ]; then
			printf "%s\n" "$hits" | sed "s|^|FAIL: $dir/${f##*/}:|"
			fails=$((fails + 1))
		fi
	done
done
# the check must have looked at something
[ "$n" -gt 10 ] || { echo "FAIL: only $n files under src/core and src/cli"; exit 1; }
[ "$fails" -eq 0 ] || { echo "$fails file(s) name a device family outside comments"; exit 1; }
echo "ok: $n files in src/core and src/cli name no device family outside comments"
