/* The workflow's steps that reach and read the device: identify it,
 * preflight the link and the disk, back it up (or reuse this unit's
 * backup), and run a loader stage when the profile names one. */
#include "run.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/statvfs.h>

#include "base/interrupt.h"
#include "base/say.h"
#include "core/backup.h"
#include "image/digest.h"

int ub_step_identify(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	int rc;

	(void)p;
	ub_session_say_reach(&r->s);
	if ((rc = ub_session_connect(&r->s, e)))
		return rc;
	ub_lock_note_case(&r->s.lock, r->c.id);
	if (r->log_fd >= 0 && r->s.fam->set_log)
		r->s.fam->set_log(r->s.dev, r->log_fd);
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
		/* a bare chip has no model: the case is named by what it is */
		snprintf(r->c.model, sizeof r->c.model, "%.63s", r->id.model[0] ? r->id.model : r->id.hardware);
		snprintf(r->c.serial, sizeof r->c.serial, "%s", r->id.serial);
		ub_case_update(r->j, &r->c, NULL);
	}
	/* the image against the device now known, before anything is read */
	return ub_gates_device(&r->gates, r->o, &r->id, &r->s.profile, d, e);
}

/* Before anything is read or written: room for the backups, a link that
 * carries bytes intact, and the profile's warnings (power). */
int ub_step_preflight(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
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

/* An earlier backup (this case's, or --backup DIR) stands for the device
 * only when it verifies, is complete for the profile, and is this unit's
 * as it is now.  1: use it; 0: read the device; < 0: error. */
static int reusable(struct run *r, const char *dir, struct ub_backup *b, json_t *d,
		    struct ub_err *e)
{
	const char *skip[] = { r->gates.target ? r->gates.target->name : NULL, NULL };
	char why[512];
	int rc;

	if ((rc = ub_backup_verify(dir, &r->s.map, b, e))) {
		if (r->o->backup_dir)
			return rc;   /* the user named it: say why it cannot be used */
		ub_say("  the earlier backup cannot be used (%s); reading again\n", e->msg);
		ub_err_clear(e);
		return 0;
	}
	rc = ub_backup_same_unit(&r->s, &r->id, dir, b, skip, why, sizeof why, e);
	if (rc < 0) {
		ub_backup_free(b);
		return rc;
	}
	if (!rc) {
		ub_say("  the backup in %s is not this unit's as it is now: %s.\n"
		       "  It is neither put back nor trusted; the device is read instead.\n", dir, why);
		json_object_set_new(d, "rejected", json_pack("{s:s, s:s}", "dir", dir, "why", why));
		ub_backup_free(b);
		return 0;
	}
	json_object_set_new(d, "same_unit", json_string(why));
	return 1;
}

int ub_step_backup(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const struct ub_recover_opts *o = r->o;
	struct ub_backup b;
	char dir[4200];
	uint64_t bytes = 0;
	long long prev;
	size_t i;
	int rc, reused = 0;

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
	if (o->backup_dir || prev) {
		if ((rc = reusable(r, dir, &b, d, e)) < 0)
			return rc;
		reused = rc;
	}
	if (reused && o->backup_dir && o->trust_backup && (rc = use_as_reference(r, dir, &b, e))) {
		ub_backup_free(&b);
		return rc;
	}
	if (reused) {
		ub_say("  using the verified backup in %s (%zu regions)%s\n", dir, b.n,
			o->trust_backup ? ", trusted as the device's contents (--trust-backup)" : "");
		json_object_set_new(d, "reused", json_true());
		if (o->trust_backup)
			json_object_set_new(d, "trusted", json_true());
	} else {
		/* into the case, never into a folder it was only given; an
		 * earlier backup of this case that failed its checks is
		 * replaced */
		snprintf(dir, sizeof dir, "%s/backup", r->c.folder);
		if ((rc = ub_backup_run(&r->s, dir, NULL, UB_BACKUP_REPLACE, &r->id, &b, p, e)))
			return rc;
		ub_backup_describe_reads(&r->s, d);
	}
	for (i = 0; i < b.n; i++) {
		char path[4300];

		snprintf(path, sizeof path, "%s/%s", dir, b.v[i].file);
		bytes += b.v[i].size;
		if (r->j && !reused)
			ub_artifact_add(r->j, r->c.id, 0, "backup", path, b.v[i].sha256, b.v[i].size, NULL);
		ub_say("  %-10s sha256 %s\n", b.v[i].region, b.v[i].sha256);
	}
	json_object_set_new(d, "dir", json_string(dir));
	json_object_set_new(d, "regions", json_integer((json_int_t)b.n));
	json_object_set_new(d, "bytes", json_integer((json_int_t)bytes));
	json_object_set_new(d, "fingerprint", json_string(b.fingerprint));
	json_object_set_new(r->res, "backup", json_string(dir));
	snprintf(r->backup, sizeof r->backup, "%s", dir);
	ub_backup_free(&b);
	return 0;
}

static int loader_wanted(const json_t *profile)
{
	return json_is_object(json_object_get(profile, "loader"));
}

/* The profile's loader, checked against its sha256 and handed to the
 * family from the one descriptor that was hashed. */
int ub_step_loader(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const json_t *l = json_object_get(r->s.profile.doc, "loader");
	const char *file = json_string_value(json_object_get(l, "file"));
	const char *want = json_string_value(json_object_get(l, "sha256"));
	const json_t *t = json_object_get(l, "timeout");
	struct ub_loader ld = { 0 };
	struct ub_digests dg;
	struct ub_src src;
	char path[4300], got[65], dir[4096];
	uint64_t addr = 0, entry = 0;
	int rc;

	if (!loader_wanted(r->s.profile.doc))
		return 1;
	if (!file || !want || strlen(want) != 64 ||
	    ub_parse_size(json_string_value(json_object_get(l, "load_addr")) ?
			  json_string_value(json_object_get(l, "load_addr")) : "", &addr) ||
	    ub_parse_size(json_string_value(json_object_get(l, "entry")) ?
			  json_string_value(json_object_get(l, "entry")) : json_string_value(json_object_get(l, "load_addr")), &entry))
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "profile %s: loader needs file, sha256 (64 hex), load_addr and optionally entry",
				  r->s.profile.name);
	snprintf(dir, sizeof dir, "%s", r->s.profile.path ? r->s.profile.path : "");
	if (strrchr(dir, '/'))
		*strrchr(dir, '/') = '\0';
	else
		snprintf(dir, sizeof dir, ".");
	if (file[0] == '/')
		snprintf(path, sizeof path, "%s", file);
	else
		snprintf(path, sizeof path, "%s/%s", dir, file);   /* beside the profile */
	if ((rc = ub_src_open(&src, path, e)))
		return rc;
	if ((rc = ub_digest_src(&src, UB_SHA256, &dg, NULL, e))) {
		ub_src_close(&src);
		return rc;
	}
	ub_hex(dg.md[ub_digest_index(UB_SHA256)], 32, got);
	json_object_set_new(d, "file", json_string(path));
	json_object_set_new(d, "sha256", json_string(got));
	if (strcasecmp(got, want) != 0) {
		ub_src_close(&src);
		return ub_err_set(e, UB_EREFUSED, "checksum-mismatch",
				  "the loader %s has sha256 %s, the profile says %s; nothing was loaded", path, got, want);
	}
	ld.src = &src;
	ld.load_addr = addr;
	ld.entry = entry;
	ld.arch = json_string_value(json_object_get(l, "arch"));
	ld.wait_for = json_string_value(json_object_get(l, "wait_for"));
	ld.timeout_s = json_is_integer(t) ? (int)json_integer_value(t) : 30;
	ub_say("  loading %s (%llu bytes, sha256 as the profile says) at 0x%llx\n", path,
		(unsigned long long)src.size, (unsigned long long)addr);
	rc = r->s.fam->load_stage(r->s.dev, &ld, p, e);
	ub_src_close(&src);
	return rc;
}
