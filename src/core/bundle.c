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

/* Copies a file of the case folder into the bundle, streaming. */
static int add_file(struct archive *a, const char *path, const char *name, struct ub_err *e)
{
	struct archive_entry *en;
	struct stat st;
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc = 0;

	if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		if (fd >= 0)
			close(fd);
		return 0;   /* gone or not a file: the bundle holds what exists */
	}
	if (!(en = archive_entry_new())) {
		close(fd);
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	archive_entry_set_pathname(en, name);
	archive_entry_set_filetype(en, AE_IFREG);
	archive_entry_set_perm(en, 0600);
	archive_entry_set_size(en, st.st_size);
	archive_entry_set_mtime(en, st.st_mtime, 0);
	if (archive_write_header(a, en) != ARCHIVE_OK)
		rc = ub_err_set(e, UB_EIO, "io", "bundle: %s: %s", name, archive_error_string(a));
	while (!rc && (n = read(fd, buf, sizeof buf)) > 0)
		if (archive_write_data(a, buf, (size_t)n) != n)
			rc = ub_err_set(e, UB_EIO, "io", "bundle: %s: %s", name, archive_error_string(a));
	archive_entry_free(en);
	close(fd);
	return rc;
}

/* Every regular file of folder/sub (one level), kept when keep() says so. */
static int add_dir(struct archive *a, const char *folder, const char *sub,
		   int (*keep)(const char *name), struct ub_err *e)
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
			rc = add_file(a, path, name, e);
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

int ub_bundle_write(struct ub_journal *j, long long id, int with_backups,
		    const char *out_path, char *path_out, struct ub_err *e)
{
	struct sink s = { NULL, e, 0 };
	struct archive *a = NULL;
	struct ub_case c;
	json_t *cj = NULL;
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
	text = json_dumps(cj, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(cj);
	if (!text)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if ((rc = ub_outfile_open(&s.f, path_out, e))) {
		free(text);
		return rc;
	}
	if (!(a = archive_write_new()) || archive_write_set_format_pax_restricted(a) != ARCHIVE_OK ||
	    archive_write_add_filter_gzip(a) != ARCHIVE_OK ||
	    archive_write_open(a, &s, NULL, to_outfile, NULL) != ARCHIVE_OK) {
		rc = ub_err_set(e, UB_EFAIL, "failed", "bundle: libarchive: %s",
				a ? archive_error_string(a) : "out of memory");
		goto fail;
	}
	if ((rc = add_bytes(a, "case.json", text, strlen(text), e)))
		goto fail;
	snprintf(path, sizeof path, "%s/report.md", c.folder);
	if ((rc = add_file(a, path, "report.md", e)) ||
	    (rc = add_dir(a, c.folder, "logs", any, e)) ||
	    (rc = add_dir(a, c.folder, "backup", with_backups ? any : manifest_only, e)))
		goto fail;
	if (archive_write_close(a) != ARCHIVE_OK || s.failed) {
		rc = s.failed ? e->code : ub_err_set(e, UB_EIO, "io", "bundle: %s", archive_error_string(a));
		goto fail;
	}
	archive_write_free(a);
	a = NULL;
	free(text);
	if ((rc = ub_outfile_commit(s.f, sha, &size, e)))
		return rc;
	return ub_artifact_add(j, id, 0, "bundle", path_out, sha, size, e);
fail:
	if (a)
		archive_write_free(a);
	ub_outfile_abort(s.f);
	free(text);
	return rc;
}
