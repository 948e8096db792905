/* The recovery workflow: the technician's checklist as a table of steps,
 * run in order, each a journal row (see core/run.h for the step record and
 * what the steps hand on to each other):
 *
 *   check -> identify -> preflight -> backup -> loader -> flash -> verify
 *   -> settings -> boot, then the report
 *
 * Before the first step: the device's lock and the case's (one writer
 * each), and the image taken once into a private copy that every step
 * reads.  The gates live in core/gates.c, used by the plan too.  A stop
 * asked for by a signal ends the step at a safe point as "interrupted"
 * and prints the command that resumes it. */
#include "recover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "base/outfile.h"
#include "base/say.h"
#include "core/bundle.h"
#include "core/plan.h"
#include "core/report.h"
#include "core/run.h"

static int has_loader(const struct run *r)
{
	return json_is_object(json_object_get(r->s.profile.doc, "loader"));
}

static int wants_boot(const struct run *r)
{
	return r->o->boot;
}

static int has_set(const struct run *r)
{
	return r->gates.have_set;
}

static int one_image(const struct run *r)
{
	return !r->gates.have_set;
}

static int wants_unlock(const struct run *r)
{
	return r->o->unlock_bootloader;
}

/* The workflow, in order.  Each command takes the steps marked for it. */
static const struct ub_step workflow[] = {
	{ "check", "check the image before touching the device: checksums, signature, model, size, the gates",
	  3, UB_CMD_WRITES, 0, NULL, ub_step_check },
	{ "identify", "reach the device and read what it is (model, serial, firmware)",
	  2, UB_CMD_WRITES | UB_CMD_VERIFY | UB_CMD_RESTORE, 0, NULL, ub_step_identify },
	{ "requirements", "check what the image set requires of the device (its product, versions, partitions) before anything is written",
	  1, UB_CMD_WRITES, 0, has_set, ub_step_requirements },
	{ "preflight", "check the link, the room for backups and the power before touching anything",
	  1, UB_CMD_WRITES, 0, NULL, ub_step_preflight },
	{ "backup", "read every region and keep it, verified, before anything is written",
	  36, UB_CMD_WRITES, 0, NULL, ub_step_backup },
	{ "unlock", "unlock the bootloader, which makes the device erase the owner's data (you confirm that first)",
	  2, UB_CMD_WRITES, 1, wants_unlock, ub_step_unlock },
	{ "loader", "load and start the profile's loader, checked against its sha256",
	  2, UB_CMD_WRITES | UB_CMD_VERIFY | UB_CMD_RESTORE, 0, has_loader, ub_step_loader },
	{ "flash", "write only the blocks that differ (you confirm first)",
	  40, UB_CMD_WRITES, 1, NULL, ub_step_flash },
	{ "verify", "compare what the device holds with the image",
	  5, UB_CMD_WRITES | UB_CMD_VERIFY, 1, one_image, ub_step_verify },
	{ "restore", "put regions back from the backup, only blocks that differ, after keeping what is there",
	  90, UB_CMD_RESTORE, 1, NULL, ub_step_restore },
	{ "settings", "put the owner's settings back where the write changed them, if the new firmware reads them",
	  2, UB_CMD_WRITES, 1, NULL, ub_step_settings },
	{ "boot", "reset the device and watch it boot the new firmware",
	  8, UB_CMD_RECOVER, 1, wants_boot, ub_step_boot },
};
#define NSTEPS (sizeof workflow / sizeof workflow[0])

static unsigned command_of(const struct ub_recover_opts *o)
{
	return o->restore_dir ? UB_CMD_RESTORE : o->verify_only ? UB_CMD_VERIFY :
	       o->boot ? UB_CMD_RECOVER : UB_CMD_FLASH;
}

static int taken(const struct run *r, const struct ub_step *st)
{
	return (st->commands & command_of(r->o)) && (!st->wanted || st->wanted(r));
}

/* The checklist on a terminal: done, current, still to do. */
static void checklist(const struct run *r, const struct ub_step *current)
{
	char line[256] = "";
	size_t i;
	int seen = 0, n = 0;

	for (i = 0; i < NSTEPS; i++) {
		int here = &workflow[i] == current;

		if (!taken(r, &workflow[i]))
			continue;
		seen |= here;
		snprintf(line + strlen(line), sizeof line - strlen(line), "%s[%s] %s", n++ ? "  " : "",
			 here ? ">" : seen ? " " : "x", workflow[i].name);
	}
	if (seen)
		ub_say("%s\n", line);
}

/* Runs one step as a journal row. */
static int step(struct run *r, const struct ub_step *st, struct ub_err *e)
{
	struct ub_progress p;
	long long id = 0;
	json_t *detail;
	struct ub_err je;
	int rc, mark;

	if ((rc = ub_safe_point(st->name, e)))
		return rc;
	detail = json_object();
	ub_err_clear(&je);
	if (r->j && ub_step_begin(r->j, r->c.id, st->name, &id, e)) {
		json_decref(detail);
		return e->code;
	}
	if (r->o->guide)
		checklist(r, st);
	ub_say("== %s: %s\n", st->name, st->why);
	ub_progress_begin(&p, r->root, st->name, st->weight, 0);
	rc = st->run(r, &p, detail, e);
	ub_progress_end(&p, rc < 0 ? rc : 0);
	mark = rc == 1 ? UB_STEP_SKIPPED : rc == UB_STEP_RC_UNVERIFIABLE ? UB_STEP_UNVERIFIABLE : UB_STEP_DONE;
	if (rc > 0)
		rc = 0;
	/* A write, verify or boot that failed after every gate let it through
	 * is an attempt that counts towards knowing when to stop. */
	if (rc < 0 && rc != UB_EREFUSED && rc != UB_EINTR && st->attempt)
		json_object_set_new(detail, "attempt", json_string("failed"));
	if (r->j && ub_step_end(r->j, id, rc, mark, rc ? e : NULL,
				(uint64_t)json_integer_value(json_object_get(detail, "bytes")),
				detail, &je))
		ub_say("unbrick: warning: the journal did not record step %s: %s\n", st->name, je.msg);
	json_object_set_new(detail, "outcome", json_string(rc == UB_EINTR ? "interrupted" : rc ? "failed" :
							   mark == UB_STEP_SKIPPED ? "skipped" :
							   mark == UB_STEP_UNVERIFIABLE ? "unverifiable" : "ok"));
	json_object_set(json_object_get(r->res, "steps"), st->name, detail);
	json_decref(detail);
	return rc;
}

/* An image set: its images written in order, each a step of its own
 * ("flash:REGION", the image's write and its verify, sharing the flash
 * step's weight by size), and after those the set says (a bootloader, a
 * radio) a restart into the bootloader ("restart:REGION") checked against
 * what the set requires then.  A stop asked for ends the run between
 * them. */
static int run_set(struct run *r, const struct ub_step *flash, struct ub_err *e)
{
	const struct ub_imgset *set = &r->gates.set;
	double total = 0;
	size_t k;
	int rc = 0;

	for (k = 0; k < set->n; k++)
		total += (double)set->v[k].src.size;
	for (k = 0; !rc && k < set->n; k++) {
		const struct ub_set_image *im = &set->v[k];
		struct ub_step st = *flash;
		char name[64], why[400];

		r->set_at = k;
		snprintf(name, sizeof name, "flash:%.40s", im->part);
		snprintf(why, sizeof why, "write %.250s into region %s (image %zu of %zu)", im->entry, im->part, k + 1,
			 set->n);
		st.name = name;
		st.why = why;
		st.weight = total > 0 ? flash->weight * (double)im->src.size / total : flash->weight / (double)set->n;
		st.run = ub_step_set_write;
		if ((rc = step(r, &st, e)) || !im->restart)
			continue;
		snprintf(name, sizeof name, "restart:%.40s", im->part);
		snprintf(why, sizeof why, "restart the device into its bootloader, so that the new %s runs, and check what it says now",
			 im->part);
		st.weight = 1;
		st.run = ub_step_set_restart;
		rc = step(r, &st, e);
	}
	return rc;
}

static int write_report(struct run *r, struct ub_err *e)
{
	json_t *c = NULL;
	char path[4200], sha[65], *md;
	int rc;

	if ((rc = ub_case_json(r->j, r->c.id, &c, e)))
		return rc;
	md = ub_report_markdown(c);
	json_decref(c);
	if (!md)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	snprintf(path, sizeof path, "%s/report.md", r->c.folder);
	rc = ub_write_file_atomic(path, md, strlen(md), sha, e);
	if (!rc)
		rc = ub_artifact_add(r->j, r->c.id, 0, "report", path, sha, strlen(md), e);
	free(md);
	if (!rc)
		json_object_set_new(r->res, "report", json_string(path));
	return rc;
}

/* Why the attempts so far point beyond software: the same failure every
 * time (a block that never takes a write), or a boot log that says
 * hardware. */
static void failure_pattern(const json_t *steps, char *out, size_t len)
{
	const char *last = NULL, *hw = NULL;
	unsigned same = 0;
	size_t i;
	json_t *s;

	json_array_foreach(steps, i, s) {
		const char *err = json_string_value(json_object_get(s, "error"));
		const json_t *dg = json_object_get(json_object_get(s, "detail"), "diagnosis");

		if (!json_is_string(json_object_get(json_object_get(s, "detail"), "attempt")) || !err)
			continue;
		same = last && strcmp(last, err) == 0 ? same + 1 : 1;
		last = err;
		if (dg && strcmp(json_string_value(json_object_get(dg, "path")) ?
				 json_string_value(json_object_get(dg, "path")) : "", "hardware") == 0)
			hw = json_string_value(json_object_get(dg, "verdict"));
	}
	if (hw)
		snprintf(out, len, "the boot log points at hardware (%.200s)", hw);
	else if (same > 1)
		snprintf(out, len, "the same failure %u times in a row (%.200s), which a retry will not change", same, last);
	else
		snprintf(out, len, "each attempt failed differently (last: %.200s); the link or the power may be unreliable",
			 last ? last : "unknown");
}

/* Knowing when to stop: after the profile's number of failed attempts on
 * a case (default 3), no more automatic attempts; the case is handed over
 * with a support bundle.  --force-attempt overrides, and is recorded. */
static int attempts_gate(struct run *r, struct ub_err *e)
{
	const json_t *m = json_object_get(json_object_get(r->s.profile.doc, "recovery"), "max_attempts");
	int max = json_is_integer(m) && json_integer_value(m) > 0 ? (int)json_integer_value(m) : 3;
	int n = ub_case_failed_attempts(r->j, r->c.id);
	char why[512], bundle[4200];
	json_t *c = NULL;
	struct ub_err be;
	long long sid;

	if (n < max)
		return 0;
	if (r->o->force_attempt) {
		ub_say("unbrick: warning: case %lld already failed %d attempts; trying again because of --force-attempt (recorded)\n",
			r->c.id, n);
		c = json_pack("{s:b, s:i}", "force_attempt", 1, "failed_attempts", n);
		if (ub_step_begin(r->j, r->c.id, "override", &sid, e) == 0)
			ub_step_end(r->j, sid, 0, 0, NULL, 0, c, e);
		json_decref(c);
		ub_err_clear(e);
		return 0;
	}
	ub_err_clear(&be);
	if (ub_case_json(r->j, r->c.id, &c, &be) == 0)
		failure_pattern(json_object_get(c, "steps"), why, sizeof why);
	else
		snprintf(why, sizeof why, "the journal could not be read (%.200s)", be.msg);
	json_decref(c);
	if (ub_bundle_write(r->j, r->c.id, 0, NULL, bundle, &be) != 0)
		snprintf(bundle, sizeof bundle, "not written (%.200s)", be.msg);
	json_object_set_new(r->res, "bundle", json_string(bundle));
	return ub_err_set(e, UB_EREFUSED, "attempts-exhausted",
			  "case %lld has failed %d attempts (the profile allows %d): %.300s. unbrick stops here; support bundle: %.600s",
			  r->c.id, n, max, why, bundle);
}


/* The case's diagnosis, when it has one, chooses the way: a hardware
 * verdict stops here, and a path this family does not offer (the
 * bootloader is gone and this family talks to the bootloader) is not
 * taken through it. */
static int diagnosis_gate(struct run *r, struct ub_err *e)
{
	const char *path = NULL, *verdict = NULL;
	const char *const *offered;
	json_t *c = NULL, *s;
	struct ub_err ignore;
	size_t i;
	int rc = 0, ours = 0;

	ub_err_clear(&ignore);
	if (ub_case_json(r->j, r->c.id, &c, &ignore) != 0)
		return 0;
	json_array_foreach(json_object_get(c, "steps"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "name")) ? json_string_value(json_object_get(s, "name")) : "",
			   "diagnose") == 0) {
			path = json_string_value(json_object_get(json_object_get(s, "detail"), "path"));
			verdict = json_string_value(json_object_get(json_object_get(s, "detail"), "verdict"));
		}
	if (!path || r->o->force_attempt || strcmp(path, "unknown") == 0) {
		json_decref(c);
		return 0;
	}
	for (offered = r->s.fam->paths; offered && *offered; offered++)
		ours |= strcmp(*offered, path) == 0;
	if (strcmp(path, "hardware") == 0)
		rc = ub_err_set(e, UB_EREFUSED, "diagnosis-hardware",
				"the case's diagnosis points at hardware (%.300s); nothing was written", verdict);
	else if (!ours && r->s.fam->paths)
		rc = ub_err_set(e, UB_EREFUSED, "diagnosis-path",
				"the case's diagnosis says to recover through the %s (%.300s); the %s family works through the %s",
				path, verdict, r->s.fam->name, r->s.fam->paths[0] ? r->s.fam->paths[0] : "device");
	json_object_set_new(r->res, "diagnosis_path", json_string(path));
	json_decref(c);
	return rc;
}

/* What to type to go on after a stop: the same command, on this case. */
static void say_resume(const struct run *r)
{
	char cmd[6000];
	const struct ub_recover_opts *o = r->o;

	snprintf(cmd, sizeof cmd, "unbrick %s%s%s --device '%s' --profile %s%s%s%s%s --resume %lld",
		 o->command ? o->command : "recover", o->image ? " " : "", o->image ? o->image : "",
		 o->device, o->profile, o->region ? " --region " : "", o->region ? o->region : "",
		 o->unlock ? " --unlock " : "", o->unlock ? o->unlock : "", r->c.id);
	ub_say("unbrick: stopped at a safe point; case %lld is kept as it is. To continue:\n  %s\n",
	       r->c.id, cmd);
	json_object_set_new(r->res, "resume", json_string(cmd));
}

/* One sentence for the end of the run, never claiming what was not
 * done. */
static void summary(struct run *r, int rc)
{
	const char *what = NULL;

	if (rc == UB_EINTR)
		what = "interrupted at a safe point; resume the case to finish";
	else if (rc)
		what = NULL;
	else if (r->unverified)
		what = "written, NOT verified: the device can neither digest nor be read back";
	else if (r->o->restore_dir)
		what = "restored, every block verified on the device";
	else if (r->o->verify_only)
		what = "every block matches the image on the device";
	else if (r->verified && r->o->boot)
		what = "written, verified on the device, and booted";
	else if (r->verified)
		what = "written and verified on the device";
	if (what)
		json_object_set_new(r->res, "summary", json_string(what));
	json_object_set_new(r->res, "verified", json_boolean(!rc && !r->unverified &&
							     (r->verified || r->o->restore_dir)));
}

static const char *status_of(const struct run *r, int rc)
{
	if (rc == UB_EINTR)
		return "interrupted";
	if (rc)
		return rc == UB_EREFUSED ? "refused" : "failed";
	if (r->unverified)
		return "unverified";
	return r->o->restore_dir ? "restored" : r->o->verify_only ? "verified" : r->o->boot ? "repaired" : "flashed";
}

int ub_recover_run(const struct ub_recover_opts *o, struct ub_progress *root,
		   json_t **result, struct ub_err *e)
{
	struct run r;
	struct ub_err ignore;
	char log[4200], dir[4200];
	size_t i;
	int rc;

	memset(&r, 0, sizeof r);
	r.o = o;
	r.root = root;
	r.log_fd = -1;
	r.case_lock.fd = -1;
	r.res = json_pack("{s:o}", "steps", json_object());
	*result = r.res;
	if (o->dry_run) {
		rc = ub_recover_plan(o, r.res, e);
		json_object_set_new(r.res, "status", json_string(rc ? "would-refuse" : "planned"));
		return rc;
	}
	ub_interrupt_install();
	if ((rc = ub_session_plan(&r.s, o->device, o->profile, e)))
		return rc;
	/* one run per device, before a case is made for this one */
	if ((rc = ub_session_lock(&r.s, o->resume_case, e)) || (rc = ub_journal_open(&r.j, e)))
		goto out;
	if (o->resume_case)
		rc = ub_case_get(r.j, o->resume_case, &r.c, e);
	else
		rc = ub_case_new(r.j, NULL, NULL, r.s.profile.name, o->device, &r.c, e);
	if (rc || (rc = ub_lock_case(&r.case_lock, r.c.folder, r.c.id, e)))
		goto out;
	ub_lock_note_case(&r.s.lock, r.c.id);
	json_object_set_new(r.res, "case", json_integer(r.c.id));
	json_object_set_new(r.res, "folder", json_string(r.c.folder));
	ub_say("%s case %lld: %s\n", o->resume_case ? "resuming" : "opened",
		r.c.id, r.c.folder);
	snprintf(log, sizeof log, "%s/logs/console.log", r.c.folder);
	r.log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	ub_progress_plan(root, 100);
	if (o->resume_case && ((rc = diagnosis_gate(&r, e)) || (rc = attempts_gate(&r, e)))) {
		snprintf(r.c.status, sizeof r.c.status, "%s",
			 e->advice_id && strncmp(e->advice_id, "diagnosis-", 10) == 0 ? "refused" : "handed-over");
		ub_case_update(r.j, &r.c, NULL);
		goto logs;
	}
	/* the image, once: every step reads this copy */
	if (o->image) {
		snprintf(dir, sizeof dir, "%s/images", r.c.folder);
		mkdir(dir, 0700);
		if ((rc = ub_image_take(&r.img, o->image, dir, e)))
			goto done;
		r.have_image = 1;
	}
	/* commands that check no image still need their region and unlock */
	if (!(command_of(o) & UB_CMD_WRITES) &&
	    (rc = ub_gates_before_device(&r.s, o, NULL, &r.gates, NULL, e)))
		goto done;
	for (i = 0; !rc && i < NSTEPS; i++)
		if (taken(&r, &workflow[i]))
			rc = workflow[i].run == ub_step_flash && r.gates.have_set ?
			     run_set(&r, &workflow[i], e) : step(&r, &workflow[i], e);
done:
	summary(&r, rc);
	if (rc == UB_EINTR)
		say_resume(&r);
	snprintf(r.c.status, sizeof r.c.status, "%s", status_of(&r, rc));
	ub_case_update(r.j, &r.c, NULL);
logs:
	if (r.log_fd >= 0) {
		struct stat st;

		if (r.s.fam->set_log && r.s.dev)
			r.s.fam->set_log(r.s.dev, -1);
		fsync(r.log_fd);
		ub_artifact_add(r.j, r.c.id, 0, "log", log, NULL,
				fstat(r.log_fd, &st) == 0 ? (uint64_t)st.st_size : 0, NULL);
		close(r.log_fd);
	}
	ub_err_clear(&ignore);
	if (write_report(&r, &ignore))
		ub_say("unbrick: warning: no report: %s\n", ignore.msg);
out:
	json_object_set_new(r.res, "status", json_string(r.c.status[0] ? r.c.status : "failed"));
	if (r.have_image)
		ub_image_drop(&r.img);
	ub_gates_free(&r.gates);
	ub_journal_close(r.j);
	ub_session_close(&r.s);
	ub_unlock(&r.case_lock);
	return rc;
}
