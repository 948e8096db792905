#include "journal.h"

#include "core/lock.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/file.h"

struct ub_journal {
	sqlite3 *db;
	char home[3900];   /* leaves room for cases/STAMP-MODEL-SERIAL-N in 4096 */
};

/* Migrations, applied in order; entry N brings the schema to version N+1.
 * Never edit one that has shipped: add the next. */
static const char *const migrations[] = {
	"CREATE TABLE cases ("
	"  id INTEGER PRIMARY KEY,"
	"  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	"  folder TEXT NOT NULL UNIQUE,"
	"  model TEXT NOT NULL DEFAULT '', serial TEXT NOT NULL DEFAULT '',"
	"  profile TEXT NOT NULL DEFAULT '', device TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL DEFAULT 'open', notes TEXT);"
	"CREATE TABLE steps ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  name TEXT NOT NULL,"
	"  started TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	"  ended TEXT,"
	"  outcome TEXT NOT NULL DEFAULT 'running'"
	"    CHECK (outcome IN ('running','ok','failed','skipped')),"
	"  error TEXT, advice TEXT, bytes INTEGER, detail TEXT);"
	"CREATE INDEX steps_case ON steps(case_id);"
	"CREATE TABLE artifacts ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  step_id INTEGER REFERENCES steps(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('backup','image','log','report')),"
	"  path TEXT NOT NULL, sha256 TEXT, size INTEGER,"
	"  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));"
	"CREATE INDEX artifacts_case ON artifacts(case_id);",
	/* 2: support bundles are artifacts too (a CHECK cannot be altered) */
	"CREATE TABLE artifacts2 ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  step_id INTEGER REFERENCES steps(id),"
	"  kind TEXT NOT NULL CHECK (kind IN ('backup','image','log','report','bundle')),"
	"  path TEXT NOT NULL, sha256 TEXT, size INTEGER,"
	"  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')));"
	"INSERT INTO artifacts2 SELECT id, case_id, step_id, kind, path, sha256, size, created FROM artifacts;"
	"DROP TABLE artifacts;"
	"ALTER TABLE artifacts2 RENAME TO artifacts;"
	"CREATE INDEX artifacts_case ON artifacts(case_id);",
	/* 3: a step can end interrupted (a signal, or a process that died:
	 * see ub_journal_settle) or unverifiable (written, but the device
	 * could neither digest nor be read) */
	"CREATE TABLE steps2 ("
	"  id INTEGER PRIMARY KEY,"
	"  case_id INTEGER NOT NULL REFERENCES cases(id),"
	"  name TEXT NOT NULL,"
	"  started TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	"  ended TEXT,"
	"  outcome TEXT NOT NULL DEFAULT 'running'"
	"    CHECK (outcome IN ('running','ok','failed','skipped','interrupted','unverifiable')),"
	"  error TEXT, advice TEXT, bytes INTEGER, detail TEXT);"
	"INSERT INTO steps2 SELECT id, case_id, name, started, ended, outcome, error, advice, bytes, detail FROM steps;"
	"DROP TABLE steps;"
	"ALTER TABLE steps2 RENAME TO steps;"
	"CREATE INDEX steps_case ON steps(case_id);",
	/* 4: a case id is never given again, even after `case rm` of the
	 * newest: a report or a note elsewhere may name it */
	"CREATE TABLE cases2 ("
	"  id INTEGER PRIMARY KEY AUTOINCREMENT,"
	"  created TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),"
	"  folder TEXT NOT NULL UNIQUE,"
	"  model TEXT NOT NULL DEFAULT '', serial TEXT NOT NULL DEFAULT '',"
	"  profile TEXT NOT NULL DEFAULT '', device TEXT NOT NULL DEFAULT '',"
	"  status TEXT NOT NULL DEFAULT 'open', notes TEXT);"
	"INSERT INTO cases2 SELECT id, created, folder, model, serial, profile, device, status, notes FROM cases;"
	"DROP TABLE cases;"
	"ALTER TABLE cases2 RENAME TO cases;",
};

static int db_fail(struct ub_journal *j, struct ub_err *e, const char *what)
{
	int code = sqlite3_errcode(j->db);

	return ub_err_set(e, UB_EIO, code == SQLITE_FULL ? "disk-full" : "journal-open",
			  "journal %s/journal.db: %s: %s", j->home, what, sqlite3_errmsg(j->db));
}

static int mkdir_p(char *path)
{
	char *p;

	for (p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0700) != 0 && errno != EEXIST ? -1 : 0;
}

int ub_home(char *out, size_t len, struct ub_err *e)
{
	const char *h = getenv("UNBRICK_HOME"), *x = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (h && *h)
		n = snprintf(out, len, "%s", h);
	else if (x && *x)
		n = snprintf(out, len, "%s/unbrick", x);
	else if (home && *home)
		n = snprintf(out, len, "%s/.local/share/unbrick", home);
	else
		return ub_err_set(e, UB_EIO, "journal-open",
				  "neither UNBRICK_HOME nor HOME is set: unbrick has nowhere to keep cases");
	if (n < 0 || (size_t)n >= len)
		return ub_err_set(e, UB_EIO, "journal-open", "the home path is too long");
	if (mkdir_p(out) != 0)
		return ub_err_errno(e, UB_EIO, "journal-open", errno, "cannot create %s", out);
	return 0;
}

/* 1 when a row points at one that is not there. */
static int foreign_keys_broken(struct ub_journal *j)
{
	sqlite3_stmt *st;
	int broken;

	if (sqlite3_prepare_v2(j->db, "PRAGMA foreign_key_check", -1, &st, NULL) != SQLITE_OK)
		return 1;
	broken = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return broken;
}

static int migrate(struct ub_journal *j, struct ub_err *e)
{
	sqlite3_stmt *st;
	int version = 0, target = (int)(sizeof migrations / sizeof migrations[0]);
	char sql[64];

	if (sqlite3_prepare_v2(j->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, e, "reading the schema version");
	if (sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (version > target)
		return ub_err_set(e, UB_EFAIL, "journal-newer",
				  "journal %s/journal.db has schema %d; this unbrick knows up to %d",
				  j->home, version, target);
	if (version == target)
		return 0;
	/* tables are rebuilt to change a CHECK: SQLite's procedure turns the
	 * foreign keys off around it (they cannot change inside a
	 * transaction) and checks them before the commit */
	sqlite3_exec(j->db, "PRAGMA foreign_keys=OFF", NULL, NULL, NULL);
	if (sqlite3_exec(j->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK)
		return db_fail(j, e, "starting the schema upgrade");
	for (; version < target; version++)
		if (sqlite3_exec(j->db, migrations[version], NULL, NULL, NULL) != SQLITE_OK) {
			int rc = db_fail(j, e, "upgrading the schema");

			sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
			return rc;
		}
	snprintf(sql, sizeof sql, "PRAGMA user_version = %d", target);
	if (foreign_keys_broken(j) || sqlite3_exec(j->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		int rc = db_fail(j, e, "upgrading the schema");

		sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
		sqlite3_exec(j->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
		return rc;
	}
	sqlite3_exec(j->db, "PRAGMA foreign_keys=ON", NULL, NULL, NULL);
	return 0;
}

/* A step still "running" whose case nobody holds was left by a process
 * that died (SIGKILL, a crash, a power cut): it is marked interrupted, so
 * that reports never show it running and a resume knows where it was. */
static void settle(struct ub_journal *j)
{
	sqlite3_stmt *st, *up;

	if (sqlite3_prepare_v2(j->db, "SELECT s.id, c.folder FROM steps s JOIN cases c ON c.id = s.case_id"
			       " WHERE s.outcome = 'running'", -1, &st, NULL) != SQLITE_OK)
		return;
	if (sqlite3_prepare_v2(j->db, "UPDATE steps SET outcome = 'interrupted',"
			       " ended = strftime('%Y-%m-%dT%H:%M:%fZ','now'),"
			       " error = 'the process running this step stopped without ending it (killed, crashed or powered off)',"
			       " advice = ? WHERE id = ? AND outcome = 'running'", -1, &up, NULL) != SQLITE_OK) {
		sqlite3_finalize(st);
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *folder = (const char *)sqlite3_column_text(st, 1);

		if (!folder || !ub_case_unlocked(folder))
			continue;
		sqlite3_reset(up);
		sqlite3_bind_text(up, 1, ub_advice("interrupted-killed"), -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 2, sqlite3_column_int64(st, 0));
		sqlite3_step(up);
	}
	sqlite3_finalize(up);
	sqlite3_finalize(st);
}

int ub_journal_open(struct ub_journal **out, struct ub_err *e)
{
	static const char *const private_files[] = {
		"cases", "journal.db", "journal.db-wal", "journal.db-shm", NULL,
	};
	struct ub_journal *j = calloc(1, sizeof *j);
	char path[4200];
	int rc, fd;

	*out = NULL;
	if (!j)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if ((rc = ub_home(j->home, sizeof j->home, e))) {
		free(j);
		return rc;
	}
	snprintf(path, sizeof path, "%s/journal.db", j->home);
	/* The journal and the cases hold device secrets: the owner's alone.
	 * SQLite creates a database by the umask (0644), and gives -wal and
	 * -shm the database's mode, so journal.db is made 0600 first. */
	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) >= 0)
		close(fd);
	ub_make_private_all(j->home, private_files);
	if (sqlite3_open_v2(path, &j->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_FULLMUTEX, NULL) != SQLITE_OK) {
		rc = db_fail(j, e, "opening");
		ub_journal_close(j);
		return rc;
	}
	sqlite3_busy_timeout(j->db, 5000);
	if (sqlite3_exec(j->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
			 " PRAGMA foreign_keys=ON;", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(j, e, "setting up");
		ub_journal_close(j);
		return rc;
	}
	if ((rc = migrate(j, e))) {
		ub_journal_close(j);
		return rc;
	}
	settle(j);
	*out = j;
	return 0;
}

void ub_journal_close(struct ub_journal *j)
{
	if (!j)
		return;
	sqlite3_close(j->db);
	free(j);
}

/* Folder names keep to letters, digits, '-', '_' and '.'. */
static void clean(char *dst, size_t len, const char *src, const char *def)
{
	size_t i = 0;

	if (!src || !*src)
		src = def;
	for (; *src && i + 1 < len && i < 32; src++)
		dst[i++] = (char)((*src >= 'a' && *src <= 'z') || (*src >= 'A' && *src <= 'Z') ||
				  (*src >= '0' && *src <= '9') || *src == '-' || *src == '_' ||
				  *src == '.' ? *src : '_');
	dst[i] = '\0';
}

static void col(sqlite3_stmt *st, int i, char *out, size_t len)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	snprintf(out, len, "%s", t ? (const char *)t : "");
}

static const char case_cols[] =
	"id, created, folder, model, serial, profile, device, status";

static void row_to_case(sqlite3_stmt *st, struct ub_case *c)
{
	c->id = sqlite3_column_int64(st, 0);
	col(st, 1, c->created, sizeof c->created);
	col(st, 2, c->folder, sizeof c->folder);
	col(st, 3, c->model, sizeof c->model);
	col(st, 4, c->serial, sizeof c->serial);
	col(st, 5, c->profile, sizeof c->profile);
	col(st, 6, c->device, sizeof c->device);
	col(st, 7, c->status, sizeof c->status);
}

int ub_case_new(struct ub_journal *j, const char *model, const char *serial,
		const char *profile, const char *device, struct ub_case *out,
		struct ub_err *e)
{
	static const char *const subdirs[] = { "backup", "images", "logs" };
	char m[40], s[40], stamp[32], folder[4096], sub[4200];
	time_t now = time(NULL);
	struct tm tm;
	sqlite3_stmt *st;
	size_t i;
	int n, rc;

	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", &tm);
	clean(m, sizeof m, model, "device");
	clean(s, sizeof s, serial, "noserial");
	snprintf(folder, sizeof folder, "%s/cases", j->home);
	if (mkdir(folder, 0700) != 0 && errno != EEXIST)
		return ub_err_errno(e, UB_EIO, "journal-open", errno, "cannot create %s", folder);
	for (n = 1;; n++) {
		if (n == 1)
			snprintf(folder, sizeof folder, "%s/cases/%s-%s-%s", j->home, stamp, m, s);
		else
			snprintf(folder, sizeof folder, "%s/cases/%s-%s-%s-%d", j->home, stamp, m, s, n);
		if (mkdir(folder, 0700) == 0)
			break;
		if (errno != EEXIST || n > 1000)
			return ub_err_errno(e, UB_EIO, "journal-open", errno, "cannot create %s", folder);
	}
	for (i = 0; i < sizeof subdirs / sizeof subdirs[0]; i++) {
		snprintf(sub, sizeof sub, "%s/%s", folder, subdirs[i]);
		if (mkdir(sub, 0700) != 0 && errno != EEXIST)
			return ub_err_errno(e, UB_EIO, "journal-open", errno, "cannot create %s", sub);
	}
	if (sqlite3_prepare_v2(j->db, "INSERT INTO cases(folder, model, serial, profile, device)"
			       " VALUES (?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, e, "adding a case");
	sqlite3_bind_text(st, 1, folder, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, model ? model : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, serial ? serial : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, profile ? profile : "", -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, device ? device : "", -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(j, e, "adding a case");
	sqlite3_finalize(st);
	if (rc)
		return rc;
	return ub_case_get(j, sqlite3_last_insert_rowid(j->db), out, e);
}

int ub_case_get(struct ub_journal *j, long long id, struct ub_case *out,
		struct ub_err *e)
{
	char sql[160];
	sqlite3_stmt *st;
	int rc;

	memset(out, 0, sizeof *out);
	snprintf(sql, sizeof sql, "SELECT %s FROM cases WHERE id = ?", case_cols);
	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, e, "reading a case");
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		row_to_case(st, out);
		rc = 0;
	} else if (rc == SQLITE_DONE) {
		rc = ub_err_set(e, UB_EFAIL, "case-missing", "there is no case %lld", id);
	} else {
		rc = db_fail(j, e, "reading a case");
	}
	sqlite3_finalize(st);
	return rc;
}

int ub_case_update(struct ub_journal *j, const struct ub_case *c,
		   struct ub_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(j->db, "UPDATE cases SET model = ?, serial = ?, profile = ?,"
			       " device = ?, status = ? WHERE id = ?", -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, e, "updating a case");
	sqlite3_bind_text(st, 1, c->model, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 2, c->serial, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 3, c->profile, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, c->device, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 5, c->status, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, c->id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(j, e, "updating a case");
	sqlite3_finalize(st);
	return rc;
}

/* A row as a JSON object, by column type. */
static json_t *row_json(sqlite3_stmt *st)
{
	json_t *o = json_object();
	int i, n = sqlite3_column_count(st);

	for (i = 0; o && i < n; i++) {
		const char *name = sqlite3_column_name(st, i);

		switch (sqlite3_column_type(st, i)) {
		case SQLITE_INTEGER:
			json_object_set_new(o, name, json_integer(sqlite3_column_int64(st, i)));
			break;
		case SQLITE_NULL:
			json_object_set_new(o, name, json_null());
			break;
		case SQLITE_FLOAT:
			json_object_set_new(o, name, json_real(sqlite3_column_double(st, i)));
			break;
		default: {
			const char *t = (const char *)sqlite3_column_text(st, i);
			json_t *v = NULL;

			if (strcmp(name, "detail") == 0 && t)
				v = json_loads(t, 0, NULL);
			json_object_set_new(o, name, v ? v : json_string(t ? t : ""));
		}
		}
	}
	return o;
}

static int query_json(struct ub_journal *j, const char *sql, long long id,
		      json_t **out, struct ub_err *e)
{
	sqlite3_stmt *st;
	json_t *a = json_array();
	int rc;

	*out = NULL;
	if (!a)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if (sqlite3_prepare_v2(j->db, sql, -1, &st, NULL) != SQLITE_OK) {
		json_decref(a);
		return db_fail(j, e, "reading");
	}
	if (id >= 0)
		sqlite3_bind_int64(st, 1, id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(a, row_json(st));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return db_fail(j, e, "reading");
	}
	*out = a;
	return 0;
}

int ub_case_list(struct ub_journal *j, json_t **out, struct ub_err *e)
{
	return query_json(j, "SELECT c.id, c.created, c.model, c.serial, c.profile, c.status,"
			  " c.folder, (SELECT count(*) FROM steps s WHERE s.case_id = c.id"
			  " AND s.outcome = 'ok') AS steps_ok,"
			  " (SELECT count(*) FROM steps s WHERE s.case_id = c.id) AS steps"
			  " FROM cases c ORDER BY c.id DESC", -1, out, e);
}

int ub_case_json(struct ub_journal *j, long long id, json_t **out,
		 struct ub_err *e)
{
	json_t *cases = NULL, *steps = NULL, *arts = NULL, *c;
	int rc;

	*out = NULL;
	rc = query_json(j, "SELECT id, created, folder, model, serial, profile, device, status, notes"
			" FROM cases WHERE id = ?", id, &cases, e);
	if (!rc && json_array_size(cases) == 0)
		rc = ub_err_set(e, UB_EFAIL, "case-missing", "there is no case %lld", id);
	if (!rc)
		rc = query_json(j, "SELECT id, name, started, ended, outcome, error, advice, bytes,"
				" detail, round((julianday(coalesce(ended, started)) - julianday(started))"
				" * 86400.0, 3) AS seconds FROM steps WHERE case_id = ? ORDER BY id",
				id, &steps, e);
	if (!rc)
		rc = query_json(j, "SELECT id, step_id, kind, path, sha256, size, created"
				" FROM artifacts WHERE case_id = ? ORDER BY id", id, &arts, e);
	if (!rc) {
		c = json_incref(json_array_get(cases, 0));
		json_object_set_new(c, "steps", steps);
		json_object_set_new(c, "artifacts", arts);
		steps = arts = NULL;
		*out = c;
	}
	json_decref(cases);
	json_decref(steps);
	json_decref(arts);
	return rc;
}

int ub_step_begin(struct ub_journal *j, long long case_id, const char *name,
		  long long *step_id, struct ub_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(j->db, "INSERT INTO steps(case_id, name) VALUES (?, ?)",
			       -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, e, "starting a step");
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(j, e, "starting a step");
	sqlite3_finalize(st);
	if (!rc)
		*step_id = sqlite3_last_insert_rowid(j->db);
	return rc;
}

int ub_step_end(struct ub_journal *j, long long step_id, int outcome,
		int skipped, const struct ub_err *err, uint64_t bytes,
		json_t *detail, struct ub_err *e)
{
	sqlite3_stmt *st;
	char *text = detail ? json_dumps(detail, JSON_COMPACT) : NULL;
	int rc;

	if (sqlite3_prepare_v2(j->db, "UPDATE steps SET ended = strftime('%Y-%m-%dT%H:%M:%fZ','now'),"
			       " outcome = ?, error = ?, advice = ?, bytes = ?, detail = ?"
			       " WHERE id = ?", -1, &st, NULL) != SQLITE_OK) {
		free(text);
		return db_fail(j, e, "ending a step");
	}
	sqlite3_bind_text(st, 1, outcome == UB_EINTR ? "interrupted" : outcome ? "failed" :
			  skipped == UB_STEP_UNVERIFIABLE ? "unverifiable" : skipped ? "skipped" : "ok",
			  -1, SQLITE_STATIC);
	if (outcome && err) {
		sqlite3_bind_text(st, 2, err->msg, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(st, 3, ub_err_advice(err), -1, SQLITE_TRANSIENT);
	}
	sqlite3_bind_int64(st, 4, (sqlite3_int64)bytes);
	if (text)
		sqlite3_bind_text(st, 5, text, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, step_id);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(j, e, "ending a step");
	sqlite3_finalize(st);
	free(text);
	return rc;
}

int ub_case_failed_attempts(struct ub_journal *j, long long case_id)
{
	sqlite3_stmt *st;
	int n = 0;

	if (sqlite3_prepare_v2(j->db, "SELECT count(*) FROM steps WHERE case_id = ? AND outcome = 'failed'"
			       " AND json_extract(detail, '$.attempt') = 'failed'", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, case_id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

long long ub_step_last_ok(struct ub_journal *j, long long case_id,
			  const char *name)
{
	sqlite3_stmt *st;
	long long id = 0;

	if (sqlite3_prepare_v2(j->db, "SELECT max(id) FROM steps WHERE case_id = ? AND name = ?"
			       " AND outcome = 'ok'", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW)
		id = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return id;
}

long long ub_step_last(struct ub_journal *j, long long case_id, const char *name,
			char *outcome, size_t len)
{
	sqlite3_stmt *st;
	long long id = 0;

	if (len)
		outcome[0] = '\0';
	if (sqlite3_prepare_v2(j->db, "SELECT id, outcome FROM steps WHERE case_id = ? AND name = ?"
			       " AND outcome != 'running' ORDER BY id DESC LIMIT 1", -1, &st, NULL) != SQLITE_OK)
		return 0;
	sqlite3_bind_int64(st, 1, case_id);
	sqlite3_bind_text(st, 2, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(st) == SQLITE_ROW) {
		id = sqlite3_column_int64(st, 0);
		if (len)
			snprintf(outcome, len, "%s", (const char *)sqlite3_column_text(st, 1));
	}
	sqlite3_finalize(st);
	return id;
}

int ub_step_detail_text(struct ub_journal *j, long long step_id,
			const char *json_path, char *buf, size_t size)
{
	sqlite3_stmt *st;
	int rc = -1;

	if (sqlite3_prepare_v2(j->db, "SELECT json_extract(detail, ?) FROM steps WHERE id = ?"
			       " AND json_valid(detail)", -1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, json_path, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 2, step_id);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_type(st, 0) == SQLITE_TEXT) {
		const char *t = (const char *)sqlite3_column_text(st, 0);

		if (t && strlen(t) < size) {
			memcpy(buf, t, strlen(t) + 1);
			rc = 0;
		}
	}
	sqlite3_finalize(st);
	return rc;
}

int ub_artifact_add(struct ub_journal *j, long long case_id,
		    long long step_id, const char *kind, const char *path,
		    const char *sha256, uint64_t size, struct ub_err *e)
{
	sqlite3_stmt *st;
	int rc;

	if (sqlite3_prepare_v2(j->db, "INSERT INTO artifacts(case_id, step_id, kind, path, sha256, size)"
			       " VALUES (?, ?, ?, ?, ?, ?)", -1, &st, NULL) != SQLITE_OK)
		return db_fail(j, e, "recording an artifact");
	sqlite3_bind_int64(st, 1, case_id);
	if (step_id > 0)
		sqlite3_bind_int64(st, 2, step_id);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(st, 4, path, -1, SQLITE_TRANSIENT);
	if (sha256)
		sqlite3_bind_text(st, 5, sha256, -1, SQLITE_TRANSIENT);
	sqlite3_bind_int64(st, 6, (sqlite3_int64)size);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(j, e, "recording an artifact");
	sqlite3_finalize(st);
	return rc;
}

/* --- removing cases, on the user's word (`unbrick case rm|prune`) --- */

int ub_case_select(struct ub_journal *j, double older_than_days, const char *status,
		   json_t **out, struct ub_err *e)
{
	sqlite3_stmt *st;
	json_t *a = json_array();
	int rc;

	*out = NULL;
	if (!a)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if (sqlite3_prepare_v2(j->db, "SELECT c.id, c.created, c.model, c.serial, c.status, c.folder,"
			       " (SELECT count(*) FROM artifacts a WHERE a.case_id = c.id"
			       "  AND a.kind = 'backup') AS backups,"
			       " (SELECT count(*) FROM steps s WHERE s.case_id = c.id"
			       "  AND s.outcome = 'running') AS running"
			       " FROM cases c WHERE (?1 < 0 OR julianday('now') - julianday(c.created) > ?1)"
			       " AND (?2 IS NULL OR c.status = ?2) ORDER BY c.id", -1, &st, NULL) != SQLITE_OK) {
		json_decref(a);
		return db_fail(j, e, "reading");
	}
	sqlite3_bind_double(st, 1, older_than_days);
	if (status)
		sqlite3_bind_text(st, 2, status, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		json_array_append_new(a, row_json(st));
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		json_decref(a);
		return db_fail(j, e, "reading");
	}
	*out = a;
	return 0;
}

int ub_case_has_backup(struct ub_journal *j, const struct ub_case *c)
{
	sqlite3_stmt *st;
	char dir[4200];
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (sqlite3_prepare_v2(j->db, "SELECT count(*) FROM artifacts WHERE case_id = ? AND kind = 'backup'",
			       -1, &st, NULL) != SQLITE_OK)
		return 1;   /* cannot tell: keep it */
	sqlite3_bind_int64(st, 1, c->id);
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (n)
		return 1;
	/* a backup being written is files before it is a row */
	snprintf(dir, sizeof dir, "%s/backup", c->folder);
	if (!(d = opendir(dir)))
		return errno == ENOENT ? 0 : 1;
	while (!n && (de = readdir(d)) != NULL)
		n = strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

static int remove_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path) == 0 ? 0 : -1;
}

/* Whether folder is a case folder of this journal: directly inside
 * $UNBRICK_HOME/cases, links resolved.  A folder column pointing anywhere
 * else is never deleted. */
static int inside_cases(const struct ub_journal *j, const char *folder)
{
	char cases[4200], *rc = NULL, *rf = NULL;
	int ok = 0;
	size_t n;

	snprintf(cases, sizeof cases, "%s/cases", j->home);
	rc = realpath(cases, NULL);
	rf = realpath(folder, NULL);
	if (rc && rf) {
		n = strlen(rc);
		ok = strncmp(rf, rc, n) == 0 && rf[n] == '/' && rf[n + 1] && !strchr(rf + n + 1, '/');
	}
	free(rc);
	free(rf);
	return ok;
}

int ub_case_remove(struct ub_journal *j, long long id, struct ub_err *e)
{
	static const char *const sql[] = {
		"DELETE FROM artifacts WHERE case_id = ?",
		"DELETE FROM steps WHERE case_id = ?",
		"DELETE FROM cases WHERE id = ?",
	};
	struct ub_lock lock = { -1 };
	struct ub_case c;
	struct stat sb;
	char gone[4200];
	int rc, moved = 0;
	size_t i;

	if ((rc = ub_case_get(j, id, &c, e)))
		return rc;
	if (stat(c.folder, &sb) == 0) {
		if (!inside_cases(j, c.folder))
			return ub_err_set(e, UB_EREFUSED, "case-folder-outside",
					  "case %lld's folder %s is not inside %s/cases: nothing was removed", id,
					  c.folder, j->home);
		/* a run at work on the case holds it: it is not pulled away */
		if ((rc = ub_lock_case(&lock, c.folder, id, e)))
			return rc;
	}
	if (sqlite3_exec(j->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
		ub_unlock(&lock);
		return db_fail(j, e, "removing a case");
	}
	for (i = 0; i < sizeof sql / sizeof sql[0]; i++) {
		sqlite3_stmt *st;

		if (sqlite3_prepare_v2(j->db, sql[i], -1, &st, NULL) != SQLITE_OK) {
			rc = db_fail(j, e, "removing a case");
			goto rollback;
		}
		sqlite3_bind_int64(st, 1, id);
		rc = sqlite3_step(st) == SQLITE_DONE ? 0 : db_fail(j, e, "removing a case");
		sqlite3_finalize(st);
		if (rc)
			goto rollback;
	}
	/* The folder leaves its name before the rows go for good: a crash
	 * after the commit leaves a hidden leftover, never rows without
	 * their folder or a folder that looks like a live case. */
	snprintf(gone, sizeof gone, "%s/cases/.removed-%lld-%lld", j->home, id, (long long)time(NULL));
	if (stat(c.folder, &sb) == 0) {
		if (rename(c.folder, gone) != 0) {
			rc = ub_err_errno(e, UB_EIO, "journal-open", errno, "cannot move %s aside", c.folder);
			goto rollback;
		}
		moved = 1;
	}
	if (sqlite3_exec(j->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
		rc = db_fail(j, e, "removing a case");
		if (moved)
			rename(gone, c.folder);
		goto rollback;
	}
	rc = 0;
	if (moved && nftw(gone, remove_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		rc = ub_err_errno(e, UB_EIO, "journal-open", errno,
				  "case %lld is out of the journal, but its files are left in %s", id, gone);
	ub_unlock(&lock);
	return rc;
rollback:
	sqlite3_exec(j->db, "ROLLBACK", NULL, NULL, NULL);
	ub_unlock(&lock);
	return rc;
}
