/* Backups: every readable region of a device, one file each, with a
 * manifest of their SHA-256s.  A backup is complete or it is not there:
 * each file appears by rename after it was read and cross-checked, and the
 * manifest appears last.  A backup belongs to one unit: its manifest says
 * who it was read from (identify's words, and a fingerprint of the
 * device), and a backup another unit's device does not match is never
 * restored onto it nor trusted as a write reference. */
#ifndef UB_BACKUP_H
#define UB_BACKUP_H

#include <stdint.h>

#include "core/session.h"

struct ub_backup_entry {
	char region[32];
	char file[64];       /* relative to the backup folder */
	char sha256[65];
	uint64_t offset, size;
};

struct ub_backup {
	struct ub_backup_entry *v;
	size_t n;
	/* Who the backup was read from, as its manifest says ("" when it
	 * does not): restoring settings checks them. */
	char serial[64], firmware_version[64], model[64];
	int complete;         /* every readable region of its profile */
	char fingerprint[65]; /* sha256 over every region's sha256, in order */
};

/* How ub_backup_run treats the folder. */
enum {
	UB_BACKUP_NEW = 0,       /* the folder must be missing or empty */
	UB_BACKUP_REPLACE = 1,   /* an earlier backup there may be replaced */
};

/* Reads the regions (all readable ones when only is NULL) into dir (made
 * if missing) and writes dir/manifest.json.  The device must be at its
 * recovery prompt already.  how: UB_BACKUP_NEW refuses a folder that holds
 * anything ("backup-exists"); UB_BACKUP_REPLACE may overwrite. */
int ub_backup_run(struct ub_session *s, const char *dir, const char *only, int how,
		  const struct ub_identity *id, struct ub_backup *out,
		  struct ub_progress *p, struct ub_err *e);

/* How the device's reads came ("read_via": console, netconsole, ...,
 * "asked_again": bytes lost on the way and read again), into obj: a
 * backup step's record. */
void ub_backup_describe_reads(const struct ub_session *s, json_t *obj);

/* Loads dir/manifest.json and re-hashes every file against it: a backup
 * that does not verify is refused ("backup-damaged").  With a map, it must
 * also be complete for it: every readable region there, each file exactly
 * its region's size ("backup-incomplete"). */
int ub_backup_verify(const char *dir, const struct ub_flash_map *map, struct ub_backup *out,
		     struct ub_err *e);

/* Whether the backup in dir is this unit's: the unit's identity (model,
 * serial) where both sides know it, and the regions that tell units apart
 * compared on the device with the backup's files (those unique to a unit:
 * calibration and factory data; else every region but the firmware and
 * the settings), except those in skip (being written or put back;
 * NULL-terminated, may be NULL).  1 when it matches, 0 when not or when
 * nothing can tell (why says which), < 0 on error. */
int ub_backup_same_unit(struct ub_session *s, const struct ub_identity *id, const char *dir,
			const struct ub_backup *b, const char *const *skip, char *why,
			size_t len, struct ub_err *e);

const struct ub_backup_entry *ub_backup_find(const struct ub_backup *b,
					     const char *region);

void ub_backup_free(struct ub_backup *b);

#endif
