#include "unpack.h"

#include <archive.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

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

	if (base + off < 0 || (uint64_t)(base + off) > s->src->size) {
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
	uint64_t cap = 64ull << 30, lim;

	if (env && *env) {
		char *end;
		unsigned long long v = strtoull(env, &end, 10);

		if (!*end && v > 0)
			return v;
	}
	lim = src->size > cap / 1000 ? cap : src->size * 1000 + (1u << 20);
	return lim < cap ? lim : cap;
}

int ub_unpack_tmpfile(const struct ub_inspect *ctx, struct ub_err *e)
{
	const char *dir = ctx->tmpdir ? ctx->tmpdir : getenv("TMPDIR");
	char path[4096];
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd >= 0)
		return fd;
	snprintf(path, sizeof path, "%s/unbrick-XXXXXX", dir);
	fd = mkostemp(path, O_CLOEXEC);
	if (fd < 0)
		return ub_err_errno(e, UB_EIO, "io", errno, "cannot make a temporary file in %s", dir);
	unlink(path);
	return fd;
}

int ub_unpack_copy(struct archive *a, int fd, uint64_t limit,
		   uint64_t *written, uint32_t *crc, struct ub_err *e)
{
	char buf[128 * 1024];
	uLong c = crc32(0L, Z_NULL, 0);

	*written = 0;
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof buf);
		const char *p = buf;
		size_t left;

		if (n == 0)
			break;
		if (n < 0)
			return ub_err_set(e, UB_EFORMAT, "compressed-corrupt", "%s",
					  archive_error_string(a) ? archive_error_string(a) : "read error");
		if (*written + (uint64_t)n > limit)
			return 1;
		c = crc32(c, (const Bytef *)buf, (uInt)n);
		for (left = (size_t)n; left > 0;) {
			ssize_t w = write(fd, p, left);

			if (w < 0 && errno == EINTR)
				continue;
			if (w < 0)
				return ub_err_errno(e, UB_EIO, errno == ENOSPC ? "disk-full" : "io", errno,
						    "cannot write the unpacked image to the temporary folder");
			p += w;
			left -= (size_t)w;
		}
		*written += (uint64_t)n;
	}
	if (crc)
		*crc = (uint32_t)c;
	return 0;
}
