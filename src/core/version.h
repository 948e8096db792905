/* Firmware version comparison: semantic versions and dotted vendor
 * versions ("1.10" > "1.9", "v2.0.1", "21.02.3", "1.0.0-rc1" < "1.0.0",
 * "V1.0.0.38_1.0.17"). */
#ifndef UB_VERSION_H
#define UB_VERSION_H

/* Returns <0, 0, >0 like strcmp. */
int ub_version_cmp(const char *a, const char *b);

/* 1 when s holds at least one digit (something comparable). */
int ub_version_comparable(const char *s);

/* 1 when both versions start with the same number (the major version:
 * "2.1" and "v2.9-rc1"), 0 when they start with different numbers, -1 when
 * either does not start with a number. */
int ub_version_same_major(const char *a, const char *b);

#endif
