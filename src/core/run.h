/* What one run of the workflow knows, step to step: typed, written by the
 * step that learns it and read by the ones after (the workflow's private
 * header; recover.c runs the steps, steps_*.c are the steps). */
#ifndef UB_RUN_H
#define UB_RUN_H

#include <jansson.h>

#include "core/flash.h"
#include "core/gates.h"
#include "core/image_copy.h"
#include "core/journal.h"
#include "core/lock.h"
#include "core/recover.h"
#include "core/session.h"

struct run {
	const struct ub_recover_opts *o;
	struct ub_journal *j;
	struct ub_case c;
	struct ub_lock case_lock;
	struct ub_session s;          /* planned first; the device opens in identify */
	struct ub_identity id;
	struct ub_progress *root;
	json_t *res;                  /* the result object the caller gets */
	int log_fd;

	struct ub_image img;          /* the image, taken once (have_image) */
	int have_image;
	struct ub_gates gates;        /* the target region, the image's checks */

	char backup[4200];            /* the verified backup of this unit ("" none) */
	char image_version[64];       /* what the checked image says it is */
	int flashed;                  /* the flash step ran to its end */
	struct ub_flash_result fr;
	int unverified;               /* something was written and could not be verified */
	int verified;                 /* the last write was compared with the device */

	/* an image set (gates.have_set): the image its step works on, and
	 * which were found written already (a resumed case) */
	size_t set_at;
	unsigned char set_done[UB_IMGSET_MAX];
	int set_confirmed;
};

/* A step of the workflow: a record, run in table order by recover.c. */
struct ub_step {
	const char *name;
	const char *why;       /* one line, shown before it runs */
	double weight;         /* of the whole run's progress */
	unsigned commands;     /* enum ub_command bits: where it belongs */
	int attempt;           /* a failure after its gates counts as a failed attempt */
	/* whether this run takes it (NULL: always, for its commands) */
	int (*wanted)(const struct run *r);
	/* 0 ok, 1 skipped, 2 unverifiable, or a negative code */
	int (*run)(struct run *r, struct ub_progress *p, json_t *detail, struct ub_err *e);
};

enum ub_command {
	UB_CMD_RECOVER = 1u << 0,
	UB_CMD_FLASH = 1u << 1,
	UB_CMD_VERIFY = 1u << 2,
	UB_CMD_RESTORE = 1u << 3,
};
#define UB_CMD_WRITES (UB_CMD_RECOVER | UB_CMD_FLASH)

/* The steps (steps_*.c). */
int ub_step_check(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_identify(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_preflight(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_backup(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_loader(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_flash(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_verify(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_restore(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_settings(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_boot(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_unlock(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
/* An image set's (steps_set.c): its requirements against the device, and,
 * for the image r->set_at, its write and the restart after it. */
int ub_step_requirements(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_set_write(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);
int ub_step_set_restart(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e);

/* A step's return for "done, and unverifiable". */
#define UB_STEP_RC_UNVERIFIABLE 2

#endif
