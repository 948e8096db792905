/* Android sparse images, little-endian:
 *   header (28 bytes): magic 0xed26ff3a, major 1, minor, header size 28,
 *     chunk header size 12, block size, total blocks, total chunks, crc32
 *   chunk (12 bytes + data): type (raw 0xcac1, fill 0xcac2, don't care
 *     0xcac3, crc32 0xcac4), reserved, size in blocks, total bytes
 * Every chunk's byte count must agree with its type and block count, the
 * chunks must add up to the header's totals, and CRC32 checkpoints (and a
 * non-zero header checksum) must match the expanded data so far, holes
 * counting as zeros. */
#include "sparse.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define SPARSE_MAGIC 0xed26ff3au
#define T_RAW 0xcac1
#define T_FILL 0xcac2
#define T_DONTCARE 0xcac3
#define T_CRC 0xcac4
#define CHUNK (128u << 10)
#define EXPANDED_MAX (1ull << 44)   /* 16 TiB: past any real partition */

struct hdr {
	uint32_t blk_sz, total_blks, total_chunks, checksum;
	uint16_t hdr_sz, chunk_hdr_sz;
};

static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int sparse_probe(const struct ub_src *src, const uint8_t *head, size_t n)
{
	(void)src;
	return n >= 4 && le32(head) == SPARSE_MAGIC;   /* a short one is a cut download */
}

/* Header problems as a message; NULL when sound. */
static const char *read_hdr(const uint8_t *h, struct hdr *o)
{
	if (le32(h) != SPARSE_MAGIC)
		return "wrong magic";
	if (le16(h + 4) != 1)
		return "major version is not 1";
	o->hdr_sz = le16(h + 8);
	o->chunk_hdr_sz = le16(h + 10);
	o->blk_sz = le32(h + 12);
	o->total_blks = le32(h + 16);
	o->total_chunks = le32(h + 20);
	o->checksum = le32(h + 24);
	if (o->hdr_sz < 28 || o->chunk_hdr_sz < 12 || o->hdr_sz > 4096 || o->chunk_hdr_sz > 4096)
		return "header sizes are wrong";
	if (o->blk_sz == 0 || o->blk_sz % 4 || o->blk_sz > (64u << 20))
		return "block size is not a multiple of 4 up to 64 MiB";
	if ((uint64_t)o->total_blks * o->blk_sz > EXPANDED_MAX)
		return "the expanded size is impossible";
	return NULL;
}

struct walk {
	const struct ub_src *src;
	struct hdr h;
	uint64_t pos;          /* in the file */
	uint64_t blocks;       /* expanded so far */
	uLong crc;
	int have_crc;
	uint64_t crc_blocks;   /* blocks the last CRC32 checkpoint covers */
	char why[200];         /* first problem */
	const char *advice;
	/* expansion */
	int (*sink)(void *ctx, const uint8_t *buf, size_t n, int hole);
	void *sink_ctx;
	int hash;              /* compute crc over data (fill/raw/holes) */
};

/* CRC-32 of crc followed by bytes (a multiple of 4) of the 4-byte
 * pattern repeated, in O(log bytes) steps of crc32_combine: a fill or
 * don't-care chunk of 44 bytes may declare terabytes, which must not be
 * hashed byte by byte. */
static uLong crc_repeat(uLong crc, const uint8_t pattern[4], uint64_t bytes)
{
	uLong block = crc32(0L, pattern, 4), acc = crc32(0L, Z_NULL, 0);
	uint64_t n = bytes / 4, blen = 4, acc_len = 0;

	while (n > 0) {
		if (n & 1) {
			acc = crc32_combine64(acc, block, (z_off64_t)blen);
			acc_len += blen;
		}
		n >>= 1;
		if (n > 0) {
			block = crc32_combine64(block, block, (z_off64_t)blen);
			blen *= 2;
		}
	}
	return crc32_combine64(crc, acc, (z_off64_t)acc_len);
}

static int feed(struct walk *w, const uint8_t *buf, size_t n, int hole)
{
	if (w->hash)
		w->crc = crc32(w->crc, buf, (uInt)n);
	return w->sink ? w->sink(w->sink_ctx, buf, n, hole) : 0;
}

/* A fill or a hole: its CRC computed at once, its bytes handed to the
 * sink (a writer) only when there is one. */
static int repeat(struct walk *w, uint8_t *buf, const uint8_t pattern[4],
		  uint64_t bytes, int hole)
{
	size_t i;
	int rc;

	if (w->hash)
		w->crc = crc_repeat(w->crc, pattern, bytes);
	if (!w->sink)
		return 0;
	for (i = 0; i < CHUNK; i += 4)
		memcpy(buf + i, pattern, 4);
	while (bytes > 0) {
		size_t n = bytes < CHUNK ? (size_t)bytes : CHUNK;

		if ((rc = w->sink(w->sink_ctx, buf, n, hole)))
			return rc;
		bytes -= n;
	}
	return 0;
}

/* Walks every chunk; returns 0 (w->why set on a problem), or < 0. */
static int walk(struct walk *w, struct ub_err *e)
{
	uint8_t *buf = malloc(CHUNK);
	uint32_t i;
	int rc = 0;

	if (!buf)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	w->crc = crc32(0L, Z_NULL, 0);
	w->pos = w->h.hdr_sz;
	for (i = 0; i < w->h.total_chunks && !rc; i++) {
		uint8_t c[12];
		uint32_t type, blocks, total;
		uint64_t bytes, data;

		if (w->pos + w->h.chunk_hdr_sz > w->src->size) {
			snprintf(w->why, sizeof w->why, "chunk %u of %u is missing: the file ends at %llu",
				 i + 1, w->h.total_chunks, (unsigned long long)w->src->size);
			w->advice = "image-truncated";
			break;
		}
		if ((rc = ub_src_read(w->src, w->pos, c, sizeof c, e)))
			break;
		type = le16(c);
		blocks = le32(c + 4);
		total = le32(c + 8);
		bytes = (uint64_t)blocks * w->h.blk_sz;
		data = total >= w->h.chunk_hdr_sz ? total - w->h.chunk_hdr_sz : UINT64_MAX;
		if ((type == T_RAW && data != bytes) || (type == T_FILL && data != 4) ||
		    (type == T_DONTCARE && data != 0) || (type == T_CRC && data != 4)) {
			snprintf(w->why, sizeof w->why, "chunk %u (type %04x, %u blocks) says it is %u bytes long, which its type does not allow",
				 i + 1, type, blocks, total);
			w->advice = "image-corrupt";
			break;
		}
		if (type != T_RAW && type != T_FILL && type != T_DONTCARE && type != T_CRC) {
			snprintf(w->why, sizeof w->why, "chunk %u has unknown type %04x", i + 1, type);
			w->advice = "image-corrupt";
			break;
		}
		if (w->blocks + blocks > w->h.total_blks) {
			snprintf(w->why, sizeof w->why, "chunk %u runs past the %u blocks the header announces",
				 i + 1, w->h.total_blks);
			w->advice = "image-corrupt";
			break;
		}
		if (w->pos + w->h.chunk_hdr_sz + data > w->src->size) {
			snprintf(w->why, sizeof w->why, "chunk %u's data runs past the end of the file", i + 1);
			w->advice = "image-truncated";
			break;
		}
		w->pos += w->h.chunk_hdr_sz;
		if (type == T_RAW) {
			uint64_t k;

			for (k = 0; k < bytes && !rc && (w->hash || w->sink); k += CHUNK) {
				size_t n = bytes - k < CHUNK ? (size_t)(bytes - k) : CHUNK;

				if (!(rc = ub_src_read(w->src, w->pos + k, buf, n, e)))
					rc = feed(w, buf, n, 0);
			}
		} else if (type == T_FILL && (w->hash || w->sink)) {
			uint8_t pat[4];

			if (!(rc = ub_src_read(w->src, w->pos, pat, 4, e)))
				rc = repeat(w, buf, pat, bytes, 0);
		} else if (type == T_DONTCARE && (w->hash || w->sink)) {
			static const uint8_t zero[4];

			rc = repeat(w, buf, zero, bytes, 1);
		} else if (type == T_CRC && w->hash) {
			uint8_t v[4];

			if (!(rc = ub_src_read(w->src, w->pos, v, 4, e)) && le32(v) != (uint32_t)w->crc) {
				snprintf(w->why, sizeof w->why, "CRC32 checkpoint in chunk %u is %08x, the data before it gives %08x",
					 i + 1, le32(v), (uint32_t)w->crc);
				w->advice = "image-corrupt";
				break;
			}
			w->have_crc = 1;
			w->crc_blocks = w->blocks;
		} else if (type == T_CRC) {
			w->have_crc = 1;
			w->crc_blocks = w->blocks;
		}
		w->pos += data;
		w->blocks += blocks;
	}
	if (!rc && !w->why[0] && w->blocks != w->h.total_blks) {
		snprintf(w->why, sizeof w->why, "the chunks cover %llu blocks, the header announces %u",
			 (unsigned long long)w->blocks, w->h.total_blks);
		w->advice = "image-corrupt";
	}
	free(buf);
	return rc;
}

static int sparse_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	struct walk w;
	uint8_t h[28];
	const char *bad;
	int rc;

	memset(&w, 0, sizeof w);
	w.src = src;
	if (src->size < sizeof h) {
		ub_checks_add(ctx->checks, "sparse-header", UB_FAIL, "image-truncated",
			      "%llu bytes: shorter than a sparse header", (unsigned long long)src->size);
		return 0;
	}
	if ((rc = ub_src_read(src, 0, h, sizeof h, ctx->err)))
		return rc;
	if ((bad = read_hdr(h, &w.h))) {
		ub_checks_add(ctx->checks, "sparse-header", UB_FAIL, "image-corrupt",
			      "sparse header: %s", bad);
		return 0;
	}
	ub_checks_add(ctx->checks, "sparse-header", UB_PASS, NULL,
		      "%u chunks expanding to %llu bytes (%u blocks of %u)", w.h.total_chunks,
		      (unsigned long long)w.h.total_blks * w.h.blk_sz, w.h.total_blks, w.h.blk_sz);
	/* A first pass checks the structure without reading data; the CRC
	 * pass reads everything, so it only runs when there is a CRC. */
	if ((rc = walk(&w, ctx->err)))
		return rc;
	if (w.why[0]) {
		ub_checks_add(ctx->checks, "sparse-chunks", UB_FAIL, w.advice, "%s", w.why);
		return 0;
	}
	ub_checks_add(ctx->checks, "sparse-chunks", UB_PASS, NULL,
		      "%u chunks consistent and within the file", w.h.total_chunks);
	if (w.have_crc || w.h.checksum) {
		struct walk w2 = w;

		w2.hash = 1;
		w2.blocks = 0;
		w2.why[0] = '\0';
		if ((rc = walk(&w2, ctx->err)))
			return rc;
		if (!w2.why[0] && w.h.checksum && (uint32_t)w2.crc != w.h.checksum)
			snprintf(w2.why, sizeof w2.why, "the expanded image's CRC32 is %08x, the header says %08x",
				 (uint32_t)w2.crc, w.h.checksum);
		if (w2.why[0]) {
			ub_checks_add(ctx->checks, "sparse-crc", UB_FAIL, "image-corrupt", "%s", w2.why);
		} else if (w.h.checksum || w.crc_blocks == w.h.total_blks) {
			ub_checks_add(ctx->checks, "sparse-crc", UB_PASS, NULL,
				      "CRC32 of the expanded image matches");
			ctx->covered = "the sparse image's CRC32 of all it expands to";
		} else {
			/* data after the last checkpoint is not covered */
			ub_checks_add(ctx->checks, "sparse-crc", UB_WARN, NULL,
				      "the CRC32 checkpoints match, but the last one covers %llu of %u blocks",
				      (unsigned long long)w.crc_blocks, w.h.total_blks);
		}
	}
	return 0;
}

int ub_sparse_expand(const struct ub_src *src,
		     int (*sink)(void *ctx, const uint8_t *buf, size_t n, int hole),
		     void *ctx, struct ub_err *e)
{
	struct walk w;
	uint8_t h[28];
	const char *bad;
	int rc;

	memset(&w, 0, sizeof w);
	w.src = src;
	w.sink = sink;
	w.sink_ctx = ctx;
	if ((rc = ub_src_read(src, 0, h, sizeof h, e)))
		return rc;
	if ((bad = read_hdr(h, &w.h)))
		return ub_err_set(e, UB_EFORMAT, "image-corrupt", "sparse header: %s", bad);
	if ((rc = walk(&w, e)))
		return rc;
	if (w.why[0])
		return ub_err_set(e, UB_EFORMAT, w.advice, "%s", w.why);
	return 0;
}

const struct ub_format ub_format_sparse = {
	.name = "sparse",
	.what = "Android sparse image",
	.probe = sparse_probe,
	.inspect = sparse_inspect,
};
