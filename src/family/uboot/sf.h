/* SPI NOR behind U-Boot's `sf` command: the chip is probed once per
 * session (`sf probe CS`), read into RAM by byte offset (`sf read`), and
 * erased in whole erase blocks before it is written (`sf erase`,
 * `sf write`).  A region's "dev" is the chip select on the board's
 * default SPI bus. */
#ifndef UB_FAMILY_UBOOT_SF_H
#define UB_FAMILY_UBOOT_SF_H

#include <string.h>

#include "base/err.h"
#include "family/region.h"
#include "family/uboot/console.h"
#include "family/uboot/sf_probe.h"

/* What this session knows of the SPI flash.  It belongs to the caller:
 * forget it when the board resets, or when an sf command fails. */
struct ub_sf_state {
	unsigned cs;              /* chip select probed + 1; 0 = none yet */
	struct ub_sf_chip chip;   /* what the probe reported */
};

static inline void ub_uboot_sf_forget(struct ub_sf_state *st)
{
	memset(st, 0, sizeof *st);
}

/* Probes r's chip unless it is the one probed already, then checks r
 * against what the chip reported: a region past the chip's end, or erase
 * blocks that are not whole multiples of the chip's, fail before anything
 * is read or erased (UB_EUSAGE, "profile-invalid").  No chip answering is
 * UB_EFAIL ("sf-missing"); a U-Boot without `sf` says so ("sf-unsupported"). */
int ub_uboot_sf_select(struct ub_console *con, const struct ub_region *r,
		       struct ub_sf_state *st, struct ub_err *e);

/* What the probe found, for identify and the report: "SPI NOR w25q128bv,
 * 16384 KiB, 4 KiB erase blocks, chip select 0" (sizes the board printed
 * rounded are left out).  "" when nothing was probed. */
void ub_uboot_sf_describe(const struct ub_sf_state *st, char *buf, size_t len);

#endif
