/* zip and tar archives (a tar.gz arrives here after the gzip layer).
 * Every entry is looked at before anything is unpacked: an archive that
 * would write outside its folder (absolute paths, "..", links pointing out,
 * device nodes) or that claims absurd sizes is refused as a whole, since a
 * vendor never ships one.  Then the firmware is the largest regular file
 * that is not a side file (checksums, signatures, notes); it is unpacked to
 * a temporary file and inspected as the inner layer. */
#include "format.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "unpack.h"

#define MAX_ENTRIES 10000
#define ENTRY_MAX (64ull << 30)

static int archive_probe(const struct ub_src *src, const uint8_t *head, size_t n)
{
	(void)src;
	if (n >= 4 && (memcmp(head, "PK\3\4", 4) == 0 || memcmp(head, "PK\5\6", 4) == 0))
		return 1;
	return n >= 262 && memcmp(head + 257, "ustar", 5) == 0;
}

static struct archive *open_reader(struct ub_unpack_src *us, const struct ub_src *src)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	if (ub_unpack_open(a, us, src) != ARCHIVE_OK) {
		/* the caller reads the error string before freeing */
		return a;
	}
	return a;
}

/* Why a path is unsafe, or NULL. */
static const char *unsafe_path(const char *p)
{
	const char *s = p;

	if (!p || !*p)
		return "has no name";
	if (*p == '/' || *p == '\\' || (p[0] && p[1] == ':'))
		return "is an absolute path";
	while (*s) {
		size_t n = strcspn(s, "/\\");

		if (n == 2 && s[0] == '.' && s[1] == '.')
			return "climbs out of the folder with '..'";
		s += n;
		if (*s)
			s++;
	}
	return NULL;
}

static int side_file(const char *path)
{
	static const char *const ends[] = {
		".sha256", ".sha256sum", ".sha512", ".md5", ".sig", ".minisig", ".asc",
		".manifest.json", ".txt", ".md", ".bmap", ".pub", ".html", ".pdf",
	};
	const char *base = strrchr(path, '/');
	size_t i, len;

	base = base ? base + 1 : path;
	if (strncmp(base, "README", 6) == 0 || strstr(base, "SUMS"))
		return 1;
	len = strlen(base);
	for (i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		size_t k = strlen(ends[i]);

		if (len > k && strcasecmp(base + len - k, ends[i]) == 0)
			return 1;
	}
	return 0;
}

struct pick {
	char name[256];
	uint64_t size;
	long index;
	long entries, files;
	uint64_t total;
};

/* First pass: safety of every entry, and the firmware to inspect. */
static int survey(struct ub_inspect *ctx, const struct ub_src *src, struct pick *pk)
{
	struct ub_unpack_src *us = malloc(sizeof *us);
	struct archive *a = us ? open_reader(us, src) : NULL;
	struct archive_entry *ent;
	struct ub_strlist seen = { 0 };
	uint64_t limit = ub_unpack_limit(src);
	const char *why = NULL;
	char what[320] = "";
	int r, rc = 0;

	memset(pk, 0, sizeof *pk);
	pk->index = -1;
	if (!a) {
		free(us);
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	}
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK ||
	       r == ARCHIVE_WARN) {
		const char *path = archive_entry_pathname(ent);
		const char *link = archive_entry_symlink(ent);
		const char *hard = archive_entry_hardlink(ent);
		mode_t type = archive_entry_filetype(ent);
		la_int64_t size = archive_entry_size(ent);

		pk->entries++;
		if ((why = unsafe_path(path)) ||
		    (link && (why = unsafe_path(link)) != NULL) ||
		    (hard && (why = unsafe_path(hard)) != NULL)) {
			snprintf(what, sizeof what, "entry '%.200s'%s %s", path ? path : "",
				 link ? " (a link)" : hard ? " (a hard link)" : "", why);
			break;
		}
		if (type == AE_IFCHR || type == AE_IFBLK || type == AE_IFIFO || type == AE_IFSOCK) {
			snprintf(what, sizeof what, "entry '%.200s' is a device or pipe, which firmware never is", path);
			break;
		}
		if (size < 0 || (uint64_t)size > ENTRY_MAX || pk->total + (uint64_t)size > limit) {
			snprintf(what, sizeof what, "entry '%.200s' claims %lld bytes (more than the %llu bytes allowed for this archive)",
				 path, (long long)size, (unsigned long long)limit);
			break;
		}
		if (pk->entries > MAX_ENTRIES) {
			snprintf(what, sizeof what, "more than %d entries", MAX_ENTRIES);
			break;
		}
		if (ub_strlist_has(&seen, path)) {
			snprintf(what, sizeof what, "entry '%.200s' appears twice (the second would replace the first)", path);
			break;
		}
		if (ub_strlist_add(&seen, path)) {
			rc = ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
			break;
		}
		pk->total += (uint64_t)size;
		if (type == AE_IFREG && !link && !hard) {
			pk->files++;
			if (!side_file(path) && (pk->index < 0 || (uint64_t)size > pk->size)) {
				snprintf(pk->name, sizeof pk->name, "%s", path);
				pk->size = (uint64_t)size;
				pk->index = pk->entries - 1;
			}
		}
		archive_read_data_skip(a);
	}
	if (!rc && what[0])
		ub_checks_add(ctx->checks, "archive-safety", UB_FAIL, "archive-unsafe", "%s", what);
	else if (!rc && r != ARCHIVE_EOF)
		ub_checks_add(ctx->checks, "archive-safety", UB_FAIL, "archive-corrupt",
			      "the archive is damaged after %ld entries: %s", pk->entries,
			      archive_error_string(a) ? archive_error_string(a) : "read error");
	else if (!rc)
		ub_checks_add(ctx->checks, "archive-safety", UB_PASS, NULL,
			      "%ld entries, none escapes the folder; firmware: %s (%llu bytes)",
			      pk->entries, pk->index >= 0 ? pk->name : "(none)",
			      (unsigned long long)pk->size);
	if (!rc && (what[0] || r != ARCHIVE_EOF))
		pk->index = -1;
	else if (!rc && pk->index < 0)
		ub_checks_add(ctx->checks, "archive-firmware", UB_FAIL, "image-empty",
			      "the archive holds no file that could be firmware (%ld entries)", pk->entries);
	ub_strlist_free(&seen);
	archive_read_free(a);
	free(us);
	return rc;
}

static int archive_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	struct ub_unpack_src *us;
	struct archive *a;
	struct archive_entry *ent;
	struct ub_src inner;
	struct pick pk;
	uint64_t written = 0;
	long i;
	int fd, rc, r;
	uint8_t head[262];

	if (ub_src_read(src, 0, head, 4, NULL) == 0)
		ub_meta_rename_layer(ctx->meta, memcmp(head, "PK", 2) == 0 ? "zip" : "tar");
	if ((rc = survey(ctx, src, &pk)) || pk.index < 0)
		return rc;
	us = malloc(sizeof *us);
	a = us ? open_reader(us, src) : NULL;
	if (!a) {
		free(us);
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	}
	for (i = 0; (r = archive_read_next_header(a, &ent)) == ARCHIVE_OK || r == ARCHIVE_WARN; i++)
		if (i == pk.index)
			break;
	fd = r == ARCHIVE_OK || r == ARCHIVE_WARN ? ub_unpack_tmpfile(ctx, ctx->err) : -1;
	if (fd < 0) {
		rc = fd == -1 && r != ARCHIVE_OK ? 0 : fd;
		goto out;
	}
	rc = ub_unpack_copy(a, fd, pk.size, &written, NULL, ctx->err);
	if (rc == UB_EFORMAT || rc == 1 || (!rc && written != pk.size)) {
		ub_checks_add(ctx->checks, "archive-firmware", UB_FAIL, "archive-corrupt",
			      "%s could not be unpacked whole (%llu of %llu bytes)%s%s", pk.name,
			      (unsigned long long)written, (unsigned long long)pk.size,
			      rc == UB_EFORMAT ? ": " : "", rc == UB_EFORMAT ? ctx->err->msg : "");
		ub_err_clear(ctx->err);
		close(fd);
		rc = 0;
		goto out;
	}
	if (rc) {
		close(fd);
		goto out;
	}
	archive_read_free(a);
	a = NULL;
	if ((rc = ub_src_from_fd(&inner, fd, pk.name, ctx->err)))
		goto out;
	snprintf(inner.label, sizeof inner.label, "%.120s:%.120s", src->label, pk.name);
	rc = ub_inspect(ctx, &inner);
	ub_src_close(&inner);
out:
	archive_read_free(a);
	free(us);
	return rc;
}

const struct ub_format ub_format_archive = {
	.name = "archive",
	.what = "zip or tar archive",
	.probe = archive_probe,
	.inspect = archive_inspect,
};
