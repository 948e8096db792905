/* A bounded, streaming reader of flattened device trees (the container of
 * FIT images).  It walks the structure block through ub_src reads without
 * loading property values: each property is reported with its offset in
 * the file, and the caller reads only the small ones it needs.  Every
 * offset and length is checked against the blob and the file. */
#ifndef UB_FDT_H
#define UB_FDT_H

#include <stdint.h>

#include "../base/err.h"
#include "src.h"

#define UB_FDT_MAGIC 0xd00dfeedu
#define UB_FDT_DEPTH 16

struct ub_fdt {
	const struct ub_src *src;
	uint32_t totalsize, off_struct, size_struct, off_strings, size_strings;
	char *strings;   /* the strings block, NUL-terminated copy */
};

struct ub_fdt_visitor {
	/* path[0..depth-1] are the node names from the root's children down */
	int (*node_begin)(void *ctx, const char *const *path, int depth);
	int (*node_end)(void *ctx, const char *const *path, int depth);
	int (*prop)(void *ctx, const char *const *path, int depth,
		    const char *name, uint64_t value_off, uint32_t len);
	void *ctx;
};

/* Validates the header and loads the strings block.  UB_EFORMAT with a
 * message saying which field is wrong. */
int ub_fdt_open(struct ub_fdt *f, const struct ub_src *src, struct ub_err *e);

/* Walks every node and property; returns 0, a visitor's non-zero return,
 * or UB_EFORMAT when the structure is malformed. */
int ub_fdt_walk(struct ub_fdt *f, const struct ub_fdt_visitor *v,
		struct ub_err *e);

void ub_fdt_close(struct ub_fdt *f);

#endif
