#include "imgset.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "archive_files.h"
#include "unpack.h"

/* The images the boot needs, first and in this order (AOSP's
 * BootCritical images); the others follow by name. */
static const char *const boot_first[] = {
	"boot", "init_boot", "dtbo", "dts", "pvmfw", "recovery",
	"vbmeta", "vbmeta_system", "vbmeta_vendor", "vendor_boot",
};

/* Left out of an update zip, and why. */
static const char *left_out(const char *part)
{
	size_t n = strlen(part);

	if (strcmp(part, "userdata") == 0 || strcmp(part, "cache") == 0)
		return "it would erase the owner's data (fastboot writes it only when told to wipe)";
	if (strcmp(part, "super") == 0)
		return "AOSP's update writes it only when told to wipe";
	if (n > 6 && strcmp(part + n - 6, "_other") == 0)
		return "it is for the other slot";
	return NULL;
}

static int boot_rank(const char *part)
{
	size_t i;

	for (i = 0; i < sizeof boot_first / sizeof boot_first[0]; i++)
		if (strcmp(part, boot_first[i]) == 0)
			return (int)i;
	return (int)(sizeof boot_first / sizeof boot_first[0]);
}

static int by_order(const void *a, const void *b)
{
	const struct ub_set_image *x = a, *y = b;
	int rx = boot_rank(x->part), ry = boot_rank(y->part);

	return rx != ry ? rx - ry : strcmp(x->part, y->part);
}

static const char *base_of(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

/* The folder of path ("" at the top), into out; its depth. */
static int folder_of(const char *path, char *out, size_t len)
{
	const char *s = strrchr(path, '/');
	int depth = 0;

	snprintf(out, len, "%.*s", s ? (int)(s - path) : 0, path);
	for (s = path; *s; s++)
		depth += *s == '/';
	return depth;
}

static int starts_ends(const char *s, const char *head, const char *tail)
{
	size_t n = strlen(s), h = strlen(head), t = strlen(tail);

	return n > h + t && strncmp(s, head, h) == 0 && strcmp(s + n - t, tail) == 0;
}

/* A partition's name as a region may carry it. */
static int part_name_ok(const char *s)
{
	size_t n = strlen(s), i;

	if (n == 0 || n > 31)
		return 0;
	for (i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= '0' && s[i] <= '9') ||
		      s[i] == '_' || s[i] == '-'))
			return 0;
	return 1;
}

static void note(struct ub_imgset *set, const char *fmt, const char *a, const char *b)
{
	size_t len = strlen(set->notes);

	snprintf(set->notes + len, sizeof set->notes - len, "%s", len ? "; " : "");
	len = strlen(set->notes);
	snprintf(set->notes + len, sizeof set->notes - len, fmt, a, b);
}

static struct ub_set_image *add(struct ub_imgset *set, struct ub_err *e)
{
	struct ub_set_image *grown;

	if (set->n == UB_IMGSET_MAX) {
		ub_err_set(e, UB_EFORMAT, "imgset-invalid", "the set holds more than %d images", UB_IMGSET_MAX);
		return NULL;
	}
	if (!(grown = realloc(set->v, (set->n + 1) * sizeof *set->v))) {
		ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		return NULL;
	}
	set->v = grown;
	memset(&set->v[set->n], 0, sizeof set->v[0]);
	set->v[set->n].src.fd = -1;
	return &set->v[set->n++];
}

/* android-info.txt of an update zip: its bytes, parsed. */
static int read_info(const struct ub_src *zip, const struct ub_archive_file *f, const char *label,
		     const char *tmpdir, uint64_t *budget, struct ub_reqs *out, struct ub_err *e)
{
	struct ub_src s;
	char *text, from[160];
	int rc;

	snprintf(from, sizeof from, "%.150s", label);
	if (f->size > UB_ANDROID_INFO_MAX)
		return ub_err_set(e, UB_EFORMAT, "imgset-invalid", "%s is %llu bytes; a list of requirements is never over %d",
				  from, (unsigned long long)f->size, UB_ANDROID_INFO_MAX);
	if ((rc = ub_archive_unpack(zip, f, tmpdir, budget, &s, e)))
		return rc;
	if (!(text = malloc(s.size ? (size_t)s.size : 1))) {
		ub_src_close(&s);
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	rc = ub_src_read(&s, 0, text, (size_t)s.size, e);
	if (!rc)
		rc = ub_android_info_parse(text, (size_t)s.size, from, out, e);
	free(text);
	ub_src_close(&s);
	return rc;
}

/* The images and requirements of an update zip (zip, listed in l); where
 * says where it is for messages ("" at the top, or "x/image-p.zip:"). */
static int read_update(const struct ub_src *zip, const struct ub_archive_files *l, const char *where,
		       const char *tmpdir, uint64_t *budget, struct ub_imgset *set, struct ub_err *e)
{
	size_t i, first = set->n;
	int rc = 0, info = 0;

	for (i = 0; !rc && i < l->n; i++) {
		const char *name = l->v[i].name;
		char label[300], part[64];
		struct ub_set_image *im;
		const char *why;

		if (!name || strchr(name, '/'))
			continue;   /* AOSP reads only the top */
		snprintf(label, sizeof label, "%s%s", where, name);
		if (strcmp(name, "android-info.txt") == 0) {
			if ((rc = read_info(zip, &l->v[i], label, tmpdir, budget, &set->req, e)))
				break;
			info = 1;
			continue;
		}
		if (!starts_ends(name, "", ".img"))
			continue;   /* signatures, notes */
		snprintf(part, sizeof part, "%.*s", (int)(strlen(name) - 4), name);
		if (strcmp(part, "super_empty") == 0)
			return ub_err_set(e, UB_EFORMAT, "imgset-unsupported",
					  "%s: this set uses dynamic partitions (super_empty.img), which unbrick does not write; use the vendor's tool",
					  label);
		if (strcmp(part, "dt") == 0)   /* AOSP's name for it */
			snprintf(part, sizeof part, "dts");
		if (!part_name_ok(part))
			return ub_err_set(e, UB_EFORMAT, "imgset-invalid",
					  "%.200s: '%.40s' is no partition's name (letters, digits, '_' and '-', up to 31)",
					  label, part);
		if ((why = left_out(part))) {
			note(set, "%s left out: %s", name, why);
			continue;
		}
		if (!(im = add(set, e)))
			return e->code;
		snprintf(im->part, sizeof im->part, "%s", part);
		snprintf(im->entry, sizeof im->entry, "%.255s", label);
		rc = ub_archive_unpack(zip, &l->v[i], tmpdir, budget, &im->src, e);
	}
	if (rc)
		return rc;
	if (!info)
		return ub_err_set(e, UB_EFORMAT, "imgset-invalid", "%sandroid-info.txt is missing", where);
	if (set->n == first)
		return ub_err_set(e, UB_EFORMAT, "imgset-invalid", "%sandroid-info.txt has no image beside it", where);
	qsort(set->v + first, set->n - first, sizeof set->v[0], by_order);
	for (i = first; i + 1 < set->n; i++)
		if (strcmp(set->v[i].part, set->v[i + 1].part) == 0)
			return ub_err_set(e, UB_EFORMAT, "imgset-invalid", "two images for partition %s: %s and %s",
					  set->v[i].part, set->v[i].entry, set->v[i + 1].entry);
	return 0;
}

/* bootloader-PRODUCT-VERSION.img: the version, the product being one the
 * requirements name (products may hold '-'), else the first word. */
static void version_of(const char *base, const char *prefix, const struct ub_reqs *req, char *out, size_t len)
{
	const char *rest = base + strlen(prefix), *v = NULL, *dash;
	size_t i, n = strlen(rest) - 4;   /* less ".img" */
	unsigned k;

	for (i = 0; !v && i < req->n; i++)
		for (k = 0; !v && strcmp(req->v[i].var, "product") == 0 && !req->v[i].reject && k < req->v[i].nvalues; k++) {
			size_t pn = strlen(req->v[i].values[k]);

			if (pn && pn + 1 < n && strncmp(rest, req->v[i].values[k], pn) == 0 && rest[pn] == '-')
				v = rest + pn + 1;
		}
	if (!v && (dash = memchr(rest, '-', n)))
		v = dash + 1;
	snprintf(out, len, "%.*s", v ? (int)(n - (size_t)(v - rest)) : 0, v ? v : "");
}

/* One image of the factory folder: bootloader-* or radio-*. */
static int factory_image(const struct ub_src *src, const struct ub_archive_file *f, const char *part,
			 const char *provides, const char *tmpdir, uint64_t *budget, struct ub_imgset *set,
			 struct ub_err *e)
{
	struct ub_set_image *im = add(set, e);

	if (!im)
		return e->code;
	snprintf(im->part, sizeof im->part, "%s", part);
	snprintf(im->entry, sizeof im->entry, "%.255s", f->name);
	snprintf(im->provides, sizeof im->provides, "%s", provides);
	im->restart = 1;
	return ub_archive_unpack(src, f, tmpdir, budget, &im->src, e);
}

static int read_factory(const struct ub_src *src, const struct ub_archive_files *l, const char *dir,
			const struct ub_archive_file *zipf, const char *tmpdir, uint64_t *budget,
			struct ub_imgset *set, struct ub_err *e)
{
	const struct ub_archive_file *bl = NULL, *radio = NULL;
	struct ub_archive_files inner = { 0 };
	struct ub_src zip = { .fd = -1 };
	long bl_at = -1, radio_at = -1;
	char where[300];
	size_t i;
	int rc = 0;

	for (i = 0; i < l->n; i++) {
		char d[256];
		const char *b = base_of(l->v[i].name);

		folder_of(l->v[i].name, d, sizeof d);
		if (strcmp(d, dir) != 0)
			continue;
		if (starts_ends(b, "bootloader-", ".img")) {
			if (bl)
				return ub_err_set(e, UB_EFORMAT, "imgset-invalid", "two bootloaders in the factory archive: %.120s and %.120s",
						  bl->name, l->v[i].name);
			bl = &l->v[i];
		} else if (starts_ends(b, "radio-", ".img")) {
			if (radio)
				return ub_err_set(e, UB_EFORMAT, "imgset-invalid", "two radios in the factory archive: %.120s and %.120s",
						  radio->name, l->v[i].name);
			radio = &l->v[i];
		}
	}
	snprintf(set->kind, sizeof set->kind, "factory archive");
	if (bl) {
		bl_at = (long)set->n;
		rc = factory_image(src, bl, "bootloader", "version-bootloader", tmpdir, budget, set, e);
	}
	if (!rc && radio) {
		radio_at = (long)set->n;
		rc = factory_image(src, radio, "radio", "version-baseband", tmpdir, budget, set, e);
	}
	if (!rc)
		rc = ub_archive_unpack(src, zipf, tmpdir, budget, &zip, e);
	if (!rc && (rc = ub_archive_files(&zip, *budget, &inner, e)) == 1)
		rc = ub_err_set(e, UB_EFORMAT, "imgset-invalid", "%.200s is no zip", zipf->name);
	snprintf(where, sizeof where, "%.250s:", zipf->name);
	if (!rc)
		rc = read_update(&zip, &inner, where, tmpdir, budget, set, e);
	ub_archive_files_free(&inner);
	ub_src_close(&zip);
	if (rc)
		return rc;
	/* what the bootloader and the radio bring about is checked once
	 * they run */
	for (i = 0; i < set->req.n; i++) {
		struct ub_req *r = &set->req.v[i];

		if (bl_at >= 0 && strcmp(r->var, "version-bootloader") == 0)
			r->after = bl_at;
		else if (radio_at >= 0 && strcmp(r->var, "version-baseband") == 0)
			r->after = radio_at;
	}
	if (bl_at >= 0) {
		struct ub_set_image *b = &set->v[bl_at];
		int said = 0;

		version_of(base_of(b->entry), "bootloader-", &set->req, b->version, sizeof b->version);
		for (i = 0; i < set->req.n; i++)
			said |= set->req.v[i].after == bl_at;
		if (!said && b->version[0]) {
			struct ub_req *grown = realloc(set->req.v, (set->req.n + 1) * sizeof *grown), *r;

			if (!grown)
				return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
			set->req.v = grown;
			r = &set->req.v[set->req.n++];
			memset(r, 0, sizeof *r);
			r->after = bl_at;
			r->nocase = 1;
			snprintf(r->from, sizeof r->from, "%.150s", b->entry);
			snprintf(r->var, sizeof r->var, "version-bootloader");
			snprintf(r->values[0], sizeof r->values[0], "%s", b->version);
			r->nvalues = 1;
			snprintf(r->text, sizeof r->text, "its file name: version-bootloader=%.150s", b->version);
		}
	}
	if (radio_at >= 0)
		version_of(base_of(set->v[radio_at].entry), "radio-", &set->req, set->v[radio_at].version,
			   sizeof set->v[radio_at].version);
	return 0;
}

int ub_imgset_read(const struct ub_src *src, const char *tmpdir, struct ub_imgset *set, struct ub_err *e)
{
	struct ub_archive_files l;
	const struct ub_archive_file *zipf = NULL;
	uint64_t budget = ub_unpack_limit(src);
	char dir[256] = "";
	size_t i;
	int rc, update = 0;

	memset(set, 0, sizeof *set);
	if ((rc = ub_archive_files(src, budget, &l, e)))
		return rc;
	for (i = 0; i < l.n; i++) {
		char d[256];
		int depth = folder_of(l.v[i].name, d, sizeof d);

		if (depth <= 1 && starts_ends(base_of(l.v[i].name), "image-", ".zip")) {
			if (zipf) {
				rc = ub_err_set(e, UB_EFORMAT, "imgset-invalid",
						"two update zips in the factory archive: %.120s and %.120s", zipf->name,
						l.v[i].name);
				goto out;
			}
			zipf = &l.v[i];
			snprintf(dir, sizeof dir, "%s", d);
		}
		update |= strcmp(l.v[i].name, "android-info.txt") == 0;
	}
	if (zipf) {
		rc = read_factory(src, &l, dir, zipf, tmpdir, &budget, set, e);
	} else if (update) {
		snprintf(set->kind, sizeof set->kind, "update zip");
		rc = read_update(src, &l, "", tmpdir, &budget, set, e);
	} else {
		rc = 1;   /* one image in a container, for the gates to judge */
	}
out:
	ub_archive_files_free(&l);
	if (rc)
		ub_imgset_free(set);
	return rc;
}

void ub_imgset_free(struct ub_imgset *set)
{
	size_t i;

	for (i = 0; i < set->n; i++)
		ub_src_close(&set->v[i].src);
	free(set->v);
	ub_reqs_free(&set->req);
	memset(set, 0, sizeof *set);
}
