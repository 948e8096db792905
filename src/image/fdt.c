#include "fdt.h"

#include <stdlib.h>
#include <string.h>

#define TOK_BEGIN 1
#define TOK_END 2
#define TOK_PROP 3
#define TOK_NOP 4
#define TOK_FINISH 9
#define STRINGS_MAX (1u << 20)
#define NAME_MAX_LEN 128

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static int bad(struct ub_err *e, const char *what)
{
	return ub_err_set(e, UB_EFORMAT, "image-corrupt", "device tree: %s", what);
}

int ub_fdt_open(struct ub_fdt *f, const struct ub_src *src, struct ub_err *e)
{
	uint8_t h[40];
	int rc;

	memset(f, 0, sizeof *f);
	f->src = src;
	if ((rc = ub_src_read(src, 0, h, sizeof h, e)))
		return rc;
	if (be32(h) != UB_FDT_MAGIC)
		return bad(e, "wrong magic");
	f->totalsize = be32(h + 4);
	f->off_struct = be32(h + 8);
	f->off_strings = be32(h + 12);
	if (be32(h + 20) < 16 || be32(h + 24) > 17)
		return bad(e, "version is not 16 or 17");
	f->size_strings = be32(h + 32);
	f->size_struct = be32(h + 36);
	if (f->totalsize < sizeof h || f->totalsize > src->size)
		return ub_err_set(e, UB_EFORMAT, f->totalsize > src->size ? "image-truncated" : "image-corrupt",
				  "device tree: totalsize %u, but the file has %llu bytes",
				  f->totalsize, (unsigned long long)src->size);
	/* Version 16 has no size_dt_struct (its header is 36 bytes): the
	 * block runs to the end of the tree, and the END token stops it. */
	if (be32(h + 20) < 17)
		f->size_struct = f->off_struct < f->totalsize ? f->totalsize - f->off_struct : 0;
	if (f->off_struct < sizeof h || f->off_struct % 4 ||
	    (uint64_t)f->off_struct + f->size_struct > f->totalsize)
		return bad(e, "the structure block lies outside the tree");
	if ((uint64_t)f->off_strings + f->size_strings > f->totalsize)
		return bad(e, "the strings block lies outside the tree");
	if (f->size_strings > STRINGS_MAX)
		return bad(e, "the strings block is larger than 1 MiB");
	f->strings = malloc((size_t)f->size_strings + 1);
	if (!f->strings)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if ((rc = ub_src_read(src, f->off_strings, f->strings, f->size_strings, e))) {
		ub_fdt_close(f);
		return rc;
	}
	f->strings[f->size_strings] = '\0';
	return 0;
}

void ub_fdt_close(struct ub_fdt *f)
{
	free(f->strings);
	f->strings = NULL;
}

int ub_fdt_walk(struct ub_fdt *f, const struct ub_fdt_visitor *v,
		struct ub_err *e)
{
	char names[UB_FDT_DEPTH][NAME_MAX_LEN + 1];
	const char *path[UB_FDT_DEPTH];
	uint64_t pos = f->off_struct, end = (uint64_t)f->off_struct + f->size_struct;
	int depth = -1, rc, i, roots = 0;

	for (i = 0; i < UB_FDT_DEPTH; i++)
		path[i] = names[i];
	while (pos + 4 <= end) {
		uint8_t w[8];
		uint32_t tok;

		if ((rc = ub_src_read(f->src, pos, w, 4, e)))
			return rc;
		tok = be32(w);
		pos += 4;
		switch (tok) {
		case TOK_BEGIN: {
			char name[NAME_MAX_LEN + 1];
			size_t n = end - pos < sizeof name ? (size_t)(end - pos) : sizeof name;
			size_t len;

			if ((rc = ub_src_read(f->src, pos, name, n, e)))
				return rc;
			len = strnlen(name, n);
			if (len == n)
				return bad(e, "a node name is unterminated or longer than 128 bytes");
			pos += (len + 1 + 3) & ~(uint64_t)3;
			if (depth < 0 && roots++)
				return bad(e, "a second root node");
			depth++;
			if (depth >= UB_FDT_DEPTH + 1)
				return bad(e, "nodes are nested more than 16 deep");
			/* the root's own (empty) name is not part of the path */
			if (depth > 0) {
				memcpy(names[depth - 1], name, len + 1);
				if (v->node_begin && (rc = v->node_begin(v->ctx, path, depth)))
					return rc;
			}
			break;
		}
		case TOK_END:
			if (depth < 0)
				return bad(e, "a node ends that never began");
			if (depth > 0 && v->node_end && (rc = v->node_end(v->ctx, path, depth)))
				return rc;
			depth--;
			break;
		case TOK_PROP: {
			uint32_t len, nameoff;

			if (pos + 8 > end)
				return bad(e, "a property header runs past the structure block");
			if ((rc = ub_src_read(f->src, pos, w, 8, e)))
				return rc;
			len = be32(w);
			nameoff = be32(w + 4);
			pos += 8;
			if (depth < 0)
				return bad(e, "a property outside any node");
			if (len > end - pos)
				return bad(e, "a property value runs past the structure block");
			if (nameoff >= f->size_strings ||
			    !memchr(f->strings + nameoff, 0, f->size_strings - nameoff))
				return bad(e, "a property name points outside the strings block or is unterminated");
			if (v->prop && (rc = v->prop(v->ctx, path, depth, f->strings + nameoff, pos, len)))
				return rc;
			pos += ((uint64_t)len + 3) & ~(uint64_t)3;
			break;
		}
		case TOK_NOP:
			break;
		case TOK_FINISH:
			if (depth != -1)
				return bad(e, "the structure ends inside a node");
			return 0;
		default:
			return bad(e, "an unknown token in the structure block");
		}
	}
	return bad(e, "the structure block has no end token");
}
