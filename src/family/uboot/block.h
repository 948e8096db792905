/* Block storage behind U-Boot's console (virtio, usb, scsi, nvme, mmc):
 * each kind is one U-Boot command with the same dev/read/write verbs, and
 * a bus that must be brought up once before its first use. */
#ifndef UB_FAMILY_UBOOT_BLOCK_H
#define UB_FAMILY_UBOOT_BLOCK_H

#include <string.h>

#include "base/err.h"
#include "family/region.h"
#include "family/uboot/console.h"

/* 1 when storage names a block storage kind U-Boot reads with
 * `<kind> read`, else 0. */
int ub_uboot_block_kind(const char *storage);

/* What this session knows of the board's block buses: which kinds are
 * up, and each kind's current device.  It belongs to the caller: forget
 * it when the board resets, or when a block command fails. */
struct ub_block_state {
	unsigned up;        /* bit per kind: bus brought up */
	unsigned cur[8];    /* per kind: current device + 1; 0 = not known */
};

static inline void ub_uboot_block_forget(struct ub_block_state *st)
{
	memset(st, 0, sizeof *st);
}

/* Makes r's device the current one of its kind (`<kind> dev N`), bringing
 * the bus up first when it is not (`usb start`, `scsi scan`, ...).  Each
 * is said once per session: a device already current costs nothing (two
 * commands per block written were a quarter of a whole flash's time).
 * A missing device fails with UB_EFAIL and a message naming what to check
 * ("no USB storage device 0 found: is the stick plugged in?"). */
int ub_uboot_block_select(struct ub_console *con, const struct ub_region *r,
			  struct ub_block_state *st, struct ub_err *e);

#endif
