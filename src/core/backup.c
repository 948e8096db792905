#include "backup.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <dirent.h>
#include <openssl/evp.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "base/outfile.h"
#include "base/say.h"
#include "core/blocks.h"
#include "image/digest.h"
#include "image/src.h"

struct sink_ctx {
	struct ub_outfile *f;
	struct ub_err *e;
};

static int to_file(void *ctx, const uint8_t *buf, size_t n)
{
	struct sink_ctx *c = ctx;

	return ub_outfile_write(c->f, buf, n, c->e);
}

static int add_entry(struct ub_backup *b, const struct ub_backup_entry *x)
{
	struct ub_backup_entry *v = realloc(b->v, (b->n + 1) * sizeof *v);

	if (!v)
		return UB_ENOMEM;
	b->v = v;
	b->v[b->n++] = *x;
	return 0;
}

static int read_region(struct ub_session *s, const struct ub_region *r,
		       const char *dir, struct ub_backup_entry *x,
		       struct ub_progress *p, struct ub_err *e)
{
	char path[4200];
	struct sink_ctx c = { NULL, e };
	int rc;

	memset(x, 0, sizeof *x);
	snprintf(x->region, sizeof x->region, "%s", r->name);
	snprintf(x->file, sizeof x->file, "%s.bin", r->name);
	x->offset = r->offset;
	snprintf(path, sizeof path, "%s/%s", dir, x->file);
	if ((rc = ub_outfile_open(&c.f, path, e)))
		return rc;
	rc = s->fam->read(s->dev, r, 0, r->size, to_file, &c, p, e);
	if (rc) {
		ub_outfile_abort(c.f);
		return rc;
	}
	return ub_outfile_commit(c.f, x->sha256, &x->size, e);
}

/* Regions unique to one unit: radio calibration, factory data (MAC
 * addresses, serial numbers). */
static int unit_unique(const struct ub_flash_map *map, const char *name)
{
	const struct ub_region *g = map ? ub_flash_map_find(map, name) : NULL;

	return g && (g->role == UB_ROLE_CALIBRATION || g->role == UB_ROLE_FACTORY);
}

/* The unit's fingerprint: a sha256 over the sha256s of the regions that
 * are unique per unit, or of every region when the profile names none (a
 * digest of the whole device), in the manifest's order. */
static void fingerprint(const struct ub_backup *b, const struct ub_flash_map *map, char *out)
{
	unsigned char md[32];
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	size_t i, unique = 0;

	out[0] = '\0';
	if (!c)
		return;
	for (i = 0; i < b->n; i++)
		unique += unit_unique(map, b->v[i].region);
	EVP_DigestInit_ex(c, EVP_sha256(), NULL);
	for (i = 0; i < b->n; i++)
		if (!unique || unit_unique(map, b->v[i].region))
			EVP_DigestUpdate(c, b->v[i].sha256, 64);
	EVP_DigestFinal_ex(c, md, NULL);
	EVP_MD_CTX_free(c);
	ub_hex(md, 32, out);
}

static int write_manifest(const char *dir, const struct ub_session *s,
			  const struct ub_identity *id, int complete, const struct ub_backup *b,
			  struct ub_err *e)
{
	json_t *regions = json_array(), *root;
	char path[4200], *text, fp[65];
	size_t i;
	int rc;

	for (i = 0; regions && i < b->n; i++)
		json_array_append_new(regions, json_pack("{s:s, s:s, s:I, s:I, s:s}",
			"region", b->v[i].region, "file", b->v[i].file,
			"offset", (json_int_t)b->v[i].offset, "size", (json_int_t)b->v[i].size,
			"sha256", b->v[i].sha256));
	fingerprint(b, &s->map, fp);
	root = json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s}, s:b, s:s, s:o}",
			 "format", 2, "profile", s->profile.name ? s->profile.name : "",
			 "device", s->spec.address,
			 "model", id ? id->model : "", "serial", id ? id->serial : "",
			 "firmware_version", id ? id->firmware_version : "",
			 "identity", "model", id ? id->model : "", "serial", id ? id->serial : "",
			 "firmware_version", id ? id->firmware_version : "",
			 "bootloader", id ? id->bootloader : "", "hardware", id ? id->hardware : "",
			 "complete", complete, "fingerprint", fp,
			 "regions", regions);
	text = root ? json_dumps(root, JSON_INDENT(2) | JSON_ENSURE_ASCII) : NULL;
	json_decref(root);
	if (!text)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	rc = ub_write_file_atomic(path, text, strlen(text), NULL, e);
	free(text);
	return rc;
}

/* 1 when dir holds anything but what a crash may leave (a partial file
 * of an older unbrick), which is removed. */
static int holds_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int any = 0;

	if (!d)
		return 0;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (strstr(de->d_name, ".partial-")) {
			unlinkat(dirfd(d), de->d_name, 0);
			continue;
		}
		any = 1;
	}
	closedir(d);
	return any;
}

int ub_backup_run(struct ub_session *s, const char *dir, const char *only, int how,
		  const struct ub_identity *id, struct ub_backup *out,
		  struct ub_progress *p, struct ub_err *e)
{
	struct ub_progress step;
	uint64_t total = 0;
	size_t i, picked = 0;
	struct ub_rate rate;
	char t[32];
	int rc = 0;

	memset(out, 0, sizeof *out);
	if (!(s->caps & UB_CAP_READ) || !s->fam->read)
		return ub_err_set(e, UB_EREFUSED, "backup-impossible",
				  "this %s device cannot be read, so nothing can be backed up before the write; back it up another way (the profile's other path), or pass --no-backup to write without one (recorded)",
				  s->fam->name);
	if (mkdir(dir, 0700) != 0 && errno != EEXIST)
		return ub_err_errno(e, UB_EIO, "io", errno, "cannot create %s", dir);
	if (holds_files(dir) && how != UB_BACKUP_REPLACE)
		return ub_err_set(e, UB_EREFUSED, "backup-exists",
				  "%s is not empty; an earlier backup there is not replaced (give a new folder, or --force to replace it)",
				  dir);
	for (i = 0; i < s->map.n; i++) {
		const struct ub_region *r = &s->map.v[i];

		if ((r->flags & UB_REGION_NOREAD) || (only && strcmp(only, r->name)))
			continue;
		total += r->size;
		picked++;
	}
	if (only && !picked)
		return ub_err_set(e, UB_EUSAGE, "usage", "no readable region named '%s' in profile %s",
				  only, s->profile.name);
	/* A dump over a serial console can take hours: say so before it
	 * starts, not only in the progress line once it runs.  Not from
	 * typical rates alone: empty flash reads far faster than they say. */
	ub_session_rate(s, 0, &rate);
	if (!rate.typical && total / rate.bps > 60) {
		ub_say_secs(total / rate.bps, t, sizeof t);
		ub_say("  %.1f MiB to read: up to %s (%s)\n", total / 1048576.0, t, rate.why);
	}
	ub_progress_plan(p, (double)total);
	for (i = 0; !rc && i < s->map.n; i++) {
		const struct ub_region *r = &s->map.v[i];
		struct ub_backup_entry x;

		if ((r->flags & UB_REGION_NOREAD) || (only && strcmp(only, r->name)))
			continue;
		if ((rc = ub_safe_point(r->name, e)))
			break;
		ub_progress_begin(&step, p, r->name, (double)r->size, r->size);
		rc = read_region(s, r, dir, &x, &step, e);
		ub_progress_end(&step, rc);
		if (!rc && add_entry(out, &x))
			rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	if (!rc)
		rc = write_manifest(dir, s, id, only == NULL, out, e);
	if (!rc) {
		out->complete = only == NULL;
		fingerprint(out, &s->map, out->fingerprint);
		snprintf(out->serial, sizeof out->serial, "%s", id ? id->serial : "");
		snprintf(out->model, sizeof out->model, "%s", id ? id->model : "");
		snprintf(out->firmware_version, sizeof out->firmware_version, "%s",
			 id ? id->firmware_version : "");
	}
	if (rc)
		ub_backup_free(out);
	return rc;
}

void ub_backup_describe_reads(const struct ub_session *s, json_t *obj)
{
	struct ub_read_stats rs;

	if (!s->fam->read_stats || !obj)
		return;
	s->fam->read_stats(s->dev, &rs);
	if (rs.via[0])
		json_object_set_new(obj, "read_via", json_string(rs.via));
	if (rs.asked_again)
		json_object_set_new(obj, "asked_again", json_integer((json_int_t)rs.asked_again));
}

static const char *jtext(const json_t *o, const char *k)
{
	return json_is_string(json_object_get(o, k)) ? json_string_value(json_object_get(o, k)) : "";
}

/* Every readable region of the map, each exactly its size. */
static int complete_for(const char *dir, const struct ub_flash_map *map, const struct ub_backup *b,
			struct ub_err *e)
{
	size_t i;

	for (i = 0; i < map->n; i++) {
		const struct ub_region *g = &map->v[i];
		const struct ub_backup_entry *x = ub_backup_find(b, g->name);

		if (g->flags & UB_REGION_NOREAD)
			continue;
		if (!x)
			return ub_err_set(e, UB_EFAIL, "backup-incomplete",
					  "backup %s has no region %s (it lists %zu of the profile's regions)",
					  dir, g->name, b->n);
		if (x->size != g->size)
			return ub_err_set(e, UB_EFAIL, "backup-incomplete",
					  "backup %s: region %s is %llu bytes in the backup and %llu on the device",
					  dir, g->name, (unsigned long long)x->size, (unsigned long long)g->size);
	}
	return 0;
}

int ub_backup_verify(const char *dir, const struct ub_flash_map *map, struct ub_backup *out,
		     struct ub_err *e)
{
	char path[4200];
	json_error_t je;
	json_t *root, *regions, *r;
	size_t i;
	int rc = 0;

	memset(out, 0, sizeof *out);
	snprintf(path, sizeof path, "%s/manifest.json", dir);
	root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return ub_err_set(e, UB_EFAIL, "backup-damaged",
				  "no usable backup manifest %s: %s", path, je.text);
	snprintf(out->serial, sizeof out->serial, "%s",
		 json_is_string(json_object_get(root, "serial")) ?
		 json_string_value(json_object_get(root, "serial")) : "");
	snprintf(out->firmware_version, sizeof out->firmware_version, "%s",
		 json_is_string(json_object_get(root, "firmware_version")) ?
		 json_string_value(json_object_get(root, "firmware_version")) : "");
	snprintf(out->model, sizeof out->model, "%s", jtext(root, "model"));
	snprintf(out->fingerprint, sizeof out->fingerprint, "%s", jtext(root, "fingerprint"));
	out->complete = json_is_true(json_object_get(root, "complete"));
	regions = json_object_get(root, "regions");
	json_array_foreach(regions, i, r) {
		struct ub_backup_entry x = { 0 };
		const char *name = json_string_value(json_object_get(r, "region"));
		const char *file = json_string_value(json_object_get(r, "file"));
		const char *sha = json_string_value(json_object_get(r, "sha256"));
		struct ub_digests d;
		struct ub_src src;
		char got[65];

		if (!name || !file || !sha || strchr(file, '/') || strlen(sha) != 64 ||
		    strlen(name) >= sizeof x.region || strlen(file) >= sizeof x.file) {
			rc = ub_err_set(e, UB_EFAIL, "backup-damaged",
					"backup manifest %s: entry %zu is malformed", path, i);
			break;
		}
		strcpy(x.region, name);
		strcpy(x.file, file);
		strcpy(x.sha256, sha);
		x.offset = (uint64_t)json_integer_value(json_object_get(r, "offset"));
		snprintf(path, sizeof path, "%s/%s", dir, file);
		if ((rc = ub_src_open(&src, path, e)))
			break;
		x.size = src.size;
		rc = ub_digest_src(&src, UB_SHA256, &d, NULL, e);
		ub_src_close(&src);
		if (rc)
			break;
		ub_hex(d.md[ub_digest_index(UB_SHA256)], 32, got);
		if (strcmp(got, sha) != 0) {
			rc = ub_err_set(e, UB_EFAIL, "backup-damaged",
					"backup file %s has sha256 %s, its manifest says %s",
					path, got, sha);
			break;
		}
		if (add_entry(out, &x)) {
			rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
			break;
		}
	}
	if (!rc && out->n == 0)
		rc = ub_err_set(e, UB_EFAIL, "backup-damaged", "backup manifest in %s lists no regions", dir);
	if (!rc && map)
		rc = complete_for(dir, map, out, e);
	json_decref(root);
	if (rc)
		ub_backup_free(out);
	return rc;
}

static int skipped(const char *name, const char *const *skip)
{
	for (; skip && *skip; skip++)
		if (strcmp(*skip, name) == 0)
			return 1;
	return 0;
}

/* Which of the backup's regions tell this unit from another: those unique
 * to one unit (calibration, factory data) when the profile names any;
 * else every region that a repair or the owner does not change (not the
 * firmware, not the settings: a factory reset since the backup does not
 * make it another unit's). */
static int telling(const struct ub_session *s, const struct ub_backup *b, size_t i,
		   const char *const *skip, int unique)
{
	const struct ub_region *g = ub_flash_map_find(&s->map, b->v[i].region);

	if (!g || skipped(g->name, skip))
		return 0;
	if (unique)
		return g->role == UB_ROLE_CALIBRATION || g->role == UB_ROLE_FACTORY;
	return !(g->flags & (UB_REGION_FIRMWARE | UB_REGION_CONFIG)) && g->role != UB_ROLE_FIRMWARE &&
	       g->role != UB_ROLE_CONFIG;
}

int ub_backup_same_unit(struct ub_session *s, const struct ub_identity *id, const char *dir,
			const struct ub_backup *b, const char *const *skip, char *why,
			size_t len, struct ub_err *e)
{
	int serial = id && id->serial[0] && b->serial[0];
	size_t i, compared = 0, unique = 0;
	int rc;

	if (serial && strcmp(id->serial, b->serial) != 0) {
		snprintf(why, len, "the backup is from unit %.64s and this is unit %.64s", b->serial, id->serial);
		return 0;
	}
	if (id && id->model[0] && b->model[0] && strcmp(id->model, b->model) != 0) {
		snprintf(why, len, "the backup is from a %.64s and this is a %.64s", b->model, id->model);
		return 0;
	}
	for (i = 0; i < b->n; i++)
		unique += telling(s, b, i, skip, 1);
	if (ub_blocks_how(s) == UB_BY_NOTHING && !serial) {
		snprintf(why, len, "the %s family can neither digest nor read the device, and no serial number tells the units apart",
			 s->fam->name);
		return 0;
	}
	for (i = 0; i < b->n && ub_blocks_how(s) != UB_BY_NOTHING; i++) {
		const struct ub_region *g = ub_flash_map_find(&s->map, b->v[i].region);
		struct ub_compare c;
		struct ub_src src;
		char path[4300];

		if (!telling(s, b, i, skip, unique > 0))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, b->v[i].file);
		if ((rc = ub_src_open(&src, path, e)))
			return rc;
		rc = ub_blocks_compare(s, g, 0, &src, 0, &c, NULL, e);
		ub_src_close(&src);
		if (rc)
			return rc;
		compared++;
		if (c.mismatched) {
			snprintf(why, len, "region %s on the device differs from the backup's (%llu of %llu blocks)%s",
				 g->name, (unsigned long long)c.mismatched, (unsigned long long)c.set.count,
				 unique ? ": it holds this unit's own calibration or factory data" : "");
			ub_compare_free(&c);
			return 0;
		}
		ub_compare_free(&c);
	}
	if (!compared && !serial) {
		snprintf(why, len, "no serial number and no region outside the firmware and the settings tells this unit from another");
		return 0;
	}
	if (compared)
		snprintf(why, len, "%s%zu region%s telling units apart match the device", serial ?
			 "the serial number and " : "", compared, compared == 1 ? "" : "s");
	else
		snprintf(why, len, "the serial number matches");
	return 1;
}

const struct ub_backup_entry *ub_backup_find(const struct ub_backup *b,
					     const char *region)
{
	size_t i;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->v[i].region, region) == 0)
			return &b->v[i];
	return NULL;
}

void ub_backup_free(struct ub_backup *b)
{
	free(b->v);
	memset(b, 0, sizeof *b);
}
