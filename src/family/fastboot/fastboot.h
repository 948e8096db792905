/* The fastboot family's parts, private to src/family/fastboot/. */
#ifndef UB_FAMILY_FASTBOOT_H
#define UB_FAMILY_FASTBOOT_H

#include <stdint.h>

#include "family/family.h"
#include "io/stream.h"
#include "proto/fastboot.h"

#define UB_FB_VAR_TIMEOUT_MS 5000   /* getvar and other quick commands */

/* What identify learnt of one region's partition. */
enum ub_fbpart {
	UB_FBPART_UNKNOWN = 0,   /* not asked, or the device has no partition-size */
	UB_FBPART_OK,            /* there, of the profile's size */
	UB_FBPART_MISSING,       /* the device says it has no such partition */
};

struct ub_device {
	struct ub_device_spec spec;
	const struct ub_flash_map *map;
	const json_t *profile;
	struct ub_fb fb;             /* fb.t NULL while not connected */
	int wait_ms;                 /* for the device to answer at all */
	int timeout_ms;              /* for a flash or an erase */
	uint64_t max_download;       /* the device's max-download-size; 0: not said */
	uint64_t max_piece;          /* max_download= of the spec (fastboot -S); 0: none */
	int locked;                  /* 1 locked, 0 unlocked, -1 not said */
	int identified;
	int told_missing;            /* the variables it lacks were said once */
	unsigned *part;              /* enum ub_fbpart per region of the map */
	char part_why[64][96];       /* the device's words for a missing one */
	char part_name[64][48];      /* the partition asked (with its slot's suffix) */
	char slot[8];                /* slot= of the spec: a, b, all, other; "" none */
	int set_active;              /* set_active=on: the slot written becomes the active one */
	char current_slot[8];        /* what the device says, without '_'; "" not said */
	int log_fd;
	struct ub_stream *console;   /* the board's console for the boot check, once rebooted */
	double reboot_at;
	struct ub_write_stats ws;
};

/* Connects when not connected (waiting up to wait_ms for the device). */
int ub_fbdev_connect(struct ub_device *d, struct ub_err *e);
void ub_fbdev_disconnect(struct ub_device *d);

/* A line to the case's log (and INFO lines from the device). */
void ub_fbdev_log(struct ub_device *d, const char *fmt, ...) UB_PRINTF(2, 3);

int ub_fbdev_identify(struct ub_device *d, struct ub_identity *id, struct ub_err *e);
int ub_fbdev_write(struct ub_device *d, const struct ub_region *r, uint64_t off,
		   const struct ub_src *src, const struct ub_blockset *todo,
		   struct ub_progress *p, struct ub_err *e);
int ub_fbdev_reboot(struct ub_device *d, struct ub_err *e);
int ub_fbdev_boot_check(struct ub_device *d, const char *expect, struct ub_boot_report *out,
			struct ub_err *e);
/* Image sets and the lock (set.c). */
int ub_fbdev_image_set(const struct ub_src *src, const char *tmpdir, struct ub_imgset *set,
		       struct ub_err *e);
int ub_fbdev_variable(struct ub_device *d, const char *name, char *out, size_t len, struct ub_err *e);
int ub_fbdev_restart(struct ub_device *d, struct ub_err *e);
int ub_fbdev_locked(struct ub_device *d, struct ub_err *e);
int ub_fbdev_unlock(struct ub_device *d, struct ub_err *e);
int ub_fbdev_list(void (*found)(void *ctx, const struct ub_found *f), void *ctx,
		  struct ub_err *e);

/* The partition suffixes a write goes to (slot=): "" without slots,
 * "_a" or "_b", both for all, the one not current for other.  Returns
 * their count, or UB_EREFUSED when other is asked of a device that does
 * not say its current slot. */
int ub_fbdev_slots(const struct ub_device *d, char out[2][4], struct ub_err *e);

/* "0x04000000", "67108864" (as getvar answers sizes) -> bytes; -1 when
 * not a number. */
int ub_fbdev_parse_size(const char *s, uint64_t *out);

#endif
