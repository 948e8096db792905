/* The list of checks one inspection made: each passes, fails, warns or does
 * not apply, and says why.  The list is the result users read. */
#ifndef UB_CHECKS_H
#define UB_CHECKS_H

#include <stddef.h>

#include "../base/err.h"

enum ub_verdict {
	UB_PASS,
	UB_FAIL,   /* a safety check said no: the image must not be flashed */
	UB_WARN,   /* worth reading, does not block */
	UB_NA,     /* did not apply (nothing to check against) */
};

struct ub_check {
	char name[48];          /* short stable id: "sha256", "uimage-data-crc" */
	enum ub_verdict verdict;
	const char *advice_id;  /* for failures and warnings; may be NULL */
	char why[320];          /* one sentence, facts with numbers */
	unsigned flags;         /* UB_CHECK_* */
};

/* A pass that vouches for every byte of the file checked: a digest or a
 * signature over all of it (not a CRC of one layer inside it). */
#define UB_CHECK_WHOLE_FILE 1u
/* Part of the image was not looked at (nesting too deep, bytes after a
 * stream, other candidate files): nothing can be called safe then. */
#define UB_CHECK_UNINSPECTED 2u

struct ub_checks {
	struct ub_check *v;
	size_t n, cap;
	int lost;  /* a check was dropped for lack of memory: never clean */
};

/* Appends a check; on allocation failure the check is dropped and the list
 * remembers it failed (ub_checks_worst reports UB_FAIL then). */
void ub_checks_add(struct ub_checks *c, const char *name, enum ub_verdict v,
		   const char *advice_id, const char *fmt, ...) UB_PRINTF(5, 6);

/* Sets flags on the check just added (after a check was dropped, nothing
 * happens: the list fails anyway). */
void ub_checks_flag(struct ub_checks *c, unsigned flags);

/* UB_FAIL if any failed, else UB_WARN if any warned, else UB_PASS (also for
 * an empty list). */
enum ub_verdict ub_checks_worst(const struct ub_checks *c);

/* The first check with this name, or NULL. */
const struct ub_check *ub_checks_find(const struct ub_checks *c,
				      const char *name);

const char *ub_verdict_name(enum ub_verdict v);

void ub_checks_free(struct ub_checks *c);

#endif
