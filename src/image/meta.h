/* What an image says about itself: its layers, name, version and the
 * devices it is built for.  Filled by the format inspectors. */
#ifndef UB_META_H
#define UB_META_H

#include <stddef.h>

struct ub_strlist {
	char **v;
	size_t n;
	/* private: room in v, and a hash index of v (positions + 1, 0 for a
	 * free slot) so that a list of 100k models is built in linear time */
	size_t cap;
	size_t *index;
	size_t index_cap;   /* a power of two, more than twice n */
};

/* Adds a copy of s unless already present; returns 0 or UB_ENOMEM. */
int ub_strlist_add(struct ub_strlist *l, const char *s);
int ub_strlist_has(const struct ub_strlist *l, const char *s);
void ub_strlist_free(struct ub_strlist *l);

struct ub_image_meta {
	char layers[192];           /* "gzip > tar > uimage", outermost first */
	char *name;                 /* from a header: uImage name, FIT description */
	char *version;              /* firmware version the image claims */
	struct ub_strlist models;   /* devices it is built for (empty: unknown) */
	struct ub_strlist revisions;
	struct ub_strlist regions;
	/* A signature the image carries over its own first signed_len bytes
	 * (OpenWrt's usign block), kept for `check --key`.  Only the outermost
	 * layer sets it: inner layers' offsets are not the file's. */
	unsigned char *embedded_sig;
	size_t embedded_sig_len;
	unsigned long long signed_len;
};

/* Appends a layer name to meta->layers. */
void ub_meta_push_layer(struct ub_image_meta *m, const char *layer);

/* Renames the innermost layer (a handler naming what it found: "gzip"). */
void ub_meta_rename_layer(struct ub_image_meta *m, const char *layer);

/* Replaces *slot with a copy of s (first writer wins when keep_first). */
int ub_meta_set_str(char **slot, const char *s, int keep_first);

void ub_meta_free(struct ub_image_meta *m);

#endif
