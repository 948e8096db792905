/* Compare-and-skip, once for every family: which blocks of a region
 * already hold what an image says, asked of the device by the best means
 * its family has: its own digest per block (crc32, then md5 or sha256),
 * else reading the blocks back, else nothing (every block is written and
 * the write cannot be verified: said as such, never called verified). */
#ifndef UB_BLOCKS_H
#define UB_BLOCKS_H

#include "core/session.h"

enum ub_compare_how {
	UB_BY_NOTHING = 0,   /* the family can neither digest nor read */
	UB_BY_CRC32,
	UB_BY_MD5,
	UB_BY_SHA256,
	UB_BY_READ,          /* read back and compared here */
};

/* For the journal and --json: "crc32", "md5", "sha256", "read-back",
 * "none". */
const char *ub_compare_how_id(enum ub_compare_how how);
/* In words: "the device's own crc32", "reading the blocks back", ... */
const char *ub_compare_how_name(enum ub_compare_how how);

struct ub_compare {
	struct ub_blockset set;  /* set.write[i]: block i differs (or is unknown) */
	uint8_t *differs;        /* owned: set.write */
	uint32_t *crc;           /* owned: set.crc */
	uint64_t mismatched;     /* blocks marked */
	enum ub_compare_how how;
};

/* The means ub_blocks_compare would use for this session's device. */
enum ub_compare_how ub_blocks_how(const struct ub_session *s);

/* Compares src with region g from off, block by block (the region's erase
 * block; the last block of src may be short and is compared on its own
 * bytes).  flags: UB_DIGEST_FRESH when the answer must come from the
 * device now (verify).  With UB_BY_NOTHING every block is marked. */
int ub_blocks_compare(struct ub_session *s, const struct ub_region *g, uint64_t off,
		      const struct ub_src *src, unsigned flags, struct ub_compare *out,
		      struct ub_progress *p, struct ub_err *e);

void ub_compare_free(struct ub_compare *c);

#endif
