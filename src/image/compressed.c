/* Single compressed streams: gzip, xz, zstd, bzip2.  The stream is
 * expanded into an unlinked temporary file (never into memory), bounded so
 * that a decompression bomb stops early and the disk never fills, and the
 * result is inspected as the inner layer.
 *
 * Damage must be caught here, not by luck in the inner layer: xz (its
 * check), zstd (its XXH64 checksum, when the stream has one) and bzip2
 * (block and stream CRCs) are verified by their decoders, which libarchive
 * drives.  libarchive's gzip reader does not compare the gzip trailer, so
 * gzip is inflated with zlib, which checks every member's CRC-32 and
 * length. */
#include "format.h"

#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "unpack.h"

#define GZ_IN (64u << 10)
#define GZ_OUT (128u << 10)

enum kind { K_GZIP, K_XZ, K_ZSTD, K_BZIP2, K_NONE };

static const char *const kind_name[] = { "gzip", "xz", "zstd", "bzip2" };

static enum kind which(const uint8_t *h, size_t n)
{
	if (n >= 3 && h[0] == 0x1f && h[1] == 0x8b && h[2] == 8)
		return K_GZIP;
	if (n >= 6 && memcmp(h, "\xfd" "7zXZ\0", 6) == 0)
		return K_XZ;
	if (n >= 4 && memcmp(h, "\x28\xb5\x2f\xfd", 4) == 0)
		return K_ZSTD;
	if (n >= 4 && memcmp(h, "BZh", 3) == 0 && h[3] >= '1' && h[3] <= '9')
		return K_BZIP2;
	return K_NONE;
}

static int compressed_probe(const struct ub_src *src, const uint8_t *head, size_t n)
{
	(void)src;
	return which(head, n) != K_NONE;
}

/* How an expansion ended when it could run. */
enum state { S_OK, S_HUGE, S_DAMAGED };

struct outcome {
	enum state state;
	char why[160];          /* S_DAMAGED: what the decoder said */
	unsigned long members;  /* gzip members */
	uint64_t trailing;      /* bytes after the last gzip member */
	int trailing_zero;      /* ... all of them zero (padding) */
};

/* Bytes [pos, size) of src all zero? */
static int all_zero(const struct ub_src *src, uint64_t pos, uint8_t *buf,
		    size_t len, struct ub_err *e)
{
	while (pos < src->size) {
		long n = ub_src_pread(src, pos, buf, len, e);
		long i;

		if (n <= 0)
			return n < 0 ? (int)n : 0;
		for (i = 0; i < n; i++)
			if (buf[i])
				return 0;
		pos += (uint64_t)n;
	}
	return 1;
}

/* zlib's words for a bad trailer, said so that a reader knows what it means */
static const char *zmsg(const char *m)
{
	if (!m)
		return "invalid deflate data";
	if (strcmp(m, "incorrect data check") == 0)
		return "the CRC-32 in its trailer does not match the data";
	if (strcmp(m, "incorrect length check") == 0)
		return "the length in its trailer does not match the data";
	return m;
}

/* Inflates every gzip member in src into o (what `cat a.gz b.gz` makes is
 * one valid stream).  Returns 0 with *out filled, or < 0 when it could not
 * run. */
static int gunzip(struct ub_inspect *ctx, const struct ub_src *src,
		  struct ub_unpack_out *o, struct outcome *out)
{
	z_stream z;
	uint8_t *in = malloc(GZ_IN), *buf = malloc(GZ_OUT);
	uint64_t pos = 0;
	int rc = 0, zr;

	memset(&z, 0, sizeof z);
	if (!in || !buf || inflateInit2(&z, 15 + 16) != Z_OK) {
		free(in);
		free(buf);
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	}
	for (;;) {
		long n = ub_src_pread(src, pos, in, GZ_IN, ctx->err);
		int end = 0;

		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (n == 0) {
			out->state = S_DAMAGED;
			snprintf(out->why, sizeof out->why,
				 "it ends inside member %lu, after %llu bytes of output",
				 out->members + 1, (unsigned long long)o->written);
			break;
		}
		z.next_in = in;
		z.avail_in = (uInt)n;
		do {
			z.next_out = buf;
			z.avail_out = GZ_OUT;
			zr = inflate(&z, Z_NO_FLUSH);
			if (zr == Z_MEM_ERROR) {
				rc = ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
				goto done;
			}
			if ((zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) ||
			    (zr == Z_BUF_ERROR && z.avail_in > 0 && z.avail_out > 0)) {
				out->state = S_DAMAGED;
				snprintf(out->why, sizeof out->why,
					 "member %lu at byte %llu: %s", out->members + 1,
					 (unsigned long long)(pos + (uint64_t)n - z.avail_in),
					 zmsg(z.msg));
				goto done;
			}
			rc = ub_unpack_write(o, buf, GZ_OUT - z.avail_out, ctx->err);
			if (rc == 1) {
				out->state = S_HUGE;
				rc = 0;
				goto done;
			}
			if (rc)
				goto done;
			if (zr == Z_STREAM_END) {
				end = 1;
				break;
			}
		} while (z.avail_in > 0 || z.avail_out == 0);
		pos += (uint64_t)n - z.avail_in;
		if (!end)
			continue;
		/* a member ended (its CRC-32 and length matched): another one,
		 * padding, or something else follows */
		out->members++;
		if (pos < src->size) {
			uint8_t m[3];
			long k = ub_src_pread(src, pos, m, sizeof m, ctx->err);

			if (k < 0) {
				rc = (int)k;
				break;
			}
			if (k == 3 && which(m, 3) == K_GZIP) {
				inflateReset(&z);
				continue;
			}
			out->trailing = src->size - pos;
			rc = all_zero(src, pos, in, GZ_IN, ctx->err);
			if (rc < 0)
				break;
			out->trailing_zero = rc;
			rc = 0;
		}
		break;
	}
done:
	inflateEnd(&z);
	free(in);
	free(buf);
	return rc;
}

/* xz, zstd and bzip2 through libarchive's raw format.  Only the one filter
 * the magic named is enabled: libarchive falls back to running external
 * programs for some filters, and a download must not choose which. */
static int unarchive(struct ub_inspect *ctx, const struct ub_src *src, enum kind k,
		     struct ub_unpack_out *o, struct outcome *out)
{
	struct ub_unpack_src *us = malloc(sizeof *us);
	struct archive *a = archive_read_new();
	struct archive_entry *ent;
	int rc = 0, filter;

	if (!a || !us) {
		archive_read_free(a);
		free(us);
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	}
	if (k == K_XZ)
		archive_read_support_filter_xz(a);
	else if (k == K_ZSTD)
		archive_read_support_filter_zstd(a);
	else
		archive_read_support_filter_bzip2(a);
	filter = k == K_XZ ? ARCHIVE_FILTER_XZ : k == K_ZSTD ? ARCHIVE_FILTER_ZSTD :
		ARCHIVE_FILTER_BZIP2;
	archive_read_support_format_raw(a);
	if (ub_unpack_open(a, us, src) != ARCHIVE_OK ||
	    archive_read_next_header(a, &ent) != ARCHIVE_OK) {
		out->state = S_DAMAGED;
		snprintf(out->why, sizeof out->why, "it cannot be opened: %s",
			 archive_error_string(a) ? archive_error_string(a) : "unknown error");
		goto out;
	}
	/* When the filter turns the header down, the raw format hands the
	 * packed bytes through unchanged: that is damage, not data. */
	if (archive_filter_code(a, 0) != filter) {
		out->state = S_DAMAGED;
		snprintf(out->why, sizeof out->why,
			 "its header is not a valid %s stream header", kind_name[k]);
		goto out;
	}
	rc = ub_unpack_copy(a, o, ctx->err);
	if (rc == 1) {
		out->state = S_HUGE;
		rc = 0;
	} else if (rc == UB_EFORMAT) {
		out->state = S_DAMAGED;
		snprintf(out->why, sizeof out->why, "after %llu bytes of output: %.100s",
			 (unsigned long long)o->written, ctx->err->msg);
		ub_err_clear(ctx->err);
		rc = 0;
	}
out:
	archive_read_free(a);
	free(us);
	return rc;
}

/* What the stream's own integrity check is, or NULL when it has none
 * (xz --check=none, zstd --no-check): then damage inside the compressed
 * data can only be seen by the inner layer's checks. */
static const char *integrity(enum kind k, const uint8_t *h, size_t n)
{
	static const char *const xz_checks[16] = {
		[1] = "CRC-32", [4] = "CRC-64", [10] = "SHA-256",
	};

	switch (k) {
	case K_GZIP:
		return "CRC-32 and length";
	case K_BZIP2:
		return "block and stream CRCs";
	case K_XZ:
		if (n < 8 || (h[7] & 0x0f) == 0)
			return NULL;
		return xz_checks[h[7] & 0x0f] ? xz_checks[h[7] & 0x0f] : "check";
	case K_ZSTD:
		/* Frame_Header_Descriptor bit 2: Content_Checksum_flag */
		return n >= 5 && (h[4] & 0x04) ? "XXH64 checksum" : NULL;
	default:
		return NULL;
	}
}

static int compressed_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	struct ub_unpack_out o;
	struct outcome out;
	struct ub_src inner;
	uint8_t head[8] = { 0 };
	char zs[32], us[32], ls[32];
	const char *name, *check;
	enum kind k;
	uint64_t limit;
	long hn;
	int fd, rc;

	hn = ub_src_pread(src, 0, head, sizeof head, ctx->err);
	if (hn < 0)
		return (int)hn;
	k = which(head, (size_t)hn);
	if (k == K_NONE) {   /* only when called without its probe */
		ub_checks_add(ctx->checks, "decompress", UB_FAIL, "compressed-corrupt",
			      "%s is not a gzip, xz, zstd or bzip2 stream", src->label);
		return 0;
	}
	name = kind_name[k];
	ub_meta_rename_layer(ctx->meta, name);
	limit = ub_unpack_layer_limit(ctx, src);
	fd = ub_unpack_tmpfile(ctx, ctx->err);
	if (fd < 0)
		return fd;
	memset(&out, 0, sizeof out);
	rc = ub_unpack_out_init(&o, fd, limit, ctx->progress, ctx->err);
	if (!rc)
		rc = k == K_GZIP ? gunzip(ctx, src, &o, &out) : unarchive(ctx, src, k, &o, &out);
	if (rc)
		goto fail;
	ub_unpack_size(zs, sizeof zs, src->size);
	ub_unpack_size(us, sizeof us, o.written);
	ub_unpack_spend(ctx, o.written);
	if (out.state == S_HUGE) {
		ub_checks_add(ctx->checks, "decompress", UB_FAIL, "image-huge",
			      "the %s stream of %s expands past %s (%llu bytes), the most this download may unpack to (128 times its size): a decompression bomb, or not a firmware image (UNBRICK_MAX_EXPAND=BYTES lifts the limit for a trusted image)",
			      name, zs, ub_unpack_size(ls, sizeof ls, limit),
			      (unsigned long long)limit);
		goto fail;
	}
	if (out.state == S_DAMAGED) {
		ub_checks_add(ctx->checks, "decompress", UB_FAIL, "compressed-corrupt",
			      "the %s stream of %s is damaged or cut short: %s", name, zs, out.why);
		goto fail;
	}
	check = integrity(k, head, (size_t)hn);
	if (!check)
		ub_checks_add(ctx->checks, "decompress", UB_WARN, NULL,
			      "the %s stream of %s expands to %s but carries no checksum, so damage inside it can only be seen by the checks of what it holds",
			      name, zs, us);
	else if (out.trailing && !out.trailing_zero) {
		ub_checks_add(ctx->checks, "decompress", UB_WARN, NULL,
			      "the %s stream of %s expands to %s (%s matches), but %llu bytes after it are not gzip data and were not inspected",
			      name, zs, us, check, (unsigned long long)out.trailing);
		ub_checks_flag(ctx->checks, UB_CHECK_UNINSPECTED);
	} else
		ub_checks_add(ctx->checks, "decompress", UB_PASS, NULL,
			      "the %s stream of %s expands to %s; its %s match%s%s", name, zs, us, check,
			      k == K_GZIP || k == K_BZIP2 ? "" : "es",
			      out.members > 1 ? " (every member)" : out.trailing ? " (zero padding after it ignored)" : "");
	if ((rc = ub_src_from_fd(&inner, fd, src->label, ctx->err)))
		return rc;
	snprintf(inner.label, sizeof inner.label, "%.200s (unpacked)", src->label);
	rc = ub_inspect(ctx, &inner);
	ub_src_close(&inner);
	/* The stream's own check covers all it holds; without one, what
	 * the inner layer vouches for is all there is. */
	if (check && !(out.trailing && !out.trailing_zero))
		ctx->covered = k == K_GZIP ? "the gzip stream's CRC-32 and length" :
			k == K_BZIP2 ? "the bzip2 stream's CRCs" :
			k == K_XZ ? "the xz stream's check" : "the zstd stream's XXH64 checksum";
	else if (out.trailing && !out.trailing_zero)
		ctx->covered = NULL;
	return rc;
fail:
	close(fd);
	return rc;
}

const struct ub_format ub_format_compressed = {
	.name = "compressed",
	.what = "compressed stream (gzip, xz, zstd or bzip2)",
	.probe = compressed_probe,
	.inspect = compressed_inspect,
};
