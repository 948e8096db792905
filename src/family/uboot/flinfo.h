/* What U-Boot's `flinfo` says of its CFI NOR banks (drivers/mtd/cfi_flash.c,
 * flash_print_info):
 *     Bank # 1: CFI conformant flash (32 x 16)  Size: 64 MB in 256 Sectors
 *       ...
 *       Sector Start Addresses:
 *       00000000   RO   00020000   RO   00040000        00060000
 * The size is "N MB" or "N kB"; each sector start may be followed by "RO"
 * (protected) or "E" (erased).  `erase` works in whole sectors, so these
 * are the only boundaries a write may start or end on without erasing
 * bytes beside it. */
#ifndef UB_UBOOT_FLINFO_H
#define UB_UBOOT_FLINFO_H

#include <stddef.h>
#include <stdint.h>

#define UB_FLINFO_BANKS 8

struct ub_flinfo {
	struct ub_flinfo_bank {
		uint64_t base, size;   /* base: the first sector's start */
		uint64_t *start;       /* each sector's start, ascending */
		size_t n;
	} bank[UB_FLINFO_BANKS];
	size_t nbanks;
};

/* Parses flinfo's output (len bytes, NUL not needed).  Returns 0 with at
 * least one bank whose sector list is whole (as many starts as it says,
 * ascending, inside its size); -1 otherwise, with nothing to free.  Banks
 * U-Boot reports missing are left out. */
int ub_flinfo_parse(const char *text, size_t len, struct ub_flinfo *out);
void ub_flinfo_free(struct ub_flinfo *f);

/* Whether len bytes at addr, erased and written eb bytes at a time, keep
 * to whole sectors: every block starts on a sector start and ends on a
 * sector boundary of the same bank.  0 when they do; -1 with the first
 * address that does not (*bad) and the size of the sector there (*sector,
 * 0 when addr is in no bank). */
int ub_flinfo_fits(const struct ub_flinfo *f, uint64_t addr, uint64_t len,
		   uint64_t eb, uint64_t *bad, uint64_t *sector);

#endif
