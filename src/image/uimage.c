/* U-Boot legacy images: a 64-byte big-endian header, then the data.
 *   magic 0x27051956, header crc32 (computed with this field zeroed), time,
 *   data size, load address, entry point, data crc32, os, arch, type,
 *   compression, 32-byte name.
 * Multi-file and script images start their data with a table of u32 sizes
 * ended by 0.  The data CRC covers all of it, table included. */
#include "format.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define UIMAGE_MAGIC 0x27051956u
#define HDR 64
#define TYPE_MULTI 4
#define TYPE_SCRIPT 6
#define CHUNK (128u << 10)

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int uimage_probe(const struct ub_src *src, const uint8_t *head, size_t n)
{
	(void)src;
	return n >= 4 && be32(head) == UIMAGE_MAGIC;   /* a short one is a cut download */
}

static const char *comp_name(unsigned c)
{
	static const char *const names[] = { "none", "gzip", "bzip2", "lzma", "lzo", "lz4", "zstd" };

	return c < sizeof names / sizeof names[0] ? names[c] : "unknown";
}

static int data_crc(struct ub_inspect *ctx, const struct ub_src *src,
		    uint64_t len, uint32_t *out)
{
	uint8_t *buf = malloc(CHUNK);
	uLong crc = crc32(0L, Z_NULL, 0);
	uint64_t off = 0;
	int rc = 0;

	if (!buf)
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	while (off < len) {
		size_t n = len - off < CHUNK ? (size_t)(len - off) : CHUNK;

		if ((rc = ub_src_read(src, HDR + off, buf, n, ctx->err)))
			break;
		crc = crc32(crc, buf, (uInt)n);
		off += n;
		ub_progress_update(ctx->progress, off);
	}
	free(buf);
	*out = (uint32_t)crc;
	return rc;
}

/* 1 when [off, end) of src is all 0x00, 2 when all 0xff (erased flash
 * padding), 0 when neither, < 0 on a read error. */
static int padding(const struct ub_src *src, uint64_t off, struct ub_err *e)
{
	uint8_t buf[4096], want;
	long n, i;

	if ((n = ub_src_pread(src, off, &want, 1, e)) <= 0)
		return n < 0 ? (int)n : 0;
	if (want != 0x00 && want != 0xff)
		return 0;
	while (off < src->size) {
		if ((n = ub_src_pread(src, off, buf, sizeof buf, e)) <= 0)
			return n < 0 ? (int)n : 0;
		for (i = 0; i < n; i++)
			if (buf[i] != want)
				return 0;
		off += (uint64_t)n;
	}
	return want ? 2 : 1;
}

/* The size table of multi-file and script images must fit the data. */
static void check_table(struct ub_inspect *ctx, const struct ub_src *src,
			uint32_t size)
{
	uint64_t used = 0, table = 0;
	uint8_t w[4];
	unsigned n = 0;

	for (;;) {
		if (table + 4 > size || ub_src_read(src, HDR + table, w, 4, NULL)) {
			ub_checks_add(ctx->checks, "uimage-table", UB_FAIL, "image-corrupt",
				      "the size table of the multi-file image runs past its data");
			return;
		}
		table += 4;
		if (be32(w) == 0)
			break;
		used += (be32(w) + 3u) & ~3u;
		if (++n > 256) {
			ub_checks_add(ctx->checks, "uimage-table", UB_FAIL, "image-corrupt",
				      "the size table lists more than 256 parts");
			return;
		}
	}
	if (table + used > (uint64_t)size + 3)
		ub_checks_add(ctx->checks, "uimage-table", UB_FAIL, "image-corrupt",
			      "the %u parts listed take %llu bytes, the data is %u",
			      n, (unsigned long long)(table + used), size);
	else
		ub_checks_add(ctx->checks, "uimage-table", UB_PASS, NULL,
			      "%u part%s listed, within the data", n, n == 1 ? "" : "s");
}

static int uimage_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	uint8_t h[HDR];
	char name[33];
	uint32_t hcrc, size, dcrc, got;
	uint64_t avail;
	struct ub_src inner;
	const char *covered;
	int rc = 0, pad;

	if (src->size < HDR) {
		ub_checks_add(ctx->checks, "uimage-header-crc", UB_FAIL, "image-truncated",
			      "%llu bytes: shorter than a uImage header (64)", (unsigned long long)src->size);
		return 0;
	}
	if ((rc = ub_src_read(src, 0, h, HDR, ctx->err)))
		return rc;
	hcrc = be32(h + 4);
	size = be32(h + 12);
	dcrc = be32(h + 24);
	memset(h + 4, 0, 4);
	got = (uint32_t)crc32(0L, h, HDR);
	memcpy(name, h + 32, 32);
	name[32] = '\0';
	/* the name goes to the terminal and JSON: printable ASCII only */
	for (size_t i = 0; name[i]; i++)
		if ((unsigned char)name[i] < 0x20 || (unsigned char)name[i] > 0x7e)
			name[i] = '?';
	if (got != hcrc) {
		ub_checks_add(ctx->checks, "uimage-header-crc", UB_FAIL, "image-corrupt",
			      "header crc32 is %08x, the header says %08x", got, hcrc);
		return 0;   /* nothing else in the header can be trusted */
	}
	ub_checks_add(ctx->checks, "uimage-header-crc", UB_PASS, NULL,
		      "header crc32 %08x matches (type %u, %s compression, %u bytes of data)",
		      hcrc, h[30], comp_name(h[31]), size);
	if (name[0] && ub_meta_set_str(&ctx->meta->name, name, 1))
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	avail = src->size - HDR;
	if (size > avail) {
		int huge = size > 2 * avail + (1u << 20);

		ub_checks_add(ctx->checks, "uimage-data-crc", UB_FAIL,
			      huge ? "image-huge" : "image-truncated",
			      "the header says %u bytes of data, the file has %llu", size,
			      (unsigned long long)avail);
		return 0;
	}
	if ((rc = data_crc(ctx, src, size, &got)))
		return rc;
	if (got != dcrc) {
		ub_checks_add(ctx->checks, "uimage-data-crc", UB_FAIL, "image-corrupt",
			      "data crc32 is %08x, the header says %08x", got, dcrc);
		return 0;
	}
	ub_checks_add(ctx->checks, "uimage-data-crc", UB_PASS, NULL,
		      "data crc32 %08x matches over %u bytes", dcrc, size);
	pad = avail > size ? padding(src, HDR + (uint64_t)size, ctx->err) : 0;
	if (pad < 0)
		return pad;
	if (avail > size)
		ub_checks_add(ctx->checks, "uimage-trailing", UB_WARN, NULL,
			      pad ? "%llu bytes of padding (all 0x%02x) follow the image data" :
			      "%llu bytes follow the image data (something appended, not padding): the CRC does not cover them",
			      (unsigned long long)(avail - size), pad == 1 ? 0 : 0xff);
	/* the two CRCs cover every byte, but for erased padding */
	covered = avail == size || pad ? "the uImage's header and data CRC-32" : NULL;
	if (h[30] == TYPE_MULTI || h[30] == TYPE_SCRIPT) {
		check_table(ctx, src, size);
		ctx->covered = covered;
		return 0;
	}
	if (size > 0) {
		if ((rc = ub_src_window(&inner, src, HDR, size, ctx->err)))
			return rc;
		snprintf(inner.label, sizeof inner.label, "%.200s (uImage data)", src->label);
		rc = ub_inspect(ctx, &inner);
	}
	ctx->covered = covered;
	return rc;
}

const struct ub_format ub_format_uimage = {
	.name = "uimage",
	.what = "U-Boot legacy image (uImage)",
	.probe = uimage_probe,
	.inspect = uimage_inspect,
};
