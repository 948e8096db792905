#!/bin/sh
# What counts as a secret is documented where people read it: every name
# pattern and hash id in src/core/redact.c's tables is in the REDACTION
# section of man/unbrick.1.
set -eu
: "${SRCDIR:?}"
code="$SRCDIR/src/core/redact.c"
section=$(sed -n '/^\.SH REDACTION/,/^\.SH /p' "$SRCDIR/man/unbrick.1")
names=$(grep -oE '\{ "[a-z_]+", (ANYWHERE|LAST_PART) \}' "$code" | sed -E 's/\{ "([a-z_]+)".*/\1/')
ids=$(sed -n '/hash_ids\[\] = {/,/};/p' "$code" | grep -oE '"[a-z0-9]+"' | tr -d '"')
missing=0
for n in $names; do
	echo "$section" | grep -qw -- "$n" || { echo "FAIL: secret name '$n' is not in unbrick(1), REDACTION"; missing=$((missing + 1)); }
done
for i in $ids; do
	echo "$section" | grep -qF -- "\$$i\$" || { echo "FAIL: hash id '\$$i\$' is not in unbrick(1), REDACTION"; missing=$((missing + 1)); }
done
# an empty list would mean the patterns rotted, not that all is well
echo "$names" | grep -qx 'wpa_psk\|psk' || { echo "FAIL: found no name 'psk' in $code; the pattern is broken"; exit 1; }
echo "$ids" | grep -qx '6' || { echo "FAIL: found no hash id '6' in $code; the pattern is broken"; exit 1; }
[ "$missing" -eq 0 ] || exit 1
echo "ok: $(echo $names | wc -w) names and $(echo $ids | wc -w) hash ids documented"
