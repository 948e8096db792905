/* The repair journal: one SQLite database ($UNBRICK_HOME/journal.db, WAL)
 * holding every case, each step of its repair with timings and outcome,
 * and the artifacts (backups, images, logs, reports) it produced.  The
 * schema is migrated forward by number (PRAGMA user_version); a journal
 * from a newer unbrick is refused rather than misread.  Rows are deleted
 * only when the user removes a case (ub_case_remove).  A step ends ok,
 * failed, skipped, unverifiable (written, not verified: the device can
 * neither digest nor be read) or interrupted (a signal stopped it at a
 * safe point; or the process died, found when the journal is next opened
 * and nobody holds the case). */
#ifndef UB_JOURNAL_H
#define UB_JOURNAL_H

#include <stdint.h>

#include <jansson.h>

#include "base/err.h"

#define UB_JOURNAL_SCHEMA 1

struct ub_journal;

struct ub_case {
	long long id;
	char created[32];
	char folder[4096];
	char model[64], serial[64], profile[64], device[256];
	char status[16];    /* open, repaired, failed, handed-over */
};

/* $UNBRICK_HOME, else $XDG_DATA_HOME/unbrick, else ~/.local/share/unbrick;
 * created (0700) when missing. */
int ub_home(char *out, size_t len, struct ub_err *e);

int ub_journal_open(struct ub_journal **out, struct ub_err *e);
void ub_journal_close(struct ub_journal *j);

/* A new case and its folder (cases/YYYYMMDD-HHMMSS-MODEL-SERIAL with
 * backup/, images/, logs/); any argument may be NULL. */
int ub_case_new(struct ub_journal *j, const char *model, const char *serial,
		const char *profile, const char *device, struct ub_case *out,
		struct ub_err *e);
/* UB_EFAIL with "case-missing" when there is no such case. */
int ub_case_get(struct ub_journal *j, long long id, struct ub_case *out,
		struct ub_err *e);
int ub_case_update(struct ub_journal *j, const struct ub_case *c,
		   struct ub_err *e);
/* Every case, newest first, as JSON objects with a step count. */
int ub_case_list(struct ub_journal *j, json_t **out, struct ub_err *e);
/* One case with its steps and artifacts, for `case show` and reports. */
int ub_case_json(struct ub_journal *j, long long id, json_t **out,
		 struct ub_err *e);

int ub_step_begin(struct ub_journal *j, long long case_id, const char *name,
		  long long *step_id, struct ub_err *e);
/* How a step that did not fail ended (ub_step_end's skipped). */
enum { UB_STEP_DONE = 0, UB_STEP_SKIPPED = 1, UB_STEP_UNVERIFIABLE = 2 };

/* outcome: 0 ok, or the failing code (err then says why; UB_EINTR marks
 * it interrupted); skipped: UB_STEP_SKIPPED for a step deliberately not
 * run, UB_STEP_UNVERIFIABLE for one that could not be checked.  detail is
 * a JSON object or NULL. */
int ub_step_end(struct ub_journal *j, long long step_id, int outcome,
		int skipped, const struct ub_err *err, uint64_t bytes,
		json_t *detail, struct ub_err *e);
/* Steps of the case marked as failed attempts ("attempt": "failed" in
 * their detail: a write, verify or boot that failed after every gate let
 * it through).  Refusals are not attempts. */
int ub_case_failed_attempts(struct ub_journal *j, long long case_id);

/* The last step of this name that ended ok, or 0. */
long long ub_step_last_ok(struct ub_journal *j, long long case_id,
			  const char *name);
/* The last step of this name that ended, whatever its outcome ("ok",
 * "failed", "skipped", "interrupted", "unverifiable" into outcome), or 0.
 * One still running (the caller's own) is not counted. */
long long ub_step_last(struct ub_journal *j, long long case_id, const char *name,
		       char *outcome, size_t len);
/* The text at json_path (such as "$.dir") in a step's detail, into buf.
 * 0 when it is there and fits, -1 otherwise. */
int ub_step_detail_text(struct ub_journal *j, long long step_id,
			const char *json_path, char *buf, size_t size);

int ub_artifact_add(struct ub_journal *j, long long case_id,
		    long long step_id, const char *kind, const char *path,
		    const char *sha256, uint64_t size, struct ub_err *e);

/* Cases created more than older_than_days ago (< 0: any age) with status
 * (NULL: any), oldest first, as JSON objects: id, created, model, serial,
 * status, folder, backups (artifacts of kind backup), running (steps still
 * running: a run is at work on it). */
int ub_case_select(struct ub_journal *j, double older_than_days, const char *status,
		   json_t **out, struct ub_err *e);

/* 1 when the case holds a backup (an artifact of kind backup, or any file
 * in its backup/ folder) or when that cannot be told; 0 otherwise. */
int ub_case_has_backup(struct ub_journal *j, const struct ub_case *c);

/* Removes case id for good: its artifacts' and steps' rows, its row, and
 * its folder (which must be inside $UNBRICK_HOME/cases: anything else is
 * refused).  A case another run holds is left alone ("case-busy").  The
 * caller has asked the user. */
int ub_case_remove(struct ub_journal *j, long long id, struct ub_err *e);

#endif
