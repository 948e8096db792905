/* The workflow's steps that decide and change what the device holds: the
 * image's check (the gates that need no device), the write, the verify,
 * putting regions back from a backup, and the owner's settings. */
#include "run.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/interrupt.h"
#include "base/say.h"
#include "core/backup.h"
#include "core/restore.h"

/* Whether the image set writes region g (the set's image is what the
 * owner asked for there, not the backup's). */
static int set_writes(const struct run *r, const struct ub_region *g)
{
	size_t k;

	for (k = 0; r->gates.have_set && k < r->gates.set.n; k++)
		if (r->gates.items[k].region == g)
			return 1;
	return 0;
}

/* What an image set holds, in the order it is written. */
static void describe_set(struct run *r, json_t *d)
{
	const struct ub_imgset *set = &r->gates.set;
	size_t k;

	ub_say("  an image set (%s) of %zu image%s, written in this order:\n", set->kind, set->n, set->n == 1 ? "" : "s");
	for (k = 0; k < set->n; k++)
		ub_say("    %zu. %-12s %.200s (%llu bytes)%s\n", k + 1, set->v[k].part, set->v[k].entry,
		       (unsigned long long)set->v[k].src.size,
		       set->v[k].restart ? ", then a restart into the bootloader" : "");
	if (set->notes[0])
		ub_say("  %s\n", set->notes);
	json_object_set_new(d, "set", json_string(set->kind));
	json_object_set(d, "images", r->gates.set_checks);
	json_object_set_new(d, "requirements", json_integer((json_int_t)set->req.n));
	if (set->notes[0])
		json_object_set_new(d, "left_out", json_string(set->notes));
}

/* The gates that need no device, and what the image is. */
int ub_step_check(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const struct ub_check_result *cr = &r->gates.cr;
	json_t *failed = json_array();
	size_t i;
	int rc;

	rc = ub_gates_before_device(&r->s, r->o, &r->img.src, &r->gates, p, e);
	json_object_set(d, "refusals", r->gates.refusals);
	json_object_set_new(d, "sha256", json_string(r->img.sha256));
	json_object_set_new(d, "bytes", json_integer((json_int_t)r->img.src.size));
	if (r->j)
		ub_artifact_add(r->j, r->c.id, 0, "image", r->o->image, r->img.sha256, r->img.src.size, NULL);
	if (!r->gates.have_check) {
		json_decref(failed);
		return rc;
	}
	for (i = 0; i < cr->checks.n; i++) {
		const struct ub_check *c = &cr->checks.v[i];

		/* a set's archive holds many files on purpose */
		if (r->gates.have_set && c->verdict == UB_WARN && strcmp(c->name, "archive-firmware") == 0)
			continue;
		if (c->verdict == UB_FAIL || c->verdict == UB_WARN)
			ub_say("  %s %s: %s\n", c->verdict == UB_FAIL ? "FAIL" : "warn", c->name, c->why);
		if (c->verdict == UB_FAIL)
			json_array_append_new(failed, json_string(c->name));
	}
	json_object_set_new(d, "verdict", json_string(ub_image_verdict_name(cr->verdict)));
	if (cr->verdict == UB_VERDICT_UNVERIFIED && r->o->allow_unverified) {
		json_object_set_new(d, "allowed_unverified", json_true());
		ub_say("  warning: the image is unverified (%s); written because of --allow-unverified (recorded)\n",
		       cr->why);
	}
	json_object_set_new(d, "layers", json_string(cr->meta.layers));
	json_object_set_new(d, "version", cr->meta.version ? json_string(cr->meta.version) : json_null());
	json_object_set_new(d, "failed", failed);
	if (cr->meta.version) {
		snprintf(r->image_version, sizeof r->image_version, "%s", cr->meta.version);
		json_object_set_new(r->res, "image_version", json_string(cr->meta.version));
	}
	/* the check read the private copy; its hash is the copy's */
	if (!rc && strcmp(cr->sha256, r->img.sha256) != 0)
		rc = ub_err_set(e, UB_EFAIL, "image-changed",
				"the image's copy changed while it was checked (sha256 %s, then %s)",
				r->img.sha256, cr->sha256);
	if (r->gates.have_set)
		describe_set(r, d);
	if (!rc)
		ub_say("  %s: sha256 %s, %llu bytes, passes every gate that needs no device\n", r->img.name,
			r->img.sha256, (unsigned long long)r->img.src.size);
	return rc;
}

int ub_step_flash(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const struct ub_region *g = r->gates.target;
	struct ub_write_stats *ws = &r->fr.ws;
	char summary[640], images[4200];
	int rc;

	snprintf(summary, sizeof summary, "write %llu bytes of %.200s (sha256 %.16s...) into region %s (%s at 0x%llx)",
		 (unsigned long long)r->img.src.size, r->o->image, r->img.sha256, g->name, g->storage,
		 (unsigned long long)g->offset);
	if (r->o->confirm && !r->o->confirm(r->o->confirm_ctx, g->name, summary))
		return ub_safe_point("at the question, before anything was written", e) ? e->code :
		       ub_err_set(e, UB_EREFUSED, "not-confirmed", "not confirmed: nothing was written");
	ub_say("  %s\n", summary);
	/* the case keeps the very bytes it writes */
	snprintf(images, sizeof images, "%s/images", r->c.folder);
	ub_image_keep(&r->img, images);
	if (r->img.kept[0]) {
		json_object_set_new(d, "image", json_string(r->img.kept));
		if (r->j)
			ub_artifact_add(r->j, r->c.id, 0, "image", r->img.kept, r->img.sha256,
					r->img.src.size, NULL);
	}
	rc = ub_flash_region(&r->s, g, &r->img.src, &r->fr, p, d, e);
	r->flashed = !rc;
	json_object_set_new(r->res, "blocks", json_pack("{s:i, s:i, s:i}", "total", ws->blocks_total,
						      "written", ws->blocks_written, "skipped", ws->blocks_skipped));
	if (!rc)
		ub_say("  %u of %u blocks written, %u already right (skipped, compared by %s), %u retries\n",
			ws->blocks_written, ws->blocks_total, ws->blocks_skipped, ub_compare_how_name(r->fr.how),
			ws->retries);
	return rc;
}

/* A last comparison with what the device holds now, independent of the
 * per-block checks the write made; or, when nothing can be compared, the
 * plain statement that the write is not verified. */
int ub_step_verify(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const struct ub_region *g = r->gates.target;
	const struct ub_write_stats *ws = &r->fr.ws;
	enum ub_verified state;
	int rc;

	if (!r->o->verify_only && !r->o->full_verify && r->flashed && r->fr.how != UB_BY_NOTHING &&
	    ws->blocks_written == 0 && ws->blocks_total > 0) {
		ub_say("  every block already matched the image on %s just now; nothing was written, so that was the verify (--full-verify compares again)\n",
			ub_compare_how_name(r->fr.how));
		json_object_set_new(d, "verified", json_true());
		json_object_set_new(d, "verified_by", json_string("flash-compare"));
		r->verified = 1;
		return 0;
	}
	if (!r->o->verify_only && !r->o->full_verify && (r->s.caps & UB_CAP_VERIFIED_WRITE)) {
		ub_say("  the write read back every block it wrote; the others matched contents read twice: verified (--full-verify reads the whole region again)\n");
		json_object_set_new(d, "verified", json_true());
		json_object_set_new(d, "verified_by", json_string("write-read-back"));
		r->verified = 1;
		return 0;
	}
	if ((rc = ub_verify_region(&r->s, g, &r->img.src, &state, p, d, e)))
		return rc;
	if (state == UB_UNVERIFIABLE) {
		ub_say("  region %s: written, NOT verified: %s\n", g->name, ub_compare_how_name(UB_BY_NOTHING));
		r->unverified = 1;
		return UB_STEP_RC_UNVERIFIABLE;
	}
	r->verified = 1;
	ub_say("  region %s: all %lld blocks match %s (%s)\n", g->name,
		json_integer_value(json_object_get(d, "blocks")), r->img.name,
		ub_compare_how_name(ub_blocks_how(&r->s)));
	return 0;
}

/* Before a region is put back, what it holds now is kept: a restore
 * must not be the one write without a backup. */
static int keep_before(struct run *r, const struct ub_region *g, struct ub_progress *p, json_t *v,
		       struct ub_err *e)
{
	struct ub_backup b;
	char dir[4300];
	int rc;

	snprintf(dir, sizeof dir, "%s/before-restore-%s", r->c.folder, g->name);
	if ((rc = ub_backup_run(&r->s, dir, g->name, UB_BACKUP_REPLACE, &r->id, &b, p, e)))
		return rc;
	if (r->j && b.n)
		ub_artifact_add(r->j, r->c.id, 0, "backup", dir, b.v[0].sha256, b.v[0].size, NULL);
	json_object_set_new(v, "kept_before", json_string(dir));
	ub_say("  region %s as it was: kept in %s\n", g->name, dir);
	ub_backup_free(&b);
	return 0;
}

/* Puts regions back from a backup: the named one, or every config region
 * (the owner's settings).  The backup must verify, be complete for the
 * profile, and be this unit's. */
int ub_step_restore(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const char *skip[64];
	struct ub_backup b;
	json_t *done = json_array();
	char why[512];
	size_t i, n = 0;
	int rc;

	if ((rc = ub_backup_verify(r->o->restore_dir, &r->s.map, &b, e))) {
		json_decref(done);
		return rc;
	}
	for (i = 0; i < b.n && n + 1 < sizeof skip / sizeof skip[0]; i++) {
		const struct ub_region *g = ub_flash_map_find(&r->s.map, b.v[i].region);

		if (g && (r->o->region ? strcmp(r->o->region, g->name) == 0 : (g->flags & UB_REGION_CONFIG) != 0))
			skip[n++] = g->name;
	}
	skip[n] = NULL;
	if (n == 0) {
		ub_backup_free(&b);
		json_decref(done);
		return ub_err_set(e, UB_EUSAGE, "usage", r->o->region ?
				  "the backup has no region '%s'" : "the backup holds no config region%s; name one with --region",
				  r->o->region ? r->o->region : "");
	}
	rc = ub_backup_same_unit(&r->s, &r->id, r->o->restore_dir, &b, skip, why, sizeof why, e);
	if (rc == 0)
		rc = ub_err_set(e, UB_EREFUSED, "backup-other-unit",
				"the backup in %s is not this unit's: %s; nothing was written", r->o->restore_dir, why);
	else if (rc == 1) {
		json_object_set_new(d, "same_unit", json_string(why));
		rc = 0;
	}
	for (i = 0; !rc && i < b.n; i++) {
		const struct ub_region *g = ub_flash_map_find(&r->s.map, b.v[i].region);
		char path[4300], summary[512];
		json_t *v;

		if (!g || (r->o->region ? strcmp(r->o->region, g->name) != 0 : !(g->flags & UB_REGION_CONFIG)))
			continue;
		if ((g->flags & UB_REGION_PROTECTED) && !ub_unlocks(r->o->unlock, g->name)) {
			rc = ub_err_set(e, UB_EREFUSED, "region-protected",
					"region %s is protected; pass --unlock %s only if you mean to overwrite it",
					g->name, g->name);
			break;
		}
		snprintf(path, sizeof path, "%s/%s", r->o->restore_dir, b.v[i].file);
		snprintf(summary, sizeof summary, "put back region %s from %.400s", g->name, path);
		if (r->o->confirm && !r->o->confirm(r->o->confirm_ctx, g->name, summary)) {
			rc = ub_err_set(e, UB_EREFUSED, "not-confirmed", "not confirmed: nothing was written");
			break;
		}
		v = json_pack("{s:s}", "region", g->name);
		json_array_append_new(done, v);
		if ((rc = keep_before(r, g, NULL, v, e)))
			break;
		ub_say("  %s\n", summary);
		rc = ub_restore_region(&r->s, g, path, p, v, e);
		if (!rc && !json_is_true(json_object_get(v, "verified")))
			r->unverified = 1;
		if (!rc)
			ub_say("  %lld blocks written, %lld already right; %s\n",
				json_integer_value(json_object_get(v, "blocks_written")),
				json_integer_value(json_object_get(v, "blocks_skipped")),
				json_is_true(json_object_get(v, "verified")) ? "every block verified" :
				"written, NOT verified (the device can neither digest nor be read)");
	}
	json_object_set_new(d, "regions", done);
	json_object_set_new(d, "from", json_string(r->o->restore_dir));
	ub_backup_free(&b);
	if (!rc && r->unverified)
		return UB_STEP_RC_UNVERIFIABLE;
	return rc;
}

/* After the write and before the first boot, the owner's settings: each
 * config region the backup holds is compared with the device.  One the
 * write left alone needs nothing; one that differs (an image that covered
 * it, a factory reset since the backup) goes back when the profile's rule
 * says the new firmware reads it, with the same confirmation as a write.
 * Otherwise the repair still counts and the user is told how to restore
 * by hand: settings are the owner's to decide, not a reason to fail.  The
 * backup is this unit's: the backup step saw to it. */
int ub_step_settings(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const struct ub_region *target = r->gates.target;
	json_t *regions = json_array();
	struct ub_backup b;
	size_t i;
	int rc;

	if (r->o->keep_settings || !r->backup[0]) {
		ub_say("  skipped: %s\n", r->o->keep_settings ? "--keep-settings was given" :
			"there is no backup to take settings from");
		json_object_set_new(d, "skipped_by", json_string(r->o->keep_settings ? "--keep-settings" : "no-backup"));
		json_decref(regions);
		return 1;
	}
	if ((rc = ub_backup_verify(r->backup, &r->s.map, &b, e))) {
		json_decref(regions);
		return rc;
	}
	for (i = 0; !rc && i < b.n; i++) {
		const struct ub_region *g = ub_flash_map_find(&r->s.map, b.v[i].region);
		struct ub_restore_facts f = {
			.backup_version = b.firmware_version, .backup_serial = b.serial,
			.new_version = r->image_version[0] ? r->image_version : NULL,
			.device_serial = r->id.serial,
		};
		unsigned blocks, mismatched;
		char path[4300], why[512], summary[1100];
		json_t *v;

		if (!g || !(g->flags & UB_REGION_CONFIG) || g == target || set_writes(r, g))
			continue;
		v = json_pack("{s:s}", "region", g->name);
		json_array_append_new(regions, v);
		snprintf(path, sizeof path, "%s/%s", r->backup, b.v[i].file);
		rc = ub_region_compare(&r->s, g, path, &blocks, &mismatched, v, e);
		if (rc < 0)
			break;
		if (rc == 0 && mismatched == 0) {
			ub_say("  %s: as in the backup (the write left it alone)\n", g->name);
			json_object_set_new(v, "state", json_string("unchanged"));
			continue;
		}
		rc = 0;
		f.rule = g->restore;
		if (!ub_restore_allowed(&f, why, sizeof why)) {
			ub_say("  %s: differs from the backup; not put back: %s.\n"
			       "    To put it back anyway: unbrick restore --from %s --region %s --device %s --profile %s\n",
			       g->name, why, r->backup, g->name, r->o->device, r->s.profile.name);
			json_object_set_new(v, "state", json_string("kept"));
			json_object_set_new(v, "reason", json_string(why));
			continue;
		}
		snprintf(summary, sizeof summary, "put the owner's settings back into region %s from %.400s (%.120s)",
			 g->name, path, why);
		if (r->o->confirm && !r->o->confirm(r->o->confirm_ctx, g->name, summary)) {
			ub_say("  %s: not confirmed; the new firmware keeps what it found\n", g->name);
			json_object_set_new(v, "state", json_string("declined"));
			continue;
		}
		ub_say("  %s\n", summary);
		if ((rc = ub_restore_region(&r->s, g, path, p, v, e)))
			break;
		json_object_set_new(v, "state", json_string("restored"));
		json_object_set_new(v, "reason", json_string(why));
		if (!json_is_true(json_object_get(v, "verified")))
			r->unverified = 1;
		ub_say("  %s: %lld blocks written, %lld already right; %s\n", g->name,
			json_integer_value(json_object_get(v, "blocks_written")),
			json_integer_value(json_object_get(v, "blocks_skipped")),
			json_is_true(json_object_get(v, "verified")) ? "every block verified" :
			"written, NOT verified (the device can neither digest nor be read)");
	}
	json_object_set_new(d, "regions", regions);
	json_object_set(r->res, "settings", regions);
	ub_backup_free(&b);
	return rc;
}
