/* A small, bounded reader of flattened device trees (FDT, the container of
 * FIT images).  It reads the tree through a ub_src with pread: the strings
 * block is copied (it is small), the structure block is walked through a
 * small cache, and property values are located but never loaded unless the
 * caller asks, so a FIT with 100 MiB of embedded data costs kilobytes.
 * Every offset, length, name and depth is checked against the tree's own
 * bounds: a malformed tree gives UB_EFORMAT, never a read out of bounds. */
#ifndef UB_FDT_H
#define UB_FDT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "src.h"

#define UB_FDT_MAGIC 0xd00dfeedu
#define UB_FDT_MAX_DEPTH 32           /* FIT trees are 4 levels deep */
#define UB_FDT_MAX_NAME 256           /* node names, with the unit address */
#define UB_FDT_MAX_STRINGS (1u << 20) /* strings block copied into memory */
#define UB_FDT_MAX_TOKENS (1u << 22)  /* tokens in the whole structure */

struct ub_fdt {
	const struct ub_src *src;
	uint32_t totalsize;
	uint32_t version;
	uint32_t off_struct, size_struct;  /* struct block, in the file */
	uint32_t off_strings, size_strings;
	char *strings;                     /* copy of the strings block */
	uint8_t *cache;                    /* window of the struct block */
	uint32_t cache_off, cache_len;     /* relative to off_struct */
	uint32_t root;                     /* offset of the root node */
	uint32_t nodes;                    /* counted by ub_fdt_open */
};

/* A node is the offset of its BEGIN_NODE token in the struct block. */
typedef uint32_t ub_fdt_node;

struct ub_fdt_prop {
	const char *name;   /* points into the strings copy, NUL-terminated */
	uint64_t off;       /* value offset in the source */
	uint32_t len;       /* value length */
};

/* Reads and validates the header (magic, version >= 16, blocks inside
 * totalsize, totalsize inside the source) and walks the whole structure
 * once (tokens, names, nesting depth, property names).  On UB_EFORMAT the
 * error's advice is "image-corrupt" or "image-truncated". */
int ub_fdt_open(struct ub_fdt *f, const struct ub_src *src, struct ub_err *e);
void ub_fdt_close(struct ub_fdt *f);

ub_fdt_node ub_fdt_root(const struct ub_fdt *f);

/* Copies the node's name (NUL-terminated, cut to size). */
int ub_fdt_node_name(struct ub_fdt *f, ub_fdt_node node, char *buf,
		     size_t size, struct ub_err *e);

/* Iterates the children of node: start with *child = 0.  Returns 1 with
 * *child set, 0 at the end, < 0 on error. */
int ub_fdt_next_child(struct ub_fdt *f, ub_fdt_node node, ub_fdt_node *child,
		      struct ub_err *e);

/* The child named exactly name: 1 found, 0 absent, < 0 on error. */
int ub_fdt_subnode(struct ub_fdt *f, ub_fdt_node node, const char *name,
		   ub_fdt_node *child, struct ub_err *e);

/* Iterates the properties of node: start with *cursor = 0.  Returns 1 with
 * *p set, 0 at the end, < 0 on error. */
int ub_fdt_next_prop(struct ub_fdt *f, ub_fdt_node node, uint32_t *cursor,
		     struct ub_fdt_prop *p, struct ub_err *e);

/* The property named name: 1 found, 0 absent, < 0 on error. */
int ub_fdt_prop(struct ub_fdt *f, ub_fdt_node node, const char *name,
		struct ub_fdt_prop *p, struct ub_err *e);

/* A string property: 1 with buf filled when present, NUL-terminated within
 * its length and shorter than size; 0 when absent; UB_EFORMAT when it is
 * not a string or too long. */
int ub_fdt_prop_str(struct ub_fdt *f, ub_fdt_node node, const char *name,
		    char *buf, size_t size, struct ub_err *e);

/* A 32-bit property: 1 with *v set, 0 absent, UB_EFORMAT when its length
 * is not 4. */
int ub_fdt_prop_u32(struct ub_fdt *f, ub_fdt_node node, const char *name,
		    uint32_t *v, struct ub_err *e);

#endif
