/* Shared by the compressed-stream and archive handlers: libarchive reading
 * straight from a ub_src, and expansion into an unlinked temporary file
 * with limits that stop decompression bombs before they fill the disk. */
#ifndef UB_UNPACK_H
#define UB_UNPACK_H

#include <archive.h>
#include <stdint.h>

#include "format.h"

struct ub_unpack_src {
	const struct ub_src *src;
	uint64_t pos;
	unsigned char buf[64 * 1024];
};

/* Opens a libarchive reader over src (filters and formats already chosen
 * by the caller).  Returns ARCHIVE_OK or an archive error. */
int ub_unpack_open(struct archive *a, struct ub_unpack_src *s,
		   const struct ub_src *src);

/* The most bytes unpacking src may produce: UNBRICK_MAX_EXPAND when set,
 * else min(64 GiB, 1000 x the packed size + 1 MiB). */
uint64_t ub_unpack_limit(const struct ub_src *src);

/* An unlinked temporary file in ctx->tmpdir, $TMPDIR or /tmp. */
int ub_unpack_tmpfile(const struct ub_inspect *ctx, struct ub_err *e);

/* Copies the current entry's data (or the raw stream) into fd.  Returns 0,
 * 1 when the limit was reached (nothing more is read), or < 0 with e set
 * (ARCHIVE errors as UB_EFORMAT with the library's message). */
int ub_unpack_copy(struct archive *a, int fd, uint64_t limit,
		   uint64_t *written, uint32_t *crc, struct ub_err *e);

#endif
