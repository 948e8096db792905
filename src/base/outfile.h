/* Files that appear whole or not at all: written to a temporary name in
 * the same folder, hashed (SHA-256) as they are written, synced, then
 * renamed into place.  A failure leaves any earlier file of that name
 * untouched and removes the temporary. */
#ifndef UB_OUTFILE_H
#define UB_OUTFILE_H

#include <stddef.h>
#include <stdint.h>

#include "err.h"

struct ub_outfile;

int ub_outfile_open(struct ub_outfile **out, const char *path,
		    struct ub_err *e);
int ub_outfile_write(struct ub_outfile *f, const void *buf, size_t len,
		     struct ub_err *e);
/* Syncs and renames into place; sha256_hex (65 bytes) gets the digest of
 * what was written, size the byte count (either may be NULL).  Frees f. */
int ub_outfile_commit(struct ub_outfile *f, char *sha256_hex, uint64_t *size,
		      struct ub_err *e);
/* Drops the temporary; the target is left as it was.  Frees f (NULL ok). */
void ub_outfile_abort(struct ub_outfile *f);

/* The whole of buf as one file. */
int ub_write_file_atomic(const char *path, const void *buf, size_t len,
			 char *sha256_hex, struct ub_err *e);

#endif
