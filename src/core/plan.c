/* --dry-run: what a run would do, how long it would take, and which gate
 * would stop it, from the profile and the image alone: the device is not
 * even opened, no case is made. */
#include "plan.h"

#include <stdio.h>
#include <string.h>

#include "base/say.h"
#include "core/blocks.h"
#include "core/check.h"
#include "core/gates.h"
#include "core/session.h"

static void plan_step(json_t *plan, const char *name, const char *what, double secs,
		      const char *note)
{
	json_array_append_new(plan, json_pack("{s:s, s:s, s:f, s:s?}", "step", name, "what", what,
					      "seconds", secs, "note", note));
}

/* An image set: each image's write, and the restarts between. */
static void plan_set(json_t *plan, const struct ub_gates *g, double wbps)
{
	char name[64], what[256];
	size_t k;

	for (k = 0; k < g->set.n; k++) {
		const struct ub_set_image *im = &g->set.v[k];

		snprintf(name, sizeof name, "flash:%.40s", im->part);
		snprintf(what, sizeof what, "%.150s, %.1f MiB, into %s", im->entry, im->src.size / 1048576.0, im->part);
		plan_step(plan, name, what, im->src.size / wbps, NULL);
		if (!im->restart)
			continue;
		snprintf(name, sizeof name, "restart:%.40s", im->part);
		snprintf(what, sizeof what, "restart into the bootloader so the new %.40s runs; check what the set requires of it", im->part);
		plan_step(plan, name, what, 10, NULL);
	}
}

int ub_recover_plan(const struct ub_recover_opts *o, json_t *res, struct ub_err *e)
{
	struct ub_session s;
	struct ub_gates g;
	struct ub_src src;
	const struct ub_region *t;
	json_t *plan = json_array(), *refusals = json_array(), *x;
	struct ub_rate rate;
	struct ub_err ge;
	double rbps, wbps;
	uint64_t backup_bytes = 0;
	size_t i, nregions = 0;
	char what[256], note[400];
	int rc, have_src = 0;

	memset(&g, 0, sizeof g);
	if ((rc = ub_session_plan(&s, o->device, o->profile, e))) {
		json_decref(plan);
		json_decref(refusals);
		return rc;
	}
	ub_session_rate(&s, 0, &rate);
	rbps = rate.bps;
	ub_session_rate(&s, 1, &rate);
	wbps = rate.bps;
	json_object_set_new(res, "times_from", json_string(rate.why));
	/* the same gates as the run, on the image as it is now */
	if (o->image) {
		if ((rc = ub_src_open(&src, o->image, e)))
			goto out;
		have_src = 1;
	}
	ub_err_clear(&ge);
	rc = ub_gates_before_device(&s, o, have_src ? &src : NULL, &g, NULL, &ge);
	if (rc && !json_array_size(g.refusals)) {
		*e = ge;
		goto out;
	}
	json_array_extend(refusals, g.refusals);
	t = g.target;
	if (o->image && !o->verify_only) {
		note[0] = '\0';
		json_array_foreach(g.refusals, i, x)
			snprintf(note + strlen(note), sizeof note - strlen(note), "%s%.120s",
				 note[0] ? "; " : "would refuse: ", json_string_value(json_object_get(x, "message")));
		snprintf(what, sizeof what, "%.100s: %.100s, %.1f MiB", o->image,
			 g.have_check ? g.cr.meta.layers : "?", have_src ? src.size / 1048576.0 : 0.0);
		plan_step(plan, "check", what, 1, note[0] ? note : "the gates that need no device pass");
	}
	note[0] = '\0';
	if (ub_profile_guide(&s.profile, "connect"))
		snprintf(note, sizeof note, "connect: %.180s", ub_profile_guide(&s.profile, "connect"));
	if (ub_profile_guide(&s.profile, "enter_recovery"))
		snprintf(note + strlen(note), sizeof note - strlen(note), "%sthen: %.180s", note[0] ? "; " : "",
			 ub_profile_guide(&s.profile, "enter_recovery"));
	plan_step(plan, "identify", s.fam->reach ? s.fam->reach : "reach the device", 5, note[0] ? note : NULL);
	if (g.have_set) {
		snprintf(what, sizeof what, "check the set's %zu requirement%s against what the device says, before anything is written",
			 g.set.req.n, g.set.req.n == 1 ? "" : "s");
		plan_step(plan, "requirements", what, 1, NULL);
	}
	for (i = 0; i < s.map.n; i++)
		if (!(s.map.v[i].flags & UB_REGION_NOREAD)) {
			backup_bytes += s.map.v[i].size;
			nregions++;
		}
	if (o->restore_dir) {
		plan_step(plan, "restore", "keep what the regions hold now, then put back the config regions from the backup given, only blocks that differ", 0, NULL);
		goto done;
	}
	if (o->verify_only) {
		plan_step(plan, "verify", "compare every block with the device", 5, NULL);
		goto done;
	}
	if (o->no_backup)
		plan_step(plan, "backup", "none: --no-backup (recorded; not advised)", 0, NULL);
	else if (o->backup_dir)
		plan_step(plan, "backup", "use the backup given with --backup, after checking its hashes, that it is complete, and that it is this unit's", 1, NULL);
	else if (!(s.caps & UB_CAP_READ) && nregions)
		/* the run would stop here: say so, not a time for a read that cannot be */
		plan_step(plan, "backup", "not possible: the device cannot be read; give --backup DIR (made another way) or --no-backup", 0, NULL);
	else {
		snprintf(what, sizeof what, "read %zu regions, %.1f MiB, each verified, into the case", nregions,
			 backup_bytes / 1048576.0);
		plan_step(plan, "backup", what, backup_bytes / rbps, NULL);
	}
	if (o->unlock_bootloader)
		plan_step(plan, "unlock", "unlock the bootloader: the device ERASES ALL USER DATA (you type 'erase user data' first, or --erase-user-data)", 5, NULL);
	if (json_object_get(s.profile.doc, "loader"))
		plan_step(plan, "loader", "load the profile's loader (its sha256 checked) and wait for it", 10, NULL);
	if (g.have_set) {
		plan_set(plan, &g, wbps);
		goto done;
	}
	if (!t || !have_src)
		goto done;
	snprintf(what, sizeof what, "%.1f MiB into %s (%s at 0x%llx); only blocks that differ", src.size / 1048576.0,
		 t->name, t->storage, (unsigned long long)t->offset);
	plan_step(plan, "flash", what, src.size / wbps, "the time is for every block; blocks already right are skipped");
	if (ub_blocks_how(&s) == UB_BY_NOTHING)
		plan_step(plan, "verify", "not possible: the device can neither digest nor be read (the result will say: written, not verified)", 0, NULL);
	else if ((s.caps & UB_CAP_VERIFIED_WRITE) && !o->full_verify)
		plan_step(plan, "verify", "done by the write (it reads back what it writes)", 0, NULL);
	else {
		snprintf(what, sizeof what, "compare every block by %s", ub_compare_how_name(ub_blocks_how(&s)));
		plan_step(plan, "verify", what, 5, NULL);
	}
	what[0] = '\0';
	for (i = 0; i < s.map.n; i++)
		if ((s.map.v[i].flags & UB_REGION_CONFIG) && &s.map.v[i] != t)
			snprintf(what + strlen(what), sizeof what - strlen(what), "%s%s (rule %s)",
				 what[0] ? ", " : "compare ", s.map.v[i].name, ub_restore_rule_name(s.map.v[i].restore));
	if (what[0] && !o->keep_settings && !o->no_backup)
		plan_step(plan, "settings", what, 1, "a region the write changed goes back from the backup when its rule allows");
	if (o->boot && (s.caps & UB_CAP_BOOT_CHECK)) {
		const json_t *bt = json_object_get(json_object_get(s.profile.doc, "boot"), "timeout");

		plan_step(plan, "boot", "reset and watch for the boot success line and the version",
			  json_is_integer(bt) ? (double)json_integer_value(bt) : 60, NULL);
	}
done:
	json_object_set(res, "plan", plan);
	json_object_set(res, "would_refuse", refusals);
	if (json_array_size(refusals)) {
		rc = ub_err_set(e, g.first.code == UB_EUSAGE ? UB_EUSAGE : UB_EREFUSED,
				g.first.advice_id ? g.first.advice_id : "refused",
				"the plan would be refused (%zu gate%s, first: %.300s); nothing was touched",
				json_array_size(refusals), json_array_size(refusals) == 1 ? "" : "s", g.first.msg);
	} else {
		rc = 0;
	}
out:
	if (have_src)
		ub_src_close(&src);
	ub_gates_free(&g);
	json_decref(plan);
	json_decref(refusals);
	ub_session_close(&s);
	return rc;
}
