/* OpenWrt sysupgrade images carry their metadata and signature as blocks
 * appended at the end, each closed by a 16-byte big-endian trailer:
 *
 *   u32 magic "FWx0"  u32 crc  u8 type (0 signature, 1 metadata)  u8 pad[3]
 *   u32 size (the block's data plus this trailer)
 *
 * The crc is the reflected CRC-32 (init ~0, no final xor) of every byte of
 * the file before the trailer, the block's own data included.  A metadata
 * block starts with an 8-byte header (u32 version 0, u32 flags) and holds
 * JSON ("supported_devices", "version"...); a signature block holds a usign
 * signature over every byte before the block.  The blocks are read from the
 * end backwards; what precedes them is the firmware itself (usually a tar),
 * inspected as the inner layer. */
#include "format.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define FW_MAGIC 0x46577830u   /* "FWx0" */
#define FW_TRAILER 16
#define FW_HEADER 8
#define FW_DATA_MAX 33792      /* fwtool's own buffer: 30 KiB + 1 KiB + 1 KiB */
#define FW_BLOCKS_MAX 4
#define FW_TYPE_SIGNATURE 0
#define FW_TYPE_INFO 1
#define CHUNK (1u << 20)

struct block {
	uint64_t data_off;    /* where the block's data starts */
	uint64_t trailer_off;
	uint32_t crc;
	uint32_t data_len;
	uint8_t type;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fwtool_probe(const struct ub_src *src, const uint8_t *head, size_t n)
{
	uint8_t t[4];

	(void)head;
	(void)n;
	if (src->size < FW_TRAILER ||
	    ub_src_read(src, src->size - FW_TRAILER, t, 4, NULL) != 0)
		return 0;
	return be32(t) == FW_MAGIC;
}

/* Reads the chain of blocks from the end; stops at the first thing that is
 * not a trailer (the firmware proper).  Returns the number found. */
static int read_blocks(struct ub_inspect *ctx, const struct ub_src *src,
		       struct block *b, uint64_t *payload_end)
{
	uint64_t end = src->size;
	uint8_t t[FW_TRAILER];
	int n = 0, rc;

	while (n < FW_BLOCKS_MAX && end >= FW_TRAILER) {
		uint32_t size;

		rc = ub_src_read(src, end - FW_TRAILER, t, sizeof t, ctx->err);
		if (rc)
			return rc;
		if (be32(t) != FW_MAGIC)
			break;
		size = be32(t + 12);
		if (size < FW_TRAILER || size - FW_TRAILER > FW_DATA_MAX ||
		    size > end) {
			ub_checks_add(ctx->checks, "fwtool-trailer", UB_FAIL, "image-corrupt",
				      "the metadata trailer at offset %llu claims a %u-byte block, which does not fit (at most %u bytes, %llu available)",
				      (unsigned long long)(end - FW_TRAILER), size,
				      FW_DATA_MAX + FW_TRAILER, (unsigned long long)end);
			break;
		}
		b[n].trailer_off = end - FW_TRAILER;
		b[n].data_len = size - FW_TRAILER;
		b[n].data_off = b[n].trailer_off - b[n].data_len;
		b[n].crc = be32(t + 4);
		b[n].type = t[8];
		end = b[n].data_off;
		n++;
	}
	*payload_end = end;
	return n;
}

/* One pass over the file computes the CRC at every trailer offset; *all
 * is 1 when every one matched (the last covers all before its trailer). */
static int check_crcs(struct ub_inspect *ctx, const struct ub_src *src,
		      const struct block *b, int n, int *all)
{
	uint8_t *buf = malloc(CHUNK);
	uint64_t off = 0;
	uLong crc = crc32(0L, Z_NULL, 0);
	int i, rc = 0;

	*all = 1;
	if (!buf)
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	for (i = n - 1; i >= 0; i--) {   /* blocks are stored last-first */
		while (off < b[i].trailer_off) {
			uint64_t left = b[i].trailer_off - off;
			size_t len = left < CHUNK ? (size_t)left : CHUNK;

			rc = ub_src_read(src, off, buf, len, ctx->err);
			if (rc)
				goto out;
			crc = crc32(crc, buf, (uInt)len);
			off += len;
		}
		/* fwtool keeps the raw register: zlib's value inverted */
		if ((uint32_t)~crc == b[i].crc)
			ub_checks_add(ctx->checks, b[i].type == FW_TYPE_SIGNATURE ?
				      "fwtool-signature-crc" : "fwtool-metadata-crc",
				      UB_PASS, NULL, "CRC-32 of the %llu bytes before the trailer matches (%08x)",
				      (unsigned long long)b[i].trailer_off, b[i].crc);
		else {
			*all = 0;
			ub_checks_add(ctx->checks, b[i].type == FW_TYPE_SIGNATURE ?
				      "fwtool-signature-crc" : "fwtool-metadata-crc",
				      UB_FAIL, "image-corrupt",
				      "CRC-32 of the %llu bytes before the trailer is %08x, the trailer says %08x",
				      (unsigned long long)b[i].trailer_off, (uint32_t)~crc, b[i].crc);
		}
		/* the trailer itself belongs to what the next block covers */
		rc = ub_src_read(src, off, buf, FW_TRAILER, ctx->err);
		if (rc)
			goto out;
		crc = crc32(crc, buf, FW_TRAILER);
		off += FW_TRAILER;
		ub_progress_update(ctx->progress, off);
	}
out:
	free(buf);
	return rc;
}

static int add_list(struct ub_inspect *ctx, json_t *a, struct ub_strlist *l)
{
	json_t *v;
	size_t i;

	json_array_foreach(a, i, v)
		if (json_is_string(v) && ub_strlist_add(l, json_string_value(v)))
			return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	return 0;
}

static int read_metadata(struct ub_inspect *ctx, const struct ub_src *src,
			 const struct block *b)
{
	char *buf;
	json_error_t je;
	json_t *root, *devs, *ver;
	int rc;

	if (b->data_len < FW_HEADER) {
		ub_checks_add(ctx->checks, "fwtool-metadata", UB_FAIL, "image-corrupt",
			      "the metadata block is %u bytes, shorter than its own header",
			      b->data_len);
		return 0;
	}
	buf = malloc(b->data_len);
	if (!buf)
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	rc = ub_src_read(src, b->data_off, buf, b->data_len, ctx->err);
	if (rc) {
		free(buf);
		return rc;
	}
	if (be32((uint8_t *)buf) != 0) {
		ub_checks_add(ctx->checks, "fwtool-metadata", UB_WARN, NULL,
			      "metadata header version %u is newer than unbrick knows; its contents were not read",
			      be32((uint8_t *)buf));
		free(buf);
		return 0;
	}
	root = json_loadb(buf + FW_HEADER, b->data_len - FW_HEADER, 0, &je);
	free(buf);
	if (!root || !json_is_object(root)) {
		ub_checks_add(ctx->checks, "fwtool-metadata", UB_FAIL, "image-corrupt",
			      "the metadata block is not a JSON object: %s",
			      root ? "wrong type" : je.text);
		json_decref(root);
		return 0;
	}
	rc = 0;
	devs = json_object_get(root, "supported_devices");
	if (json_is_array(devs))
		rc = add_list(ctx, devs, &ctx->meta->models);
	ver = json_object_get(root, "version");
	if (!rc && json_is_object(ver)) {
		const char *v = json_string_value(json_object_get(ver, "version"));

		if (v && ub_meta_set_str(&ctx->meta->version, v, 1))
			rc = ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
		v = json_string_value(json_object_get(ver, "dist"));
		if (!rc && v && ub_meta_set_str(&ctx->meta->name, v, 1))
			rc = ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	}
	if (!rc)
		ub_checks_add(ctx->checks, "fwtool-metadata", UB_PASS, NULL,
			      "metadata for %zu device%s, compat_version %s",
			      ctx->meta->models.n, ctx->meta->models.n == 1 ? "" : "s",
			      json_string_value(json_object_get(root, "compat_version")) ?
			      json_string_value(json_object_get(root, "compat_version")) : "1.0");
	json_decref(root);
	return rc;
}

static int keep_signature(struct ub_inspect *ctx, const struct ub_src *src,
			  const struct block *b)
{
	uint8_t *sig;
	int rc;

	if (ctx->depth != 1 || ctx->meta->embedded_sig)
		return 0;
	sig = malloc(b->data_len ? b->data_len : 1);
	if (!sig)
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	rc = ub_src_read(src, b->data_off, sig, b->data_len, ctx->err);
	if (rc) {
		free(sig);
		return rc;
	}
	ctx->meta->embedded_sig = sig;
	ctx->meta->embedded_sig_len = b->data_len;
	ctx->meta->signed_len = b->data_off;
	return 0;
}

static int fwtool_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	struct block b[FW_BLOCKS_MAX];
	struct ub_src inner;
	uint64_t payload_end = 0;
	int n, i, rc, infos = 0, crcs_ok = 0;

	n = read_blocks(ctx, src, b, &payload_end);
	if (n <= 0)
		return n;
	rc = check_crcs(ctx, src, b, n, &crcs_ok);
	for (i = 0; !rc && i < n; i++) {
		if (b[i].type == FW_TYPE_INFO && !infos++)
			rc = read_metadata(ctx, src, &b[i]);
		else if (b[i].type == FW_TYPE_SIGNATURE)
			rc = keep_signature(ctx, src, &b[i]);
	}
	if (rc)
		return rc;
	if (payload_end == 0) {
		ub_checks_add(ctx->checks, "not-empty", UB_FAIL, "image-empty",
			      "%s holds only metadata, no firmware", src->label);
		return 0;
	}
	rc = ub_src_window(&inner, src, 0, payload_end, ctx->err);
	if (rc)
		return rc;
	snprintf(inner.label, sizeof inner.label, "%.200s (firmware)", src->label);
	rc = ub_inspect(ctx, &inner);
	/* the last trailer's CRC covers every byte before it */
	if (crcs_ok)
		ctx->covered = "the sysupgrade trailers' CRC-32";
	return rc;
}

const struct ub_format ub_format_fwtool = {
	.name = "sysupgrade",
	.what = "OpenWrt sysupgrade image with fwtool metadata",
	.probe = fwtool_probe,
	.inspect = fwtool_inspect,
};
