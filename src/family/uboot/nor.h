/* CFI NOR behind U-Boot (`flinfo`, `protect`, `erase`, `cp.b`): memory-
 * mapped, so it is read in place, and erased in whole sectors before it
 * is written. */
#ifndef UB_FAMILY_UBOOT_NOR_H
#define UB_FAMILY_UBOOT_NOR_H

#include <stddef.h>

#include "base/err.h"
#include "family/region.h"
#include "family/uboot/console.h"

/* Before r's first erase: its erase blocks must be whole sectors as the
 * board's `flinfo` lists them, or `erase` would also wipe the bytes
 * beside a block that the image does not cover (a 64 KiB erase block on a
 * chip with 128 KiB sectors erases its neighbour too).  A mismatch is
 * UB_EUSAGE ("profile-invalid") naming the address and the sector size
 * there; a region outside every bank likewise.  A board whose flinfo
 * cannot be read is not refused: U-Boot's own erase is then the check. */
int ub_uboot_nor_check(struct ub_console *con, const struct ub_region *r,
		       struct ub_err *e);

/* What flinfo lists, for identify and the report: "CFI NOR 32768 KiB at
 * 0x0 (256 sectors), CFI NOR ..." ("" when it lists nothing readable).
 * Fails only when the console does. */
int ub_uboot_nor_describe(struct ub_console *con, char *buf, size_t len, struct ub_err *e);

#endif
