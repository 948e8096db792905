/* Shared by the compressed-stream and archive handlers: libarchive reading
 * straight from a ub_src, and expansion into an unlinked temporary file
 * with limits that stop decompression bombs before they fill the disk. */
#ifndef UB_UNPACK_H
#define UB_UNPACK_H

#include <archive.h>
#include <stddef.h>
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
 * else min(64 GiB, 128 x the packed size + 1 MiB). */
uint64_t ub_unpack_limit(const struct ub_src *src);

/* The limit for one layer inside ctx: ub_unpack_limit(src), and never more
 * than what is left of the budget every layer shares.  The first call (the
 * outermost unpacking layer) sets that budget to its own limit: all the
 * layers of one download together unpack at most that much, so the work is
 * bounded by the download's real size however the layers nest. */
uint64_t ub_unpack_layer_limit(struct ub_inspect *ctx, const struct ub_src *src);

/* Takes n written bytes off the shared budget. */
void ub_unpack_spend(struct ub_inspect *ctx, uint64_t n);

/* Free bytes the temporary folder keeps: unpacking stops with "disk-full"
 * before the file system has less.  Tests may change it. */
extern uint64_t ub_unpack_reserve;

/* An unlinked temporary file in ctx->tmpdir, $TMPDIR or /tmp. */
int ub_unpack_tmpfile(const struct ub_inspect *ctx, struct ub_err *e);

/* Where unpacked bytes go: a temporary file, its size bounded, the free
 * space watched. */
struct ub_unpack_out {
	int fd;
	uint64_t limit;
	uint64_t written;
	uint64_t next_df;           /* written count of the next free-space look */
	struct ub_progress *progress;
};

/* Starts writing to fd (looks at the free space once). */
int ub_unpack_out_init(struct ub_unpack_out *o, int fd, uint64_t limit,
		       struct ub_progress *progress, struct ub_err *e);

/* Appends n bytes.  Returns 0, 1 when they would pass the limit (nothing
 * written), or < 0 with e set (UB_EIO, "disk-full" when space runs low). */
int ub_unpack_write(struct ub_unpack_out *o, const void *buf, size_t n,
		    struct ub_err *e);

/* Copies the current entry's data (or the raw stream) into o.  Returns 0,
 * 1 when the limit was reached (nothing more is read), or < 0 with e set
 * (damage as UB_EFORMAT with the library's message). */
int ub_unpack_copy(struct archive *a, struct ub_unpack_out *o, struct ub_err *e);

/* "4.0 MiB", "512 bytes": sizes in messages people read. */
const char *ub_unpack_size(char *buf, size_t len, uint64_t n);

#endif
