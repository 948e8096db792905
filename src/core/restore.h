/* Putting regions back from a verified backup, and the rule that decides
 * whether the owner's settings survive a new firmware. */
#ifndef UB_RESTORE_H
#define UB_RESTORE_H
#include <jansson.h>
#include "core/session.h"

/* Compares the file at path with region g as the device holds it now,
 * block by block, by the best means the family has (core/blocks.c).
 * Counts go to *blocks and *mismatched (and into d when d is not NULL).
 * Returns 1 when the family can neither digest nor read, so nothing was
 * compared. */
int ub_region_compare(struct ub_session *s, const struct ub_region *g, const char *path,
		      unsigned *blocks, unsigned *mismatched, json_t *d, struct ub_err *e);

/* Writes the backup file at path into region g (only the blocks that
 * differ) and compares every block with it afterwards.  Records
 * blocks_written/blocks_skipped/blocks/mismatched and "verified" (false
 * when the family could not compare) in d. */
int ub_restore_region(struct ub_session *s, const struct ub_region *g, const char *path,
		      struct ub_progress *p, json_t *d, struct ub_err *e);

/* What is known when deciding whether a config region goes back
 * automatically after a new firmware was written. */
struct ub_restore_facts {
	unsigned rule;                 /* the region's enum ub_restore_rule */
	const char *backup_version;    /* the firmware the backup was read under */
	const char *new_version;       /* the firmware just written */
	const char *backup_serial;     /* the unit the backup was read from */
	const char *device_serial;     /* the unit connected now */
};

/* 1 when the settings may go back, 0 when not; why says which, in words
 * fit for the user ("the backup is from firmware 1.2.0 and 2.0.0 has
 * another major version"). */
int ub_restore_allowed(const struct ub_restore_facts *f, char *why, size_t len);

#endif
