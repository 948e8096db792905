/* Android sparse images (fastboot's transfer format): a header and chunks
 * of raw data, fill patterns, holes ("don't care") and CRC32 checkpoints. */
#ifndef UB_SPARSE_H
#define UB_SPARSE_H

#include <stdint.h>

#include "format.h"

/* Expands src into the full image, handing out pieces in order: data for
 * raw and fill chunks, zeros for holes (hole=1 says the bytes are not
 * meaningful, so a writer may skip them).  The image must have passed
 * inspection; returns 0, the sink's non-zero return, or UB_EFORMAT. */
int ub_sparse_expand(const struct ub_src *src,
		     int (*sink)(void *ctx, const uint8_t *buf, size_t n, int hole),
		     void *ctx, struct ub_err *e);

#endif
