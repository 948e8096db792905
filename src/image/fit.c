/* FIT images: a device tree whose /images/NAME nodes hold data (inline in
 * a "data" property, or after the tree at data-offset / data-position with
 * data-size) and hash-N subnodes with an algo and a value.  Every hash is
 * recomputed over its data, streamed.  /configurations/NAME "compatible"
 * strings say which boards the image is for.  Signature nodes need a key
 * in a device tree to verify; they are noted, not checked.
 *
 * The work is bounded by the file's real size: a hash of data hashed
 * before (many nodes over the same bytes) is taken from a small cache, and
 * all hashing together may read at most 8 times the file (what 8 hashes of
 * every byte take); a tree that asks for more is refused. */
#include "format.h"

#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "fdt.h"

#define MAX_HASHES 8
#define CHUNK (128u << 10)
#define HASH_BUDGET_TIMES 8        /* MAX_HASHES over every byte */
#define HASH_BUDGET_FLOOR (1u << 20)
#define CACHE 16

struct cached {
	char algo[16];
	uint64_t off, len;
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned mdlen;
};

struct fit_hash {
	char algo[16];
	uint8_t value[64];
	uint32_t vlen;
};

struct fit_image {
	char name[64];
	int has_data, has_off, has_pos, has_size;
	uint64_t data_off;
	uint32_t data_len, ext_off, ext_pos, ext_size;
	struct fit_hash h[MAX_HASHES];
	int nh, signatures;
};

struct fit_ctx {
	struct ub_inspect *ictx;
	const struct ub_src *src;
	struct ub_fdt fdt;
	struct fit_image img;
	int images, unhashed, signed_nodes;
	int verified;           /* images whose every hash matched, at least one computed */
	uint8_t *buf;           /* CHUNK bytes for hashing */
	uint64_t budget;        /* bytes hashing may still read */
	int over_budget;
	struct cached cache[CACHE];
	unsigned ncached, next_slot;
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int fit_probe(const struct ub_src *src, const uint8_t *head, size_t n)
{
	(void)src;
	/* A FIT is a device tree with an /images node; a bare .dtb is not
	 * firmware to flash, but is inspected the same way. */
	/* n >= 4 only: a FIT cut inside its header is a cut download to
	 * report, not raw data to pass */
	return n >= 4 && be32(head) == UB_FDT_MAGIC;
}

/* Strings from the tree end up in messages, the terminal and JSON: only
 * printable ASCII is kept, anything else becomes '?'. */
static void printable(char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] && ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e))
			s[i] = '?';
}

static int read_u32(struct fit_ctx *c, uint64_t off, uint32_t len, uint32_t *out)
{
	uint8_t w[4];

	if (len != 4 || ub_src_read(c->src, off, w, 4, NULL))
		return -1;
	*out = be32(w);
	return 0;
}

static int read_str(struct fit_ctx *c, uint64_t off, uint32_t len, char *out,
		    size_t cap)
{
	if (len == 0 || len > cap || ub_src_read(c->src, off, out, len, NULL))
		return -1;
	if (out[len - 1] != '\0')
		return -1;
	printable(out, len);
	return 0;
}

static int on_begin(void *ctx, const char *const *path, int depth)
{
	struct fit_ctx *c = ctx;

	if (depth == 2 && strcmp(path[0], "images") == 0) {
		memset(&c->img, 0, sizeof c->img);
		snprintf(c->img.name, sizeof c->img.name, "%s", path[1]);
		printable(c->img.name, strlen(c->img.name));
		c->images++;
	} else if (depth == 3 && strcmp(path[0], "images") == 0 &&
		   strncmp(path[2], "hash", 4) == 0 && c->img.nh < MAX_HASHES) {
		c->img.nh++;
	} else if (strncmp(path[depth - 1], "signature", 9) == 0) {
		c->signed_nodes++;
		if (depth == 3 && strcmp(path[0], "images") == 0)
			c->img.signatures++;
	}
	return 0;
}

static int on_prop(void *ctx, const char *const *path, int depth,
		   const char *name, uint64_t off, uint32_t len)
{
	struct fit_ctx *c = ctx;
	struct ub_inspect *ictx = c->ictx;
	char s[256];

	if (depth == 0 && strcmp(name, "description") == 0 && !read_str(c, off, len, s, sizeof s)) {
		if (ub_meta_set_str(&ictx->meta->name, s, 1))
			return ub_err_set(ictx->err, UB_ENOMEM, NULL, "out of memory");
	} else if (depth == 0 && strcmp(name, "version") == 0 && !read_str(c, off, len, s, sizeof s)) {
		if (ub_meta_set_str(&ictx->meta->version, s, 1))
			return ub_err_set(ictx->err, UB_ENOMEM, NULL, "out of memory");
	} else if (depth == 2 && strcmp(path[0], "configurations") == 0 &&
		   strcmp(name, "compatible") == 0 && len > 0 && len <= sizeof s) {
		size_t i = 0;

		if (ub_src_read(c->src, off, s, len, NULL) || s[len - 1] != '\0')
			return 0;
		printable(s, len);
		while (i < len) {   /* a list of NUL-terminated strings */
			if (s[i] && ub_strlist_add(&ictx->meta->models, s + i))
				return ub_err_set(ictx->err, UB_ENOMEM, NULL, "out of memory");
			i += strlen(s + i) + 1;
		}
	} else if (depth == 2 && strcmp(path[0], "images") == 0) {
		struct fit_image *m = &c->img;

		if (strcmp(name, "data") == 0) {
			m->has_data = 1;
			m->data_off = off;
			m->data_len = len;
		} else if (strcmp(name, "data-offset") == 0) {
			m->has_off = !read_u32(c, off, len, &m->ext_off);
		} else if (strcmp(name, "data-position") == 0) {
			m->has_pos = !read_u32(c, off, len, &m->ext_pos);
		} else if (strcmp(name, "data-size") == 0) {
			m->has_size = !read_u32(c, off, len, &m->ext_size);
		}
	} else if (depth == 3 && strcmp(path[0], "images") == 0 &&
		   strncmp(path[2], "hash", 4) == 0 && c->img.nh > 0) {
		struct fit_hash *h = &c->img.h[c->img.nh - 1];

		if (strcmp(name, "algo") == 0)
			read_str(c, off, len, h->algo, sizeof h->algo);
		else if (strcmp(name, "value") == 0 && len <= sizeof h->value &&
			 !ub_src_read(c->src, off, h->value, len, NULL))
			h->vlen = len;
	}
	return 0;
}

/* Hashes [off, off+len) of the file with algo; 0, 1 when the hashing
 * budget is spent (nothing computed), or < 0. */
static int hash_range(struct fit_ctx *c, const char *algo, uint64_t off,
		      uint64_t len, uint8_t *out, unsigned *outlen)
{
	const EVP_MD *md = strcmp(algo, "crc32") ? EVP_get_digestbyname(algo) : NULL;
	EVP_MD_CTX *ctx = NULL;
	uLong crc = crc32(0L, Z_NULL, 0);
	struct cached *k;
	uint64_t done = 0;
	unsigned i;
	int rc = 0;

	for (i = 0; i < c->ncached; i++) {
		k = &c->cache[i];
		if (k->off == off && k->len == len && strcmp(k->algo, algo) == 0) {
			memcpy(out, k->md, k->mdlen);
			*outlen = k->mdlen;
			return 0;
		}
	}
	if (len > c->budget) {
		c->over_budget = 1;
		return 1;
	}
	c->budget -= len;
	if (md && (!(ctx = EVP_MD_CTX_new()) || EVP_DigestInit_ex(ctx, md, NULL) != 1)) {
		rc = ub_err_set(c->ictx->err, UB_ENOMEM, NULL, "out of memory");
		goto out;
	}
	while (done < len) {
		size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;

		if ((rc = ub_src_read(c->src, off + done, c->buf, n, c->ictx->err)))
			goto out;
		if (md)
			EVP_DigestUpdate(ctx, c->buf, n);
		else
			crc = crc32(crc, c->buf, (uInt)n);
		done += n;
	}
	if (md) {
		EVP_DigestFinal_ex(ctx, out, outlen);
	} else {
		out[0] = (uint8_t)(crc >> 24);
		out[1] = (uint8_t)(crc >> 16);
		out[2] = (uint8_t)(crc >> 8);
		out[3] = (uint8_t)crc;
		*outlen = 4;
	}
	k = &c->cache[c->next_slot];
	c->next_slot = (c->next_slot + 1) % CACHE;
	if (c->ncached < CACHE)
		c->ncached++;
	snprintf(k->algo, sizeof k->algo, "%s", algo);
	k->off = off;
	k->len = len;
	memcpy(k->md, out, *outlen);
	k->mdlen = *outlen;
out:
	EVP_MD_CTX_free(ctx);
	return rc;
}

static int on_end(void *ctx, const char *const *path, int depth)
{
	struct fit_ctx *c = ctx;
	struct fit_image *m = &c->img;
	struct ub_checks *checks = c->ictx->checks;
	char check[48];
	const char *first = NULL;
	uint64_t off, len;
	int i, rc, done = 0;

	if (depth != 2 || strcmp(path[0], "images") != 0 || c->over_budget)
		return 0;
	snprintf(check, sizeof check, "fit-hash:%.38s", m->name);
	if (m->has_data) {
		off = m->data_off;
		len = m->data_len;
	} else if ((m->has_off || m->has_pos) && m->has_size) {
		off = m->has_pos ? m->ext_pos : (((uint64_t)c->fdt.totalsize + 3) & ~(uint64_t)3) + m->ext_off;
		len = m->ext_size;
		if (off > c->src->size || len > c->src->size - off) {
			ub_checks_add(checks, check, UB_FAIL, "image-truncated",
				      "image %s: its %llu bytes of external data at %llu run past the end of the file (%llu bytes)",
				      m->name, (unsigned long long)len, (unsigned long long)off,
				      (unsigned long long)c->src->size);
			return 0;
		}
	} else {
		ub_checks_add(checks, check, UB_FAIL, "image-corrupt",
			      "image %s has no data", m->name);
		return 0;
	}
	if (m->nh == 0) {
		c->unhashed++;
		ub_checks_add(checks, check, UB_WARN, NULL,
			      "image %s (%llu bytes) has no hash node: its integrity cannot be checked",
			      m->name, (unsigned long long)len);
		return 0;
	}
	for (i = 0; i < m->nh; i++) {
		struct fit_hash *h = &m->h[i];
		uint8_t got[EVP_MAX_MD_SIZE];
		unsigned glen = 0;

		if (!h->algo[0] || (strcmp(h->algo, "crc32") && !EVP_get_digestbyname(h->algo))) {
			ub_checks_add(checks, check, UB_WARN, NULL,
				      "image %s: hash algorithm \"%s\" is not one unbrick computes",
				      m->name, h->algo);
			continue;
		}
		rc = hash_range(c, h->algo, off, len, got, &glen);
		if (rc == 1) {
			ub_checks_add(checks, "fit-hash-budget", UB_FAIL, "image-corrupt",
				      "image %s: the hashes of this FIT's images would read more than %d times its %llu bytes: its images overlap in a way no FIT tool makes",
				      m->name, HASH_BUDGET_TIMES, (unsigned long long)c->src->size);
			return 0;
		}
		if (rc)
			return rc;
		if (glen != h->vlen || memcmp(got, h->value, glen) != 0) {
			ub_checks_add(checks, check, UB_FAIL, "image-corrupt",
				      "image %s: %s of its %llu bytes does not match the value in the image",
				      m->name, h->algo, (unsigned long long)len);
			return 0;
		}
		if (!done++)
			first = h->algo;
	}
	if (!done) {   /* no hash it has can be computed: not checked at all */
		ub_checks_add(checks, check, UB_WARN, NULL,
			      "image %s (%llu bytes): none of its hashes is one unbrick computes, so its integrity is not checked",
			      m->name, (unsigned long long)len);
		return 0;
	}
	c->verified++;
	ub_checks_add(checks, check, UB_PASS, NULL, "image %s: %d hash%s over %llu bytes match (%s)",
		      m->name, done, done == 1 ? "" : "es", (unsigned long long)len, first);
	return 0;
}

/* The tree's own problems are a failed check, not an error. */
static int structure_fail(struct ub_inspect *ctx)
{
	ub_checks_add(ctx->checks, "fit-structure", UB_FAIL, ctx->err->advice_id,
		      "%s", ctx->err->msg);
	ub_err_clear(ctx->err);
	return 0;
}

static int fit_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	struct fit_ctx *c = calloc(1, sizeof *c);
	struct ub_fdt_visitor v = { on_begin, on_end, on_prop, c };
	int rc;

	if (!c || !(c->buf = malloc(CHUNK))) {
		free(c);
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	}
	c->ictx = ctx;
	c->src = src;
	c->budget = src->size > (UINT64_MAX - HASH_BUDGET_FLOOR) / HASH_BUDGET_TIMES ? UINT64_MAX :
		src->size * HASH_BUDGET_TIMES + HASH_BUDGET_FLOOR;
	rc = ub_fdt_open(&c->fdt, src, ctx->err);
	if (!rc) {
		rc = ub_fdt_walk(&c->fdt, &v, ctx->err);
		ub_fdt_close(&c->fdt);
	}
	if (rc == UB_EFORMAT) {
		rc = structure_fail(ctx);
		goto out;
	}
	if (rc)
		goto out;
	ub_checks_add(ctx->checks, "fit-structure", c->images ? UB_PASS : UB_WARN, NULL,
		      c->images ? "device tree with %d image%s" :
		      "a device tree without /images (%d): not a FIT image", c->images,
		      c->images == 1 ? "" : "s");
	if (c->signed_nodes)
		ub_checks_add(ctx->checks, "fit-signature", UB_NA, NULL,
			      "%d signature node%s: FIT signatures are verified by the bootloader with its built-in key, not here",
			      c->signed_nodes, c->signed_nodes == 1 ? "" : "s");
	/* every image's data hashed and matching: the payload is covered */
	if (c->images > 0 && c->verified == c->images)
		ctx->covered = "the FIT's hashes of every image";
out:
	free(c->buf);
	free(c);
	return rc;
}

const struct ub_format ub_format_fit = {
	.name = "fit",
	.what = "U-Boot FIT image (flattened device tree)",
	.probe = fit_probe,
	.inspect = fit_inspect,
};
