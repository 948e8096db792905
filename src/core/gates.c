#include "gates.h"

#include <stdio.h>
#include <string.h>

#include "base/suggest.h"
#include "core/compat.h"
#include "image/sparse_split.h"

/* Records a refusal; returns rc so the first one can be kept. */
static int refuse(struct ub_gates *g, const char *gate, int rc, const struct ub_err *e)
{
	json_array_append_new(g->refusals, json_pack("{s:s, s:s, s:s?, s:s}", "gate", gate, "message", e->msg,
						     "advice", e->advice_id, "code", ub_code_name(rc)));
	return rc;
}

/* --unlock names a region of the profile: a typo never passes, and is
 * named with its fix. */
static int gate_unlock(const struct ub_session *s, const char *unlock, struct ub_err *e)
{
	const char *names[64], *near;
	size_t i, n = 0;

	if (!unlock || ub_flash_map_find(&s->map, unlock))
		return 0;
	for (i = 0; i < s->map.n && n < 64; i++)
		names[n++] = s->map.v[i].name;
	near = ub_suggest(unlock, names, n);
	return ub_err_set(e, UB_EUSAGE, "usage", "--unlock %s: profile %s has no such region%s%s%s",
			  unlock, s->profile.name, near ? "; did you mean '" : "", near ? near : "",
			  near ? "'?" : "");
}

static int gate_protected(const struct ub_region *r, const char *unlock, struct ub_err *e)
{
	if (!(r->flags & UB_REGION_PROTECTED) || (unlock && strcmp(unlock, r->name) == 0))
		return 0;
	return ub_err_set(e, UB_EREFUSED, "region-protected",
			  "region %s is protected (a bootloader, calibration or factory data); pass --unlock %s only if you mean to overwrite it",
			  r->name, r->name);
}

static int packed(const char *layers)
{
	static const char *const kinds[] = { "gzip", "xz", "zstd", "bzip2", "zip", "tar", "sparse" };
	size_t i;

	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (strncmp(layers, kinds[i], strlen(kinds[i])) == 0)
			return 1;
	return 0;
}

/* A device that takes Android sparse images as they are (the family's
 * UB_CAP_SPARSE_IMAGE: fastboot) is given the sparse image itself. */
static int sparse_as_is(const struct ub_session *s, const struct ub_check_result *cr)
{
	return (s->caps & UB_CAP_SPARSE_IMAGE) && strcmp(cr->meta.layers, "sparse") == 0;
}

/* The image's own checks: any failure refuses; so does a packed image
 * (the firmware inside is what gets written, not its container). */
static int gate_check(const struct ub_session *s, const struct ub_check_result *cr,
		      const struct ub_recover_opts *o, struct ub_err *e)
{
	size_t i;

	(void)o;
	for (i = 0; i < cr->checks.n; i++)
		if (cr->checks.v[i].verdict == UB_FAIL)
			return ub_err_set(e, UB_EREFUSED, cr->checks.v[i].advice_id ? cr->checks.v[i].advice_id : "refused",
					  "the image fails its check %s: %.300s; nothing was written",
					  cr->checks.v[i].name, cr->checks.v[i].why);
	if (packed(cr->meta.layers) && !sparse_as_is(s, cr))
		return ub_err_set(e, UB_EREFUSED, "image-container",
				  "the image is packed (%s); unpack it and give the firmware file itself",
				  cr->meta.layers);
	return 0;
}

/* Nothing vouches for every byte: written only when the user says so in
 * so many words (--allow-unverified, recorded in the journal). */
static int gate_verdict(const struct ub_check_result *cr, const struct ub_recover_opts *o,
			struct ub_err *e)
{
	if (cr->verdict != UB_VERDICT_UNVERIFIED || o->allow_unverified)
		return 0;
	return ub_err_set(e, UB_EREFUSED, "image-unverified", "nothing was written: the image is unverified: %.440s",
			  cr->why);
}

static int gate_fits(const struct ub_session *s, const struct ub_region *r, uint64_t size,
		     struct ub_err *e)
{
	if (size > r->size)
		return ub_err_set(e, UB_EREFUSED, "image-too-big",
				  "the image is %llu bytes; region %s holds %llu",
				  (unsigned long long)size, r->name, (unsigned long long)r->size);
	if (size == 0)
		return ub_err_set(e, UB_EREFUSED, "image-too-big", "the image is empty");
	return s->fam->check_write ? s->fam->check_write(r, 0, size, e) : 0;
}

/* A write needs a backup, and a device that cannot be read gives none:
 * known from the family (and its spec) before the device is reached. */
static int gate_backup(const struct ub_session *s, const struct ub_recover_opts *o, struct ub_err *e)
{
	if (o->no_backup || o->backup_dir || o->verify_only || ((s->caps & UB_CAP_READ) && s->fam->read))
		return 0;
	return ub_err_set(e, UB_EREFUSED, "backup-impossible",
			  "this %s device cannot be read, so nothing can be backed up before the write; give a backup made another way (--backup DIR), or pass --no-backup to write without one (recorded)",
			  s->fam->name);
}

static int gate_loader(const struct ub_session *s, struct ub_err *e)
{
	if (!json_object_get(s->profile.doc, "loader") || s->fam->load_stage)
		return 0;
	return ub_err_set(e, UB_EREFUSED, "profile-invalid",
			  "profile %s names a loader, and the %s family cannot load one", s->profile.name,
			  s->fam->name);
}

int ub_gates_before_device(const struct ub_session *s, const struct ub_recover_opts *o,
			   const struct ub_src *image, struct ub_gates *g,
			   struct ub_progress *p, struct ub_err *e)
{
	struct ub_err ge;
	int first = 0, rc;

	memset(g, 0, sizeof *g);
	g->refusals = json_array();
	ub_err_clear(&ge);
#define GATE(name, call)                                                   \
	do {                                                               \
		ub_err_clear(&ge);                                         \
		if ((rc = (call)) != 0) {                                  \
			refuse(g, name, rc, &ge);                          \
			if (!first) {                                      \
				first = rc;                                \
				*e = ge;                                   \
				g->first = ge;                             \
			}                                                  \
		}                                                          \
	} while (0)

	GATE("unlock", gate_unlock(s, o->unlock, &ge));
	GATE("loader", gate_loader(s, &ge));
	if (o->restore_dir)
		goto out;
	if (!(g->target = ub_session_target(s, o->region, &ge))) {
		refuse(g, "region", ge.code, &ge);
		if (!first)
			*e = g->first = ge;
		return first ? first : ge.code;
	}
	if (o->verify_only || !image)
		goto out;
	GATE("protected", gate_protected(g->target, o->unlock, &ge));
	{
		struct ub_check_opts co = o->check;

		co.image = o->image;
		co.src = image;
		co.target.profile = &s->profile;
		ub_err_clear(&ge);
		if ((rc = ub_check_image(&co, &g->cr, p, &ge)) != 0) {
			refuse(g, "check", rc, &ge);
			if (!first)
				*e = g->first = ge;
			return first ? first : rc;
		}
		g->have_check = 1;
	}
	GATE("backup", gate_backup(s, o, &ge));
	GATE("check", gate_check(s, &g->cr, o, &ge));
	GATE("unverified", gate_verdict(&g->cr, o, &ge));
	{
		/* a sparse image written as it is takes what it expands to */
		uint64_t size = image->size;

		if (sparse_as_is(s, &g->cr) && ub_sparse_expanded(image, &size, NULL))
			size = image->size;
		GATE("fits", gate_fits(s, g->target, size, &ge));
	}
out:
#undef GATE
	return first;
}

int ub_gates_device(const struct ub_gates *g, const struct ub_recover_opts *o,
		    const struct ub_identity *id, const struct ub_profile *profile,
		    json_t *detail, struct ub_err *e)
{
	struct ub_target t = o->check.target;
	struct ub_checks c = { 0 };
	size_t i;
	int rc = 0;

	if (!g->have_check)
		return 0;
	t.profile = profile;
	if (!t.model && id->model[0])
		t.model = id->model;
	if (!t.installed_version && id->firmware_version[0])
		t.installed_version = id->firmware_version;
	ub_compat_check(&g->cr.meta, &t, &c);
	ub_version_gate(&g->cr.meta, &t, &c);
	for (i = 0; i < c.n && !rc; i++)
		if (c.v[i].verdict == UB_FAIL)
			rc = ub_err_set(e, UB_EREFUSED, c.v[i].advice_id ? c.v[i].advice_id : "refused",
					"the image is not for this device: %s: %.300s; nothing was written",
					c.v[i].name, c.v[i].why);
	if (detail)
		json_object_set_new(detail, "device_checks", json_integer((json_int_t)c.n));
	ub_checks_free(&c);
	return rc;
}

void ub_gates_free(struct ub_gates *g)
{
	if (g->have_check)
		ub_check_result_free(&g->cr);
	json_decref(g->refusals);
	memset(g, 0, sizeof *g);
}
