/* What the device says it is: getvar all where the bootloader has it
 * (INFO lines "name: value"), else the variables one by one.  A variable
 * the bootloader does not have is noted, never fatal.  Every partition of
 * the profile is asked its size: one of another size means the profile is
 * not this device's layout, and nothing is written; one the device does
 * not have is refused when it is written to. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/say.h"
#include "family/fastboot/fastboot.h"

#define ALL_MAX 256

struct vars {
	char name[ALL_MAX][64];
	char value[ALL_MAX][UB_FB_REPLY_MAX + 1];
	size_t n;
	int have_all;              /* getvar all answered */
	char missing[256];         /* variables the device did not answer */
};

static void on_all(void *ctx, enum ub_fb_kind kind, const char *text)
{
	struct vars *v = ctx;
	const char *sep = strstr(text, ": ");

	(void)kind;
	if (!sep || v->n >= ALL_MAX || (size_t)(sep - text) >= sizeof v->name[0])
		return;
	snprintf(v->name[v->n], sizeof v->name[0], "%.*s", (int)(sep - text), text);
	snprintf(v->value[v->n], sizeof v->value[0], "%s", sep + 2);
	v->n++;
}

static int get_all(struct ub_device *d, struct vars *v, struct ub_err *e)
{
	void (*note)(void *, enum ub_fb_kind, const char *) = d->fb.note;
	void *ctx = d->fb.note_ctx;
	struct ub_fb_reply r;
	int rc;

	d->fb.note = on_all;
	d->fb.note_ctx = v;
	rc = ub_fb_command(&d->fb, "getvar:all", UB_FB_VAR_TIMEOUT_MS, &r, e);
	d->fb.note = note;
	d->fb.note_ctx = ctx;
	if (rc == UB_EFAIL) {   /* not every bootloader has it */
		ub_fbdev_log(d, "fastboot: no getvar all (%s); asking one by one\n", r.text);
		ub_err_clear(e);
		v->n = 0;
		return 0;
	}
	v->have_all = rc == 0 && v->n > 0;
	return rc;
}

/* 0 with the value, 1 when the device does not have it, or an error. */
static int get(struct ub_device *d, struct vars *v, const char *name, char *out, size_t len,
	       struct ub_err *e)
{
	size_t i;
	int rc;

	for (i = 0; v->have_all && i < v->n; i++)
		if (strcmp(v->name[i], name) == 0) {
			snprintf(out, len, "%s", v->value[i]);
			return 0;
		}
	rc = ub_fb_getvar(&d->fb, name, out, len, UB_FB_VAR_TIMEOUT_MS, e);
	if (rc == UB_EFAIL) {
		ub_fbdev_log(d, "fastboot: getvar %s: %s\n", name, e->msg);
		ub_err_clear(e);
		snprintf(v->missing + strlen(v->missing), sizeof v->missing - strlen(v->missing), "%s%s",
			 v->missing[0] ? ", " : "", name);
		out[0] = '\0';
		return 1;
	}
	return rc;
}

static const char *var_of(const json_t *profile, const char *key, const char *def)
{
	const char *s = json_string_value(json_object_get(json_object_get(profile, "identity"), key));

	return s && *s ? s : def;
}

/* One partition's size against its region: 0, or an error. */
static int partition(struct ub_device *d, struct vars *v, size_t i, const char *name, struct ub_err *e)
{
	const struct ub_region *g = &d->map->v[i];
	char q[96], val[UB_FB_REPLY_MAX + 1];
	uint64_t size;
	int rc;

	snprintf(q, sizeof q, "partition-size:%s", name);
	snprintf(d->part_name[i], sizeof d->part_name[i], "%.47s", name);
	rc = ub_fb_getvar(&d->fb, q, val, sizeof val, UB_FB_VAR_TIMEOUT_MS, e);
	if (rc == UB_EFAIL) {
		/* "Variable not implemented": the device cannot say */
		if (strstr(e->msg, "not implemented") || strstr(e->msg, "unknown")) {
			if (!strstr(v->missing, "partition-size"))
				snprintf(v->missing + strlen(v->missing), sizeof v->missing - strlen(v->missing),
					 "%spartition-size", v->missing[0] ? ", " : "");
		} else {
			d->part[i] = UB_FBPART_MISSING;
			snprintf(d->part_why[i], sizeof d->part_why[i], "%.90s",
				 strstr(e->msg, "FAIL ") ? strstr(e->msg, "FAIL ") + 5 : e->msg);
		}
		ub_fbdev_log(d, "fastboot: %s: %s\n", q, e->msg);
		ub_err_clear(e);
		return 0;
	}
	if (rc)
		return rc;
	if (ub_fbdev_parse_size(val, &size))
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol", "getvar %s: the device answered '%s', not a size",
				  q, val);
	if (size != g->size)
		return ub_err_set(e, UB_EREFUSED, "fastboot-partition",
				  "partition %s is %llu bytes on the device and %llu in profile %s: the profile is not this device's layout; nothing was written",
				  name, (unsigned long long)size, (unsigned long long)g->size,
				  json_string_value(json_object_get(d->profile, "name")) ?
				  json_string_value(json_object_get(d->profile, "name")) : "");
	if (d->part[i] == UB_FBPART_UNKNOWN)
		d->part[i] = UB_FBPART_OK;
	return 0;
}

/* Each partition's size against the profile's region, in every slot a
 * write would go to. */
static int partitions(struct ub_device *d, struct vars *v, struct ub_err *e)
{
	char suffix[2][4];
	size_t i;
	int n, k, rc;

	if ((n = ub_fbdev_slots(d, suffix, e)) < 0)
		return n;
	for (i = 0; i < d->map->n; i++) {
		d->part[i] = UB_FBPART_UNKNOWN;
		for (k = 0; k < n; k++) {
			char name[64];

			snprintf(name, sizeof name, "%.40s%s", d->map->v[i].name, suffix[k]);
			if ((rc = partition(d, v, i, name, e)))
				return rc;
			if (d->part[i] == UB_FBPART_MISSING)
				break;
		}
	}
	return 0;
}

static void human(uint64_t n, char *out, size_t len)
{
	if (n && n % (1u << 20) == 0)
		snprintf(out, len, "%llu MiB", (unsigned long long)(n >> 20));
	else if (n && n % 1024 == 0)
		snprintf(out, len, "%llu KiB", (unsigned long long)(n >> 10));
	else
		snprintf(out, len, "%llu bytes", (unsigned long long)n);
}

int ub_fbdev_identify(struct ub_device *d, struct ub_identity *id, struct ub_err *e)
{
	struct vars *v = calloc(1, sizeof *v);
	char version[64] = "", maxdl[64] = "", slot[32] = "", slots[32] = "", unlocked[16] = "",
	     secure[16] = "", user[16] = "", size[32] = "", lock[64], hw[256];
	int rc;

	memset(id, 0, sizeof *id);
	if (!v)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if ((rc = get_all(d, v, e)) ||
	    (rc = get(d, v, var_of(d->profile, "model_var", "product"), id->model, sizeof id->model, e)) < 0 ||
	    (rc = get(d, v, var_of(d->profile, "serial_var", "serialno"), id->serial, sizeof id->serial, e)) < 0 ||
	    (rc = get(d, v, "hw-revision", id->revision, sizeof id->revision, e)) < 0 ||
	    (rc = get(d, v, "version-bootloader", id->bootloader, sizeof id->bootloader, e)) < 0 ||
	    (rc = get(d, v, "version", version, sizeof version, e)) < 0 ||
	    (rc = get(d, v, "max-download-size", maxdl, sizeof maxdl, e)) < 0 ||
	    (rc = get(d, v, "current-slot", slot, sizeof slot, e)) < 0 ||
	    (rc = get(d, v, "slot-count", slots, sizeof slots, e)) < 0 ||
	    (rc = get(d, v, "unlocked", unlocked, sizeof unlocked, e)) < 0 ||
	    (rc = get(d, v, "secure", secure, sizeof secure, e)) < 0 ||
	    (rc = get(d, v, "is-userspace", user, sizeof user, e)) < 0)
		goto out;
	if (var_of(d->profile, "version_var", NULL) &&
	    (rc = get(d, v, var_of(d->profile, "version_var", NULL), id->firmware_version,
		      sizeof id->firmware_version, e)) < 0)
		goto out;
	rc = 0;
	d->max_download = 0;
	if (maxdl[0] && ub_fbdev_parse_size(maxdl, &d->max_download)) {
		rc = ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				"getvar max-download-size: the device answered '%s', not a size", maxdl);
		goto out;
	}
	d->locked = strcmp(unlocked, "yes") == 0 ? 0 : strcmp(unlocked, "no") == 0 ? 1 : -1;
	snprintf(d->current_slot, sizeof d->current_slot, "%.7s", slot[0] == '_' ? slot + 1 : slot);
	if ((rc = partitions(d, v, e)))
		goto out;
	snprintf(id->mode, sizeof id->mode, "%s", strcmp(user, "yes") == 0 ? "fastbootd" : "bootloader");
	if (d->max_download)
		human(d->max_download, size, sizeof size);
	snprintf(lock, sizeof lock, "%s", d->locked == 1 ? "bootloader locked" :
		 d->locked == 0 ? "bootloader unlocked" : "lock state not said");
	snprintf(hw, sizeof hw, "fastboot%s%.8s over %.40s; %s%s; %s%s%.4s%s%.4s", version[0] ? " " : "",
		 version, d->fb.t->where, size[0] ? "max download " : "", size[0] ? size : "max download not said",
		 lock, slot[0] ? "; slot " : "", slot, slots[0] ? " of " : "", slots);
	snprintf(id->hardware, sizeof id->hardware, "%.111s", hw);
	if (v->missing[0]) {
		ub_fbdev_log(d, "fastboot: not answered: %s\n", v->missing);
		if (!d->told_missing)
			ub_say("  this bootloader does not answer: %s\n", v->missing);
		d->told_missing = 1;
	}
	d->identified = 1;
out:
	free(v);
	return rc;
}
