/* Block storage behind U-Boot's console (virtio, usb, scsi, nvme, mmc):
 * each kind is one U-Boot command with the same dev/read/write verbs, and
 * a bus that must be brought up once before its first use. */
#ifndef UB_FAMILY_UBOOT_BLOCK_H
#define UB_FAMILY_UBOOT_BLOCK_H

#include "base/err.h"
#include "family/region.h"
#include "proto/uboot_console.h"

/* 1 when storage names a block storage kind U-Boot reads with
 * `<kind> read`, else 0. */
int ub_uboot_block_kind(const char *storage);

/* Makes r's device the current one of its kind (`<kind> dev N`), bringing
 * the bus up first when the bit of this kind in *up is clear (`usb start`,
 * `scsi scan`, ...).  *up belongs to the caller: clear it when the board
 * resets.  A missing device fails with UB_EFAIL and a message naming what
 * to check ("no USB storage device 0 found: is the stick plugged in?"). */
int ub_uboot_block_select(struct ub_console *con, const struct ub_region *r,
			  unsigned *up, struct ub_err *e);

#endif
