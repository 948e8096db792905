#include "compat.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/version.h"

static const char *after_vendor(const char *s)
{
	const char *c = strchr(s, ',');

	return c ? c + 1 : s;
}

int ub_model_match(const char *a, const char *b)
{
	return strcasecmp(a, b) == 0 ||
	       strcasecmp(after_vendor(a), after_vendor(b)) == 0;
}

static void join(const struct ub_strlist *l, char *out, size_t len)
{
	size_t i, used = 0;

	out[0] = '\0';
	for (i = 0; i < l->n && used < len; i++) {
		int n = snprintf(out + used, len - used, "%s%s", i ? ", " : "",
				 l->v[i]);
		if (n < 0)
			break;
		used += (size_t)n;
	}
	if (used >= len && len > 4)
		memcpy(out + len - 4, "...", 4);
}

static int any_match(const struct ub_strlist *claims, const char *want)
{
	size_t i;

	for (i = 0; i < claims->n; i++)
		if (ub_model_match(claims->v[i], want))
			return 1;
	return 0;
}

static int case_in(const struct ub_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcasecmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

/* Without a model list, a header name that mentions the model is the best
 * evidence there is; not mentioning it proves nothing either way. */
static void model_from_name(const struct ub_image_meta *m, const char *want,
			    struct ub_checks *checks)
{
	if (m->name && strcasestr(m->name, after_vendor(want)))
		ub_checks_add(checks, "model", UB_PASS, NULL,
			      "the image does not list models, but its name \"%s\" mentions %s",
			      m->name, want);
	else
		ub_checks_add(checks, "model", UB_WARN, "model-unknown",
			      "the image does not say which models it is for; unbrick cannot confirm it fits %s",
			      want);
}

static void check_model(const struct ub_image_meta *m,
			const struct ub_target *t, struct ub_checks *checks)
{
	char claims[200], wants[200];
	size_t i;

	if (!t->model && !t->profile) {
		ub_checks_add(checks, "model", UB_NA, NULL,
			      "no device given (--profile or --model)");
		return;
	}
	if (m->models.n == 0) {
		model_from_name(m, t->model ? t->model : t->profile->models.v[0],
				checks);
		return;
	}
	join(&m->models, claims, sizeof claims);
	if (t->model) {
		if (any_match(&m->models, t->model))
			ub_checks_add(checks, "model", UB_PASS, NULL,
				      "built for %s, which includes %s", claims, t->model);
		else
			ub_checks_add(checks, "model", UB_FAIL, "model-mismatch",
				      "built for %s, not for %s", claims, t->model);
		return;
	}
	for (i = 0; i < t->profile->models.n; i++) {
		if (any_match(&m->models, t->profile->models.v[i])) {
			ub_checks_add(checks, "model", UB_PASS, NULL,
				      "built for %s, which includes %s (profile %s)",
				      claims, t->profile->models.v[i], t->profile->name);
			return;
		}
	}
	join(&t->profile->models, wants, sizeof wants);
	ub_checks_add(checks, "model", UB_FAIL, "model-mismatch",
		      "built for %s; profile %s is %s", claims, t->profile->name, wants);
}

/* Revisions and regions: the device's value comes from the user, or from a
 * profile that covers exactly one. */
static void check_attr(const char *name, const char *advice,
		       const struct ub_strlist *claims, const char *given,
		       const struct ub_strlist *profile_list,
		       struct ub_checks *checks)
{
	char list[200];
	const char *want = given;

	if (!want && profile_list && profile_list->n == 1)
		want = profile_list->v[0];
	if (claims->n == 0) {
		ub_checks_add(checks, name, UB_NA, NULL,
			      "the image does not restrict the %s", name);
		return;
	}
	join(claims, list, sizeof list);
	if (!want) {
		ub_checks_add(checks, name, UB_WARN, "target-unknown",
			      "the image is for %s %s; give --%s to check the device's",
			      name, list, name);
		return;
	}
	if (case_in(claims, want))
		ub_checks_add(checks, name, UB_PASS, NULL, "the image is for %s %s",
			      name, list);
	else
		ub_checks_add(checks, name, UB_FAIL, advice,
			      "the image is for %s %s, the device is %s", name,
			      list, want);
}

void ub_compat_check(const struct ub_image_meta *meta,
		     const struct ub_target *t, struct ub_checks *checks)
{
	check_model(meta, t, checks);
	check_attr("revision", "revision-mismatch", &meta->revisions, t->revision,
		   t->profile ? &t->profile->revisions : NULL, checks);
	check_attr("region", "region-mismatch", &meta->regions, t->region,
		   t->profile ? &t->profile->regions : NULL, checks);
}

void ub_version_gate(const struct ub_image_meta *meta,
		     const struct ub_target *t, struct ub_checks *checks)
{
	int c;

	if (!t->installed_version) {
		if (meta->version)
			ub_checks_add(checks, "version", UB_NA, NULL,
				      "image version %s; no installed version given (--installed-version)",
				      meta->version);
		else
			ub_checks_add(checks, "version", UB_NA, NULL,
				      "no versions to compare");
		return;
	}
	if (!meta->version || !ub_version_comparable(meta->version)) {
		ub_checks_add(checks, "version", t->allow_older ? UB_PASS : UB_WARN,
			      "version-unknown",
			      "the image does not state a comparable version; installed is %s",
			      t->installed_version);
		return;
	}
	c = ub_version_cmp(meta->version, t->installed_version);
	if (c > 0)
		ub_checks_add(checks, "version", UB_PASS, NULL,
			      "%s is newer than the installed %s", meta->version,
			      t->installed_version);
	else if (c == 0)
		ub_checks_add(checks, "version", UB_PASS, NULL,
			      "%s is the installed version (reinstall)", meta->version);
	else if (t->allow_older)
		ub_checks_add(checks, "version", UB_WARN, NULL,
			      "%s is older than the installed %s; allowed by --allow-older",
			      meta->version, t->installed_version);
	else
		ub_checks_add(checks, "version", UB_FAIL, "downgrade",
			      "%s is older than the installed %s", meta->version,
			      t->installed_version);
}
