/* The recovery workflow: the technician's checklist, enforced.
 *
 *   identify -> preflight -> backup -> check -> flash -> verify -> settings
 *   -> boot -> report
 *
 * Each step is a journal row.  The gates: nothing is written before a
 * verified backup exists (unless the user said --no-backup, which is
 * recorded); never an image that fails `check`; never a protected region
 * without --unlock naming it.  A case can be resumed: a backup that still
 * matches its manifest is not read again. */
#ifndef UB_RECOVER_H
#define UB_RECOVER_H

#include <jansson.h>

#include "base/err.h"
#include "base/progress.h"
#include "core/check.h"

struct ub_recover_opts {
	const char *image;
	const char *device;         /* spec */
	const char *profile;
	const char *region;         /* NULL: the profile's firmware region */
	const char *unlock;         /* protected regions the user allows: R, or R1,R2 */
	const char *backup_dir;     /* an earlier `unbrick backup`, instead of a new one */
	int trust_backup;           /* the device still holds what backup_dir says */
	int no_backup;
	int boot;                   /* reset and watch the first boot (recover) */
	int soak;                   /* seconds to watch after the boot; 0: none */
	long long resume_case;      /* 0: a new case */
	int force_attempt;          /* go on after the profile's failed attempts */
	int dry_run;                /* print the plan; touch nothing */
	int guide;                  /* a person at a terminal: show the checklist */
	int full_verify;            /* verify the whole region even after a verified write */
	int verify_only;            /* only compare image and region (verify) */
	int keep_settings;          /* leave config regions as the write left them */
	const char *restore_dir;    /* put regions back from this backup (restore) */
	const char *command;        /* "recover" or "flash", for the journal */
	/* write an image `check` calls unverified (no checksum or signature
	 * vouches for it); recorded in the journal */
	int allow_unverified;
	/* the image check's own options (digests, signature, versions) */
	struct ub_check_opts check;
	/* asks before the write; returns 1 to go on.  NULL: go on. */
	int (*confirm)(void *ctx, const char *region, const char *summary);
	void *confirm_ctx;
	/* unlock the device's bootloader before the write, which makes the
	 * device erase the owner's data: never without erase_user_data (the
	 * loss accepted in so many words, for scripts) or the person typing
	 * the phrase confirm_phrase asks for (NULL: nobody to ask).  --yes
	 * (confirm NULL) is not enough. */
	int unlock_bootloader;
	int erase_user_data;
	int (*confirm_phrase)(void *ctx, const char *question, const char *phrase);
};

/* Runs the workflow.  Returns 0 when every step succeeded; otherwise the
 * failing step's code (UB_EREFUSED for a gate).  *result gets a JSON
 * summary either way (case id, steps, blocks written/skipped, boot). */
int ub_recover_run(const struct ub_recover_opts *o, struct ub_progress *p,
		   json_t **result, struct ub_err *e);

#endif
