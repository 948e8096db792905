/* Policy: is this image meant for this device, and may it replace what is
 * installed?  Compares what the image claims (ub_image_meta) with what the
 * device is (a profile, or model/revision/region given by the user). */
#ifndef UB_COMPAT_H
#define UB_COMPAT_H

#include "core/profile.h"
#include "image/checks.h"
#include "image/meta.h"

struct ub_target {
	const char *model;              /* NULL: take the profile's models */
	const char *revision;
	const char *region;
	const struct ub_profile *profile;  /* may be NULL */
	const char *installed_version;  /* NULL: no version policy */
	int allow_older;
};

/* Adds checks "model", "revision" and "region". */
void ub_compat_check(const struct ub_image_meta *meta,
		     const struct ub_target *t, struct ub_checks *checks);

/* Adds check "version": refuses an older image unless allow_older. */
void ub_version_gate(const struct ub_image_meta *meta,
		     const struct ub_target *t, struct ub_checks *checks);

/* 1 when two model strings name the same board: equal ignoring case, or
 * equal once a "vendor," prefix is dropped from either side (OpenWrt's
 * supported_devices use both forms). */
int ub_model_match(const char *a, const char *b);

#endif
