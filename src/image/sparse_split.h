/* An image cut into Android sparse images no larger than a bound, the way
 * `fastboot -S` sends what a bootloader cannot take at once: every piece
 * is a sparse image of the whole partition that holds only its own blocks
 * and says "don't care" for the rest, so each can be flashed on its own
 * and together they write the image.
 *
 * The image is raw (then whole blocks of one repeated 32-bit word become
 * fill chunks, as libsparse does, and a last partial block is padded with
 * zeros) or sparse itself (its chunks are kept; CRC chunks are dropped:
 * the image's CRCs are checked before, by image/sparse.c).
 *
 * The runs of the image are kept in memory (a few bytes per change of
 * kind), its data never: pieces are read from the image as they go. */
#ifndef UB_SPARSE_SPLIT_H
#define UB_SPARSE_SPLIT_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "image/src.h"

#define UB_SPARSE_HEADER 28
#define UB_SPARSE_CHUNK_HEADER 12

struct ub_resparse;

/* 1 when src starts with the sparse magic. */
int ub_sparse_is(const struct ub_src *src);

/* The size a sparse image expands to (blocks times block size), from its
 * header; UB_EFORMAT for a header that is not sound. */
int ub_sparse_expanded(const struct ub_src *src, uint64_t *size, struct ub_err *e);

/* Plans pieces of at most max bytes.  blk_sz is the block size for a raw
 * image (a multiple of 4, at least 512); a sparse image keeps its own.
 * UB_EFORMAT for a sparse image whose chunks do not add up, UB_EUSAGE for
 * a max that cannot hold one block with its headers. */
int ub_resparse_plan(struct ub_resparse **out, const struct ub_src *src, uint32_t blk_sz,
		     uint64_t max, struct ub_err *e);

unsigned ub_resparse_count(const struct ub_resparse *r);
uint64_t ub_resparse_size(const struct ub_resparse *r, unsigned piece);
/* Bytes the pieces expand to, together (what the partition receives). */
uint64_t ub_resparse_expanded(const struct ub_resparse *r);

/* n bytes of piece at off (reads in order are cheapest). */
int ub_resparse_read(struct ub_resparse *r, unsigned piece, uint64_t off, uint8_t *buf, size_t n,
		     struct ub_err *e);

void ub_resparse_free(struct ub_resparse *r);

#endif
