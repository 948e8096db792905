#include "unpack.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#define EXPAND_CAP (64ull << 30)   /* no firmware is larger */
/* Firmware packs to a few times less (already compressed parts, code);
 * only mostly empty disk images pack to more.  A bomb packs near 1000
 * (gzip) or far more (xz, zstd): 128 keeps a 1 MB download under a
 * second of unpacking, and UNBRICK_MAX_EXPAND lifts it for an image that
 * is trusted. */
#define EXPAND_RATIO 128u
#define EXPAND_FLOOR (1u << 20)
#define DF_EVERY (8u << 20)        /* look at the free space this often */

uint64_t ub_unpack_reserve = 64u << 20;

static la_ssize_t rd(struct archive *a, void *ctx, const void **out)
{
	struct ub_unpack_src *s = ctx;
	long n = ub_src_pread(s->src, s->pos, s->buf, sizeof s->buf, NULL);

	if (n < 0) {
		archive_set_error(a, EIO, "read error");
		return -1;
	}
	s->pos += (uint64_t)n;
	*out = s->buf;
	return n;
}

static la_int64_t sk(struct archive *a, void *ctx, la_int64_t request)
{
	struct ub_unpack_src *s = ctx;
	uint64_t left = s->src->size - s->pos;

	(void)a;
	if (request < 0)
		return 0;
	if ((uint64_t)request > left)
		request = (la_int64_t)left;
	s->pos += (uint64_t)request;
	return request;
}

static la_int64_t seek_cb(struct archive *a, void *ctx, la_int64_t off, int whence)
{
	struct ub_unpack_src *s = ctx;
	int64_t base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (int64_t)s->pos :
		(int64_t)s->src->size;

	/* off comes from the archive: keep base + off from overflowing */
	if (off < 0 ? (uint64_t)-(off + 1) >= (uint64_t)base :
	    (uint64_t)off > s->src->size - (uint64_t)base) {
		archive_set_error(a, EINVAL, "seek outside the file");
		return ARCHIVE_FATAL;
	}
	s->pos = (uint64_t)(base + off);
	return (la_int64_t)s->pos;
}

int ub_unpack_open(struct archive *a, struct ub_unpack_src *s,
		   const struct ub_src *src)
{
	s->src = src;
	s->pos = 0;
	archive_read_set_read_callback(a, rd);
	archive_read_set_skip_callback(a, sk);
	archive_read_set_seek_callback(a, seek_cb);
	archive_read_set_callback_data(a, s);
	return archive_read_open1(a);
}

uint64_t ub_unpack_limit(const struct ub_src *src)
{
	const char *env = getenv("UNBRICK_MAX_EXPAND");

	if (env && *env) {
		char *end;
		unsigned long long v = strtoull(env, &end, 10);

		if (!*end && v > 0)
			return v;
	}
	if (src->size > (EXPAND_CAP - EXPAND_FLOOR) / EXPAND_RATIO)
		return EXPAND_CAP;
	return src->size * EXPAND_RATIO + EXPAND_FLOOR;
}

uint64_t ub_unpack_layer_limit(struct ub_inspect *ctx, const struct ub_src *src)
{
	uint64_t lim = ub_unpack_limit(src);

	if (!ctx->unpack_started) {
		ctx->unpack_started = 1;
		ctx->unpack_budget = lim;
	}
	return lim < ctx->unpack_budget ? lim : ctx->unpack_budget;
}

void ub_unpack_spend(struct ub_inspect *ctx, uint64_t n)
{
	ctx->unpack_budget -= n < ctx->unpack_budget ? n : ctx->unpack_budget;
}

int ub_unpack_tmpfile(const struct ub_inspect *ctx, struct ub_err *e)
{
	const char *dir = ctx->tmpdir ? ctx->tmpdir : getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	/* O_TMPFILE: no name ever exists, so nothing is left behind by a crash */
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL)
		return ub_err_errno(e, UB_EIO, errno == ENOSPC ? "disk-full" : "io", errno,
				    "cannot make a temporary file in %s", dir);
	if (snprintf(path, sizeof path, "%s/unbrick-XXXXXX", dir) >= (int)sizeof path)
		return ub_err_set(e, UB_EIO, "io", "the temporary folder's path is too long");
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return ub_err_errno(e, UB_EIO, errno == ENOSPC ? "disk-full" : "io", errno,
				    "cannot make a temporary file in %s", dir);
	unlink(path);
	return fd;
}

const char *ub_unpack_size(char *buf, size_t len, uint64_t n)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		snprintf(buf, len, "%llu bytes", (unsigned long long)n);
		return buf;
	}
	v /= 1024;
	while (v >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

/* Refuses to go on when the temporary folder's file system is nearly full:
 * a firmware download must never make the technician's machine unusable. */
static int check_space(struct ub_unpack_out *o, struct ub_err *e)
{
	struct statvfs st;
	uint64_t avail;
	char a[32], w[32], r[32];

	o->next_df = o->written + DF_EVERY;
	if (fstatvfs(o->fd, &st) != 0)
		return 0;   /* unknown: the write errors will tell */
	avail = (uint64_t)st.f_bavail * st.f_frsize;
	if (avail >= ub_unpack_reserve)
		return 0;
	return ub_err_set(e, UB_EIO, "disk-full",
			  "only %s free in the temporary folder after unpacking %s; stopped to keep %s free (set TMPDIR to a larger disk)",
			  ub_unpack_size(a, sizeof a, avail), ub_unpack_size(w, sizeof w, o->written),
			  ub_unpack_size(r, sizeof r, ub_unpack_reserve));
}

int ub_unpack_out_init(struct ub_unpack_out *o, int fd, uint64_t limit,
		       struct ub_progress *progress, struct ub_err *e)
{
	memset(o, 0, sizeof *o);
	o->fd = fd;
	o->limit = limit;
	o->progress = progress;
	return check_space(o, e);
}

int ub_unpack_write(struct ub_unpack_out *o, const void *buf, size_t n,
		    struct ub_err *e)
{
	const char *p = buf;
	int rc;

	if (n > o->limit - o->written)
		return 1;
	if (o->written + n >= o->next_df && (rc = check_space(o, e)))
		return rc;
	while (n > 0) {
		ssize_t w = write(o->fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return ub_err_errno(e, UB_EIO, w < 0 && errno == ENOSPC ? "disk-full" : "io",
					    w < 0 ? errno : ENOSPC,
					    "cannot write the unpacked image to the temporary folder");
		p += w;
		n -= (size_t)w;
		o->written += (uint64_t)w;
	}
	ub_progress_update(o->progress, o->written);
	return 0;
}

int ub_unpack_copy(struct archive *a, struct ub_unpack_out *o, struct ub_err *e)
{
	char buf[128 * 1024];

	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof buf);
		int rc;

		if (n == 0)
			return 0;
		if (n < 0)
			return ub_err_set(e, UB_EFORMAT, "compressed-corrupt", "%s",
					  archive_error_string(a) ? archive_error_string(a) : "read error");
		if ((rc = ub_unpack_write(o, buf, (size_t)n, e)))
			return rc;
	}
}
