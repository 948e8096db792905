#include "gates.h"

#include <stdio.h>
#include <stdlib.h>
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

int ub_unlocks(const char *unlock, const char *name)
{
	size_t n = strlen(name);
	const char *p;

	for (p = unlock; p && *p; p += strcspn(p, ",") + (p[strcspn(p, ",")] == ',')) {
		if (strcspn(p, ",") == n && strncmp(p, name, n) == 0)
			return 1;
	}
	return 0;
}

/* --unlock names regions of the profile (several split by commas), each
 * in full: a typo never passes, and is named with its fix. */
static int gate_unlock(const struct ub_session *s, const char *unlock, struct ub_err *e)
{
	const char *names[64], *near, *p;
	char one[64];
	size_t i, n = 0;

	for (i = 0; i < s->map.n && n < 64; i++)
		names[n++] = s->map.v[i].name;
	for (p = unlock; p && (p == unlock || p[-1] == ','); p += strcspn(p, ",") + 1) {
		size_t len = strcspn(p, ",");

		snprintf(one, sizeof one, "%.*s", (int)(len < sizeof one - 1 ? len : sizeof one - 1), p);
		if (len && len < sizeof one && ub_flash_map_find(&s->map, one)) {
			if (!p[len])
				break;
			continue;
		}
		near = len ? ub_suggest(one, names, n) : NULL;
		return ub_err_set(e, UB_EUSAGE, "usage", "--unlock %s: profile %s has no region '%s'%s%s%s",
				  unlock, s->profile.name, one, near ? "; did you mean '" : "", near ? near : "",
				  near ? "'?" : "");
	}
	return 0;
}

static int gate_protected(const struct ub_region *r, const char *unlock, struct ub_err *e)
{
	if (!(r->flags & UB_REGION_PROTECTED) || ub_unlocks(unlock, r->name))
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

/* Any check that failed refuses. */
static int gate_failures(const struct ub_check_result *cr, struct ub_err *e)
{
	size_t i;

	for (i = 0; i < cr->checks.n; i++)
		if (cr->checks.v[i].verdict == UB_FAIL)
			return ub_err_set(e, UB_EREFUSED, cr->checks.v[i].advice_id ? cr->checks.v[i].advice_id : "refused",
					  "the image fails its check %s: %.300s; nothing was written",
					  cr->checks.v[i].name, cr->checks.v[i].why);
	return 0;
}

/* The image's own checks: any failure refuses; so does a packed image
 * (the firmware inside is what gets written, not its container). */
static int gate_check(const struct ub_session *s, const struct ub_check_result *cr,
		      const struct ub_recover_opts *o, struct ub_err *e)
{
	int rc;

	(void)o;
	if ((rc = gate_failures(cr, e)))
		return rc;
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

/* --unlock-bootloader needs a family that can, and the device's
 * answer to whether it is locked. */
static int gate_unlock_bootloader(const struct ub_session *s, const struct ub_recover_opts *o,
				  struct ub_err *e)
{
	if (!o->unlock_bootloader || (s->fam->unlock_bootloader && s->fam->bootloader_locked))
		return 0;
	return ub_err_set(e, UB_EUSAGE, "usage", "--unlock-bootloader: the %s family has no way to unlock a bootloader",
			  s->fam->name);
}

/* Records a refusal: every one in the list, the first in e. */
static void gate(struct ub_gates *g, const char *name, int rc, const struct ub_err *ge, int *first,
		 struct ub_err *e)
{
	if (!rc)
		return;
	refuse(g, name, rc, ge);
	if (!*first) {
		*first = rc;
		*e = *ge;
		g->first = *ge;
	}
}

/* One image of a set, as if it were written alone into its region: the
 * region the profile has for it, its protection, the image's own checks
 * (vouched for by the set's archive when that passed its checks), packed
 * or not, its size.  Refusals name the image. */
static void gate_item(const struct ub_session *s, const struct ub_recover_opts *o, struct ub_gates *g,
		      size_t k, const char *vouched, int *first, struct ub_err *e)
{
	const struct ub_set_image *im = &g->set.v[k];
	struct ub_set_gate *it = &g->items[k];
	struct ub_check_opts co;
	struct ub_check_result cr;
	struct ub_err ge;
	uint64_t size = im->src.size;
	json_t *j = json_pack("{s:s, s:s, s:I}", "image", im->entry, "region", im->part,
			      "bytes", (json_int_t)im->src.size);
	int rc;

	json_array_append_new(g->set_checks, j);
	ub_err_clear(&ge);
	if (!(it->region = ub_flash_map_find(&s->map, im->part))) {
		ub_err_set(&ge, UB_EREFUSED, "imgset-region",
			   "the set writes partition %s (%.150s), which profile %s does not name; nothing was written",
			   im->part, im->entry, s->profile.name);
		gate(g, "region", ge.code, &ge, first, e);
		return;
	}
	if ((rc = gate_protected(it->region, o->unlock, &ge)))
		gate(g, "protected", rc, &ge, first, e);
	memset(&co, 0, sizeof co);
	co.image = im->src.label;
	co.src = &im->src;
	co.tmpdir = o->check.tmpdir;
	co.target = o->check.target;
	co.target.profile = &s->profile;
	co.inside = 1;
	co.vouched = vouched;
	ub_err_clear(&ge);
	if ((rc = ub_check_image(&co, &cr, NULL, &ge))) {
		gate(g, "check", rc, &ge, first, e);
		return;
	}
	snprintf(it->sha256, sizeof it->sha256, "%s", cr.sha256);
	snprintf(it->layers, sizeof it->layers, "%.63s", cr.meta.layers);
	json_object_set_new(j, "sha256", json_string(cr.sha256));
	json_object_set_new(j, "layers", json_string(cr.meta.layers));
	json_object_set_new(j, "verdict", json_string(ub_image_verdict_name(cr.verdict)));
	if ((rc = gate_check(s, &cr, o, &ge)) || (rc = gate_verdict(&cr, o, &ge))) {
		ub_err_prefix(&ge, im->entry);
		gate(g, "check", rc, &ge, first, e);
	}
	if (sparse_as_is(s, &cr) && ub_sparse_expanded(&im->src, &size, NULL))
		size = im->src.size;
	if ((rc = gate_fits(s, it->region, size, &ge))) {
		ub_err_prefix(&ge, im->entry);
		gate(g, "fits", rc, &ge, first, e);
	}
	ub_check_result_free(&cr);
}

/* An image set: the archive's own checks as for any image (digests,
 * signature, its safety; but it is a container on purpose), the backup,
 * then every image of it. */
static int gates_set(const struct ub_session *s, const struct ub_recover_opts *o, const struct ub_src *image,
		     struct ub_gates *g, struct ub_progress *p, int first, struct ub_err *e)
{
	struct ub_check_opts co = o->check;
	struct ub_err ge;
	char vouched[560];
	size_t k;
	int rc;

	ub_err_clear(&ge);
	if (o->region) {
		ub_err_set(&ge, UB_EUSAGE, "usage",
			   "--region %s: the image is a set (%s) that names the region of each of its images; leave --region out",
			   o->region, g->set.kind);
		gate(g, "region", ge.code, &ge, &first, e);
	}
	co.image = o->image;
	co.src = image;
	co.target.profile = &s->profile;
	ub_err_clear(&ge);
	if ((rc = ub_check_image(&co, &g->cr, p, &ge))) {
		gate(g, "check", rc, &ge, &first, e);
		return first;
	}
	g->have_check = 1;
	gate(g, "backup", gate_backup(s, o, &ge), &ge, &first, e);
	gate(g, "check", gate_failures(&g->cr, &ge), &ge, &first, e);
	gate(g, "unverified", gate_verdict(&g->cr, o, &ge), &ge, &first, e);
	if (!(g->items = calloc(g->set.n ? g->set.n : 1, sizeof *g->items)) || !(g->set_checks = json_array()))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	snprintf(vouched, sizeof vouched, "the set's archive: %.500s", g->cr.why);
	for (k = 0; k < g->set.n; k++)
		gate_item(s, o, g, k, g->cr.verdict == UB_VERDICT_SAFE ? vouched : NULL, &first, e);
	return first;
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
	GATE("unlock-bootloader", gate_unlock_bootloader(s, o, &ge));
	if (image && !o->verify_only && s->fam->image_set) {
		ub_err_clear(&ge);
		rc = s->fam->image_set(image, o->check.tmpdir, &g->set, &ge);
		if (rc < 0) {
			refuse(g, "set", rc, &ge);
			if (!first)
				*e = g->first = ge;
			return first ? first : rc;
		}
		if (rc == 0) {
			g->have_set = 1;
			return gates_set(s, o, image, g, p, first, e);
		}
	}
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
	if (g->have_set)
		ub_imgset_free(&g->set);
	free(g->items);
	json_decref(g->set_checks);
	json_decref(g->refusals);
	memset(g, 0, sizeof *g);
}
