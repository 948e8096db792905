/* The gates: what may not be written, decided once and used by the plan
 * (--dry-run), and the run.  Everything decidable without the device (the
 * region, the unlock, the image's checks, its size, the family's own
 * rules for a write, a loader the family cannot run) is decided before the
 * device is reached, so a mistake costs seconds, not a backup over a
 * serial line.  What needs the device (its model, its installed version)
 * is decided right after identify, still before anything is read or
 * written. */
#ifndef UB_GATES_H
#define UB_GATES_H

#include <jansson.h>

#include "core/check.h"
#include "core/recover.h"
#include "core/session.h"

/* The workflow's view of one image of a set, once its gates ran. */
struct ub_set_gate {
	const struct ub_region *region;   /* where it goes (NULL: the profile has none) */
	char sha256[65];                  /* of its bytes, as checked */
	char layers[64];                  /* what it is ("sparse", "raw") */
};

struct ub_gates {
	const struct ub_region *target;   /* NULL for restore and for an image set */
	struct ub_check_result cr;        /* the image's checks (have_check): a set's archive */
	int have_check;
	json_t *refusals;                 /* [{"gate", "message", "advice", "code"}]: all, for the plan */
	struct ub_err first;              /* the first refusal */
	/* The family read the image as a set (have_set): each image is
	 * gated as if written alone into its region, vouched for by the
	 * archive's own checks. */
	int have_set;
	struct ub_imgset set;
	struct ub_set_gate *items;        /* one per image of the set */
	json_t *set_checks;               /* per image: {image, region, sha256, bytes, layers, verdict} */
};

/* Whether --unlock allows writing region name: it names it in full (one
 * region, or several split by commas: a set's bootloader and radio). */
int ub_unlocks(const char *unlock, const char *name);

/* Runs the gates that need no device on a planned session.  image is the
 * open image (NULL when the command writes none: restore).  A family that
 * reads it as an image set gets it gated as one (have_set).  Returns 0, or
 * the first refusal (UB_EREFUSED, or UB_EUSAGE for a name that does not
 * exist) with e set; every refusal is listed in g->refusals either way. */
int ub_gates_before_device(const struct ub_session *s, const struct ub_recover_opts *o,
			   const struct ub_src *image, struct ub_gates *g,
			   struct ub_progress *p, struct ub_err *e);

/* The image against the device now known: its model, its installed
 * version (the check's compatibility and version policy again, with
 * identify's words). */
int ub_gates_device(const struct ub_gates *g, const struct ub_recover_opts *o,
		    const struct ub_identity *id, const struct ub_profile *profile,
		    json_t *detail, struct ub_err *e);

void ub_gates_free(struct ub_gates *g);

#endif
