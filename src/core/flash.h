/* Writing a region and verifying it, the same for every family: compare
 * the image with the device block by block (core/blocks.c), have the
 * family write only the blocks that differ, and afterwards compare again
 * with what the device says now.  A family that can neither digest nor
 * read gets every block written and the result called what it is:
 * written, not verified. */
#ifndef UB_FLASH_H
#define UB_FLASH_H

#include <jansson.h>

#include "core/blocks.h"
#include "core/session.h"

/* What a write did. */
struct ub_flash_result {
	struct ub_write_stats ws;
	enum ub_compare_how how;   /* how the blocks to skip were found */
};

/* Writes src into region g from its start: the blocks that differ.
 * Records blocks_total/written/skipped, retries, bytes, via and
 * compared_by in d (may be NULL). */
int ub_flash_region(struct ub_session *s, const struct ub_region *g, const struct ub_src *src,
		    struct ub_flash_result *out, struct ub_progress *p, json_t *d,
		    struct ub_err *e);

enum ub_verified {
	UB_VERIFIED = 0,       /* every block matches, as the device says now */
	UB_UNVERIFIABLE,       /* the family can neither digest nor read */
};

/* Compares src with region g as the device holds it now.  0 with *state
 * set, or "verify-failed" naming the blocks that differ.  Records blocks,
 * mismatched and verified_by in d (may be NULL). */
int ub_verify_region(struct ub_session *s, const struct ub_region *g, const struct ub_src *src,
		     enum ub_verified *state, struct ub_progress *p, json_t *d, struct ub_err *e);

#endif
