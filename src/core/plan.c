/* --dry-run: what a run would do, how long it would take, and which gate
 * would stop it, from the profile and the image alone: the device is not
 * even opened, no case is made. */
#include "plan.h"

#include <stdio.h>
#include <string.h>

#include "base/say.h"
#include "core/check.h"
#include "core/session.h"

static void plan_step(json_t *plan, const char *name, const char *what, double secs,
		      const char *note)
{
	char t[32];

	ub_say_secs(secs, t, sizeof t);
	ub_say("  %zu. %-8s %-62s %s\n", json_array_size(plan) + 1, name, what, secs > 0 ? t : "");
	if (note)
		ub_say("     %s\n", note);
	json_array_append_new(plan, json_pack("{s:s, s:s, s:f, s:s?}", "step", name, "what", what,
					      "seconds", secs, "note", note));
}

int ub_recover_plan(const struct ub_recover_opts *o, json_t *res, struct ub_err *e)
{
	struct ub_session s;
	struct ub_check_opts co = o->check;
	struct ub_check_result cr;
	const struct ub_region *g = NULL;
	json_t *plan = json_array(), *refusals = json_array();
	const char *advice = "refused";
	struct ub_rate rate;
	double rbps, wbps;
	uint64_t backup_bytes = 0;
	size_t i, nregions = 0;
	char what[256], note[400];
	int rc;

	if ((rc = ub_session_plan(&s, o->device, o->profile, e))) {
		json_decref(plan);
		json_decref(refusals);
		return rc;
	}
	ub_session_rate(&s, 0, &rate);
	rbps = rate.bps;
	ub_session_rate(&s, 1, &rate);
	wbps = rate.bps;
	ub_say("plan for %s with profile %s (nothing is touched; times from %s):\n",
		o->device, s.profile.name, rate.why);
	note[0] = '\0';
	if (ub_profile_guide(&s.profile, "connect"))
		snprintf(note, sizeof note, "connect: %.180s", ub_profile_guide(&s.profile, "connect"));
	if (ub_profile_guide(&s.profile, "enter_recovery"))
		snprintf(note + strlen(note), sizeof note - strlen(note), "%sthen: %.180s", note[0] ? "; " : "",
			 ub_profile_guide(&s.profile, "enter_recovery"));
	plan_step(plan, "identify", s.fam->reach ? s.fam->reach : "reach the device", 5, note[0] ? note : NULL);
	for (i = 0; i < s.map.n; i++)
		if (!(s.map.v[i].flags & UB_REGION_NOREAD)) {
			backup_bytes += s.map.v[i].size;
			nregions++;
		}
	if (o->no_backup)
		plan_step(plan, "backup", "none: --no-backup (recorded; not advised)", 0, NULL);
	else if (o->backup_dir)
		plan_step(plan, "backup", "use the backup given with --backup, after checking its hashes", 1, NULL);
	else {
		snprintf(what, sizeof what, "read %zu regions, %.1f MiB, each verified, into the case", nregions,
			 backup_bytes / 1048576.0);
		plan_step(plan, "backup", what, backup_bytes / rbps, NULL);
	}
	if (o->restore_dir) {
		plan_step(plan, "restore", "put back the config regions from the backup given, only blocks that differ", 0, NULL);
		goto done;
	}
	co.image = o->image;
	co.target.profile = &s.profile;
	if ((rc = ub_check_image(&co, &cr, NULL, e)))
		goto out;
	note[0] = '\0';
	for (i = 0; i < cr.checks.n; i++)
		if (cr.checks.v[i].verdict == UB_FAIL) {
			snprintf(note + strlen(note), sizeof note - strlen(note), "%s%s", note[0] ? ", " : "would refuse: fails ",
				 cr.checks.v[i].name);
			json_array_append_new(refusals, json_string(cr.checks.v[i].name));
		}
	snprintf(what, sizeof what, "%.100s: %.100s, %.1f MiB", o->image, cr.meta.layers, cr.size / 1048576.0);
	plan_step(plan, "check", what, 1, note[0] ? note : NULL);
	if (!(g = ub_session_target(&s, o->region, e))) {
		rc = e->code;
		ub_check_result_free(&cr);
		goto out;
	}
	note[0] = '\0';
	if ((g->flags & UB_REGION_PROTECTED) && (!o->unlock || strcmp(o->unlock, g->name))) {
		snprintf(note, sizeof note, "would refuse: region %s is protected (needs --unlock %s)", g->name, g->name);
		if (!json_array_size(refusals))
			advice = "region-protected";
		json_array_append_new(refusals, json_string("region-protected"));
	} else if (cr.size > g->size) {
		snprintf(note, sizeof note, "would refuse: the image is larger than region %s", g->name);
		if (!json_array_size(refusals))
			advice = "image-too-big";
		json_array_append_new(refusals, json_string("image-too-big"));
	}
	snprintf(what, sizeof what, "%.1f MiB into %s (%s at 0x%llx); only blocks that differ", cr.size / 1048576.0,
		 g->name, g->storage, (unsigned long long)g->offset);
	plan_step(plan, "flash", what, cr.size / wbps, note[0] ? note : "the time is for every block; blocks already right are skipped");
	ub_check_result_free(&cr);
	if ((s.fam->caps & UB_CAP_VERIFIED_WRITE) && !o->full_verify)
		plan_step(plan, "verify", "done by the write (it reads back what it writes)", 0, NULL);
	else
		plan_step(plan, "verify", "compare every block with the device's own checksum", 5, NULL);
	what[0] = '\0';
	for (i = 0; i < s.map.n; i++)
		if ((s.map.v[i].flags & UB_REGION_CONFIG) && &s.map.v[i] != g)
			snprintf(what + strlen(what), sizeof what - strlen(what), "%s%s (rule %s)",
				 what[0] ? ", " : "compare ", s.map.v[i].name, ub_restore_rule_name(s.map.v[i].restore));
	if (what[0] && !o->keep_settings && !o->no_backup)
		plan_step(plan, "settings", what, 1, "a region the write changed goes back from the backup when its rule allows");
	if (o->boot && (s.fam->caps & UB_CAP_BOOT_CHECK)) {
		const json_t *t = json_object_get(json_object_get(s.profile.doc, "boot"), "timeout");

		plan_step(plan, "boot", "reset and watch for the boot success line and the version",
			  json_is_integer(t) ? (double)json_integer_value(t) : 60, NULL);
	}
done:
	json_object_set(res, "plan", plan);
	json_object_set(res, "would_refuse", refusals);
	if (json_array_size(refusals))
		rc = ub_err_set(e, UB_EREFUSED, advice, "the plan would be refused (%zu gate%s, first: %.60s); nothing was touched",
				json_array_size(refusals), json_array_size(refusals) == 1 ? "" : "s",
				json_string_value(json_array_get(refusals, 0)));
out:
	json_decref(plan);
	json_decref(refusals);
	ub_session_close(&s);
	return rc;
}
