#include "bundle.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/outfile.h"
#include "base/strbuf.h"
#include "core/redact.h"
#include "ub_config.h"

struct sink {
	struct ub_outfile *f;
	struct ub_err *e;
	int failed;
};

static la_ssize_t to_outfile(struct archive *a, void *ctx, const void *buf, size_t n)
{
	struct sink *s = ctx;

	(void)a;
	if (ub_outfile_write(s->f, buf, n, s->e) != 0) {
		s->failed = 1;
		return -1;
	}
	return (la_ssize_t)n;
}

static int add_bytes(struct archive *a, const char *name, const void *buf, size_t len,
		     struct ub_err *e)
{
	struct archive_entry *en = archive_entry_new();
	int ok;

	if (!en)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	archive_entry_set_pathname(en, name);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0600);
	archive_entry_set_size(en, (la_int64_t)len);
	archive_entry_set_mtime(en, time(NULL), 0);
	ok = archive_write_header(a, en) == ARCHIVE_OK &&
	     (len == 0 || archive_write_data(a, buf, len) == (la_ssize_t)len);
	archive_entry_free(en);
	return ok ? 0 : ub_err_set(e, UB_EIO, "io", "bundle: writing %s: %s", name, archive_error_string(a));
}

/* What the bundle is being made with. */
struct pack {
	struct archive *a;
	struct ub_err *e;
	int redact;
	unsigned redacted;
};

#define LINE_MAX_BYTES (64u * 1024)   /* a longer "line" is redacted in pieces */

/* Where redacted text goes: counted (the first pass) or into the archive
 * (the second, up to the size counted: a file that grew in between is
 * cut there). */
struct text_out {
	struct archive *a;     /* NULL: only count */
	uint64_t size, left;
	int failed;
};

static void text_put(struct text_out *o, const char *p, size_t n)
{
	if (!o->a) {
		o->size += n;
		return;
	}
	if (n > o->left)
		n = (size_t)o->left;
	if (n && archive_write_data(o->a, p, n) != (la_ssize_t)n)
		o->failed = 1;
	o->left -= n;
}

/* The first len bytes of fd, redacted line by line into o; *count (may be
 * NULL) grows by the values redacted.  Memory holds one line. */
static int redact_fd(int fd, uint64_t len, struct text_out *o, unsigned *count)
{
	struct ub_redact r = { 0, 0 };
	struct ub_strbuf line = { 0 }, red = { 0 };
	char buf[65536];
	int rc = 0;

	while (len > 0) {
		ssize_t n = read(fd, buf, len < sizeof buf ? (size_t)len : sizeof buf);
		const char *p = buf, *nl;

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = -1;
			break;
		}
		len -= (uint64_t)n;
		while (n > 0) {
			size_t take;

			nl = memchr(p, '\n', (size_t)n);
			take = nl ? (size_t)(nl - p) + 1 : (size_t)n;
			ub_sb_put(&line, p, take);
			p += take;
			n -= (ssize_t)take;
			if (nl || line.len >= LINE_MAX_BYTES) {
				red.len = 0;
				ub_redact_line(&r, line.p, line.len, &red);
				text_put(o, red.p, red.len);
				line.len = 0;
			}
		}
		if (line.failed || red.failed) {
			rc = -1;
			break;
		}
	}
	if (!rc && line.len) {
		red.len = 0;
		ub_redact_line(&r, line.p, line.len, &red);
		text_put(o, red.p, red.len);
	}
	if (line.failed || red.failed || o->failed)
		rc = -1;
	if (count)
		*count += r.count;
	free(line.p);
	free(red.p);
	return rc;
}

/* Copies a file of the case folder into the bundle, streaming; text
 * (logs, the report, the manifest) is redacted unless asked not to, read
 * twice: once for its size, which the tar header needs first. */
static int add_file(struct pack *k, const char *path, const char *name, int text)
{
	struct archive_entry *en;
	struct text_out o = { NULL, 0, 0, 0 };
	struct stat st;
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return 0;   /* gone or not a file: the bundle holds what exists */
	}
	text = text && k->redact;
	if (text && (redact_fd(fd, (uint64_t)st.st_size, &o, &k->redacted) != 0 ||
		     lseek(fd, 0, SEEK_SET) != 0)) {
		rc = ub_err_errno(k->e, UB_EIO, "io", errno, "bundle: reading %s", path);
		close(fd);
		return rc;
	}
	if (!(en = archive_entry_new())) {
		close(fd);
		return ub_err_set(k->e, UB_ENOMEM, NULL, "out of memory");
	}
	archive_entry_set_pathname(en, name);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0600);
	archive_entry_set_size(en, text ? (la_int64_t)o.size : st.st_size);
	archive_entry_set_mtime(en, st.st_mtime, 0);
	if (archive_write_header(k->a, en) != ARCHIVE_OK)
		rc = ub_err_set(k->e, UB_EIO, "io", "bundle: %s: %s", name, archive_error_string(k->a));
	if (!rc && text) {
		o.a = k->a;
		o.left = o.size;
		if (redact_fd(fd, (uint64_t)st.st_size, &o, NULL) != 0)
			rc = ub_err_set(k->e, UB_EIO, "io", "bundle: %s: %s", name,
					o.failed ? archive_error_string(k->a) : "cannot read it again");
	}
	while (!rc && !text && (n = read(fd, buf, sizeof buf)) > 0)
		if (archive_write_data(k->a, buf, (size_t)n) != n)
			rc = ub_err_set(k->e, UB_EIO, "io", "bundle: %s: %s", name, archive_error_string(k->a));
	archive_entry_free(en);
	close(fd);
	return rc;
}

/* Every regular file of folder/sub (one level), kept when keep() says so;
 * text() says which are text. */
static int add_dir(struct pack *k, const char *folder, const char *sub,
		   int (*keep)(const char *name), int (*text)(const char *name))
{
	char dir[4200], path[4500], name[600];
	struct dirent **list = NULL;
	int n, i, rc = 0;

	snprintf(dir, sizeof dir, "%s/%s", folder, sub);
	n = scandir(dir, &list, NULL, alphasort);   /* sorted: the same case, the same bundle */
	for (i = 0; i < n; i++) {
		if (!rc && list[i]->d_name[0] != '.' && keep(list[i]->d_name)) {
			snprintf(path, sizeof path, "%s/%s", dir, list[i]->d_name);
			snprintf(name, sizeof name, "%s/%.500s", sub, list[i]->d_name);
			rc = add_file(k, path, name, text(list[i]->d_name));
		}
		free(list[i]);
	}
	free(list);
	return rc;
}

static int any(const char *name)
{
	(void)name;
	return 1;
}

static int manifest_only(const char *name)
{
	return strcmp(name, "manifest.json") == 0;
}

/* Backups are the owner's data, asked for: bytes, never rewritten. */
static int manifest_is_text(const char *name)
{
	return manifest_only(name);
}

/* A note for whoever opens the bundle: what [redacted] means. */
static int add_note(struct pack *k)
{
	char note[600];

	if (k->redact)
		snprintf(note, sizeof note,
			 "unbrick %s replaced %u value%s that looked like secrets (passwords, keys,\n"
			 "password hashes, private keys) with [redacted] in this bundle: in case.json,\n"
			 "the report, the logs and the manifest.  The case's own files keep them.\n"
			 "What counts as a secret: REDACTION in unbrick(1).\n",
			 UB_VERSION, k->redacted, k->redacted == 1 ? "" : "s");
	else
		snprintf(note, sizeof note,
			 "This bundle was made with --no-redact: the logs, the report and case.json\n"
			 "hold every secret the device or its owner typed, as they were.\n");
	return add_bytes(k->a, "REDACTION.txt", note, strlen(note), k->e);
}

int ub_bundle_write(struct ub_journal *j, long long id, unsigned flags,
		    const char *out_path, char *path_out, struct ub_err *e)
{
	struct sink s = { NULL, e, 0 };
	struct pack k = { NULL, e, !(flags & UB_BUNDLE_KEEP_SECRETS), 0 };
	struct ub_case c;
	json_t *cj = NULL, *rows;
	char *text = NULL, sha[65], path[4500];
	uint64_t size = 0;
	int rc;

	if ((rc = ub_case_get(j, id, &c, e)) || (rc = ub_case_json(j, id, &cj, e)))
		return rc;
	if (out_path) {
		snprintf(path_out, 4200, "%s", out_path);
	} else {
		time_t now = time(NULL);
		struct tm tm;
		char stamp[32];

		strftime(stamp, sizeof stamp, "%Y%m%d-%H%M%S", gmtime_r(&now, &tm));
		snprintf(path_out, 4200, "%.4000s/bundle-%s.tar.gz", c.folder, stamp);
	}
	rows = k.redact ? ub_redact_json(cj, &k.redacted) : json_incref(cj);
	json_decref(cj);
	text = rows ? json_dumps(rows, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
	json_decref(rows);
	if (!text)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if ((rc = ub_outfile_open(&s.f, path_out, e))) {
		free(text);
		return rc;
	}
	if (!(k.a = archive_write_new()) || archive_write_set_format_pax_restricted(k.a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(k.a) != ARCHIVE_OK ||
	    archive_write_open(k.a, &s, NULL, to_outfile, NULL) != ARCHIVE_OK) {
		rc = ub_err_set(e, UB_EFAIL, "failed", "bundle: libarchive: %s",
				k.a ? archive_error_string(k.a) : "out of memory");
		goto fail;
	}
	if ((rc = add_bytes(k.a, "case.json", text, strlen(text), e)))
		goto fail;
	snprintf(path, sizeof path, "%s/report.md", c.folder);
	if ((rc = add_file(&k, path, "report.md", 1)) ||
	    (rc = add_dir(&k, c.folder, "logs", any, any)) ||
	    (rc = add_dir(&k, c.folder, "backup", flags & UB_BUNDLE_BACKUPS ? any : manifest_only,
			  manifest_is_text)) ||
	    (rc = add_note(&k)))
		goto fail;
	if (archive_write_close(k.a) != ARCHIVE_OK || s.failed) {
		rc = s.failed ? e->code : ub_err_set(e, UB_EIO, "io", "bundle: %s", archive_error_string(k.a));
		goto fail;
	}
	archive_write_free(k.a);
	k.a = NULL;
	free(text);
	if ((rc = ub_outfile_commit(s.f, sha, &size, e)))
		return rc;
	return ub_artifact_add(j, id, 0, "bundle", path_out, sha, size, e);
fail:
	if (k.a)
		archive_write_free(k.a);
	ub_outfile_abort(s.f);
	free(text);
	return rc;
}
