#include "family/uboot/block.h"

#include <stdio.h>
#include <string.h>

#define SCAN_IDLE_MS 60000   /* a USB or SATA scan waits for slow devices silently */

struct block_kind {
	const char *storage;
	/* Brings the bus up; NULL when `<kind> dev N` does it itself.
	 * U-Boot answers these with status 0 even when it finds nothing. */
	const char *bring_up;
	const char *missing;   /* "no %s %u found" names the device */
	const char *check;     /* the next step for the user */
};

static const struct block_kind kinds[] = {
	{ "virtio", "virtio scan", "virtio disk", "is the disk attached to the virtual machine?" },
	{ "usb", "usb start", "USB storage device", "is the stick plugged in?" },
	{ "scsi", "scsi scan", "SCSI/SATA disk", "is the disk connected and powered?" },
	{ "nvme", "nvme scan", "NVMe disk", "is the drive seated in its slot?" },
	/* `mmc dev N` re-initialises the card itself (cmd/mmc.c forces
	 * init_mmc_device); `mmc rescan` acts on the current device only,
	 * not chosen yet.  Tested on u-boot-sunxi in QEMU's orangepi-pc. */
	{ "mmc", NULL, "MMC/SD device", "is the card inserted?" },
};

/* struct ub_block_state keeps a bit and a slot per kind */
_Static_assert(sizeof kinds / sizeof kinds[0] <= sizeof ((struct ub_block_state *)0)->cur /
	       sizeof ((struct ub_block_state *)0)->cur[0], "ub_block_state.cur is too small");

static const struct block_kind *find(const char *storage, unsigned *idx)
{
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strcmp(kinds[i].storage, storage) == 0) {
			*idx = (unsigned)i;
			return &kinds[i];
		}
	return NULL;
}

int ub_uboot_block_kind(const char *storage)
{
	unsigned idx;

	return find(storage, &idx) != NULL;
}

int ub_uboot_block_select(struct ub_console *con, const struct ub_region *r,
			  struct ub_block_state *st, struct ub_err *e)
{
	struct ub_console_out out;
	const struct block_kind *k;
	char cmd[64], scan[128] = "", board[128] = "";
	unsigned idx, bit;
	int rc;

	if (!(k = find(r->storage, &idx)))
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "region %s: storage '%s' is not supported through U-Boot yet",
				  r->name, r->storage);
	bit = 1u << idx;
	if ((st->up & bit) && st->cur[idx] == r->dev + 1)
		return 0;
	if (k->bring_up && !(st->up & bit)) {
		if ((rc = ub_console_check(con, k->bring_up, SCAN_IDLE_MS, &out, e))) {
			ub_console_out_free(&out);
			return rc;
		}
		ub_console_last_line(&out, board, sizeof board);
		if (*board)
			snprintf(scan, sizeof scan, "%s: %s; ", k->bring_up, board);
		ub_console_out_free(&out);
		st->up |= bit;
	}
	snprintf(cmd, sizeof cmd, "%s dev %u", r->storage, r->dev);
	rc = ub_console_run(con, cmd, SCAN_IDLE_MS, NULL, NULL, &out, e);
	if (!rc && (out.status != 0 || ub_console_failure(&out, &(size_t){ 0 }))) {
		/* Scan again next time: the device may be plugged in by then. */
		st->up &= ~bit;
		st->cur[idx] = 0;
		ub_console_last_line(&out, board, sizeof board);
		rc = ub_err_set(e, UB_EFAIL, "storage-missing",
				"region %s: no %s %u found: %s (%s%s: %s)", r->name,
				k->missing, r->dev, k->check, scan, cmd, board);
	} else if (!rc) {
		st->up |= bit;   /* mmc: `mmc dev` is its own bring-up */
		st->cur[idx] = r->dev + 1;
	}
	ub_console_out_free(&out);
	return rc;
}
