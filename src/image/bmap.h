/* bmap files (bmaptool's block maps): which blocks of a disk image hold
 * data, with a checksum per range and one over the bmap file itself. */
#ifndef UB_BMAP_H
#define UB_BMAP_H

#include <stddef.h>
#include <stdint.h>

#include "checks.h"
#include "src.h"

struct ub_bmap_range {
	uint64_t first, last;     /* blocks, inclusive */
	uint8_t ck[64];
	int has_ck;
};

struct ub_bmap {
	char version[16];
	uint64_t image_size, blocks, mapped;
	uint32_t block_size;
	char cktype[16];           /* "sha256" or "sha1" */
	int file_ck_ok;            /* 1 match, 0 mismatch, -1 absent */
	struct ub_bmap_range *r;
	size_t n;
};

/* Parses and validates a bmap document (sizes, ordered ranges inside the
 * image, mapped count, the file's own checksum).  UB_EFORMAT with the
 * reason; the DOCTYPE and entities are refused. */
int ub_bmap_parse(const char *buf, size_t len, struct ub_bmap *out,
		  struct ub_err *e);
void ub_bmap_free(struct ub_bmap *b);

/* Checks image against the bmap at path: its size and every range's
 * checksum.  Adds a check "bmap" and returns 0; < 0 when the files cannot
 * be read. */
int ub_bmap_verify_image(const char *bmap_path, const struct ub_src *image,
			 struct ub_checks *checks, struct ub_err *e);

#endif
