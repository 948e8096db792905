/* U-Boot FIT images: a device tree whose /images/<name> nodes carry data
 * (inside the tree, or after it with mkimage -E) and hash-N subnodes that
 * U-Boot verifies before booting.  We verify the same hashes; signatures
 * need the public key from the board's own device tree, which we lack. */
#include "format.h"

#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "fdt.h"

#define MAX_HASHES 8           /* hash-N nodes per image we verify */
#define DESC_MAX 256
#define COMPAT_MAX 4096

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

/* A plain .dtb shares the magic: only trees with an /images node are FIT.
 * A tree too damaged to walk is taken as FIT so that the damage is
 * reported instead of passing as raw data. */
static int fit_probe(const struct ub_src *src, const uint8_t *head, size_t n)
{
	struct ub_fdt f;
	struct ub_err e;
	ub_fdt_node images;
	int rc;

	if (n < 4 || be32(head) != UB_FDT_MAGIC)
		return 0;
	if (ub_fdt_open(&f, src, &e) < 0)
		return 1;
	rc = ub_fdt_subnode(&f, ub_fdt_root(&f), "images", &images, &e);
	ub_fdt_close(&f);
	return rc != 0;
}

/* Names of printable ASCII only, for messages and JSON. */
static void clean(char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f)
			*s = '?';
}

/* A failure of the tree itself (not I/O) becomes a failed check. */
static int tree_fail(struct ub_inspect *ctx, const char *check, int rc)
{
	if (rc != UB_EFORMAT)
		return rc;
	ub_checks_add(ctx->checks, check, UB_FAIL,
		      ctx->err->advice_id ? ctx->err->advice_id : "image-corrupt",
		      "%s", ctx->err->msg);
	return 0;
}

struct hashnode {
	char name[64];
	char algo[32];
	enum ub_digest_alg alg;   /* 0 when we do not know it */
	uint8_t value[UB_DIGEST_MAX];
	uint32_t value_len;
};

/* Where an image's data is: the "data" property, or external data at
 * data-offset (after the tree, 4-byte aligned) or data-position. */
static int image_data(struct ub_fdt *f, ub_fdt_node node, uint64_t *off,
		      uint64_t *size, char *where, size_t where_len,
		      struct ub_err *e)
{
	struct ub_fdt_prop p;
	uint32_t dsize, doff;
	int rc;

	rc = ub_fdt_prop(f, node, "data", &p, e);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		*off = p.off;
		*size = p.len;
		snprintf(where, where_len, "embedded");
		return 1;
	}
	rc = ub_fdt_prop_u32(f, node, "data-size", &dsize, e);
	if (rc <= 0)
		return rc;
	*size = dsize;
	rc = ub_fdt_prop_u32(f, node, "data-position", &doff, e);
	if (rc < 0)
		return rc;
	if (rc == 1) {
		*off = doff;
		snprintf(where, where_len, "external at position %u", doff);
		return 1;
	}
	rc = ub_fdt_prop_u32(f, node, "data-offset", &doff, e);
	if (rc <= 0)
		return rc;
	*off = (((uint64_t)f->totalsize + 3) & ~(uint64_t)3) + doff;
	snprintf(where, where_len, "external at offset %u after the tree",
		 doff);
	return 1;
}

/* Reads the hash-N and signature-N subnodes of an image node. */
static int read_hashes(struct ub_fdt *f, ub_fdt_node node,
		       struct hashnode *h, unsigned *nh, unsigned *nsig,
		       struct ub_err *e)
{
	char name[UB_FDT_MAX_NAME + 1];
	ub_fdt_node c = 0;
	int rc;

	*nh = 0;
	while ((rc = ub_fdt_next_child(f, node, &c, e)) == 1) {
		struct ub_fdt_prop p;
		struct hashnode *x;

		rc = ub_fdt_node_name(f, c, name, sizeof name, e);
		if (rc < 0)
			return rc;
		if (strncmp(name, "signature", 9) == 0) {
			(*nsig)++;
			continue;
		}
		if (strncmp(name, "hash", 4) != 0)
			continue;
		if (*nh == MAX_HASHES)
			continue;
		x = &h[(*nh)++];
		memset(x, 0, sizeof *x);
		snprintf(x->name, sizeof x->name, "%.63s", name);
		clean(x->name);
		rc = ub_fdt_prop_str(f, c, "algo", x->algo, sizeof x->algo, e);
		if (rc < 0)
			return rc;
		if (rc == 0)
			snprintf(x->algo, sizeof x->algo, "(none)");
		clean(x->algo);
		x->alg = ub_digest_parse_name(x->algo);
		rc = ub_fdt_prop(f, c, "value", &p, e);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			x->value_len = 0;
		} else if (p.len > sizeof x->value) {
			x->value_len = p.len; /* cannot match; reported below */
		} else {
			x->value_len = p.len;
			rc = ub_src_read(f->src, p.off, x->value, p.len, e);
			if (rc < 0)
				return rc;
		}
	}
	return rc;
}

/* Verifies one /images/<name> node: its data is inside the file and every
 * hash we know matches. */
static int check_image(struct ub_inspect *ctx, struct ub_fdt *f,
		       const struct ub_src *src, ub_fdt_node node,
		       uint64_t *data_end, unsigned *nsig)
{
	struct hashnode h[MAX_HASHES];
	struct ub_digests d;
	struct ub_src win;
	char name[UB_FDT_MAX_NAME + 1], check[48], where[64];
	char why[320], hex[2 * UB_DIGEST_MAX + 1];
	uint64_t off = 0, size = 0;
	unsigned nh = 0, i, algs = 0, bad = 0, good = 0;
	size_t used = 0;
	int rc;

	rc = ub_fdt_node_name(f, node, name, sizeof name, ctx->err);
	if (rc < 0)
		return rc;
	clean(name);
	snprintf(check, sizeof check, "fit-hash:%.38s", name);

	rc = image_data(f, node, &off, &size, where, sizeof where, ctx->err);
	if (rc == 0) {
		ub_checks_add(ctx->checks, check, UB_FAIL, "image-corrupt",
			      "image %s has no data (no data or data-size property)",
			      name);
		return 0;
	}
	if (rc < 0)
		return tree_fail(ctx, check, rc);
	if (off > src->size || size > src->size - off) {
		int huge = size > src->size;

		ub_checks_add(ctx->checks, check, UB_FAIL,
			      huge ? "image-huge" : "image-truncated",
			      "image %s: %llu data bytes %s (offset %llu) go past the end of the %llu-byte file",
			      name, (unsigned long long)size, where,
			      (unsigned long long)off,
			      (unsigned long long)src->size);
		return 0;
	}
	if (off + size > *data_end)
		*data_end = off + size;

	rc = read_hashes(f, node, h, &nh, nsig, ctx->err);
	if (rc < 0)
		return tree_fail(ctx, check, rc);
	for (i = 0; i < nh; i++)
		algs |= h[i].alg;
	if (!algs) {
		ub_checks_add(ctx->checks, check, UB_WARN, NULL,
			      nh ? "image %s: its hash nodes use no algorithm unbrick knows (%s); %llu bytes not verified"
				 : "image %s has no hash node%s; its %llu bytes cannot be verified",
			      name, nh ? h[0].algo : "", (unsigned long long)size);
		return 0;
	}
	rc = ub_src_window(&win, src, off, size, ctx->err);
	if (rc == 0)
		rc = ub_digest_src(&win, algs, &d, ctx->progress, ctx->err);
	if (rc < 0)
		return rc;

	why[0] = '\0';
	for (i = 0; i < nh; i++) {
		const uint8_t *md;
		size_t len;
		int n;

		if (!h[i].alg)
			continue;
		md = d.md[ub_digest_index(h[i].alg)];
		len = ub_digest_len(h[i].alg);
		if (h[i].value_len == len && memcmp(md, h[i].value, len) == 0) {
			good++;
			continue;
		}
		bad++;
		ub_hex(md, len, hex);
		if (h[i].value_len != len)
			n = snprintf(why + used, sizeof why - used,
				     "%s%s/%s has a %u-byte value, %s needs %zu",
				     used ? "; " : "", name, h[i].name,
				     h[i].value_len, h[i].algo, len);
		else
			n = snprintf(why + used, sizeof why - used,
				     "%s%s/%s: %s of %llu bytes is %.16s..., not the value in the tree",
				     used ? "; " : "", name, h[i].name,
				     h[i].algo, (unsigned long long)size, hex);
		if (n > 0 && (size_t)n < sizeof why - used)
			used += (size_t)n;
	}
	if (bad)
		ub_checks_add(ctx->checks, check, UB_FAIL, "image-corrupt",
			      "%s", why);
	else
		ub_checks_add(ctx->checks, check, UB_PASS, NULL,
			      "image %s: %u hash(es) match over %llu bytes (%s)%s",
			      name, good, (unsigned long long)size, where,
			      good < nh ? "; some algorithms unknown, skipped" : "");
	return 0;
}

/* compatible strings of every configuration become the image's models. */
static int read_configs(struct ub_inspect *ctx, struct ub_fdt *f,
			ub_fdt_node confs, unsigned *nsig)
{
	char name[UB_FDT_MAX_NAME + 1];
	char buf[COMPAT_MAX];
	ub_fdt_node c = 0, s;
	int rc;

	while ((rc = ub_fdt_next_child(f, confs, &c, ctx->err)) == 1) {
		struct ub_fdt_prop p;
		size_t i;

		s = 0;
		while ((rc = ub_fdt_next_child(f, c, &s, ctx->err)) == 1) {
			rc = ub_fdt_node_name(f, s, name, sizeof name, ctx->err);
			if (rc < 0)
				return rc;
			if (strncmp(name, "signature", 9) == 0)
				(*nsig)++;
		}
		if (rc < 0)
			return rc;
		rc = ub_fdt_prop(f, c, "compatible", &p, ctx->err);
		if (rc < 0)
			return rc;
		if (rc == 0 || p.len == 0)
			continue;
		if (p.len > sizeof buf)
			return ub_err_set(ctx->err, UB_EFORMAT, "image-corrupt",
					  "a configuration's compatible list has %u bytes", p.len);
		rc = ub_src_read(f->src, p.off, buf, p.len, ctx->err);
		if (rc < 0)
			return rc;
		if (buf[p.len - 1] != '\0')
			return ub_err_set(ctx->err, UB_EFORMAT, "image-corrupt",
					  "a configuration's compatible list is not terminated");
		for (i = 0; i < p.len; i += strlen(buf + i) + 1) {
			if (!buf[i])
				continue;
			clean(buf + i);
			if (ub_strlist_add(&ctx->meta->models, buf + i) < 0)
				return ub_err_set(ctx->err, UB_ENOMEM, NULL, "no memory");
		}
	}
	return rc;
}

static int fit_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	struct ub_fdt f;
	char desc[DESC_MAX];
	ub_fdt_node root, images, confs, c = 0;
	uint64_t data_end;
	unsigned nimages = 0, nsig = 0;
	int rc;

	rc = ub_fdt_open(&f, src, ctx->err);
	if (rc < 0)
		return tree_fail(ctx, "fit-structure", rc);
	data_end = f.totalsize;
	root = ub_fdt_root(&f);

	rc = ub_fdt_prop_str(&f, root, "description", desc, sizeof desc, ctx->err);
	if (rc == 1) {
		clean(desc);
		if (ub_meta_set_str(&ctx->meta->name, desc, 1) < 0)
			goto oom;
	}
	if (rc >= 0) {
		rc = ub_fdt_prop_str(&f, root, "version", desc, sizeof desc,
				     ctx->err);
		if (rc == 1) {
			clean(desc);
			if (ub_meta_set_str(&ctx->meta->version, desc, 1) < 0)
				goto oom;
		}
	}
	if (rc < 0)
		goto tree;

	rc = ub_fdt_subnode(&f, root, "images", &images, ctx->err);
	if (rc < 0)
		goto tree;
	if (rc == 0) {
		ub_checks_add(ctx->checks, "fit-structure", UB_FAIL,
			      "image-corrupt",
			      "%s: device tree without an /images node; not a FIT image",
			      src->label);
		goto out;
	}
	while ((rc = ub_fdt_next_child(&f, images, &c, ctx->err)) == 1) {
		nimages++;
		rc = check_image(ctx, &f, src, c, &data_end, &nsig);
		if (rc < 0)
			goto out;
	}
	if (rc < 0)
		goto tree;

	rc = ub_fdt_subnode(&f, root, "configurations", &confs, ctx->err);
	if (rc == 1)
		rc = read_configs(ctx, &f, confs, &nsig);
	if (rc < 0)
		goto tree;

	ub_checks_add(ctx->checks, "fit-structure", nimages ? UB_PASS : UB_FAIL,
		      nimages ? NULL : "image-corrupt",
		      "device tree v%u of %u bytes, %u node(s), %u image(s)",
		      f.version, f.totalsize, f.nodes, nimages);
	/* mkimage -E pads the file to 4 bytes after the last image */
	data_end = (data_end + 3) & ~(uint64_t)3;
	if (src->size > data_end)
		ub_checks_add(ctx->checks, "fit-size", UB_WARN, NULL,
			      "%llu bytes follow the tree and its data; U-Boot ignores them",
			      (unsigned long long)(src->size - data_end));
	if (nsig)
		ub_checks_add(ctx->checks, "fit-signature", UB_NA, NULL,
			      "%u signature node(s): FIT signatures need the public key in a device tree; not verified",
			      nsig);
	rc = 0;
	goto out;
tree:
	rc = tree_fail(ctx, "fit-structure", rc);
	goto out;
oom:
	rc = ub_err_set(ctx->err, UB_ENOMEM, NULL, "no memory");
out:
	ub_fdt_close(&f);
	return rc;
}

const struct ub_format ub_format_fit = {
	.name = "fit",
	.what = "U-Boot FIT image (flattened device tree)",
	.probe = fit_probe,
	.inspect = fit_inspect,
};
