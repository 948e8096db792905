/* Restoring regions from a backup.  The rule for the owner's settings is
 * cautious by default: settings written by firmware 1.x may mean something
 * else to 2.x (a renamed key, a changed layout), and a wrong restore can
 * leave a repaired device unreachable.  So they go back on their own only
 * when the profile says the new firmware reads them, and never onto
 * another unit (its MAC addresses and keys are in there). */
#include "restore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/flash.h"
#include "core/version.h"
#include "image/src.h"

int ub_region_compare(struct ub_session *s, const struct ub_region *g, const char *path,
		      unsigned *blocks, unsigned *mismatched, json_t *d, struct ub_err *e)
{
	struct ub_compare c;
	struct ub_src src;
	int rc;

	*blocks = *mismatched = 0;
	if (ub_blocks_how(s) == UB_BY_NOTHING)
		return 1;
	if ((rc = ub_src_open(&src, path, e)))
		return rc;
	rc = ub_blocks_compare(s, g, 0, &src, UB_DIGEST_FRESH, &c, NULL, e);
	ub_src_close(&src);
	if (rc)
		return rc;
	*blocks = (unsigned)c.set.count;
	*mismatched = (unsigned)c.mismatched;
	if (d) {
		json_object_set_new(d, "blocks", json_integer(*blocks));
		json_object_set_new(d, "mismatched", json_integer(*mismatched));
		json_object_set_new(d, "compared_by", json_string(ub_compare_how_id(c.how)));
	}
	ub_compare_free(&c);
	return 0;
}

int ub_restore_region(struct ub_session *s, const struct ub_region *g, const char *path,
		      struct ub_progress *p, json_t *d, struct ub_err *e)
{
	struct ub_flash_result fr;
	enum ub_verified v;
	struct ub_src src;
	int rc;

	if ((rc = ub_src_open(&src, path, e)))
		return rc;
	rc = ub_flash_region(s, g, &src, &fr, p, NULL, e);
	json_object_set_new(d, "blocks_written", json_integer(fr.ws.blocks_written));
	json_object_set_new(d, "blocks_skipped", json_integer(fr.ws.blocks_skipped));
	if (!rc)
		rc = ub_verify_region(s, g, &src, &v, NULL, d, e);
	ub_src_close(&src);
	return rc;
}

int ub_restore_allowed(const struct ub_restore_facts *f, char *why, size_t len)
{
	const char *from = f->backup_version && *f->backup_version ? f->backup_version : NULL;
	const char *to = f->new_version && *f->new_version ? f->new_version : NULL;
	int same;

	if (f->backup_serial && *f->backup_serial && f->device_serial && *f->device_serial &&
	    strcmp(f->backup_serial, f->device_serial) != 0) {
		snprintf(why, len, "the backup is from unit %.64s and this is unit %.64s",
			 f->backup_serial, f->device_serial);
		return 0;
	}
	switch (f->rule) {
	case UB_RESTORE_ANY:
		snprintf(why, len, "the profile says every firmware reads these settings");
		return 1;
	case UB_RESTORE_NEVER:
		snprintf(why, len, "the profile says these settings go back only by hand");
		return 0;
	default:
		break;
	}
	if (!from || !to) {
		snprintf(why, len, "%s is unknown, so the profile's rule (%s) cannot be checked",
			 !from ? "the firmware the backup was read under" : "the new firmware's version",
			 ub_restore_rule_name(f->rule));
		return 0;
	}
	if (f->rule == UB_RESTORE_SAME_VERSION) {
		same = ub_version_cmp(from, to) == 0;
		snprintf(why, len, "the backup is from firmware %.64s and the new one is %s%.64s (the profile restores only onto the same version)",
			 from, same ? "the same, " : "", to);
		return same;
	}
	same = ub_version_same_major(from, to);
	if (same < 0)
		snprintf(why, len, "firmware %.64s and %.64s have no major version to compare (profile rule same-major)",
			 from, to);
	else
		snprintf(why, len, "the backup is from firmware %.64s and the new one, %.64s, has %s major version",
			 from, to, same ? "the same" : "another");
	return same == 1;
}
