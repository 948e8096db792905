/* Bounded FDT reader; see fdt.h.  Layout facts from the devicetree
 * specification (chapter 5, "Flattened Devicetree Format"). */
#include "fdt.h"

#include <stdlib.h>
#include <string.h>

#define HDR_V16 36   /* header size up to size_dt_strings */
#define HDR_V17 40   /* with size_dt_struct */

#define TOK_BEGIN_NODE 1u
#define TOK_END_NODE 2u
#define TOK_PROP 3u
#define TOK_NOP 4u
#define TOK_END 9u

#define CACHE_SIZE (64u << 10)

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint64_t align4(uint64_t v)
{
	return (v + 3) & ~(uint64_t)3;
}

static int bad(const struct ub_fdt *f, struct ub_err *e, uint32_t off,
	       const char *what)
{
	return ub_err_set(e, UB_EFORMAT, "image-corrupt",
			  "%s: device tree structure at offset %llu: %s",
			  f->src->label,
			  (unsigned long long)f->off_struct + off, what);
}

/* Points *p at len bytes of the struct block at off (relative to the
 * block), through the cache.  len must be at most CACHE_SIZE. */
static int sget(struct ub_fdt *f, uint32_t off, uint32_t len,
		const uint8_t **p, struct ub_err *e)
{
	uint32_t want;
	long n;

	if (off > f->size_struct || len > f->size_struct - off)
		return bad(f, e, off, "runs past the end of the structure block");
	if (off >= f->cache_off && off - f->cache_off <= f->cache_len &&
	    len <= f->cache_len - (off - f->cache_off)) {
		*p = f->cache + (off - f->cache_off);
		return 0;
	}
	want = f->size_struct - off < CACHE_SIZE ? f->size_struct - off
						 : CACHE_SIZE;
	n = ub_src_pread(f->src, (uint64_t)f->off_struct + off, f->cache, want,
			 e);
	if (n < 0)
		return (int)n;
	f->cache_off = off;
	f->cache_len = (uint32_t)n;
	if ((uint32_t)n < len)
		return ub_err_set(e, UB_EIO, "io", "%s shrank while being read",
				  f->src->label);
	*p = f->cache;
	return 0;
}

struct tok {
	uint32_t tag;
	uint32_t next;          /* offset of the following token */
	uint32_t name_off;      /* BEGIN_NODE: offset of the name */
	uint32_t name_len;      /* BEGIN_NODE: bytes before the NUL */
	uint32_t len, nameoff;  /* PROP: value length, name in strings */
};

/* Decodes the token at off and checks that it fits. */
static int tok_at(struct ub_fdt *f, uint32_t off, struct tok *t,
		  struct ub_err *e)
{
	const uint8_t *p, *nul;
	uint64_t next;
	uint32_t avail;
	int rc;

	memset(t, 0, sizeof *t);
	if (off & 3)
		return bad(f, e, off, "token not aligned to 4 bytes");
	rc = sget(f, off, 4, &p, e);
	if (rc < 0)
		return rc;
	t->tag = be32(p);
	switch (t->tag) {
	case TOK_BEGIN_NODE:
		t->name_off = off + 4;
		avail = f->size_struct - t->name_off;
		if (avail > UB_FDT_MAX_NAME + 1)
			avail = UB_FDT_MAX_NAME + 1;
		rc = sget(f, t->name_off, avail, &p, e);
		if (rc < 0)
			return rc;
		nul = memchr(p, 0, avail);
		if (!nul)
			return bad(f, e, off, "node name not terminated within 256 bytes or the block");
		t->name_len = (uint32_t)(nul - p);
		next = align4((uint64_t)t->name_off + t->name_len + 1);
		break;
	case TOK_PROP:
		rc = sget(f, off, 12, &p, e);
		if (rc < 0)
			return rc;
		t->len = be32(p + 4);
		t->nameoff = be32(p + 8);
		next = align4((uint64_t)off + 12 + t->len);
		if ((uint64_t)off + 12 + t->len > f->size_struct)
			return bad(f, e, off, "property value runs past the end of the structure block");
		if (t->nameoff >= f->size_strings ||
		    !memchr(f->strings + t->nameoff, 0,
			    f->size_strings - t->nameoff))
			return bad(f, e, off, "property name outside the strings block or not terminated");
		break;
	case TOK_END_NODE:
	case TOK_NOP:
	case TOK_END:
		next = (uint64_t)off + 4;
		break;
	default:
		return bad(f, e, off, "unknown token");
	}
	if (next > f->size_struct && t->tag != TOK_END)
		return bad(f, e, off, "token runs past the end of the structure block");
	t->next = (uint32_t)(next > f->size_struct ? f->size_struct : next);
	return 0;
}

/* Offset of the token after the subtree that starts at the BEGIN_NODE at
 * off. */
static int skip_node(struct ub_fdt *f, uint32_t off, uint32_t *after,
		     struct ub_err *e)
{
	struct tok t;
	int depth = 0, rc;

	for (;;) {
		rc = tok_at(f, off, &t, e);
		if (rc < 0)
			return rc;
		if (t.tag == TOK_BEGIN_NODE) {
			if (++depth > UB_FDT_MAX_DEPTH)
				return bad(f, e, off, "nodes nested too deep");
		} else if (t.tag == TOK_END_NODE) {
			if (--depth == 0) {
				*after = t.next;
				return 0;
			}
		} else if (t.tag == TOK_END) {
			return bad(f, e, off, "structure ends inside a node");
		}
		off = t.next;
	}
}

/* One walk over the whole structure: it must be a single root node,
 * properly nested and not too deep, followed by END. */
static int validate(struct ub_fdt *f, struct ub_err *e)
{
	struct tok t;
	uint32_t off = 0, tokens = 0;
	int depth = 0, rc, seen_root = 0;

	for (;;) {
		if (++tokens > UB_FDT_MAX_TOKENS)
			return bad(f, e, off, "too many tokens");
		rc = tok_at(f, off, &t, e);
		if (rc < 0)
			return rc;
		switch (t.tag) {
		case TOK_BEGIN_NODE:
			if (depth == 0 && seen_root)
				return bad(f, e, off, "a second root node");
			if (depth == 0 && t.name_len != 0)
				return bad(f, e, off, "the root node has a name");
			if (!seen_root)
				f->root = off;
			seen_root = 1;
			if (++depth > UB_FDT_MAX_DEPTH)
				return bad(f, e, off, "nodes nested too deep");
			f->nodes++;
			break;
		case TOK_END_NODE:
			if (depth == 0)
				return bad(f, e, off, "end of a node that was not begun");
			depth--;
			break;
		case TOK_PROP:
			if (depth == 0)
				return bad(f, e, off, "property outside any node");
			break;
		case TOK_END:
			if (depth != 0 || !seen_root)
				return bad(f, e, off, "structure ends before the root node closes");
			return 0;
		default:
			break;
		}
		if (t.next >= f->size_struct)
			return bad(f, e, off, "structure block ends without an END token");
		off = t.next;
	}
}

int ub_fdt_open(struct ub_fdt *f, const struct ub_src *src, struct ub_err *e)
{
	uint8_t h[HDR_V17];
	uint32_t last_comp, hdr_size;
	long n;
	int rc;

	memset(f, 0, sizeof *f);
	f->src = src;
	n = ub_src_pread(src, 0, h, sizeof h, e);
	if (n < 0)
		return (int)n;
	if (n < 4 || be32(h) != UB_FDT_MAGIC)
		return ub_err_set(e, UB_EFORMAT, "image-corrupt",
				  "%s: not a device tree (no magic)",
				  src->label);
	if (n < HDR_V16)
		return ub_err_set(e, UB_EFORMAT, "image-truncated",
				  "%s: device tree header cut short at %ld bytes",
				  src->label, n);
	f->totalsize = be32(h + 4);
	f->off_struct = be32(h + 8);
	f->off_strings = be32(h + 12);
	f->version = be32(h + 20);
	last_comp = be32(h + 24);
	f->size_strings = be32(h + 32);
	if (f->version < 16 || last_comp > 17)
		return ub_err_set(e, UB_EFORMAT, "image-corrupt",
				  "%s: device tree version %u (compatible back to %u); 16 or 17 is needed",
				  src->label, f->version, last_comp);
	hdr_size = f->version >= 17 ? HDR_V17 : HDR_V16;
	if ((size_t)n < hdr_size)
		return ub_err_set(e, UB_EFORMAT, "image-truncated",
				  "%s: device tree header cut short",
				  src->label);
	if (f->totalsize < hdr_size)
		return ub_err_set(e, UB_EFORMAT, "image-corrupt",
				  "%s: device tree total size %u is smaller than its header",
				  src->label, f->totalsize);
	if (f->totalsize > src->size)
		return ub_err_set(e, UB_EFORMAT, "image-truncated",
				  "%s: the device tree says it has %u bytes, the file has %llu",
				  src->label, f->totalsize,
				  (unsigned long long)src->size);
	/* Version 16 has no struct size: the block runs to the tree's end,
	 * and the END token marks where it really stops. */
	f->size_struct = f->version >= 17 ? be32(h + 36)
					  : f->totalsize - (f->off_struct < f->totalsize ? f->off_struct : f->totalsize);
	if ((f->off_struct & 3) || f->off_struct < hdr_size ||
	    (uint64_t)f->off_struct + f->size_struct > f->totalsize ||
	    f->size_struct < 4)
		return ub_err_set(e, UB_EFORMAT, "image-corrupt",
				  "%s: device tree structure block (%u bytes at %u) is not inside the %u-byte tree",
				  src->label, f->size_struct, f->off_struct,
				  f->totalsize);
	if (f->off_strings < hdr_size ||
	    (uint64_t)f->off_strings + f->size_strings > f->totalsize)
		return ub_err_set(e, UB_EFORMAT, "image-corrupt",
				  "%s: device tree strings block (%u bytes at %u) is not inside the %u-byte tree",
				  src->label, f->size_strings, f->off_strings,
				  f->totalsize);
	if (f->size_strings > UB_FDT_MAX_STRINGS)
		return ub_err_set(e, UB_EFORMAT, "image-huge",
				  "%s: device tree strings block of %u bytes; more than %u is not a real FIT",
				  src->label, f->size_strings,
				  UB_FDT_MAX_STRINGS);
	f->strings = malloc(f->size_strings ? f->size_strings : 1);
	f->cache = malloc(CACHE_SIZE);
	if (!f->strings || !f->cache) {
		ub_fdt_close(f);
		return ub_err_set(e, UB_ENOMEM, NULL, "no memory for the device tree");
	}
	rc = ub_src_read(src, f->off_strings, f->strings, f->size_strings, e);
	if (rc == 0)
		rc = validate(f, e);
	if (rc < 0)
		ub_fdt_close(f);
	return rc;
}

void ub_fdt_close(struct ub_fdt *f)
{
	free(f->strings);
	free(f->cache);
	f->strings = NULL;
	f->cache = NULL;
	f->cache_len = 0;
}

ub_fdt_node ub_fdt_root(const struct ub_fdt *f)
{
	return f->root;
}

int ub_fdt_node_name(struct ub_fdt *f, ub_fdt_node node, char *buf,
		     size_t size, struct ub_err *e)
{
	const uint8_t *p;
	struct tok t;
	size_t n;
	int rc;

	rc = tok_at(f, node, &t, e);
	if (rc < 0)
		return rc;
	if (t.tag != TOK_BEGIN_NODE)
		return bad(f, e, node, "not a node");
	rc = sget(f, t.name_off, t.name_len, &p, e);
	if (rc < 0)
		return rc;
	n = t.name_len < size - 1 ? t.name_len : size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return 0;
}

/* Offset of the first token after the node's name. */
static int node_body(struct ub_fdt *f, ub_fdt_node node, uint32_t *off,
		     struct ub_err *e)
{
	struct tok t;
	int rc = tok_at(f, node, &t, e);

	if (rc < 0)
		return rc;
	if (t.tag != TOK_BEGIN_NODE)
		return bad(f, e, node, "not a node");
	*off = t.next;
	return 0;
}

int ub_fdt_next_child(struct ub_fdt *f, ub_fdt_node node, ub_fdt_node *child,
		      struct ub_err *e)
{
	struct tok t;
	uint32_t off = 0;
	int rc;

	if (*child <= node)
		rc = node_body(f, node, &off, e);
	else
		rc = skip_node(f, *child, &off, e);
	if (rc < 0)
		return rc;
	for (;;) {
		rc = tok_at(f, off, &t, e);
		if (rc < 0)
			return rc;
		if (t.tag == TOK_BEGIN_NODE) {
			*child = off;
			return 1;
		}
		if (t.tag == TOK_END_NODE || t.tag == TOK_END)
			return 0;
		off = t.next;
	}
}

int ub_fdt_subnode(struct ub_fdt *f, ub_fdt_node node, const char *name,
		   ub_fdt_node *child, struct ub_err *e)
{
	char buf[UB_FDT_MAX_NAME + 1];
	ub_fdt_node c = 0;
	int rc;

	while ((rc = ub_fdt_next_child(f, node, &c, e)) == 1) {
		rc = ub_fdt_node_name(f, c, buf, sizeof buf, e);
		if (rc < 0)
			return rc;
		if (strcmp(buf, name) == 0) {
			*child = c;
			return 1;
		}
	}
	return rc;
}

int ub_fdt_next_prop(struct ub_fdt *f, ub_fdt_node node, uint32_t *cursor,
		     struct ub_fdt_prop *p, struct ub_err *e)
{
	struct tok t;
	uint32_t off = 0;
	int rc;

	if (*cursor == 0) {
		rc = node_body(f, node, &off, e);
		if (rc < 0)
			return rc;
	} else {
		off = *cursor;
	}
	/* Properties come before the subnodes; stop at the first subnode. */
	for (;;) {
		rc = tok_at(f, off, &t, e);
		if (rc < 0)
			return rc;
		if (t.tag == TOK_PROP) {
			p->name = f->strings + t.nameoff;
			p->off = (uint64_t)f->off_struct + off + 12;
			p->len = t.len;
			*cursor = t.next;
			return 1;
		}
		if (t.tag != TOK_NOP)
			return 0;
		off = t.next;
	}
}

int ub_fdt_prop(struct ub_fdt *f, ub_fdt_node node, const char *name,
		struct ub_fdt_prop *p, struct ub_err *e)
{
	uint32_t cur = 0;
	int rc;

	while ((rc = ub_fdt_next_prop(f, node, &cur, p, e)) == 1)
		if (strcmp(p->name, name) == 0)
			return 1;
	return rc;
}

int ub_fdt_prop_str(struct ub_fdt *f, ub_fdt_node node, const char *name,
		    char *buf, size_t size, struct ub_err *e)
{
	struct ub_fdt_prop p;
	int rc = ub_fdt_prop(f, node, name, &p, e);

	if (rc <= 0)
		return rc;
	if (p.len == 0 || p.len > size)
		return ub_err_set(e, UB_EFORMAT, "image-corrupt",
				  "%s: property \"%s\" has %u bytes, not a string of at most %zu",
				  f->src->label, name, p.len, size - 1);
	rc = ub_src_read(f->src, p.off, buf, p.len, e);
	if (rc < 0)
		return rc;
	if (buf[p.len - 1] != '\0')
		return ub_err_set(e, UB_EFORMAT, "image-corrupt",
				  "%s: property \"%s\" is not a terminated string",
				  f->src->label, name);
	return 1;
}

int ub_fdt_prop_u32(struct ub_fdt *f, ub_fdt_node node, const char *name,
		    uint32_t *v, struct ub_err *e)
{
	struct ub_fdt_prop p;
	uint8_t b[4];
	int rc = ub_fdt_prop(f, node, name, &p, e);

	if (rc <= 0)
		return rc;
	if (p.len != 4)
		return ub_err_set(e, UB_EFORMAT, "image-corrupt",
				  "%s: property \"%s\" has %u bytes, not a 32-bit cell",
				  f->src->label, name, p.len);
	rc = ub_src_read(f->src, p.off, b, 4, e);
	if (rc < 0)
		return rc;
	*v = be32(b);
	return 1;
}
