#include "recover.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>
#include <zlib.h>

#include "core/backup.h"
#include "core/bundle.h"
#include "core/diagnose.h"
#include "core/flash.h"
#include "core/journal.h"
#include "core/plan.h"
#include "core/report.h"
#include "core/restore.h"
#include "core/session.h"
#include "base/outfile.h"
#include "base/say.h"
#include "image/src.h"

struct run {
	const struct ub_recover_opts *o;
	struct ub_journal *j;
	struct ub_case c;
	struct ub_session s;
	struct ub_identity id;
	struct ub_progress *root;
	json_t *res;
	int log_fd;
	const char *plan[10];   /* the steps this run will take, for the checklist */
};

/* One line each, shown before the step runs. */
static const struct {
	const char *name, *why;
} explain[] = {
	{ "identify", "reach the device and read what it is (model, serial, firmware)" },
	{ "preflight", "check the link, the room for backups and the power before touching anything" },
	{ "backup", "read every region and keep it, verified, before anything is written" },
	{ "check", "check the image: checksums, signature, model, version" },
	{ "flash", "write only the blocks that differ (you confirm first)" },
	{ "verify", "compare what the device holds with the image" },
	{ "settings", "put the owner's settings back where the write changed them, if the new firmware reads them" },
	{ "boot", "reset the device and watch it boot the new firmware" },
	{ "restore", "put regions back from the backup, only blocks that differ" },
};

/* The checklist on a terminal: done, current, still to do. */
static void checklist(const struct run *r, const char *current)
{
	char line[256] = "";
	size_t i;
	int seen = 0;

	for (i = 0; r->plan[i]; i++) {
		int here = strcmp(r->plan[i], current) == 0;

		seen |= here;
		snprintf(line + strlen(line), sizeof line - strlen(line), "%s[%s] %s", i ? "  " : "",
			 here ? ">" : seen ? " " : "x", r->plan[i]);
	}
	if (seen)
		ub_say("%s\n", line);
}

/* Runs one journal step around fn. */
static int step(struct run *r, const char *name, double weight,
		int (*fn)(struct run *r, struct ub_progress *p, json_t *detail, struct ub_err *e),
		struct ub_err *e)
{
	struct ub_progress p;
	long long id = 0;
	json_t *detail = json_object();
	const char *why = NULL;
	struct ub_err je;
	size_t k;
	int rc;

	ub_err_clear(&je);
	if (r->j && ub_step_begin(r->j, r->c.id, name, &id, e)) {
		json_decref(detail);
		return e->code;
	}
	for (k = 0; k < sizeof explain / sizeof explain[0]; k++)
		if (strcmp(explain[k].name, name) == 0)
			why = explain[k].why;
	if (r->o->guide)
		checklist(r, name);
	ub_say("== %s%s%s\n", name, why ? ": " : "", why ? why : "");
	ub_progress_begin(&p, r->root, name, weight, 0);
	rc = fn(r, &p, detail, e);
	ub_progress_end(&p, rc);
	/* A write, verify or boot that failed after every gate let it through
	 * is an attempt that counts towards knowing when to stop. */
	if (rc < 0 && rc != UB_EREFUSED && (strcmp(name, "flash") == 0 || strcmp(name, "verify") == 0 ||
					     strcmp(name, "boot") == 0 || strcmp(name, "restore") == 0 ||
					     strcmp(name, "settings") == 0))
		json_object_set_new(detail, "attempt", json_string("failed"));
	if (r->j && ub_step_end(r->j, id, rc, rc == 1, rc ? e : NULL,
				(uint64_t)json_integer_value(json_object_get(detail, "bytes")),
				detail, &je))
		ub_say("unbrick: warning: the journal did not record step %s: %s\n", name, je.msg);
	json_object_set_new(detail, "outcome", json_string(rc == 1 ? "skipped" : rc ? "failed" : "ok"));
	json_object_set(json_object_get(r->res, "steps"), name, detail);
	json_decref(detail);
	return rc == 1 ? 0 : rc;
}

static int do_identify(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	int rc;

	(void)p;
	ub_session_say_reach(&r->s);
	if ((rc = r->s.fam->enter_recovery(r->s.dev, e)) ||
	    (rc = r->s.fam->identify(r->s.dev, &r->id, e)))
		return rc;
	if (r->id.hardware[0])
		ub_say("  %s\n", r->id.hardware);
	ub_say("  %s, serial %s, firmware %s, %s\n", *r->id.model ? r->id.model : "unknown model",
		*r->id.serial ? r->id.serial : "unknown", *r->id.firmware_version ? r->id.firmware_version : "unknown",
		*r->id.bootloader ? r->id.bootloader : "no bootloader found");
	json_object_set_new(d, "model", json_string(r->id.model));
	json_object_set_new(d, "serial", json_string(r->id.serial));
	json_object_set_new(d, "firmware_version", json_string(r->id.firmware_version));
	json_object_set_new(d, "bootloader", json_string(r->id.bootloader));
	if (r->id.hardware[0])
		json_object_set_new(d, "hardware", json_string(r->id.hardware));
	if (r->j && !r->c.model[0]) {
		snprintf(r->c.model, sizeof r->c.model, "%s", r->id.model);
		snprintf(r->c.serial, sizeof r->c.serial, "%s", r->id.serial);
		ub_case_update(r->j, &r->c, NULL);
	}
	return 0;
}

/* With --trust-backup the user states that the device has not changed
 * since the backup named with --backup; a family that writes by comparing
 * may then use it instead of reading again (it checks a sample first).
 * Without it a backup is only the safety net: a stale one used as the
 * reference would leave blocks unwritten that needed writing. */
static int use_as_reference(struct run *r, const char *dir, const struct ub_backup *b,
			    struct ub_err *e)
{
	size_t i;
	int rc = 0;

	if (!r->s.fam->set_reference)
		return 0;
	for (i = 0; !rc && i < b->n; i++) {
		const struct ub_region *g = ub_flash_map_find(&r->s.map, b->v[i].region);
		char path[4300];
		struct ub_src src;

		if (!g)
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, b->v[i].file);
		if ((rc = ub_src_open(&src, path, e)))
			break;
		rc = r->s.fam->set_reference(r->s.dev, g, &src, e);
		ub_src_close(&src);
	}
	return rc;
}

static int do_backup(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const struct ub_recover_opts *o = r->o;
	struct ub_backup b;
	char dir[4200];
	uint64_t bytes = 0;
	long long prev;
	size_t i;
	int rc;

	if (o->no_backup) {
		ub_say("  skipped: --no-backup was given (recorded in the journal)\n");
		json_object_set_new(d, "skipped_by", json_string("--no-backup"));
		return 1;
	}
	prev = !o->backup_dir && r->j ? ub_step_last_ok(r->j, r->c.id, "backup") : 0;
	snprintf(dir, sizeof dir, "%s", o->backup_dir ? o->backup_dir : "");
	/* A resumed case uses the backup its earlier run used: its own, or
	 * the --backup DIR it was given then, which a cut run must not cost
	 * a second read of the device.  Never the earlier --trust-backup: the
	 * cut write changed the device since. */
	if (!o->backup_dir && (!prev || ub_step_detail_text(r->j, prev, "$.dir", dir, sizeof dir)))
		snprintf(dir, sizeof dir, "%s/backup", r->c.folder);
	/* A backup made before (an earlier run of this case, or --backup) is
	 * used when it still matches its manifest. */
	if (o->backup_dir || prev) {
		rc = ub_backup_verify(dir, &b, e);
		if (rc && o->backup_dir)
			return rc;
		if (!rc && o->backup_dir && o->trust_backup && (rc = use_as_reference(r, dir, &b, e))) {
			ub_backup_free(&b);
			return rc;
		}
		if (!rc) {
			ub_say("  using the verified backup in %s (%zu regions)%s\n", dir, b.n,
				o->trust_backup ? ", trusted as the device's contents (--trust-backup)" : "");
			json_object_set_new(d, "reused", json_true());
			if (o->trust_backup)
				json_object_set_new(d, "trusted", json_true());
			goto record;
		}
		ub_say("  the earlier backup does not verify (%s); reading again\n", e->msg);
		ub_err_clear(e);
		/* into the case, never into a folder it was only given */
		snprintf(dir, sizeof dir, "%s/backup", r->c.folder);
	}
	if ((rc = ub_backup_run(&r->s, dir, NULL, &r->id, &b, p, e)))
		return rc;
	ub_backup_describe_reads(&r->s, d);
record:
	for (i = 0; i < b.n; i++) {
		char path[4300];

		snprintf(path, sizeof path, "%s/%s", dir, b.v[i].file);
		bytes += b.v[i].size;
		if (r->j && !json_is_true(json_object_get(d, "reused")))
			ub_artifact_add(r->j, r->c.id, 0, "backup", path, b.v[i].sha256, b.v[i].size, NULL);
		ub_say("  %-10s sha256 %s\n", b.v[i].region, b.v[i].sha256);
	}
	json_object_set_new(d, "dir", json_string(dir));
	json_object_set_new(d, "regions", json_integer((json_int_t)b.n));
	json_object_set_new(d, "bytes", json_integer((json_int_t)bytes));
	json_object_set_new(r->res, "backup", json_string(dir));
	ub_backup_free(&b);
	return 0;
}

/* Before anything is read or written: room for the backups, a link that
 * carries bytes intact, and the profile's warnings (power). */
static int do_preflight(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const json_t *power = json_object_get(r->s.profile.doc, "power_sensitive");
	uint64_t need = 0, have;
	struct statvfs vfs;
	double rtt;
	size_t i;
	int rc;

	(void)p;
	for (i = 0; i < r->s.map.n; i++)
		if (!(r->s.map.v[i].flags & UB_REGION_NOREAD))
			need += r->s.map.v[i].size;
	if (!r->o->no_backup && !r->o->backup_dir && statvfs(r->c.folder, &vfs) == 0) {
		have = (uint64_t)vfs.f_bavail * vfs.f_frsize;
		json_object_set_new(d, "disk_free", json_integer((json_int_t)have));
		json_object_set_new(d, "backup_bytes", json_integer((json_int_t)need));
		if (have < need + need / 10 + (16u << 20))
			return ub_err_set(e, UB_EIO, "disk-full",
					  "the backups need %llu MiB and %s has %llu MiB free",
					  (unsigned long long)(need >> 20), r->c.folder,
					  (unsigned long long)(have >> 20));
		ub_say("  disk: %llu MiB free for %llu MiB of backups\n",
			(unsigned long long)(have >> 20), (unsigned long long)(need >> 20));
	}
	if (r->s.fam->link_check) {
		if ((rc = r->s.fam->link_check(r->s.dev, &rtt, e)))
			return rc;
		json_object_set_new(d, "link_rtt_ms", json_real(rtt));
		ub_say("  link: 5 echoes intact, slowest %.0f ms\n", rtt);
	}
	if (json_is_true(power) || json_is_string(power)) {
		ub_say("  power: %s\n", json_is_string(power) ? json_string_value(power) :
			"this device is sensitive to power: use its own supply, not USB power, and do not let it run on a battery that may empty");
		json_object_set_new(d, "power_warning", json_true());
	}
	return 0;
}

static const struct ub_region *target_region(struct run *r, struct ub_err *e)
{
	return ub_session_target(&r->s, r->o->region, e);
}

static int do_check(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	struct ub_check_opts co = r->o->check;
	struct ub_check_result cr;
	json_t *failed = json_array();
	size_t i;
	int rc;

	co.image = r->o->image;
	co.target.profile = &r->s.profile;
	if (!co.target.model && r->id.model[0])
		co.target.model = r->id.model;
	if (!co.target.installed_version && r->id.firmware_version[0])
		co.target.installed_version = r->id.firmware_version;
	rc = ub_check_image(&co, &cr, p, e);
	if (rc) {
		json_decref(failed);
		return rc;
	}
	for (i = 0; i < cr.checks.n; i++) {
		const struct ub_check *c = &cr.checks.v[i];

		if (c->verdict == UB_FAIL || c->verdict == UB_WARN)
			ub_say("  %s %s: %s\n", c->verdict == UB_FAIL ? "FAIL" : "warn", c->name, c->why);
		if (c->verdict == UB_FAIL)
			json_array_append_new(failed, json_string(c->name));
	}
	json_object_set_new(d, "sha256", json_string(cr.sha256));
	json_object_set_new(d, "layers", json_string(cr.meta.layers));
	json_object_set_new(d, "version", cr.meta.version ? json_string(cr.meta.version) : json_null());
	json_object_set_new(d, "bytes", json_integer((json_int_t)cr.size));
	json_object_set(d, "failed", failed);
	if (cr.meta.version)
		json_object_set_new(r->res, "image_version", json_string(cr.meta.version));
	if (r->j)
		ub_artifact_add(r->j, r->c.id, 0, "image", r->o->image, cr.sha256, cr.size, NULL);
	if (json_array_size(failed)) {
		rc = ub_err_set(e, UB_EREFUSED, ub_checks_find(&cr.checks, json_string_value(json_array_get(failed, 0)))->advice_id,
				"the image failed %zu check%s (%s); nothing was written",
				json_array_size(failed), json_array_size(failed) == 1 ? "" : "s",
				json_string_value(json_array_get(failed, 0)));
	} else if (strncmp(cr.meta.layers, "gzip", 4) == 0 || strncmp(cr.meta.layers, "xz", 2) == 0 ||
		   strncmp(cr.meta.layers, "zstd", 4) == 0 || strncmp(cr.meta.layers, "bzip2", 5) == 0 ||
		   strncmp(cr.meta.layers, "zip", 3) == 0 || strncmp(cr.meta.layers, "tar", 3) == 0 ||
		   strncmp(cr.meta.layers, "sparse", 6) == 0) {
		rc = ub_err_set(e, UB_EREFUSED, "image-container",
				"the image is packed (%s); unpack it and give the firmware file itself",
				cr.meta.layers);
	}
	json_decref(failed);
	ub_check_result_free(&cr);
	return rc;
}

static int do_flash(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const struct ub_region *g = target_region(r, e);
	struct ub_flash_result fr;
	struct ub_write_stats ws;
	struct ub_src src;
	char summary[512];
	int rc;

	if (!g)
		return e->code;
	if ((g->flags & UB_REGION_PROTECTED) && (!r->o->unlock || strcmp(r->o->unlock, g->name)))
		return ub_err_set(e, UB_EREFUSED, "region-protected",
				  "region %s is protected (a bootloader or calibration data); pass --unlock %s only if you mean to overwrite it",
				  g->name, g->name);
	if ((rc = ub_src_open(&src, r->o->image, e)))
		return rc;
	if (src.size > g->size) {
		ub_src_close(&src);
		return ub_err_set(e, UB_EREFUSED, "image-too-big",
				  "the image is %llu bytes; region %s holds %llu",
				  (unsigned long long)src.size, g->name, (unsigned long long)g->size);
	}
	snprintf(summary, sizeof summary, "write %llu bytes of %s into region %s (%s at 0x%llx)",
		 (unsigned long long)src.size, r->o->image, g->name, g->storage,
		 (unsigned long long)g->offset);
	if (r->o->confirm && !r->o->confirm(r->o->confirm_ctx, g->name, summary)) {
		ub_src_close(&src);
		return ub_err_set(e, UB_EREFUSED, "not-confirmed", "not confirmed: nothing was written");
	}
	ub_say("  %s\n", summary);
	rc = ub_flash_region(&r->s, g, &src, &fr, p, d, e);
	ub_src_close(&src);
	ws = fr.ws;
	json_object_set_new(r->res, "blocks", json_pack("{s:i, s:i, s:i}", "total", ws.blocks_total,
						      "written", ws.blocks_written, "skipped", ws.blocks_skipped));
	if (!rc)
		ub_say("  %u of %u blocks written, %u already right (skipped, found by %s), %u retries\n",
			ws.blocks_written, ws.blocks_total, ws.blocks_skipped, ub_compare_how_name(fr.how),
			ws.retries);
	return rc;
}

/* Compares the file at path with region g on the device, block by block,
 * with the device's own crc32; any difference fails. */
static int verify_region(struct run *r, const struct ub_region *g, const char *path,
			 json_t *d, struct ub_err *e)
{
	unsigned blocks, mismatched;
	int rc = ub_region_compare(&r->s, g, path, &blocks, &mismatched, d, e);

	if (!rc && mismatched)
		rc = ub_err_set(e, UB_EFAIL, "verify-failed",
				"%u of %u blocks of region %s differ from %s",
				mismatched, blocks, g->name, path);
	if (!rc)
		ub_say("  region %s: all %u blocks match %s (device-side crc32)\n",
			g->name, blocks, path);
	return rc;
}

/* A last whole-image comparison on the device, independent of the
 * per-block checks the write made. */
static int do_verify(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const json_t *b = json_object_get(r->res, "blocks");
	const struct ub_region *g = target_region(r, e);

	(void)p;
	if (!g)
		return e->code;
	/* Nothing written: the write's compare just asked the device for
	 * every block's digest and each matched the image, which is all a
	 * verify would do again. */
	if (!r->o->verify_only && !r->o->full_verify && (r->s.fam->caps & UB_CAP_DIGEST_CRC32) &&
	    json_integer_value(json_object_get(b, "written")) == 0 &&
	    json_integer_value(json_object_get(b, "total")) > 0 &&
	    json_integer_value(json_object_get(b, "skipped")) == json_integer_value(json_object_get(b, "total"))) {
		ub_say("  every block already matched the image on the device's own crc32 just now; nothing was written (--full-verify compares again)\n");
		json_object_set_new(d, "skipped_by", json_string("nothing-written"));
		return 1;
	}
	if (!r->o->verify_only && !r->o->full_verify && (r->s.fam->caps & UB_CAP_VERIFIED_WRITE)) {
		ub_say("  the write read back every block it wrote; the others matched contents read twice (--full-verify reads the whole region again)\n");
		json_object_set_new(d, "skipped_by", json_string("verified-write"));
		return 1;
	}
	return verify_region(r, g, r->o->image, d, e);
}

/* Puts regions back from a backup: the named one, or every config region
 * (the owner's settings).  The backup must still match its manifest. */
static int do_restore(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	struct ub_backup b;
	json_t *done = json_array();
	size_t i, n = 0;
	int rc;

	if ((rc = ub_backup_verify(r->o->restore_dir, &b, e))) {
		json_decref(done);
		return rc;
	}
	for (i = 0; !rc && i < b.n; i++) {
		const struct ub_region *g = ub_flash_map_find(&r->s.map, b.v[i].region);
		char path[4300], summary[512];
		json_t *v = json_object();

		if (!g || (r->o->region ? strcmp(r->o->region, g->name) != 0 : !(g->flags & UB_REGION_CONFIG))) {
			json_decref(v);
			continue;
		}
		n++;
		if ((g->flags & UB_REGION_PROTECTED) && (!r->o->unlock || strcmp(r->o->unlock, g->name))) {
			json_decref(v);
			rc = ub_err_set(e, UB_EREFUSED, "region-protected",
					"region %s is protected; pass --unlock %s only if you mean to overwrite it",
					g->name, g->name);
			break;
		}
		snprintf(path, sizeof path, "%s/%s", r->o->restore_dir, b.v[i].file);
		snprintf(summary, sizeof summary, "put back region %s from %.400s", g->name, path);
		if (r->o->confirm && !r->o->confirm(r->o->confirm_ctx, g->name, summary)) {
			json_decref(v);
			rc = ub_err_set(e, UB_EREFUSED, "not-confirmed", "not confirmed: nothing was written");
			break;
		}
		ub_say("  %s\n", summary);
		rc = ub_restore_region(&r->s, g, path, p, v, e);
		json_object_set_new(v, "region", json_string(g->name));
		json_array_append_new(done, v);
		if (!rc)
			ub_say("  %lld blocks written, %lld already right; every block verified\n",
				json_integer_value(json_object_get(v, "blocks_written")),
				json_integer_value(json_object_get(v, "blocks_skipped")));
	}
	if (!rc && n == 0)
		rc = ub_err_set(e, UB_EUSAGE, "usage", r->o->region ?
				"the backup has no region '%s'" : "the backup holds no config region%s; name one with --region",
				r->o->region ? r->o->region : "");
	json_object_set_new(d, "regions", done);
	json_object_set_new(d, "from", json_string(r->o->restore_dir));
	ub_backup_free(&b);
	return rc;
}

/* After the write and before the first boot, the owner's settings: each
 * config region the backup holds is compared with the device.  One the
 * write left alone needs nothing; one that differs (an image that covered
 * it, a factory reset since the backup) goes back when the profile's rule
 * says the new firmware reads it, with the same confirmation as a write.
 * Otherwise the repair still counts and the user is told how to restore
 * by hand: settings are the owner's to decide, not a reason to fail. */
static int do_settings(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const char *dir = json_string_value(json_object_get(r->res, "backup"));
	const struct ub_region *target = target_region(r, e);
	json_t *regions = json_array();
	struct ub_backup b;
	size_t i;
	int rc;

	if (!target)
		return e->code;
	if (r->o->keep_settings || !dir) {
		ub_say("  skipped: %s\n", r->o->keep_settings ? "--keep-settings was given" :
			"there is no backup to take settings from");
		json_object_set_new(d, "skipped_by", json_string(r->o->keep_settings ? "--keep-settings" : "no-backup"));
		json_decref(regions);
		return 1;
	}
	if ((rc = ub_backup_verify(dir, &b, e))) {
		json_decref(regions);
		return rc;
	}
	for (i = 0; !rc && i < b.n; i++) {
		const struct ub_region *g = ub_flash_map_find(&r->s.map, b.v[i].region);
		struct ub_restore_facts f = {
			.backup_version = b.firmware_version, .backup_serial = b.serial,
			.new_version = json_string_value(json_object_get(r->res, "image_version")),
			.device_serial = r->id.serial,
		};
		unsigned blocks, mismatched;
		char path[4300], why[512], summary[1100];
		json_t *v;

		if (!g || !(g->flags & UB_REGION_CONFIG) || g == target)
			continue;
		v = json_pack("{s:s}", "region", g->name);
		json_array_append_new(regions, v);
		snprintf(path, sizeof path, "%s/%s", dir, b.v[i].file);
		rc = ub_region_compare(&r->s, g, path, &blocks, &mismatched, v, e);
		if (rc < 0)
			break;
		if (rc == 0 && mismatched == 0) {
			ub_say("  %s: as in the backup (the write left it alone)\n", g->name);
			json_object_set_new(v, "state", json_string("unchanged"));
			continue;
		}
		rc = 0;
		f.rule = g->restore;
		if (!ub_restore_allowed(&f, why, sizeof why)) {
			ub_say("  %s: differs from the backup; not put back: %s.\n"
			       "    To put it back anyway: unbrick restore --from %s --region %s --device %s --profile %s\n",
			       g->name, why, dir, g->name, r->o->device, r->s.profile.name);
			json_object_set_new(v, "state", json_string("kept"));
			json_object_set_new(v, "reason", json_string(why));
			continue;
		}
		snprintf(summary, sizeof summary, "put the owner's settings back into region %s from %.400s (%.120s)",
			 g->name, path, why);
		if (r->o->confirm && !r->o->confirm(r->o->confirm_ctx, g->name, summary)) {
			ub_say("  %s: not confirmed; the new firmware keeps what it found\n", g->name);
			json_object_set_new(v, "state", json_string("declined"));
			continue;
		}
		ub_say("  %s\n", summary);
		if ((rc = ub_restore_region(&r->s, g, path, p, v, e)))
			break;
		json_object_set_new(v, "state", json_string("restored"));
		json_object_set_new(v, "reason", json_string(why));
		ub_say("  %s: %lld blocks written, %lld already right; every block verified\n", g->name,
			json_integer_value(json_object_get(v, "blocks_written")),
			json_integer_value(json_object_get(v, "blocks_skipped")));
	}
	json_object_set_new(d, "regions", regions);
	json_object_set(r->res, "settings", regions);
	ub_backup_free(&b);
	return rc;
}

/* --soak: after a good boot, listen for a while; a restart, or any
 * finding that is not a mere note (a panic, an oops, flash errors), fails
 * the repair, the log kept. */
static int soak(struct run *r, json_t *d, struct ub_err *e)
{
	struct ub_diagnosis dg;
	struct ub_err ignore;
	char *log = NULL, path[4200], sha[65];
	const char *p, *nl = NULL;
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
	for (p = log; p && p < log + len; p = nl ? nl + 1 : log + len) {
		nl = memchr(p, '\n', (size_t)(log + len - p));
		if (strncmp(p, "U-Boot 20", 9) == 0 || strncmp(p, "U-Boot SPL 20", 13) == 0) {
			rc = ub_err_set(e, UB_EFAIL, "soak-failed", "the device restarted during the soak (%.*s)",
					(int)((nl ? nl : log + len) - p < 60 ? (nl ? nl : log + len) - p : 60), p);
			break;
		}
	}
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

static int do_boot(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	struct ub_boot_report br;
	const char *want = json_string_value(json_object_get(r->res, "image_version"));
	int rc;

	(void)p;
	if (!r->o->boot)
		return 1;
	if (!(r->s.fam->caps & UB_CAP_BOOT_CHECK) || !r->s.fam->reboot || !r->s.fam->boot_check) {
		ub_say("  unbrick cannot watch this device boot: remove the programmer, power the board and watch its console or lights\n");
		json_object_set_new(d, "skipped_by", json_string("family-cannot-boot"));
		return 1;
	}
	ub_say("  resetting the board and watching it boot%s%s...\n",
		want ? ", expecting version " : "", want ? want : "");
	if ((rc = r->s.fam->reboot(r->s.dev, e)))
		return rc;
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

static void plan_steps(struct run *r)
{
	static const char *const restore[] = { "identify", "restore", NULL };
	static const char *const verify[] = { "identify", "verify", NULL };
	static const char *const full[] = { "identify", "preflight", "backup", "check", "flash", "verify",
					    "settings", "boot", NULL };
	const char *const *v = r->o->restore_dir ? restore : r->o->verify_only ? verify : full;
	size_t i;

	for (i = 0; v[i] && i + 1 < sizeof r->plan / sizeof r->plan[0]; i++)
		r->plan[i] = v[i];
	if (i && !r->o->restore_dir && !r->o->verify_only && !r->o->boot)
		i--;   /* flash: no boot step */
	r->plan[i] = NULL;
}

/* The case's diagnosis, when it has one, chooses the way: a hardware
 * verdict stops here, a dead bootloader sends a console family to the
 * programmer, and a working bootloader makes the clip unnecessary. */
static int diagnosis_gate(struct run *r, struct ub_err *e)
{
	const char *path = NULL, *verdict = NULL;
	json_t *c = NULL, *s;
	struct ub_err ignore;
	size_t i;
	int rc = 0;

	ub_err_clear(&ignore);
	if (ub_case_json(r->j, r->c.id, &c, &ignore) != 0)
		return 0;
	json_array_foreach(json_object_get(c, "steps"), i, s)
		if (strcmp(json_string_value(json_object_get(s, "name")) ? json_string_value(json_object_get(s, "name")) : "",
			   "diagnose") == 0) {
			path = json_string_value(json_object_get(json_object_get(s, "detail"), "path"));
			verdict = json_string_value(json_object_get(json_object_get(s, "detail"), "verdict"));
		}
	if (!path || r->o->force_attempt) {
		json_decref(c);
		return 0;
	}
	if (strcmp(path, "hardware") == 0)
		rc = ub_err_set(e, UB_EREFUSED, "diagnosis-hardware",
				"the case's diagnosis points at hardware (%.300s); nothing was written", verdict);
	else if (strcmp(path, "programmer") == 0 && strcmp(r->s.fam->name, "spi") != 0)
		rc = ub_err_set(e, UB_EREFUSED, "diagnosis-programmer",
				"the case's diagnosis says the bootloader is gone (%.300s); the %s family cannot help",
				verdict, r->s.fam->name);
	else if (strcmp(path, "console") == 0 && strcmp(r->s.fam->name, "spi") == 0)
		ub_say("unbrick: note: the case's diagnosis says the bootloader still works (%s); recovering through its console needs no clip\n",
		       verdict);
	json_object_set_new(r->res, "diagnosis_path", json_string(path));
	json_decref(c);
	return rc;
}

int ub_recover_run(const struct ub_recover_opts *o, struct ub_progress *root,
		   json_t **result, struct ub_err *e)
{
	struct run r;
	struct ub_err ignore;
	char log[4200];
	int rc;

	memset(&r, 0, sizeof r);
	r.o = o;
	r.root = root;
	r.log_fd = -1;
	r.res = json_pack("{s:o}", "steps", json_object());
	*result = r.res;
	if (o->dry_run) {
		rc = ub_recover_plan(o, r.res, e);
		json_object_set_new(r.res, "status", json_string(rc ? "would-refuse" : "planned"));
		return rc;
	}
	if ((rc = ub_session_open(&r.s, o->device, o->profile, e)))
		return rc;
	if ((rc = ub_journal_open(&r.j, e)))
		goto out;
	if (o->resume_case)
		rc = ub_case_get(r.j, o->resume_case, &r.c, e);
	else
		rc = ub_case_new(r.j, NULL, NULL, r.s.profile.name, o->device, &r.c, e);
	if (rc)
		goto out;
	json_object_set_new(r.res, "case", json_integer(r.c.id));
	json_object_set_new(r.res, "folder", json_string(r.c.folder));
	ub_say("%s case %lld: %s\n", o->resume_case ? "resuming" : "opened",
		r.c.id, r.c.folder);
	snprintf(log, sizeof log, "%s/logs/console.log", r.c.folder);
	r.log_fd = open(log, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	if (r.log_fd >= 0 && r.s.fam->set_log)
		r.s.fam->set_log(r.s.dev, r.log_fd);

	plan_steps(&r);
	ub_progress_plan(root, 100);
	if (o->resume_case && ((rc = diagnosis_gate(&r, e)) || (rc = attempts_gate(&r, e)))) {
		snprintf(r.c.status, sizeof r.c.status, "%s",
			 e->advice_id && strncmp(e->advice_id, "diagnosis-", 10) == 0 ? "refused" : "handed-over");
		ub_case_update(r.j, &r.c, NULL);
		goto logs;
	}
	rc = step(&r, "identify", 2, do_identify, e);
	if (!rc && o->restore_dir)
		rc = step(&r, "restore", 98, do_restore, e);
	else if (!rc && o->verify_only)
		rc = step(&r, "verify", 98, do_verify, e);
	else if (!rc && !(rc = step(&r, "preflight", 1, do_preflight, e)) &&
		 !(rc = step(&r, "backup", 39, do_backup, e)) &&
		 !(rc = step(&r, "check", 3, do_check, e)) &&
		 !(rc = step(&r, "flash", 40, do_flash, e)) &&
		 !(rc = step(&r, "verify", 5, do_verify, e)) &&
		 !(rc = step(&r, "settings", 2, do_settings, e)))
		rc = step(&r, "boot", 8, do_boot, e);
	snprintf(r.c.status, sizeof r.c.status, "%s", rc ? (rc == UB_EREFUSED ? "refused" : "failed") :
		 o->restore_dir ? "restored" : o->verify_only ? "verified" :
		 o->boot ? "repaired" : "flashed");
	ub_case_update(r.j, &r.c, NULL);
logs:
	if (r.log_fd >= 0) {
		struct stat st;

		if (r.s.fam->set_log)
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
	ub_journal_close(r.j);
	ub_session_close(&r.s);
	return rc;
}
