/* android-info.txt: what an Android update zip requires of the device
 * before its images may be written, a requirement a line, read as AOSP's
 * fastboot reads it (fastboot.cpp, ParseRequirementLine):
 *
 *   require board=sargo                      board means the variable product
 *   require version-bootloader=b4s4-0.1|b4s4-0.2-*
 *   require-for-product:sargo version-baseband=g670-00011
 *   require partition-exists=vendor_boot
 *   reject version-bootloader=b4s4-0.0-*     the device must be none of these
 *   version-baseband=g670                    "require" may be left out
 *
 * Values are alternatives split by '|', trimmed; one ending in '*' stands
 * for every value that starts so.  The old names baseband and bootloader
 * are version-baseband and version-bootloader.  AOSP's client skips a
 * line it cannot read (with a warning); here such a line refuses the file:
 * a requirement misspelt must not vanish.  Empty lines and lines starting
 * with '#' are skipped. */
#ifndef UB_ANDROID_INFO_H
#define UB_ANDROID_INFO_H

#include <stddef.h>

#include "base/err.h"

#define UB_REQ_VALUES 16
#define UB_REQ_MAX 64           /* requirements in one file */
#define UB_ANDROID_INFO_MAX 65536   /* bytes of the file */

struct ub_req {
	unsigned line;           /* in its file, from 1; 0: made from a file name */
	char from[160];          /* where: "image-x.zip:android-info.txt", or the file whose name it is */
	char text[200];          /* the line as written (cut), for messages */
	char var[64];            /* the device variable */
	char product[64];        /* require-for-product: only on this product; "" every one */
	int reject;              /* the value must be none of values */
	int exists;              /* partition-exists: values[0] is the partition */
	int nocase;              /* compared ignoring case (a version from a file name) */
	char values[UB_REQ_VALUES][96];
	unsigned nvalues;
	long after;              /* the set's image that brings it about: checked after that image
				  * is written and the device restarted; -1: before anything */
};

struct ub_reqs {
	struct ub_req *v;
	size_t n;
};

/* Parses len bytes of text (from names the file in messages and in each
 * requirement).  Appends to out (which may hold requirements already).
 * UB_EFORMAT with advice "imgset-invalid" naming the line: one that is no
 * requirement, a name or value too long, more than UB_REQ_VALUES values
 * or UB_REQ_MAX requirements, a NUL byte, a file over
 * UB_ANDROID_INFO_MAX. */
int ub_android_info_parse(const char *text, size_t len, const char *from, struct ub_reqs *out,
			  struct ub_err *e);

/* Whether the device's value satisfies r's values (not its reject: see
 * ub_req_holds): equal to one, or starting with one that ends in '*'. */
int ub_req_value_matches(const struct ub_req *r, const char *value);

/* "require version-bootloader=a|b", from the parsed fields (for requirements
 * that were not a line). */
void ub_req_describe(const struct ub_req *r, char *out, size_t len);

void ub_reqs_free(struct ub_reqs *r);

#endif
