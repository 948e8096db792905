#!/bin/sh
# Every advice id the code uses must have a sentence in the advice table, or
# the user gets an error with no next step.
set -eu
: "${SRCDIR:?}"
table="$SRCDIR/src/base/advice.c"
used=$(grep -rhoE '(UB_E[A-Z]+|UB_(FAIL|WARN|PASS|NA)), *"[a-z0-9]+(-[a-z0-9]+)*"' "$SRCDIR/src" |
	sed -E 's/.*"(.*)"/\1/' | sort -u)
missing=0
for id in $used; do
	if ! grep -q "{ \"$id\"," "$table"; then
		echo "FAIL: advice id '$id' is used but not in src/base/advice.c"
		missing=$((missing + 1))
	fi
done
n=$(echo "$used" | wc -w)
# The pattern must at least see the ids of err.c's own callers; an empty
# list would mean the regular expression rotted, not that all is well.
[ "$n" -gt 0 ] || { echo "FAIL: found no advice ids; the pattern is broken"; exit 1; }
echo "$used" | grep -qx 'image-empty' || { echo "FAIL: the pattern misses 'image-empty' (used in formats.c)"; exit 1; }
[ "$missing" -eq 0 ] || exit 1
echo "ok: all $n advice ids used in src/ have advice"
