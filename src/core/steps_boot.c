/* The workflow's last device step: reset the device, watch it boot the
 * new firmware, and, when asked, listen a while longer (the soak). */
#include "run.h"

#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/outfile.h"
#include "base/say.h"
#include "core/diagnose.h"

/* The first line of a family's bootloader in the log: a restart.  Its
 * text, cut to len, goes to out; 0 when there is none. */
static int restarted(const struct ub_family *fam, const char *log, size_t len, char *out,
		     size_t outlen)
{
	const char *const *b;
	const char *p, *nl = NULL;
	char line[256];
	int found = 0;

	for (b = fam->banners; b && *b && !found; b++) {
		regex_t re;

		if (regcomp(&re, *b, REG_EXTENDED | REG_NOSUB) != 0)
			continue;
		for (p = log; p && p < log + len && !found; p = nl ? nl + 1 : log + len) {
			size_t n;

			nl = memchr(p, '\n', (size_t)(log + len - p));
			n = (size_t)((nl ? nl : log + len) - p);
			snprintf(line, sizeof line, "%.*s", (int)(n < sizeof line - 1 ? n : sizeof line - 1), p);
			if (regexec(&re, line, 0, NULL, 0) == 0) {
				snprintf(out, outlen, "%.60s", line);
				found = 1;
			}
		}
		regfree(&re);
	}
	return found;
}

/* --soak: after a good boot, listen for a while; a restart, or any
 * finding that is not a mere note (a panic, an oops, flash errors), fails
 * the repair, the log kept. */
static int soak(struct run *r, json_t *d, struct ub_err *e)
{
	struct ub_diagnosis dg;
	struct ub_err ignore;
	char *log = NULL, path[4200], sha[65], banner[64];
	size_t len = 0, i;
	int rc;

	if (!r->s.fam->watch) {
		ub_say("  no soak: this family cannot listen to the device\n");
		return 0;
	}
	ub_say("  soak: watching the console for %d s...\n", r->o->soak);
	if ((rc = r->s.fam->watch(r->s.dev, r->o->soak, &log, &len, e)))
		return rc;
	ub_err_clear(&ignore);
	snprintf(path, sizeof path, "%s/logs/soak-%ld.log", r->c.folder, (long)time(NULL));
	if (ub_write_file_atomic(path, log ? log : "", len, sha, &ignore) == 0 && r->j)
		ub_artifact_add(r->j, r->c.id, 0, "log", path, sha, len, NULL);
	if ((rc = ub_diagnose(log ? log : "", len, r->s.profile.doc, NULL, 0, &dg, e))) {
		free(log);
		return rc;
	}
	json_object_set_new(d, "soak", json_pack("{s:i, s:I, s:o}", "seconds", r->o->soak,
						  "bytes", (json_int_t)len, "diagnosis", ub_diagnosis_json(&dg)));
	/* one bootloader banner is a restart: a boot loop needs two in a
	 * boot log, but after a good boot there should be none */
	if (log && restarted(r->s.fam, log, len, banner, sizeof banner))
		rc = ub_err_set(e, UB_EFAIL, "soak-failed", "the device restarted during the soak (%s)", banner);
	for (i = 0; i < dg.n && !rc; i++)
		if (!dg.v[i].note)
			rc = ub_err_set(e, UB_EFAIL, "soak-failed",
					"the soak failed after the boot: %.200s (%.120s)", dg.v[i].finding,
					dg.v[i].evidence);
	if (!rc)
		ub_say("  soak: %d s without a restart, panic or error\n", r->o->soak);
	ub_diagnosis_free(&dg);
	free(log);
	return rc;
}

/* A failed boot: keep what the console said and diagnose it, so the
 * technician reads why, not only that. */
static void explain_boot(struct run *r, const struct ub_boot_report *br, json_t *d,
			 struct ub_err *e)
{
	struct ub_diagnosis dg;
	struct ub_err ignore;
	char path[4200], sha[65];

	ub_err_clear(&ignore);
	if (!br->log)
		return;
	snprintf(path, sizeof path, "%s/logs/boot-%ld.log", r->c.folder, (long)time(NULL));
	if (ub_write_file_atomic(path, br->log, br->log_len, sha, &ignore) == 0 && r->j)
		ub_artifact_add(r->j, r->c.id, 0, "log", path, sha, br->log_len, NULL);
	if (ub_diagnose(br->log, br->log_len, r->s.profile.doc, NULL, 0, &dg, &ignore) != 0)
		return;
	json_object_set_new(d, "diagnosis", ub_diagnosis_json(&dg));
	if (dg.path != UB_PATH_UNKNOWN || dg.n) {
		char why[UB_ERR_MSG_MAX];

		snprintf(why, sizeof why, "%.280s; the boot log says: %.200s", e->msg, dg.verdict);
		snprintf(e->msg, sizeof e->msg, "%s", why);
	}
	ub_diagnosis_free(&dg);
}

int ub_step_boot(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	struct ub_boot_report br;
	const char *want = r->image_version[0] ? r->image_version : NULL;
	int rc;

	(void)p;
	if (!(r->s.caps & UB_CAP_BOOT_CHECK) || !r->s.fam->reboot || !r->s.fam->boot_check) {
		ub_say("  unbrick cannot watch this device boot: power it up as its owner would and watch its console or lights\n");
		json_object_set_new(d, "skipped_by", json_string("family-cannot-boot"));
		return 1;
	}
	ub_say("  resetting the device and watching it boot%s%s...\n",
		want ? ", expecting version " : "", want ? want : "");
	if ((rc = r->s.fam->reboot(r->s.dev, e)))
		return rc;
	memset(&br, 0, sizeof br);
	rc = r->s.fam->boot_check(r->s.dev, want, &br, e);
	if (rc)
		explain_boot(r, &br, d, e);
	free(br.log);
	json_object_set_new(d, "booted", json_boolean(br.booted));
	json_object_set_new(d, "version", json_string(br.version));
	json_object_set_new(d, "seconds", json_real(br.seconds));
	json_object_set_new(r->res, "boot", json_pack("{s:b, s:s, s:f}", "booted", br.booted,
						    "version", br.version, "seconds", br.seconds));
	if (!rc)
		ub_say("  booted version %s in %.1f s\n", br.version, br.seconds);
	if (!rc && r->o->soak > 0)
		rc = soak(r, d, e);
	return rc;
}
