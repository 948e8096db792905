/* zip and tar archives (a tar.gz arrives here after the gzip layer).
 * Every entry is looked at before anything is unpacked: an archive that
 * would write outside its folder (absolute paths, "..", links pointing out
 * once every link in it is followed, entries reached through a link, hard
 * links to anything but a file before them), holds device nodes or pipes,
 * names one file twice, or claims absurd sizes is refused as a whole.  unbrick
 * itself never writes entries by their names, but a vendor never ships
 * such an archive, and a technician may well unpack it by hand.  Then the
 * firmware is the largest regular file that is not a side file (checksums,
 * signatures, notes); it is unpacked to a temporary file and inspected as
 * the inner layer. */
#include "format.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "archive_files.h"
#include "unpack.h"

#define MAX_ENTRIES 10000
#define ENTRY_MAX (64ull << 30)
#define LINK_HOPS 40        /* as the kernel's ELOOP: longer is a loop */
#define LINK_PATH 1024      /* a resolved path longer than this is refused */

static int archive_probe(const struct ub_src *src, const uint8_t *head, size_t n)
{
	(void)src;
	if (n >= 4 && (memcmp(head, "PK\3\4", 4) == 0 || memcmp(head, "PK\5\6", 4) == 0))
		return 1;
	return n >= 262 && memcmp(head + 257, "ustar", 5) == 0;
}

/* A reader over src, or NULL for lack of memory.  Opening errors show in
 * the first archive_read_next_header. */
static struct archive *open_reader(struct ub_unpack_src *us, const struct ub_src *src)
{
	struct archive *a = archive_read_new();

	if (!a)
		return NULL;
	archive_read_support_format_zip(a);
	archive_read_support_format_tar(a);
	archive_read_support_format_gnutar(a);
	(void)ub_unpack_open(a, us, src);
	return a;
}

static int is_sep(char c)
{
	return c == '/' || c == '\\';
}

/* Walks the components of a relative path from a folder depth.  Returns
 * the depth at the end, or -1 when a ".." climbs above the top. */
static long walk(const char *p, long depth)
{
	while (*p) {
		size_t n = strcspn(p, "/\\");

		if (n == 2 && p[0] == '.' && p[1] == '.') {
			if (--depth < 0)
				return -1;
		} else if (n > 0 && !(n == 1 && p[0] == '.')) {
			depth++;
		}
		p += n;
		if (*p)
			p++;
	}
	return depth;
}

static int absolute(const char *p)
{
	return is_sep(p[0]) || (p[0] && p[1] == ':');   /* "/x", "\x", "C:x" */
}

/* Why an entry's own name is unsafe, or NULL.  Any ".." is refused, even
 * one that stays inside: archive tools do not write them. */
static const char *unsafe_name(const char *p)
{
	if (!p || !*p)
		return "has no name";
	if (absolute(p))
		return "is an absolute path";
	while (*p) {
		size_t n = strcspn(p, "/\\");

		if (n == 2 && p[0] == '.' && p[1] == '.')
			return "climbs out with '..'";
		p += n;
		if (*p)
			p++;
	}
	return NULL;
}

/* Why a symbolic link at path pointing at target is unsafe, or NULL.  The
 * target is resolved by name from the link's folder (the depth of path
 * less its last component). */
static const char *unsafe_symlink(const char *path, const char *target)
{
	long depth = walk(path, 0) - 1;

	if (!*target)
		return "is a link with no target";
	if (absolute(target))
		return "is a link to an absolute path";
	if (depth < 0 || walk(target, depth) < 0)
		return "is a link pointing outside the archive's folder";
	return NULL;
}

static int side_file(const char *path)
{
	static const char *const ends[] = {
		".sha256", ".sha256sum", ".sha512", ".md5", ".sig", ".minisig", ".asc",
		".manifest.json", ".txt", ".md", ".bmap", ".pub", ".html", ".pdf",
	};
	const char *base = path, *s;
	size_t i, len;

	for (s = path; *s; s++)
		if (is_sep(*s))
			base = s + 1;
	if (strncasecmp(base, "README", 6) == 0 || strstr(base, "SUMS"))
		return 1;
	len = strlen(base);
	for (i = 0; i < sizeof ends / sizeof ends[0]; i++) {
		size_t k = strlen(ends[i]);

		if (len > k && strcasecmp(base + len - k, ends[i]) == 0)
			return 1;
	}
	return 0;
}

/* "./a//b/" -> "a/b": the name an entry lands at, for duplicates and links. */
static char *normalize(const char *p)
{
	char *out = malloc(strlen(p) + 1), *o = out;

	if (!out)
		return NULL;
	while (*p) {
		size_t n = strcspn(p, "/\\");

		if (n > 0 && !(n == 1 && p[0] == '.')) {
			if (o != out)
				*o++ = '/';
			memcpy(o, p, n);
			o += n;
		}
		p += n;
		if (*p)
			p++;
	}
	*o = '\0';
	return out;
}

struct ent {
	char *name;      /* normalized */
	size_t len;      /* of name */
	uint64_t hash;   /* of name, see fnv() */
	char *target;    /* a symbolic link's target as written; a hard link's, normalized */
	long index;      /* position in the archive */
	uint64_t size;   /* as the entry declares it */
	int dir, link, hard;   /* a folder; a symbolic link; a hard link */
	int file;        /* a regular file (not a hard link) */
};

struct pick {
	char name[256];
	uint64_t size;
	long index;          /* of the firmware entry, -1: none */
	long entries, candidates;
	uint64_t total;
	struct ent *v;
	int keep;            /* survey leaves v to the caller (ub_archive_files) */
	char others[200];    /* names of the other entries, for the message */
};

/* FNV-1a over n bytes, continued from h (start with FNV_START). */
#define FNV_START ((uint64_t)14695981039346656037ull)

static uint64_t fnv(uint64_t h, const char *p, size_t n)
{
	while (n--)
		h = (h ^ (unsigned char)*p++) * 1099511628211ull;
	return h;
}

/* A hash index of entries by name, so that looking a name up costs its
 * length: checking every folder above every entry by comparing names cost
 * the square of a name's length (a 1 MB tar of 60 KB names took a second,
 * longer names far more).  Names are compared only when hash and length
 * match, which two names that differ seldom do. */
struct names {
	size_t *slot;   /* index in pk->v + 1; 0: free */
	size_t cap;     /* a power of two, over twice the entries */
};

static const struct ent *lookup(const struct names *ix, const struct pick *pk,
				const char *p, size_t len, uint64_t h)
{
	size_t i = (size_t)h & (ix->cap - 1);

	for (; ix->slot[i]; i = (i + 1) & (ix->cap - 1)) {
		const struct ent *e = &pk->v[ix->slot[i] - 1];

		if (e->hash == h && e->len == len && memcmp(e->name, p, len) == 0)
			return e;
	}
	return NULL;
}

static int names_init(struct names *ix, size_t n)
{
	ix->cap = 16;
	while (ix->cap <= 2 * n)
		ix->cap *= 2;
	ix->slot = calloc(ix->cap, sizeof *ix->slot);
	return ix->slot ? 0 : UB_ENOMEM;
}

static void names_put(struct names *ix, const struct pick *pk, size_t i)
{
	size_t k = (size_t)pk->v[i].hash & (ix->cap - 1);

	while (ix->slot[k])
		k = (k + 1) & (ix->cap - 1);
	ix->slot[k] = i + 1;
}

static const struct ent *find(const struct names *ix, const struct pick *pk,
			      const char *p, size_t len)
{
	return lookup(ix, pk, p, len, fnv(FNV_START, p, len));
}

/* Where a symbolic link's target leads once the archive is unpacked and
 * every link in it (in any order of extraction) can be followed: the
 * target is walked from the link's folder one component at a time, and a
 * component that names a link is replaced by that link's own target.
 * Returns NULL when it stays inside the archive's folder, else why; *steps
 * is a budget shared by all the links of one archive. */
static const char *leads_out(const struct names *ix, const struct pick *pk,
			     const struct ent *from, long *steps, char *how, size_t how_len)
{
	char path[LINK_PATH + 1], pending[2 * LINK_PATH + 2], next[2 * LINK_PATH + 2];
	const char *p;
	size_t len, base, hops = 0;

	/* start in the link's folder: its name less the last component */
	p = strrchr(from->name, '/');
	len = p ? (size_t)(p - from->name) : 0;
	memcpy(path, from->name, len);
	path[len] = '\0';
	if (snprintf(pending, sizeof pending, "%s", from->target) >= (int)sizeof pending)
		return "is a link whose target is too long to follow";
	p = pending;
	while (*p) {
		size_t n = strcspn(p, "/\\");
		const struct ent *hit;

		if (n == 0 || (n == 1 && p[0] == '.')) {
			p += n + (p[n] != '\0');
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			char *up;

			if (len == 0)
				return "is a link pointing outside the archive's folder once the links it goes through are followed";
			up = strrchr(path, '/');
			len = up ? (size_t)(up - path) : 0;
			path[len] = '\0';
			p += n + (p[n] != '\0');
			continue;
		}
		if (--*steps < 0)
			return "is one of links chained too long to follow";
		if (len + 1 + n > LINK_PATH)
			return "is a link whose target is too long to follow";
		base = len;
		if (len)
			path[len++] = '/';
		memcpy(path + len, p, n);
		len += n;
		path[len] = '\0';
		hit = find(ix, pk, path, len);
		p += n + (p[n] != '\0');
		if (!hit || !hit->link)
			continue;
		/* through another link: its target, from its folder, then the rest */
		if (++hops > LINK_HOPS)
			return "is part of a loop of links, or of a chain of more than 40";
		if (!*hit->target || absolute(hit->target)) {
			snprintf(how, how_len, "'%.100s'", hit->name);
			return "leads through a link to an absolute path or nowhere";
		}
		len = base;   /* back in the link's folder */
		path[len] = '\0';
		if (snprintf(next, sizeof next, "%s/%s", hit->target, p) >= (int)sizeof next)
			return "is a link whose target is too long to follow";
		memcpy(pending, next, strlen(next) + 1);
		p = pending;
	}
	return NULL;
}

/* After the walk: one name twice (the second would replace the first), an
 * entry reached through a link (where it lands depends on the link), a
 * hard link to anything but a file archived before it, or a symbolic link
 * that leads out once the links it goes through are followed.  Returns 1
 * with what filled, 0, or UB_ENOMEM. */
static int conflicts(struct pick *pk, char *what, size_t len)
{
	size_t n = (size_t)pk->entries, i;
	long steps = 4096 + 32 * (long)n;
	struct names ix = { NULL, 0 }, links = { NULL, 0 };
	int rc = 0;

	if (names_init(&ix, n) || names_init(&links, n)) {
		rc = UB_ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		struct ent *e = &pk->v[i];
		const struct ent *same;

		e->len = strlen(e->name);
		e->hash = fnv(FNV_START, e->name, e->len);
		if ((same = lookup(&ix, pk, e->name, e->len, e->hash)) != NULL) {
			if (same->dir && e->dir)
				continue;   /* a folder named twice is harmless */
			snprintf(what, len, "entry '%.200s' appears twice (the second would replace the first)",
				 e->name);
			rc = 1;
			goto out;
		}
		names_put(&ix, pk, i);
		if (e->link)
			names_put(&links, pk, i);
	}
	for (i = 0; i < n; i++) {
		const struct ent *e = &pk->v[i], *hit;
		const char *s, *why;
		char how[128] = "";
		uint64_t h = FNV_START;

		/* every folder above it against the links, hashed as the name
		 * is read once */
		for (s = e->name; *s; s++) {
			if (*s == '/' && (hit = lookup(&links, pk, e->name, (size_t)(s - e->name), h))) {
				snprintf(what, len, "entry '%.150s' lies inside the link '%.100s'",
					 e->name, hit->name);
				rc = 1;
				goto out;
			}
			h = fnv(h, s, 1);
		}
		if (e->hard) {
			hit = find(&ix, pk, e->target, strlen(e->target));
			if (!hit || hit->dir || hit->link || hit->hard || hit->index > e->index) {
				snprintf(what, len, "entry '%.120s' is a hard link to '%.120s', which is not a file archived before it",
					 e->name, e->target);
				rc = 1;
				goto out;
			}
		}
		if (e->link && (why = leads_out(&ix, pk, e, &steps, how, sizeof how)) != NULL) {
			snprintf(what, len, "entry '%.80s' %s ('%.80s'%s%.40s)", e->name, why,
				 e->target, how[0] ? " via " : "", how);
			rc = 1;
			goto out;
		}
	}
out:
	free(ix.slot);
	free(links.slot);
	return rc;
}

static void add_other(struct pick *pk, const char *name)
{
	size_t len = strlen(pk->others);

	if (len + 6 >= sizeof pk->others)
		return;
	if (len + strlen(name) + 7 >= sizeof pk->others) {
		strcat(pk->others, len ? ", ..." : "...");
		return;
	}
	if (len)
		strcat(pk->others, ", ");
	strcat(pk->others, name);
}

/* Why one entry makes the archive unsafe, into what; 0 when it is fine. */
static int judge(struct archive_entry *ent, const char *path, uint64_t total,
		 uint64_t limit, char *what, size_t len)
{
	const char *link = archive_entry_symlink(ent);
	const char *hard = archive_entry_hardlink(ent);
	mode_t type = archive_entry_filetype(ent);
	la_int64_t size = archive_entry_size(ent);
	const char *why;

	if ((why = unsafe_name(path)) != NULL) {
		snprintf(what, len, "entry '%.200s' %s", path ? path : "", why);
		return 1;
	}
	if (hard && ((why = unsafe_name(hard)) != NULL)) {
		snprintf(what, len, "entry '%.120s' is a hard link to '%.120s', which %s",
			 path, hard, why);
		return 1;
	}
	if (type == AE_IFLNK && (why = unsafe_symlink(path, link ? link : "")) != NULL) {
		snprintf(what, len, "entry '%.120s' %s ('%.120s')", path, why, link ? link : "");
		return 1;
	}
	/* a tar's hard link has no file type of its own: it is checked
	 * against its target once every entry is known */
	if (type != AE_IFREG && type != AE_IFDIR && type != AE_IFLNK && !hard) {
		snprintf(what, len, "entry '%.200s' is a %s, which firmware never is", path,
			 type == AE_IFCHR ? "character device" : type == AE_IFBLK ? "block device" :
			 type == AE_IFIFO ? "named pipe" : type == AE_IFSOCK ? "socket" :
			 "special file");
		return 1;
	}
	if (size < 0 || (uint64_t)size > ENTRY_MAX || (uint64_t)size > limit - total) {
		snprintf(what, len, "entry '%.150s' claims %lld bytes, more than the %llu bytes allowed for this archive",
			 path, (long long)size, (unsigned long long)limit);
		return 1;
	}
	return 0;
}

static void pick_free(struct pick *pk)
{
	long i;

	if (pk->v)
		for (i = 0; i < pk->entries; i++) {
			free(pk->v[i].name);
			free(pk->v[i].target);
		}
	free(pk->v);
	pk->v = NULL;
}

/* Whether the archive has its proper end, so that a download cut short is
 * not taken for a smaller archive (libarchive reads entries one by one and
 * stops quietly at a cut between them).  A zip ends with its
 * end-of-central-directory record (22 bytes, then a comment of up to
 * 64 KiB).  A tar's entries end with zero blocks (POSIX asks for two; one
 * is accepted): end is where libarchive stopped reading, and the block
 * before it must be zeros.  What follows a tar's end (an OpenWrt trailer,
 * say) is not the tar's business. */
static int has_end(const struct ub_src *src, int zip, uint64_t end, int *found,
		   struct ub_err *e)
{
	size_t max = zip ? 22 + 65535 : 512, i;
	size_t len = src->size < max ? (size_t)src->size : max;
	uint8_t *t = malloc(len ? len : 1);
	int rc = 0;

	*found = 0;
	if (!t)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if (zip) {
		rc = ub_src_read(src, src->size - len, t, len, e);
		for (i = len >= 22 ? len - 22 + 1 : 0; !rc && i-- > 0;)
			if (memcmp(t + i, "PK\5\6", 4) == 0 &&
			    i + 22 + (size_t)(t[i + 20] | t[i + 21] << 8) == len) {
				*found = 1;
				break;
			}
	} else if (end >= 512 && end <= src->size) {
		rc = ub_src_read(src, end - 512, t, 512, e);
		for (*found = !rc, i = 0; *found && i < 512; i++)
			*found = t[i] == 0;
	}
	free(t);
	return rc;
}

/* First pass: safety of every entry, and the firmware to inspect.  Returns
 * < 0 only when the walk could not run; pk->index < 0 when nothing is to
 * be unpacked (the checks say why). */
static int survey(struct ub_inspect *ctx, const struct ub_src *src, int zip,
		  struct pick *pk)
{
	struct ub_unpack_src *us = malloc(sizeof *us);
	struct archive *a = us ? open_reader(us, src) : NULL;
	struct archive_entry *ent;
	uint64_t limit = ub_unpack_layer_limit(ctx, src);
	char what[320] = "", sz[32];
	int r = ARCHIVE_FATAL, rc = 0, found, keep = pk->keep;

	memset(pk, 0, sizeof *pk);
	pk->keep = keep;
	pk->index = -1;
	pk->v = calloc(MAX_ENTRIES, sizeof *pk->v);
	if (!a || !pk->v) {
		rc = ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
		goto out;
	}
	if (zip && (rc = has_end(src, zip, 0, &found, ctx->err)))
		goto out;
	if (zip && !found) {
		ub_checks_add(ctx->checks, "archive-safety", UB_FAIL, "archive-corrupt",
			      "the zip has no end-of-central-directory record: it was cut short or damaged");
		goto out;
	}
	while ((r = archive_read_next_header(a, &ent)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const char *path = archive_entry_pathname(ent);
		mode_t type = archive_entry_filetype(ent);
		uint64_t size = (uint64_t)archive_entry_size(ent);
		struct ent *e;

		if (pk->entries == MAX_ENTRIES) {
			snprintf(what, sizeof what, "it has more than %d entries", MAX_ENTRIES);
			break;
		}
		if (judge(ent, path, pk->total, limit, what, sizeof what))
			break;
		e = &pk->v[pk->entries];
		e->index = pk->entries++;
		e->size = size;
		e->file = type == AE_IFREG && !archive_entry_hardlink(ent);
		e->name = normalize(path);
		e->hard = archive_entry_hardlink(ent) != NULL;
		e->link = !e->hard && type == AE_IFLNK;
		e->dir = !e->hard && type == AE_IFDIR;
		if (e->hard)
			e->target = normalize(archive_entry_hardlink(ent));
		else if (e->link)
			e->target = strdup(archive_entry_symlink(ent) ? archive_entry_symlink(ent) : "");
		if (!e->name || ((e->hard || e->link) && !e->target)) {
			rc = ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
			goto out;
		}
		pk->total += size;
		if (type == AE_IFREG && !archive_entry_hardlink(ent) && !side_file(path)) {
			pk->candidates++;
			if (pk->index < 0 || size > pk->size) {
				if (pk->index >= 0)
					add_other(pk, pk->name);
				snprintf(pk->name, sizeof pk->name, "%s", e->name);
				pk->size = size;
				pk->index = pk->entries - 1;
				continue;
			}
		}
		if (!e->dir && *e->name)
			add_other(pk, e->name);
	}
	if (!what[0] && r == ARCHIVE_EOF && !zip) {
		if ((rc = has_end(src, 0, (uint64_t)archive_filter_bytes(a, 0), &found, ctx->err)))
			goto out;
		if (!found) {
			ub_checks_add(ctx->checks, "archive-safety", UB_FAIL, "archive-corrupt",
				      "the tar stops after %ld entries without its end (zero blocks): it was cut short",
				      pk->entries);
			goto out;
		}
	}
	if (!what[0] && r == ARCHIVE_EOF && conflicts(pk, what, sizeof what) < 0) {
		rc = ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
		goto out;
	}
	if (what[0]) {
		ub_checks_add(ctx->checks, "archive-safety", UB_FAIL, "archive-unsafe",
			      "%s; nothing was unpacked", what);
		pk->index = -1;
	} else if (r != ARCHIVE_EOF) {
		ub_checks_add(ctx->checks, "archive-safety", UB_FAIL, "archive-corrupt",
			      "the archive is damaged after %ld entries: %.200s", pk->entries,
			      archive_error_string(a) ? archive_error_string(a) : "read error");
		pk->index = -1;
	} else if (pk->index < 0) {
		ub_checks_add(ctx->checks, "archive-safety", UB_PASS, NULL,
			      "%ld entries, none unsafe", pk->entries);
		ub_checks_add(ctx->checks, "archive-firmware", UB_FAIL, "archive-no-firmware",
			      "the archive holds no file that could be firmware, only: %s",
			      pk->others[0] ? pk->others : "nothing");
	} else {
		ub_checks_add(ctx->checks, "archive-safety", UB_PASS, NULL,
			      "%ld entries; firmware: %s (%s)%s%s", pk->entries, pk->name,
			      ub_unpack_size(sz, sizeof sz, pk->size),
			      pk->others[0] ? "; also: " : "", pk->others);
		if (pk->candidates > 1)
			ub_checks_add(ctx->checks, "archive-firmware", UB_WARN, NULL,
				      "%ld files could be the firmware; %s was taken as the largest (others: %s)",
				      pk->candidates, pk->name, pk->others);
	}
out:
	if (!pk->keep)
		pick_free(pk);
	archive_read_free(a);
	free(us);
	return rc;
}

/* Entry index (of size bytes, as the survey found it) into an unlinked
 * temporary file, as *inner labelled "ARCHIVE:name".  Returns 0; 1 when
 * it could not be unpacked whole (why says so); < 0 on other errors. */
static int unpack_entry(struct ub_inspect *ctx, const struct ub_src *src, long index, uint64_t size,
			const char *name, struct ub_src *inner, char *why, size_t whylen)
{
	struct ub_unpack_src *us = malloc(sizeof *us);
	struct archive *a = us ? open_reader(us, src) : NULL;
	struct archive_entry *ent;
	struct ub_unpack_out o;
	long i;
	int fd = -1, rc, r;

	if (!a) {
		rc = ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (i = 0; (r = archive_read_next_header(a, &ent)) == ARCHIVE_OK || r == ARCHIVE_WARN; i++)
		if (i == index)
			break;
	if (r != ARCHIVE_OK && r != ARCHIVE_WARN) {   /* it read fine a moment ago */
		rc = ub_err_set(ctx->err, UB_EIO, "io", "%s changed while it was read", src->label);
		goto out;
	}
	if ((fd = ub_unpack_tmpfile(ctx, ctx->err)) < 0) {
		rc = fd;
		goto out;
	}
	/* the declared size was checked against the limits in the survey */
	if ((rc = ub_unpack_out_init(&o, fd, size, ctx->progress, ctx->err)))
		goto out;
	rc = ub_unpack_copy(a, &o, ctx->err);
	ub_unpack_spend(ctx, o.written);
	if (rc == UB_EFORMAT || rc == 1 || (!rc && o.written != size)) {
		snprintf(why, whylen, "%.150s could not be unpacked whole (%llu of %llu bytes)%s%.100s", name,
			 (unsigned long long)o.written, (unsigned long long)size,
			 rc == UB_EFORMAT ? ": " : "", rc == UB_EFORMAT ? ctx->err->msg : "");
		ub_err_clear(ctx->err);
		rc = 1;
		goto out;
	}
	if (rc)
		goto out;
	rc = ub_src_from_fd(inner, fd, name, ctx->err);
	fd = -1;
	if (!rc)
		snprintf(inner->label, sizeof inner->label, "%.120s:%.120s", src->label, name);
out:
	if (fd >= 0)
		close(fd);
	archive_read_free(a);
	free(us);
	return rc;
}

/* Second pass: the firmware entry into a temporary file, inspected. */
static int extract(struct ub_inspect *ctx, const struct ub_src *src, int zip,
		   const struct pick *pk)
{
	struct ub_src inner;
	char why[320];
	int rc = unpack_entry(ctx, src, pk->index, pk->size, pk->name, &inner, why, sizeof why);

	if (rc == 1) {
		ub_checks_add(ctx->checks, "archive-firmware", UB_FAIL, "archive-corrupt", "%s", why);
		return 0;
	}
	if (rc)
		return rc;
	if (zip)   /* libarchive compared the entry's CRC-32 as it read it */
		ub_checks_add(ctx->checks, "archive-crc", UB_PASS, NULL,
			      "%.200s unpacked whole; its CRC-32 in the zip matches", pk->name);
	rc = ub_inspect(ctx, &inner);
	ub_src_close(&inner);
	/* a zip's CRC covers the firmware; a tar has none, so only what the
	 * firmware itself vouches for counts */
	if (zip)
		ctx->covered = "the zip's CRC-32 of the firmware file";
	return rc;
}

static int archive_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	struct pick pk;
	uint8_t head[2];
	int rc, zip;

	if ((rc = ub_src_read(src, 0, head, sizeof head, ctx->err)))
		return rc;   /* the probe read them a moment ago */
	zip = memcmp(head, "PK", 2) == 0;
	ub_meta_rename_layer(ctx->meta, zip ? "zip" : "tar");
	pk.keep = 0;
	if ((rc = survey(ctx, src, zip, &pk)) || pk.index < 0)
		return rc;
	return extract(ctx, src, zip, &pk);
}

const struct ub_format ub_format_archive = {
	.name = "archive",
	.what = "zip or tar archive",
	.probe = archive_probe,
	.inspect = archive_inspect,
};

int ub_archive_files(const struct ub_src *src, uint64_t budget, struct ub_archive_files *out,
		     struct ub_err *e)
{
	struct ub_checks checks = { 0 };
	struct ub_image_meta meta = { 0 };
	struct ub_inspect ctx = { .checks = &checks, .meta = &meta, .err = e,
				  .unpack_budget = budget, .unpack_started = 1 };
	uint8_t head[UB_PROBE_HEAD];
	size_t i, n = src->size < sizeof head ? (size_t)src->size : sizeof head;
	struct pick pk;
	long k;
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = ub_src_read(src, 0, head, n, e)))
		return rc;
	if (!archive_probe(src, head, n))
		return 1;
	out->zip = n >= 2 && memcmp(head, "PK", 2) == 0;
	pk.keep = 1;
	rc = survey(&ctx, src, out->zip, &pk);
	for (i = 0; !rc && i < checks.n; i++)
		if (checks.v[i].verdict == UB_FAIL && strcmp(checks.v[i].name, "archive-safety") == 0)
			rc = ub_err_set(e, UB_EFORMAT, checks.v[i].advice_id, "%.200s: %.400s", src->label,
					checks.v[i].why);
	if (!rc && !(out->v = calloc(pk.entries ? (size_t)pk.entries : 1, sizeof *out->v)))
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	for (k = 0; !rc && k < pk.entries; k++) {
		struct ent *en = &pk.v[k];

		if (!en->file)
			continue;
		out->v[out->n].name = en->name;
		out->v[out->n].size = en->size;
		out->v[out->n].index = en->index;
		en->name = NULL;   /* the list has it now */
		out->n++;
	}
	pick_free(&pk);
	ub_checks_free(&checks);
	ub_meta_free(&meta);
	if (rc)
		ub_archive_files_free(out);
	return rc;
}

int ub_archive_unpack(const struct ub_src *src, const struct ub_archive_file *f, const char *tmpdir,
		      uint64_t *budget, struct ub_src *out, struct ub_err *e)
{
	struct ub_inspect ctx = { .err = e, .tmpdir = tmpdir, .unpack_budget = *budget,
				  .unpack_started = 1 };
	char why[320];
	int rc;

	out->fd = -1;
	if (f->size > *budget)
		return ub_err_set(e, UB_EFORMAT, "archive-unsafe",
				  "%.150s: %.150s claims %llu bytes, more than the %llu this download may still unpack",
				  src->label, f->name, (unsigned long long)f->size, (unsigned long long)*budget);
	rc = unpack_entry(&ctx, src, f->index, f->size, f->name, out, why, sizeof why);
	*budget = ctx.unpack_budget;
	if (rc == 1)
		return ub_err_set(e, UB_EFORMAT, "archive-corrupt", "%.200s: %s", src->label, why);
	return rc;
}

void ub_archive_files_free(struct ub_archive_files *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
	memset(l, 0, sizeof *l);
}
