/* Diagnosis: from what the technician saw (symptoms) and what the device
 * printed (a console log) to the recovery path to take, with the reasons.
 * The rules are data: the general ones (diagnose_rules.c), each family's
 * own (in its folder), and more in a profile's "diagnose" array, in the
 * same shape. */
#ifndef UB_DIAGNOSE_H
#define UB_DIAGNOSE_H

#include <stddef.h>

#include <jansson.h>

#include "base/err.h"
#include "family/family.h"

/* The way out, from the gentlest to the last resort. */
enum ub_path {
	UB_PATH_UNKNOWN = 0,   /* not enough to go on: look at the console */
	UB_PATH_CONSOLE,       /* the bootloader works: recover through it */
	UB_PATH_PROGRAMMER,    /* no bootloader: the chip on a programmer clip */
	UB_PATH_HARDWARE,      /* the fault is not in the firmware: stop */
};

const char *ub_path_name(enum ub_path p);   /* "console", "programmer", ... */

/* The rules that belong to no family (the kernel's, any board's);
 * families add theirs (struct ub_family.rules).  Ends with id NULL. */
extern const struct ub_diag_rule ub_diag_rules[];

struct ub_finding {
	char id[48];
	enum ub_path path;
	unsigned count;        /* lines that matched */
	unsigned line;         /* first match, 1-based */
	double interval;       /* seconds between matches when the log has
				  time stamps, else < 0 */
	char evidence[200];    /* the matching line, or its group 1 */
	char finding[256];
	char advice[384];
	int note;              /* from a rule marked note: not a fault */
};

struct ub_diagnosis {
	struct ub_finding *v;
	size_t n;
	enum ub_path path;
	char verdict[512];     /* the path in one sentence, with the reason */
	unsigned lines;        /* of the log */
	int bootloader_seen;   /* the log shows a bootloader talking */
};

/* Symptom ids the technician can give (--symptom), NULL-terminated. */
extern const char *const ub_symptoms[];

/* Analyses the log (may be NULL: symptoms only) with the built-in rules
 * and the profile's extra rules (its "diagnose" array; may be NULL), and
 * the symptoms (ids from ub_symptoms, or "led:TEXT").  Fails only on bad
 * rules or symptoms (UB_EUSAGE / UB_EFORMAT naming them) or memory. */
int ub_diagnose(const char *log, size_t len, const json_t *profile,
		const char *const *symptoms, size_t nsymptoms,
		struct ub_diagnosis *out, struct ub_err *e);

json_t *ub_diagnosis_json(const struct ub_diagnosis *d);

void ub_diagnosis_free(struct ub_diagnosis *d);

#endif
