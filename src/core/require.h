/* An image set's requirements on the device, judged: the policy of
 * android-info.txt's lines (image/android_info.h reads them) once the
 * device's answers are known.  A variable the device does not report
 * never passes: the set cannot be shown to be for this device. */
#ifndef UB_REQUIRE_H
#define UB_REQUIRE_H

#include <stddef.h>

#include "image/android_info.h"

enum ub_req_verdict {
	UB_REQ_HOLDS = 0,
	UB_REQ_OTHER_PRODUCT = 1,   /* require-for-product: another product's */
	UB_REQ_FAILS = -1,          /* the device's value is not one asked for (or is one rejected) */
	UB_REQ_UNREPORTED = -2,     /* the device does not report the variable (or its product) */
};

/* product: the device's product, NULL when it does not say; value: its
 * value of r->var, NULL when it does not report it (said: what it
 * answered instead, or NULL).  why gets one sentence for any verdict. */
int ub_req_judge(const struct ub_req *r, const char *product, const char *value, const char *said,
		 char *why, size_t len);

/* Where the requirement is written, for messages:
 * "image-p.zip:android-info.txt line 2 (require board=p)". */
void ub_req_where(const struct ub_req *r, char *out, size_t len);

#endif
