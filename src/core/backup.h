/* Backups: every readable region of a device, one file each, with a
 * manifest of their SHA-256s.  A backup is complete or it is not there:
 * each file appears by rename after it was read and cross-checked, and the
 * manifest appears last. */
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
	char serial[64], firmware_version[64];
};

/* Reads the regions (all readable ones when only is NULL) into dir (made
 * if missing) and writes dir/manifest.json.  The device must be at its
 * recovery prompt already. */
int ub_backup_run(struct ub_session *s, const char *dir, const char *only,
		  const struct ub_identity *id, struct ub_backup *out,
		  struct ub_progress *p, struct ub_err *e);

/* How the device's reads came ("read_via": console, netconsole, ...,
 * "asked_again": bytes lost on the way and read again), into obj: a
 * backup step's record. */
void ub_backup_describe_reads(const struct ub_session *s, json_t *obj);

/* Loads dir/manifest.json and re-hashes every file against it: a backup
 * that does not verify is refused ("backup-damaged"). */
int ub_backup_verify(const char *dir, struct ub_backup *out, struct ub_err *e);

const struct ub_backup_entry *ub_backup_find(const struct ub_backup *b,
					     const char *region);

void ub_backup_free(struct ub_backup *b);

#endif
