/* What U-Boot's `sf probe` says of the SPI NOR chip it found:
 *     SF: Detected w25q128bv with page size 256 Bytes, erase size 4 KiB, total 16 MiB
 * (drivers/mtd/spi; each size as lib/display_options.c's print_size()
 * writes it: "256 Bytes", "64 KiB", "1.5 MiB").  A size printed with a
 * fraction was rounded, so it is reported as unknown rather than guessed. */
#ifndef UB_UBOOT_SF_H
#define UB_UBOOT_SF_H

#include <stddef.h>
#include <stdint.h>

struct ub_sf_chip {
	char name[32];      /* as the driver names it; "" when not said */
	uint64_t page;      /* bytes; 0 when not said exactly */
	uint64_t erase;
	uint64_t size;
};

/* Finds the "SF: Detected" line in text (len bytes, NUL not needed) and
 * fills chip.  Returns 0, or -1 when there is no such line. */
int ub_sf_parse_probe(const char *text, size_t len, struct ub_sf_chip *chip);

#endif
