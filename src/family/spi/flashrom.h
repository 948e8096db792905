/* A SPI flash chip behind a programmer, through libflashrom: flashrom knows
 * the chips and the programmers; this layer turns its calls into ranges,
 * errors with advice, and a chip description.  One chip open at a time
 * (libflashrom keeps global state and one log callback). */
#ifndef UB_SPI_FLASHROM_H
#define UB_SPI_FLASHROM_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct ub_chip;

struct ub_chip_info {
	char vendor[64];
	char name[64];
	uint64_t size;
	char programmer[64];
};

/* Opens programmer (flashrom's name: "ch341a_spi", "dummy", ...) with its
 * parameters ("emulate=W25Q128FV,image=F"; may be empty) and probes the
 * chip; chip_name (flashrom's -c) may be NULL.  No chip, several matching
 * chip definitions, or a programmer that does not start each get their own
 * error with advice; a programmer libflashrom does not know by that name
 * is a usage error naming the near one. */
int ub_chip_open(struct ub_chip **out, const char *programmer,
		 const char *params, const char *chip_name, struct ub_err *e);

/* The programmers this libflashrom knows, as "internal, dummy, ..." into
 * out; returns how many (0 when it would not say).  libflashrom 1.3 has
 * no call for the list: it names them when asked for one it does not
 * know, which starts nothing. */
size_t ub_chip_programmers(char *out, size_t len);

const struct ub_chip_info *ub_chip_info(const struct ub_chip *c);

/* Reads [off, off+len) into buf (len bytes). */
int ub_chip_read(struct ub_chip *c, uint64_t off, uint64_t len, uint8_t *buf,
		 struct ub_err *e);

/* A range to write: [off, off+len). */
struct ub_chip_range {
	uint64_t off, len;
};

/* Writes the ranges of want (a whole-chip image) with have (a whole-chip
 * image: the chip's current contents) as flashrom's reference, so nothing
 * is read first and erase blocks already right are left alone.  No
 * verification here: the caller reads back what it needs. */
int ub_chip_write(struct ub_chip *c, const struct ub_chip_range *ranges,
		  size_t n, const uint8_t *want, const uint8_t *have,
		  struct ub_err *e);

/* 1 when the chip's write protection covers part of [off, off+len), 0 when
 * not or when the chip cannot tell; the protected range goes to *wp_off,
 * *wp_len. */
int ub_chip_protected(struct ub_chip *c, uint64_t off, uint64_t len,
		      uint64_t *wp_off, uint64_t *wp_len);

/* The chip's own FMAP (coreboot's flash map), found and parsed by
 * libflashrom with a few small reads.  Returns 0 and the range of area
 * name, 1 when the FMAP has no such area, 2 when the chip has no FMAP. */
int ub_chip_fmap_area(struct ub_chip *c, const char *name, uint64_t *off,
		      uint64_t *len);

void ub_chip_close(struct ub_chip *c);

#endif
