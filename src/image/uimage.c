/* U-Boot legacy images (uImage): a 64-byte big-endian header with a CRC32
 * of itself and a CRC32 of the data that follows.  U-Boot refuses to boot
 * an image when either CRC differs, so a mismatch here means a brick. */
#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define UIMAGE_MAGIC 0x27051956u
#define UIMAGE_HDR 64
#define UIMAGE_NAME 32
#define CHUNK (1u << 20)

/* Header fields (offsets in the 64-byte header). */
#define OFF_MAGIC 0
#define OFF_HCRC 4
#define OFF_TIME 8
#define OFF_SIZE 12
#define OFF_LOAD 16
#define OFF_EP 20
#define OFF_DCRC 24
#define OFF_OS 28
#define OFF_ARCH 29
#define OFF_TYPE 30
#define OFF_COMP 31
#define OFF_NAME 32

/* Values from U-Boot's include/image.h that change what we check. */
#define TYPE_MULTI 4
#define TYPE_SCRIPT 6
#define COMP_NONE 0

/* Multi-file and script images start their data with a table of 32-bit
 * sizes ended by a zero; more entries than this is not a real image. */
#define MULTI_MAX 64

/* A declared size this much larger than the file is not a cut download
 * but a header that lies (legacy images are loaded whole into RAM). */
#define HUGE_FACTOR 16
#define HUGE_FLOOR (256ull << 20)

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static const char *comp_name(unsigned c)
{
	static const char *const names[] = {
		"none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd",
	};

	return c < sizeof names / sizeof names[0] ? names[c] : "unknown";
}

static const char *type_name(unsigned t)
{
	static const char *const names[] = {
		"invalid", "standalone", "kernel", "ramdisk", "multi",
		"firmware", "script", "filesystem", "flat_dt",
	};

	return t < sizeof names / sizeof names[0] ? names[t] : "other";
}

static int uimage_probe(const struct ub_src *src, const uint8_t *head,
			size_t n)
{
	(void)src;
	/* A file cut inside the header still is a (truncated) uImage. */
	return n >= 4 && be32(head + OFF_MAGIC) == UIMAGE_MAGIC;
}

/* The header name, cut at its first NUL, with anything unprintable turned
 * into '?' so it is safe in messages and JSON. */
static void header_name(const uint8_t *hdr, char out[UIMAGE_NAME + 1])
{
	size_t i;

	for (i = 0; i < UIMAGE_NAME && hdr[OFF_NAME + i]; i++) {
		uint8_t c = hdr[OFF_NAME + i];

		out[i] = (c >= 0x20 && c < 0x7f) ? (char)c : '?';
	}
	out[i] = '\0';
	while (i > 0 && out[i - 1] == ' ')
		out[--i] = '\0';
}

/* CRC32 of [off, off+len) of src, read in 1 MiB chunks. */
static int crc_range(const struct ub_src *src, uint64_t off, uint64_t len,
		     uint32_t *out, struct ub_inspect *ctx)
{
	struct ub_progress step;
	uLong crc = crc32(0L, Z_NULL, 0);
	uint8_t *buf;
	uint64_t done = 0;
	int rc = 0;

	buf = malloc(CHUNK);
	if (!buf)
		return ub_err_set(ctx->err, UB_ENOMEM, NULL,
				  "no memory for the uImage data CRC");
	ub_progress_begin(&step, ctx->progress, "uimage-data-crc", 1, len);
	while (done < len) {
		size_t want = len - done < CHUNK ? (size_t)(len - done) : CHUNK;

		rc = ub_src_read(src, off + done, buf, want, ctx->err);
		if (rc < 0)
			break;
		crc = crc32(crc, buf, (uInt)want);
		done += want;
		ub_progress_update(&step, done);
	}
	ub_progress_end(&step, rc);
	free(buf);
	*out = (uint32_t)crc;
	return rc;
}

/* Inspects one payload as an inner layer.  When only_structured, plain
 * data (which the raw handler would only call non-empty) is skipped, so a
 * multi-file image does not add a layer per part. */
static int inspect_inner(struct ub_inspect *ctx, const struct ub_src *src,
			 uint64_t off, uint64_t size, int only_structured)
{
	struct ub_src win;
	int rc;

	rc = ub_src_window(&win, src, off, size, ctx->err);
	if (rc < 0)
		return 0; /* bounds were checked before; nothing to inspect */
	snprintf(win.label, sizeof win.label, "%.200s:data@%llu", src->label,
		 (unsigned long long)off);
	if (only_structured) {
		const struct ub_format *f = ub_format_detect(&win, ctx->err);

		if (!f)
			return ctx->err->code;
		if (f == &ub_format_raw)
			return 0;
	}
	return ub_inspect(ctx, &win);
}

/* Multi-file and script images: the size table must fit in the data and
 * the parts (each but the last padded to 4 bytes) must fit after it. */
static int check_multi(struct ub_inspect *ctx, const struct ub_src *src,
		       uint32_t dsize, int inspect_parts)
{
	uint32_t sizes[MULTI_MAX];
	uint8_t raw[4];
	uint64_t off, end = (uint64_t)UIMAGE_HDR + dsize;
	unsigned n = 0, i;
	int rc;

	for (;;) {
		off = UIMAGE_HDR + 4ull * n;
		if (off + 4 > end) {
			ub_checks_add(ctx->checks, "uimage-multi", UB_FAIL,
				      "image-corrupt",
				      "the multi-file size table runs past the %u data bytes without its zero end mark",
				      dsize);
			return 0;
		}
		rc = ub_src_read(src, off, raw, 4, ctx->err);
		if (rc < 0)
			return rc == UB_EFORMAT ? 0 : rc;
		if (be32(raw) == 0)
			break;
		if (n == MULTI_MAX) {
			ub_checks_add(ctx->checks, "uimage-multi", UB_FAIL,
				      "image-corrupt",
				      "the multi-file size table has more than %d entries",
				      MULTI_MAX);
			return 0;
		}
		sizes[n++] = be32(raw);
	}
	off = UIMAGE_HDR + 4ull * (n + 1);
	for (i = 0; i < n; i++) {
		uint64_t len = sizes[i];
		uint64_t padded = i + 1 < n ? (len + 3) & ~3ull : len;

		if (padded > end - off) {
			ub_checks_add(ctx->checks, "uimage-multi", UB_FAIL,
				      "image-corrupt",
				      "part %u of %u (%llu bytes at data offset %llu) goes past the %u data bytes",
				      i + 1, n, (unsigned long long)len,
				      (unsigned long long)(off - UIMAGE_HDR),
				      dsize);
			return 0;
		}
		off += padded;
	}
	ub_checks_add(ctx->checks, "uimage-multi", UB_PASS, NULL,
		      "%u part(s) listed, all within the %u data bytes", n,
		      dsize);
	if (!inspect_parts)
		return 0;
	off = UIMAGE_HDR + 4ull * (n + 1);
	for (i = 0; i < n; i++) {
		rc = inspect_inner(ctx, src, off, sizes[i], 1);
		if (rc < 0)
			return rc;
		off += (sizes[i] + 3ull) & ~3ull;
	}
	return 0;
}

static int uimage_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	uint8_t hdr[UIMAGE_HDR];
	char name[UIMAGE_NAME + 1];
	uint32_t hcrc, dsize, dcrc, got;
	uint64_t avail;
	unsigned type, comp;
	int rc;

	if (src->size < UIMAGE_HDR) {
		ub_checks_add(ctx->checks, "uimage-header-crc", UB_FAIL,
			      "image-truncated",
			      "%s has %llu bytes, less than the 64-byte uImage header",
			      src->label, (unsigned long long)src->size);
		return 0;
	}
	rc = ub_src_read(src, 0, hdr, sizeof hdr, ctx->err);
	if (rc < 0)
		return rc;

	hcrc = be32(hdr + OFF_HCRC);
	memset(hdr + OFF_HCRC, 0, 4);
	got = (uint32_t)crc32(crc32(0L, Z_NULL, 0), hdr, sizeof hdr);
	if (got == hcrc)
		ub_checks_add(ctx->checks, "uimage-header-crc", UB_PASS, NULL,
			      "header CRC32 %08x matches", hcrc);
	else
		ub_checks_add(ctx->checks, "uimage-header-crc", UB_FAIL,
			      "image-corrupt",
			      "header CRC32 is %08x, the header says %08x",
			      got, hcrc);

	dsize = be32(hdr + OFF_SIZE);
	dcrc = be32(hdr + OFF_DCRC);
	type = hdr[OFF_TYPE];
	comp = hdr[OFF_COMP];
	header_name(hdr, name);
	/* Names such as "Linux-5.10.0" look like versions, but nothing says
	 * they are the firmware version: leave the version to other layers. */
	if (name[0] && ub_meta_set_str(&ctx->meta->name, name, 1) < 0)
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "no memory");

	avail = src->size - UIMAGE_HDR;
	if (dsize > avail) {
		int huge = dsize > HUGE_FLOOR &&
			   (uint64_t)dsize / HUGE_FACTOR > src->size;

		ub_checks_add(ctx->checks, "uimage-size", UB_FAIL,
			      huge ? "image-huge" : "image-truncated",
			      "the header says %u data bytes (%s, %s), the file has %llu after the header",
			      dsize, type_name(type), comp_name(comp),
			      (unsigned long long)avail);
		ub_checks_add(ctx->checks, "uimage-data-crc", UB_NA, NULL,
			      "the data is not all there to check");
		return 0;
	}
	if (dsize < avail)
		ub_checks_add(ctx->checks, "uimage-size", UB_WARN, NULL,
			      "%llu bytes follow the %u data bytes the header declares; U-Boot ignores them",
			      (unsigned long long)(avail - dsize), dsize);
	else
		ub_checks_add(ctx->checks, "uimage-size", UB_PASS, NULL,
			      "%u data bytes (%s, %s), as the header says",
			      dsize, type_name(type), comp_name(comp));

	rc = crc_range(src, UIMAGE_HDR, dsize, &got, ctx);
	if (rc < 0)
		return rc;
	if (got == dcrc)
		ub_checks_add(ctx->checks, "uimage-data-crc", UB_PASS, NULL,
			      "data CRC32 %08x over %u bytes matches", dcrc,
			      dsize);
	else
		ub_checks_add(ctx->checks, "uimage-data-crc", UB_FAIL,
			      "image-corrupt",
			      "data CRC32 over %u bytes is %08x, the header says %08x",
			      dsize, got, dcrc);

	if (type == TYPE_MULTI || type == TYPE_SCRIPT)
		return check_multi(ctx, src, dsize,
				   type == TYPE_MULTI && comp == COMP_NONE);
	if (comp == COMP_NONE)
		return inspect_inner(ctx, src, UIMAGE_HDR, dsize, 0);
	return 0;
}

const struct ub_format ub_format_uimage = {
	.name = "uimage",
	.what = "U-Boot legacy image",
	.probe = uimage_probe,
	.inspect = uimage_inspect,
};
