/* Single compressed streams: gzip, xz, zstd, bzip2.  The stream is
 * expanded into an unlinked temporary file (never into memory), bounded so
 * that a decompression bomb stops early, and the result is inspected as
 * the inner layer.  xz, bzip2 and zstd (when it carries a checksum) check
 * their own data; for gzip the trailer's CRC-32 and size are checked here,
 * since not every decoder does. */
#include "format.h"

#include <archive.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unpack.h"

static const char *which(const uint8_t *h, size_t n)
{
	if (n >= 3 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8)
		return "gzip";
	if (n >= 6 && memcmp(h, "\xfd" "7zXZ\0", 6) == 0)
		return "xz";
	if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0)
		return "zstd";
	if (n >= 4 && memcmp(h, "BZh", 3) == 0 && h[3] >= '1' && h[3] <= '9')
		return "bzip2";
	return NULL;
}

static int compressed_probe(const struct ub_src *src, const uint8_t *head, size_t n)
{
	(void)src;
	return which(head, n) != NULL;
}

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int compressed_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	struct ub_unpack_src *us = NULL;
	struct archive *a;
	struct archive_entry *ent;
	struct ub_src inner;
	uint8_t head[8];
	const char *kind;
	uint64_t written = 0, limit = ub_unpack_limit(src);
	uint32_t crc = 0;
	char check[48];
	int fd = -1, rc;

	if ((rc = ub_src_read(src, 0, head, sizeof head, NULL)) != 0 &&
	    src->size >= sizeof head)
		return ub_err_set(ctx->err, UB_EIO, "io", "cannot read %s", src->label);
	kind = which(head, src->size < sizeof head ? (size_t)src->size : sizeof head);
	if (!kind) {   /* only when called without its probe */
		ub_checks_add(ctx->checks, "compressed-stream", UB_FAIL, "compressed-corrupt",
			      "%s is not a gzip, xz, zstd or bzip2 stream", src->label);
		return 0;
	}
	ub_meta_rename_layer(ctx->meta, kind);
	snprintf(check, sizeof check, "%s-stream", kind);
	a = archive_read_new();
	us = malloc(sizeof *us);
	if (!a || !us) {
		archive_read_free(a);
		free(us);
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	}
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	fd = ub_unpack_tmpfile(ctx, ctx->err);
	if (fd < 0) {
		archive_read_free(a);
		free(us);
		return fd;
	}
	if (ub_unpack_open(a, us, src) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ent) != ARCHIVE_OK) {
		ub_checks_add(ctx->checks, check, UB_FAIL, "compressed-corrupt",
			      "the %s stream cannot be opened: %s", kind,
			      archive_error_string(a) ? archive_error_string(a) : "unknown error");
		rc = 0;
		goto out;
	}
	rc = ub_unpack_copy(a, fd, limit, &written, &crc, ctx->err);
	if (rc == 1) {
		ub_checks_add(ctx->checks, check, UB_FAIL, "image-huge",
			      "the %s stream expands past %llu bytes from %llu: a decompression bomb, or not a firmware image",
			      kind, (unsigned long long)limit, (unsigned long long)src->size);
		rc = 0;
		goto out;
	}
	if (rc == UB_EFORMAT) {
		ub_checks_add(ctx->checks, check, UB_FAIL, "compressed-corrupt",
			      "the %s stream is damaged after %llu bytes: %s", kind,
			      (unsigned long long)written, ctx->err->msg);
		ub_err_clear(ctx->err);
		rc = 0;
		goto out;
	}
	if (rc)
		goto out;
	if (strcmp(kind, "gzip") == 0 && src->size >= 18) {
		uint8_t t[8];

		if ((rc = ub_src_read(src, src->size - 8, t, 8, ctx->err)))
			goto out;
		if (le32(t) != crc || le32(t + 4) != (uint32_t)written) {
			ub_checks_add(ctx->checks, check, UB_FAIL, "compressed-corrupt",
				      "the gzip trailer says crc32 %08x and %u bytes; the data is %08x and %u bytes",
				      le32(t), le32(t + 4), crc, (uint32_t)written);
			goto out;
		}
	}
	ub_checks_add(ctx->checks, check, UB_PASS, NULL,
		      "%s stream of %llu bytes expands to %llu bytes", kind,
		      (unsigned long long)src->size, (unsigned long long)written);
	archive_read_free(a);
	a = NULL;
	if ((rc = ub_src_from_fd(&inner, fd, src->label, ctx->err)))
		goto out;
	fd = -1;
	snprintf(inner.label, sizeof inner.label, "%.200s (unpacked)", src->label);
	rc = ub_inspect(ctx, &inner);
	ub_src_close(&inner);
out:
	if (fd >= 0)
		close(fd);
	archive_read_free(a);
	free(us);
	return rc;
}

const struct ub_format ub_format_compressed = {
	.name = "compressed",
	.what = "compressed stream (gzip, xz, zstd or bzip2)",
	.probe = compressed_probe,
	.inspect = compressed_inspect,
};
