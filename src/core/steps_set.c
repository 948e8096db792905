/* The steps of an image set (gates.have_set): what it requires of the
 * device, checked before anything is written; each image's write; the
 * restart after an image that must run before the next ones (a new
 * bootloader), checked against what the set requires then.
 *
 * Resuming: a family that can compare skips the blocks already right
 * (core/blocks.c), as for one image.  One that cannot (fastboot) has only
 * the journal: an image counts as written when this case's last step for
 * its region wrote these very bytes (the same sha256) and ended ok, and no
 * write of another kind into the device came after it. */
#include "run.h"

#include <stdio.h>
#include <string.h>

#include "base/interrupt.h"
#include "base/say.h"
#include "core/require.h"

/* The device's value of var: 0 with it, 1 when not reported (said: what
 * it answered instead), < 0 an error. */
static int ask(struct run *r, const char *var, char *out, size_t len, struct ub_err *e)
{
	return r->s.fam->variable(r->s.dev, var, out, len, e);
}

/* The device's product, or NULL when it does not say. */
static const char *product(struct run *r, char *buf, size_t len, struct ub_err *e, int *rc)
{
	*rc = ask(r, "product", buf, len, e);
	return *rc == 0 ? buf : NULL;
}

/* Judges requirement q now: a verdict of ub_req_judge, or < -2 for an
 * error (then *rc). */
static int judge(struct run *r, const struct ub_req *q, const char *prod, char *why, size_t len, int *rc,
		 struct ub_err *e)
{
	char value[256];

	*rc = ask(r, q->var, value, sizeof value, e);
	if (*rc < 0)
		return -3;
	return ub_req_judge(q, prod, *rc == 0 ? value : NULL, *rc == 1 ? value : NULL, why, len);
}

int ub_step_requirements(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const struct ub_reqs *req = &r->gates.set.req;
	char prodbuf[256], why[512], where[400];
	const char *prod;
	json_t *list = json_array();
	size_t i;
	int rc = 0, v;

	(void)p;
	json_object_set_new(d, "requirements", list);
	if (!req->n) {
		ub_say("  the set requires nothing of the device\n");
		return 0;
	}
	if (!r->s.fam->variable)
		return ub_err_set(e, UB_EREFUSED, "requirement-unmet",
				  "the set states %zu requirements and the %s family cannot ask the device; nothing was written",
				  req->n, r->s.fam->name);
	prod = product(r, prodbuf, sizeof prodbuf, e, &rc);
	if (rc < 0)
		return rc;
	for (i = 0; i < req->n; i++) {
		const struct ub_req *q = &req->v[i];
		json_t *o;

		ub_req_where(q, where, sizeof where);
		v = judge(r, q, prod, why, sizeof why, &rc, e);
		if (v == -3)
			return rc;
		o = json_pack("{s:s, s:s, s:s}", "line", where, "variable", q->var, "why", why);
		json_array_append_new(list, o);
		if (v == UB_REQ_OTHER_PRODUCT) {
			ub_say("  skip  %s: %s\n", where, why);
			json_object_set_new(o, "verdict", json_string("other-product"));
			continue;
		}
		if (v == UB_REQ_UNREPORTED) {
			json_object_set_new(o, "verdict", json_string("unreported"));
			return ub_err_set(e, UB_EREFUSED, "requirement-unreported",
					  "%s: %s, so the set cannot be shown to be for it; nothing was written", where, why);
		}
		if (q->after >= 0) {
			/* the set's own image brings it about: checked once that runs */
			ub_say("  later %s: checked after %s is written and the device restarted (now: %s)\n", where,
			       r->gates.set.v[q->after].part, why);
			json_object_set_new(o, "verdict", json_string("after"));
			json_object_set_new(o, "after", json_string(r->gates.set.v[q->after].part));
			continue;
		}
		if (v == UB_REQ_FAILS) {
			json_object_set_new(o, "verdict", json_string("fails"));
			return ub_err_set(e, UB_EREFUSED, "requirement-unmet", "%s: %s; nothing was written", where, why);
		}
		ub_say("  ok    %s: %s\n", where, why);
		json_object_set_new(o, "verdict", json_string("holds"));
	}
	return 0;
}

/* Whether this case wrote image k already (see the top of the file). */
static int written_before(struct run *r, size_t k, const char *name, long long *when)
{
	char outcome[16], sha[80];
	long long id, later;

	*when = 0;
	if (!r->o->resume_case || !r->j || ub_blocks_how(&r->s) != UB_BY_NOTHING)
		return 0;
	id = ub_step_last(r->j, r->c.id, name, outcome, sizeof outcome);
	if (!id || (strcmp(outcome, "ok") && strcmp(outcome, "unverifiable") && strcmp(outcome, "skipped")) ||
	    ub_step_detail_text(r->j, id, "$.sha256", sha, sizeof sha) || strcmp(sha, r->gates.items[k].sha256))
		return 0;
	later = ub_step_last(r->j, r->c.id, "flash", outcome, sizeof outcome);
	if (later > id || ub_step_last(r->j, r->c.id, "restore", outcome, sizeof outcome) > id)
		return 0;
	*when = id;
	return 1;
}

/* Asked once, before the set's first write. */
static int confirm(struct run *r, struct ub_err *e)
{
	const struct ub_imgset *set = &r->gates.set;
	char summary[640] = "";
	size_t k;

	if (r->set_confirmed || !r->o->confirm)
		return 0;
	snprintf(summary, sizeof summary, "write the %s %.150s (sha256 %.16s...): ", set->kind, r->o->image, r->img.sha256);
	for (k = 0; k < set->n && strlen(summary) + 40 < sizeof summary; k++)
		snprintf(summary + strlen(summary), sizeof summary - strlen(summary), "%s%s%s", k ? ", " : "",
			 set->v[k].part, set->v[k].restart ? " (then a restart)" : "");
	if (!r->o->confirm(r->o->confirm_ctx, "the set", summary))
		return ub_safe_point("at the question, before anything was written", e) ? e->code :
		       ub_err_set(e, UB_EREFUSED, "not-confirmed", "not confirmed: nothing was written");
	r->set_confirmed = 1;
	return 0;
}

int ub_step_set_write(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	size_t k = r->set_at;
	const struct ub_set_image *im = &r->gates.set.v[k];
	const struct ub_set_gate *it = &r->gates.items[k];
	struct ub_flash_result fr;
	enum ub_verified state;
	char name[48], images[4200];
	long long when;
	int rc;

	snprintf(name, sizeof name, "flash:%.40s", im->part);
	json_object_set_new(d, "region", json_string(it->region->name));
	json_object_set_new(d, "image", json_string(im->entry));
	json_object_set_new(d, "sha256", json_string(it->sha256));
	if (written_before(r, k, name, &when)) {
		ub_say("  already written in this case (step %lld: the same sha256 %.16s..., and nothing written over it since): skipped\n",
		       when, it->sha256);
		json_object_set_new(d, "written_in_step", json_integer(when));
		r->set_done[k] = 1;
		return 1;
	}
	if ((rc = confirm(r, e)))
		return rc;
	/* the case keeps the very bytes it writes: the set's archive */
	snprintf(images, sizeof images, "%s/images", r->c.folder);
	if (!r->img.kept[0]) {
		ub_image_keep(&r->img, images);
		if (r->img.kept[0] && r->j)
			ub_artifact_add(r->j, r->c.id, 0, "image", r->img.kept, r->img.sha256, r->img.src.size, NULL);
	}
	ub_say("  %s (%llu bytes, sha256 %.16s..., %s) into region %s\n", im->entry,
	       (unsigned long long)im->src.size, it->sha256, it->layers, it->region->name);
	if ((rc = ub_flash_region(&r->s, it->region, &im->src, &fr, p, d, e)))
		return rc;
	json_object_set_new(d, "written", json_true());
	r->flashed = 1;
	if ((rc = ub_verify_region(&r->s, it->region, &im->src, &state, NULL, NULL, e)))
		return rc;
	if (state == UB_UNVERIFIABLE) {
		ub_say("  region %s: written, NOT verified: %s\n", it->region->name, ub_compare_how_name(UB_BY_NOTHING));
		r->unverified = 1;
		return UB_STEP_RC_UNVERIFIABLE;
	}
	ub_say("  region %s: every block matches (%s)\n", it->region->name, ub_compare_how_name(ub_blocks_how(&r->s)));
	json_object_set_new(d, "verified", json_true());
	r->verified = !r->unverified;
	return 0;
}

/* The requirements checked once image k runs: 0 all hold, 1 one does not
 * (why says which), < 0 an error.  *n: how many there were. */
static int after_checks(struct run *r, size_t k, json_t *list, char *why, size_t len, size_t *n,
			struct ub_err *e)
{
	const struct ub_reqs *req = &r->gates.set.req;
	char prodbuf[256], where[400], w[512];
	const char *prod;
	size_t i;
	int rc, v;

	*n = 0;
	prod = product(r, prodbuf, sizeof prodbuf, e, &rc);
	if (rc < 0)
		return rc;
	for (i = 0; i < req->n; i++) {
		const struct ub_req *q = &req->v[i];

		if (q->after != (long)k)
			continue;
		(*n)++;
		ub_req_where(q, where, sizeof where);
		if ((v = judge(r, q, prod, w, sizeof w, &rc, e)) == -3)
			return rc;
		if (list)
			json_array_append_new(list, json_pack("{s:s, s:s, s:s}", "line", where, "why", w, "verdict",
							      v == UB_REQ_HOLDS ? "holds" : v == UB_REQ_OTHER_PRODUCT ?
							      "other-product" : "fails"));
		if (v == UB_REQ_HOLDS || v == UB_REQ_OTHER_PRODUCT)
			continue;
		snprintf(why, len, "%.300s: %.400s", where, w);
		return 1;
	}
	return 0;
}

int ub_step_set_restart(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	size_t k = r->set_at;
	const struct ub_set_image *im = &r->gates.set.v[k];
	json_t *list = json_array();
	char why[800];
	size_t n;
	int rc;

	(void)p;
	json_object_set_new(d, "after", json_string(im->part));
	json_object_set_new(d, "checks", list);
	/* written in an earlier run: when the device says it runs it already
	 * (what the set requires of it holds), there is nothing to restart
	 * for; with nothing to ask, it restarts to be sure */
	if (r->set_done[k] && r->s.fam->variable) {
		if ((rc = after_checks(r, k, NULL, why, sizeof why, &n, e)) < 0)
			return rc;
		if (rc == 0 && n) {
			ub_say("  the device runs it already (what the set requires after it holds): skipped\n");
			return 1;
		}
	}
	if (!r->s.fam->restart)
		return ub_err_set(e, UB_EREFUSED, "refused", "the %s family cannot restart the device between a set's writes",
				  r->s.fam->name);
	if ((rc = r->s.fam->restart(r->s.dev, e)))
		return rc;
	if (!r->s.fam->variable)
		return 0;
	if ((rc = after_checks(r, k, list, why, sizeof why, &n, e)) < 0)
		return rc;
	if (rc == 1)
		return ub_err_set(e, UB_EFAIL, "requirement-after",
				  "after %s was written and the device restarted, %s; nothing more was written", im->part, why);
	if (json_array_size(list))
		ub_say("  the new %s runs: what the set requires after it holds\n", im->part);
	return 0;
}
