#!/bin/sh
# Cases, the journal and reports through the CLI, checked with the real
# sqlite3 shell: WAL mode, schema version, rows for steps and artifacts,
# reports written atomically into the case folder.
. "$(dirname "$0")/lib.sh"
need sqlite3 python3 sha256sum

expect_exit 0 "no cases yet" -- "$UNBRICK" cases --json
expect_json 'j["cases"] == []' "empty list"
expect_exit 0 "new case" -- "$UNBRICK" case new --model 'acme|wr-100' --serial 'SN*<b>1' --profile demo-router --json
expect_json 'j["case"]["id"] == 1 and j["case"]["status"] == "open"' "case 1 opened"
folder=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"]["folder"])' "$T/out")
for d in backup images logs; do
	[ -d "$folder/$d" ] && echo "ok: $d/ made" || { echo "FAIL: $folder/$d missing"; FAILS=$((FAILS+1)); }
done
expect_exit 0 "second case in the same second" -- "$UNBRICK" case new --model 'acme|wr-100' --serial 'SN*<b>1' --json
expect_json 'j["case"]["id"] == 2 and j["case"]["folder"] != "'"$folder"'"' "its folder is its own"

# check --case records a step and the image as an artifact
cp "$SRCDIR/samples/acme-wr100-1.2.0.uimg" "$T/fw.bin"
SHA=$(sha256sum "$T/fw.bin" | cut -d' ' -f1)
expect_exit 0 "check recorded in case 1" -- "$UNBRICK" check "$T/fw.bin" --sha256 "$SHA" --case 1
expect_exit 3 "a refused check recorded too" -- "$UNBRICK" check "$T/fw.bin" --sha256 "$(echo x | sha256sum | cut -d' ' -f1)" --case 1
expect_exit 2 "check into a missing case (a name that does not exist)" -- "$UNBRICK" check "$T/fw.bin" --case 99
expect_grep "no case 99" "$T/err" "names the missing case"
expect_exit 2 "a case id that is not a number" -- "$UNBRICK" check "$T/fw.bin" --case abc

DB="$UNBRICK_HOME/journal.db"
[ "$(sqlite3 "$DB" 'PRAGMA journal_mode')" = wal ] && echo "ok: journal in WAL mode" || { echo "FAIL: journal mode"; FAILS=$((FAILS+1)); }
[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 4 ] && echo "ok: schema version 4" || { echo "FAIL: user_version"; FAILS=$((FAILS+1)); }
got=$(sqlite3 "$DB" "SELECT name || ':' || outcome FROM steps WHERE case_id = 1 ORDER BY id" | tr '\n' ' ')
[ "$got" = "check:ok check:failed " ] && echo "ok: both checks are steps" || { echo "FAIL: steps are '$got'"; FAILS=$((FAILS+1)); }
got=$(sqlite3 "$DB" "SELECT DISTINCT kind || ':' || sha256 FROM artifacts WHERE case_id = 1")
[ "$got" = "image:$SHA" ] && echo "ok: the image is an artifact with its sha256" || { echo "FAIL: artifacts '$got'"; FAILS=$((FAILS+1)); }
got=$(sqlite3 "$DB" "SELECT error FROM steps WHERE outcome = 'failed'")
case "$got" in *sha256*) echo "ok: the failed step says which check failed" ;; *) echo "FAIL: error '$got'"; FAILS=$((FAILS+1)) ;; esac

expect_exit 0 "case show" -- "$UNBRICK" case show 1 --json
expect_json 'len(j["case"]["steps"]) == 2 and j["case"]["steps"][0]["detail"]["sha256"] == "'"$SHA"'"' "steps with their detail"
expect_exit 0 "markdown report" -- "$UNBRICK" report 1
expect_grep "report.md" "$T/out" "prints the path"
R="$folder/report.md"
expect_grep '^# Repair report: case 1' "$R" "report title"
expect_grep 'acme\\\|wr-100' "$R" "the model's | is escaped"
expect_grep 'SN\\\*\\<b\\>1' "$R" "markdown and HTML in the serial are escaped"
expect_grep "$SHA" "$R" "the image hash is in the report"
expect_grep '\| check \| failed' "$R" "the refused check is listed"
ls "$folder"/report.md.partial-* >/dev/null 2>&1 && { echo "FAIL: temporary left behind"; FAILS=$((FAILS+1)); } || echo "ok: no temporary left"
expect_exit 0 "JSON report" -- "$UNBRICK" report 1 --format json
python3 -m json.tool "$folder/report.json" >/dev/null && echo "ok: report.json is JSON" || { echo "FAIL: report.json"; FAILS=$((FAILS+1)); }
[ "$(sqlite3 "$DB" "SELECT count(*) FROM artifacts WHERE kind = 'report'")" = 2 ] && echo "ok: reports recorded" || { echo "FAIL: report artifacts"; FAILS=$((FAILS+1)); }
expect_exit 2 "report of a missing case (a name that does not exist)" -- "$UNBRICK" report 42
expect_grep "unbrick cases" "$T/err" "advice names the command to list cases"
expect_exit 2 "bad format" -- "$UNBRICK" report 1 --format pdf
expect_exit 0 "cases lists both" -- "$UNBRICK" cases --json
expect_json '[c["id"] for c in j["cases"]] == [2, 1] and j["cases"][1]["steps"] == 2' "newest first, with step counts"

# A journal from a newer unbrick is refused, not misread.
sqlite3 "$DB" 'PRAGMA user_version = 99'
expect_exit 1 "newer journal refused" -- "$UNBRICK" cases
expect_grep "upgrade unbrick" "$T/err" "advice says to upgrade"
sqlite3 "$DB" 'PRAGMA user_version = 4'

# A journal of schema 1 (artifacts could not be bundles) is upgraded in
# place, its rows kept.
before=$(sqlite3 "$DB" "SELECT count(*) || '/' || group_concat(kind) FROM artifacts")
sqlite3 "$DB" "CREATE TABLE a1 (id INTEGER PRIMARY KEY, case_id INTEGER NOT NULL REFERENCES cases(id),
  step_id INTEGER REFERENCES steps(id), kind TEXT NOT NULL CHECK (kind IN ('backup','image','log','report')),
  path TEXT NOT NULL, sha256 TEXT, size INTEGER,
  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));
  INSERT INTO a1 SELECT * FROM artifacts; DROP TABLE artifacts; ALTER TABLE a1 RENAME TO artifacts;
  CREATE INDEX artifacts_case ON artifacts(case_id); PRAGMA user_version = 1;"
expect_exit 0 "a bundle into a schema-1 journal" -- "$UNBRICK" bundle 1 --json
[ "$(sqlite3 "$DB" 'PRAGMA user_version')" = 4 ] && echo "ok: upgraded to schema 4" || { echo "FAIL: not upgraded"; FAILS=$((FAILS+1)); }
after=$(sqlite3 "$DB" "SELECT count(*) || '/' || group_concat(kind) FROM artifacts WHERE kind != 'bundle'")
[ "$(sqlite3 "$DB" "SELECT count(*) FROM artifacts WHERE kind = 'bundle'")" = 1 ] && [ "$before" = "$after" ] &&
	echo "ok: rows kept, the bundle recorded" || { echo "FAIL: artifacts '$before' vs '$after'"; FAILS=$((FAILS+1)); }
# A removed case's id is never given again.
expect_exit 0 "a case to remove" -- "$UNBRICK" case new --model gone --json
gone=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["case"]["id"])' "$T/out")
expect_exit 0 "remove it" -- "$UNBRICK" case rm "$gone" --yes
expect_exit 0 "the next case" -- "$UNBRICK" case new --model next --json
expect_json 'j["case"]["id"] > '"$gone" "its id is new, not the removed one's"
# An unwritable home is an error with advice, not a crash.
UNBRICK_HOME=/proc/unbrick-cannot-be-here expect_exit 1 "unwritable home" -- "$UNBRICK" cases
finish
