#!/bin/sh
# The man page and --help say the same: every option a command's --help
# lists is in that command's section of man/unbrick.1 (.SS "NAME"), and
# every option that section names is one the command takes.  --json and
# --help, which every command has, are described once (OPTIONS).
set -eu
: "${SRCDIR:?}" "${UNBRICK:?}"
MAN="$SRCDIR/man/unbrick.1"
T=$(mktemp -d "${TMPDIR:-/tmp}/ub-man.XXXXXX")
trap 'rm -rf "$T"' EXIT
fails=0
checked=0

# The options in a --help text: lines that start with -x, --name or --name.
help_options() {
	grep -oE '^  (-[a-zA-Z0-9], )?--[a-z0-9][a-z0-9-]*|^      --[a-z0-9][a-z0-9-]*' |
		grep -oE -- '--[a-z0-9-]+' | grep -vxE -- '--(json|help)' | sort -u
}

# The options a man page section names (\-\- in roff).
man_options() {
	awk -v name="$1" '
		/^\.S[HS] / { on = ($0 == ".SS \"" name "\"") ; next }
		on' "$MAN" | sed 's/\\-/-/g; s/\\f[BIRP]//g' |
		grep -oE -- '--[a-z0-9][a-z0-9-]*' | grep -vxE -- '--(json|help)' | sort -u || true
}

commands=$("$UNBRICK" --help | awk '/^Commands:/ { on = 1; next } /^$/ { on = 0 } on && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] || { echo "FAIL: no commands in unbrick --help"; exit 1; }
names=""
for c in $commands; do
	"$UNBRICK" "$c" --help >"$T/help"
	subs=$(awk '/^Subcommands:/ { on = 1; next } /^$|^Each/ { on = 0 } on && /^  [a-z]/ { print $1 }' "$T/help")
	names="$names $c"
	for s in $subs; do
		names="$names $c:$s"
	done
done
for n in $names; do
	name=$(echo "$n" | tr ':' ' ')
	# shellcheck disable=SC2086
	"$UNBRICK" $name --help | help_options >"$T/h"
	if ! grep -qxF ".SS \"$name\"" "$MAN"; then
		echo "FAIL: man/unbrick.1 has no section .SS \"$name\""
		fails=$((fails + 1))
		continue
	fi
	man_options "$name" >"$T/m"
	for o in $(comm -23 "$T/h" "$T/m"); do
		echo "FAIL: $name: $o is in --help but not in its man page section"
		fails=$((fails + 1))
	done
	for o in $(comm -13 "$T/h" "$T/m"); do
		echo "FAIL: $name: $o is in its man page section but not in --help"
		fails=$((fails + 1))
	done
	checked=$((checked + $(wc -l <"$T/h")))
done
# a check that found no options at all would pass for the wrong reason
[ "$checked" -gt 40 ] || { echo "FAIL: only $checked options found in the --help texts"; exit 1; }
grep -q '^\.SH EXAMPLES' "$MAN" || { echo "FAIL: no EXAMPLES section"; fails=$((fails + 1)); }
grep -q 'unbrick\\-profile (5)\|unbrick-profile (5)\|BR unbrick\\-profile (5)' "$MAN" ||
	{ echo "FAIL: SEE ALSO does not name unbrick-profile(5)"; fails=$((fails + 1)); }
[ "$fails" -eq 0 ] || exit 1
echo "ok: $checked options of$names agree between --help and man/unbrick.1"
