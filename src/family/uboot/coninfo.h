/* `coninfo` lists the board's console devices and which of them is stdin,
 * stdout and stderr:
 *     List of available devices:
 *     serial   00000003 IO stdin stdout stderr
 *     nc       00000003 IO
 * (older U-Boots print "SIO" and ".IO" in the flags column).  The
 * netconsole is the device named "nc". */
#ifndef UB_UBOOT_CONINFO_H
#define UB_UBOOT_CONINFO_H

#include <stddef.h>

struct ub_coninfo {
	int has_nc;          /* a device named "nc" is listed */
	char stdout_dev[32]; /* the device the console writes to; "" when none is marked */
	char other_in[32];   /* an input device besides nc: nulldev when listed (it never
			      * has input), else the first; "" when none */
};

/* Parses coninfo's output; lines that are not device lines are skipped.
 * Returns 0, or -1 when no device line was found at all. */
int ub_coninfo_parse(const char *text, size_t len, struct ub_coninfo *out);

#endif
