#include "blocks.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "image/digest.h"

const char *ub_compare_how_id(enum ub_compare_how how)
{
	switch (how) {
	case UB_BY_CRC32: return "crc32";
	case UB_BY_MD5: return "md5";
	case UB_BY_SHA256: return "sha256";
	case UB_BY_READ: return "read-back";
	default: return "none";
	}
}

const char *ub_compare_how_name(enum ub_compare_how how)
{
	switch (how) {
	case UB_BY_CRC32: return "the device's own crc32";
	case UB_BY_MD5: return "the device's own md5";
	case UB_BY_SHA256: return "the device's own sha256";
	case UB_BY_READ: return "reading the blocks back";
	default: return "nothing: the device can neither digest nor be read";
	}
}

enum ub_compare_how ub_blocks_how(const struct ub_session *s)
{
	const struct ub_family *fam = s->fam;

	if (fam->digest && (s->caps & UB_CAP_DIGEST_CRC32))
		return UB_BY_CRC32;
	if (fam->digest && (s->caps & UB_CAP_DIGEST_MD5))
		return UB_BY_MD5;
	if (fam->digest && (s->caps & UB_CAP_DIGEST_SHA256))
		return UB_BY_SHA256;
	if (fam->read && (s->caps & UB_CAP_READ))
		return UB_BY_READ;
	return UB_BY_NOTHING;
}

/* Reading back: one read of the whole range, a crc per block as the
 * bytes pass. */
struct readback {
	uint64_t block, at;
	uint32_t *got;
	uint32_t crc;
};

static int on_bytes(void *ctx, const uint8_t *buf, size_t n)
{
	struct readback *r = ctx;

	while (n > 0) {
		uint64_t room = r->block - r->at % r->block;
		size_t take = n < room ? n : (size_t)room;

		r->crc = (uint32_t)crc32(r->crc, buf, (uInt)take);
		r->at += take;
		buf += take;
		n -= take;
		if (r->at % r->block == 0) {
			r->got[r->at / r->block - 1] = r->crc;
			r->crc = 0;
		}
	}
	return 0;
}

static int by_read(struct ub_session *s, const struct ub_region *g, uint64_t off, uint64_t len,
		   uint64_t eb, uint32_t *got, struct ub_progress *p, struct ub_err *e)
{
	struct readback r = { eb, 0, got, 0 };
	int rc = s->fam->read(s->dev, g, off, len, on_bytes, &r, p, e);

	if (!rc && r.at % eb)
		got[r.at / eb] = r.crc;
	if (!rc && r.at != len)
		rc = ub_err_set(e, UB_EIO, "io", "region %s: %llu bytes read back, %llu asked", g->name,
				(unsigned long long)r.at, (unsigned long long)len);
	return rc;
}

static uint32_t be32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

/* md5 or sha256: one digest per block on each side. */
static int by_digest(struct ub_session *s, const struct ub_region *g, uint64_t off,
		     const struct ub_src *src, uint64_t eb, uint64_t count, enum ub_compare_how how,
		     uint8_t *differs, struct ub_err *e)
{
	unsigned cap = how == UB_BY_MD5 ? UB_CAP_DIGEST_MD5 : UB_CAP_DIGEST_SHA256;
	enum ub_digest_alg alg = how == UB_BY_MD5 ? UB_MD5 : UB_SHA256;
	uint64_t i;
	int rc = 0;

	for (i = 0; !rc && i < count; i++) {
		uint64_t n = src->size - i * eb < eb ? src->size - i * eb : eb;
		uint8_t dev[32];
		struct ub_digests d;
		struct ub_src w;

		if ((rc = ub_src_window(&w, src, i * eb, n, e)) ||
		    (rc = ub_digest_src(&w, alg, &d, NULL, e)) ||
		    (rc = s->fam->digest(s->dev, g, off + i * eb, n, cap, dev, e)))
			break;
		differs[i] = memcmp(dev, d.md[ub_digest_index(alg)], ub_digest_len(alg)) != 0;
	}
	return rc;
}

int ub_blocks_compare(struct ub_session *s, const struct ub_region *g, uint64_t off,
		      const struct ub_src *src, unsigned flags, struct ub_compare *out,
		      struct ub_progress *p, struct ub_err *e)
{
	uint64_t eb = g->erase_block, count = (src->size + eb - 1) / eb, full, i;
	uint32_t *have = NULL;
	uint8_t *buf = NULL;
	int rc = 0;

	memset(out, 0, sizeof *out);
	out->how = ub_blocks_how(s);
	if (off % eb || off > g->size || src->size > g->size - off)
		return ub_err_set(e, UB_EREFUSED, "image-too-big",
				  "%llu bytes at +0x%llx do not fit region %s (%llu bytes, erase block 0x%llx)",
				  (unsigned long long)src->size, (unsigned long long)off, g->name,
				  (unsigned long long)g->size, (unsigned long long)eb);
	out->differs = calloc(count ? count : 1, 1);
	out->crc = calloc(count ? count : 1, sizeof *out->crc);
	have = calloc(count ? count : 1, sizeof *have);
	buf = malloc(eb);
	if (!out->differs || !out->crc || !have || !buf) {
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		goto out;
	}
	out->set = (struct ub_blockset){ eb, count, out->differs, out->crc };
	for (i = 0; !rc && i < count; i++) {
		size_t n = src->size - i * eb < eb ? (size_t)(src->size - i * eb) : (size_t)eb;

		if (!(rc = ub_src_read(src, i * eb, buf, n, e)))
			out->crc[i] = (uint32_t)crc32(0L, buf, (uInt)n);
	}
	if (rc)
		goto out;
	switch (out->how) {
	case UB_BY_CRC32:
		/* Whole blocks in one request when the family can batch (a
		 * round trip per block is most of the time otherwise), telling
		 * it what we expect so a match costs one digest; a short last
		 * block goes alone. */
		full = s->fam->digest_blocks ? src->size / eb : 0;
		if (full)
			rc = s->fam->digest_blocks(s->dev, g, off, eb, (unsigned)full, out->crc, have,
						   flags, e);
		for (i = full; !rc && i < count; i++) {
			uint64_t n = src->size - i * eb < eb ? src->size - i * eb : eb;
			uint8_t got[4];

			if (!(rc = s->fam->digest(s->dev, g, off + i * eb, n, UB_CAP_DIGEST_CRC32, got, e)))
				have[i] = be32(got);
		}
		for (i = 0; !rc && i < count; i++)
			out->differs[i] = have[i] != out->crc[i];
		break;
	case UB_BY_MD5:
	case UB_BY_SHA256:
		rc = by_digest(s, g, off, src, eb, count, out->how, out->differs, e);
		break;
	case UB_BY_READ:
		if (!(rc = by_read(s, g, off, src->size, eb, have, p, e)))
			for (i = 0; i < count; i++)
				out->differs[i] = have[i] != out->crc[i];
		break;
	default:
		memset(out->differs, 1, count);
		break;
	}
	for (i = 0; !rc && i < count; i++)
		out->mismatched += out->differs[i] != 0;
out:
	free(have);
	free(buf);
	if (rc)
		ub_compare_free(out);
	return rc;
}

void ub_compare_free(struct ub_compare *c)
{
	free(c->differs);
	free(c->crc);
	memset(c, 0, sizeof *c);
}
