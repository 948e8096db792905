#include "session.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/say.h"
#include "base/suggest.h"
#include "core/journal.h"

static int prepare(struct ub_session *s, const char *spec, const char *profile,
		   int open_device, struct ub_err *e);

int ub_session_open(struct ub_session *s, const char *spec,
		    const char *profile, struct ub_err *e)
{
	return prepare(s, spec, profile, 1, e);
}

int ub_session_plan(struct ub_session *s, const char *spec,
		    const char *profile, struct ub_err *e)
{
	return prepare(s, spec, profile, 0, e);
}

int ub_lock_spec(struct ub_lock *l, const struct ub_device_spec *spec, long long case_id,
		 struct ub_err *e)
{
	char key[2200], home[4096], locks[4200];
	int rc;

	if ((rc = ub_home(home, sizeof home, e)))
		return rc;
	snprintf(locks, sizeof locks, "%s/locks", home);
	ub_device_spec_key(spec, key, sizeof key);
	return ub_lock_device(l, locks, key, case_id, e);
}

int ub_session_lock(struct ub_session *s, long long case_id, struct ub_err *e)
{
	if (s->lock.fd >= 0) {
		ub_lock_note_case(&s->lock, case_id);
		return 0;
	}
	return ub_lock_spec(&s->lock, &s->spec, case_id, e);
}

int ub_session_connect(struct ub_session *s, struct ub_err *e)
{
	int rc;

	if (s->dev)
		return 0;
	if ((rc = ub_session_lock(s, 0, e)))
		return rc;
	return s->fam->open(&s->dev, &s->spec, &s->map, s->profile.doc, e);
}

static int prepare(struct ub_session *s, const char *spec, const char *profile,
		   int open_device, struct ub_err *e)
{
	int rc;

	memset(s, 0, sizeof *s);
	s->lock.fd = -1;
	if ((rc = ub_device_spec_parse(spec, &s->spec, e)))
		return rc;
	s->fam = ub_family_find(s->spec.family);
	if (!s->fam) {
		const char *names[32], *near;
		char known[256] = "";
		size_t i;

		for (i = 0; ub_families[i] && i < 32; i++) {
			names[i] = ub_families[i]->name;
			snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s",
				 i ? ", " : "", ub_families[i]->name);
		}
		near = ub_suggest(s->spec.family, names, i);
		return ub_err_set(e, UB_EUSAGE, "usage", "no device family '%.64s'%s%s%s (known: %s)",
				  s->spec.family, near ? "; did you mean '" : "", near ? near : "",
				  near ? "'?" : "", known);
	}
	if ((rc = ub_device_spec_check(&s->spec, s->fam, e)))
		return rc;
	s->caps = s->fam->spec_caps ? s->fam->spec_caps(&s->spec) : s->fam->caps;
	if (!profile)
		return ub_err_set(e, UB_EUSAGE, "profile-missing",
				  "--profile is needed: it gives the board's flash map and recovery settings");
	if ((rc = ub_profile_load(profile, getenv("UNBRICK_HOME"), &s->profile, e)))
		return rc;
	if (s->profile.family && strcmp(s->profile.family, s->fam->name) != 0) {
		rc = ub_err_set(e, UB_EUSAGE, "profile-invalid",
				"profile %s is for the %s family, the device spec says %s",
				s->profile.name, s->profile.family, s->fam->name);
		goto fail;
	}
	rc = ub_flash_map_parse(json_object_get(s->profile.doc, "flash"),
				s->profile.path, &s->map, e);
	if (!rc && open_device)
		rc = ub_session_connect(s, e);
	if (!rc)
		return 0;
fail:
	ub_unlock(&s->lock);
	ub_flash_map_free(&s->map);
	ub_profile_free(&s->profile);
	memset(s, 0, sizeof *s);
	s->lock.fd = -1;
	return rc;
}

void ub_session_close(struct ub_session *s)
{
	if (s->fam && s->dev)
		s->fam->close(s->dev);
	/* after the device is closed: the next run finds it quiet */
	if (s->fam)
		ub_unlock(&s->lock);
	ub_flash_map_free(&s->map);
	ub_profile_free(&s->profile);
	memset(s, 0, sizeof *s);
	s->lock.fd = -1;
}

const struct ub_region *ub_session_target(const struct ub_session *s, const char *name,
					  struct ub_err *e)
{
	size_t i;

	if (name) {
		const struct ub_region *g = ub_flash_map_find(&s->map, name);

		if (!g) {
			const char *names[64], *near;
			size_t k;

			for (k = 0; k < s->map.n && k < 64; k++)
				names[k] = s->map.v[k].name;
			near = ub_suggest(name, names, k);
			ub_err_set(e, UB_EUSAGE, "usage", "profile %s has no region '%s'%s%s%s",
				   s->profile.name, name, near ? "; did you mean '" : "", near ? near : "",
				   near ? "'?" : "");
		}
		return g;
	}
	for (i = 0; i < s->map.n; i++)
		if (s->map.v[i].flags & UB_REGION_FIRMWARE)
			return &s->map.v[i];
	ub_err_set(e, UB_EUSAGE, "profile-invalid",
		   "profile %s marks no region as firmware; name one with --region", s->profile.name);
	return NULL;
}

void ub_session_rate(const struct ub_session *s, int write, struct ub_rate *out)
{
	const json_t *v = json_object_get(json_object_get(s->profile.doc, "recovery"),
					  write ? "write_bps" : "read_bps");
	double rd = s->fam->read_bps > 0 ? s->fam->read_bps : 50e3;
	double wr = s->fam->write_bps > 0 ? s->fam->write_bps : 10e3;

	memset(out, 0, sizeof *out);
	if (json_is_number(v) && json_number_value(v) > 0) {
		out->bps = json_number_value(v);
		snprintf(out->why, sizeof out->why, "the profile's rate");
		return;
	}
	if (s->fam->link_rates)
		s->fam->link_rates(&s->spec, s->profile.doc, &rd, &wr, out->why, sizeof out->why);
	out->bps = write ? wr : rd;
	if (!out->why[0]) {
		snprintf(out->why, sizeof out->why, "typical %s speeds", s->fam->name);
		out->typical = 1;
	}
}

void ub_session_say_reach(const struct ub_session *s)
{
	const char *g;

	if ((g = ub_profile_guide(&s->profile, "connect")))
		ub_say("  connect: %s\n", g);
	if ((g = ub_profile_guide(&s->profile, "enter_recovery")))
		ub_say("  then: %s\n", g);
	ub_say("%s: %s...\n", s->spec.address, s->fam->reach ? s->fam->reach : "reaching the device");
	if ((g = ub_profile_guide(&s->profile, "wait_for")))
		ub_say("  waiting to see: %s\n", g);
}
