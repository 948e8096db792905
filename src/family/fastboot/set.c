/* Image sets and the bootloader's lock.
 *
 * A set: an Android update zip or a factory archive (image/imgset.h reads
 * them; the workflow checks and writes them).  Here: what a requirement
 * means on a fastboot device (partition-exists is AOSP's has-slot:NAME
 * answering yes or no), getvar for the workflow, and the restart between
 * a set's writes: reboot-bootloader, or the profile's recovery.restart.
 * A bootloader that refuses it stops the set there: U-Boot without a
 * reboot flag answers FAIL "Cannot set reboot flag" and goes on running
 * (measured on 2023.01: no reset follows), so a FAIL is never taken for
 * a restart.  A board whose bootloader starts fastboot by itself (U-Boot
 * with a fastboot bootcmd, many i.MX and Rockchip boards) says "reboot":
 * it answers OKAY, resets and comes back in fastboot.
 *
 * The lock: `flashing unlock`.  The device erases the owner's data when
 * it unlocks (and phones ask on their screen first); the workflow warns
 * and asks before this is ever sent. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "base/say.h"
#include "family/fastboot/fastboot.h"

int ub_fbdev_image_set(const struct ub_src *src, const char *tmpdir, struct ub_imgset *set, struct ub_err *e)
{
	size_t i;
	int rc;

	if ((rc = ub_imgset_read(src, tmpdir, set, e)))
		return rc;
	for (i = 0; i < set->req.n; i++) {
		struct ub_req *r = &set->req.v[i];

		if (!r->exists)
			continue;
		/* AOSP's client asks has-slot: the device knows the partition,
		 * with slots or without */
		snprintf(r->var, sizeof r->var, "has-slot:%.50s", r->values[0]);
		snprintf(r->values[0], sizeof r->values[0], "yes");
		snprintf(r->values[1], sizeof r->values[1], "no");
		r->nvalues = 2;
	}
	return 0;
}

int ub_fbdev_variable(struct ub_device *d, const char *name, char *out, size_t len, struct ub_err *e)
{
	int rc;

	out[0] = '\0';
	if ((rc = ub_fbdev_connect(d, e)))
		return rc;
	rc = ub_fb_getvar(&d->fb, name, out, len, UB_FB_VAR_TIMEOUT_MS, e);
	if (rc == UB_EFAIL) {
		ub_fbdev_log(d, "fastboot: getvar %s: %s\n", name, e->msg);
		snprintf(out, len, "%.*s", (int)(len > 1 ? len - 1 : 0),
			 strstr(e->msg, "FAIL ") ? strstr(e->msg, "FAIL ") + 5 : e->msg);
		ub_err_clear(e);
		return 1;
	}
	if (rc)
		return rc;
	/* U-Boot answers version-baseband with N/A: it has none */
	return strcmp(out, "N/A") == 0 ? 1 : 0;
}

static int boot_timeout_s(const json_t *profile)
{
	json_t *t = json_object_get(json_object_get(profile, "boot"), "timeout");

	return json_is_integer(t) ? (int)json_integer_value(t) : 60;
}

/* Connects again after the device went away on purpose (a restart, an
 * unlock), waiting as long as the profile says a boot takes, and asks
 * what it is now. */
static int come_back(struct ub_device *d, struct ub_err *e)
{
	struct ub_identity id;
	int wait = d->wait_ms, rc;

	ub_fbdev_disconnect(d);
	d->identified = 0;
	if (d->wait_ms < boot_timeout_s(d->profile) * 1000)
		d->wait_ms = boot_timeout_s(d->profile) * 1000;
	rc = ub_fbdev_connect(d, e);
	d->wait_ms = wait;
	if (!rc)
		rc = ub_fbdev_identify(d, &id, e);
	return rc;
}

/* A restart ends the session: the link closes (TCP), the device leaves
 * the bus (USB), or its packets go unanswered (UDP; U-Boot starts afresh
 * and drops what belongs to the old session).  A device that answers on
 * it for GONE_S after its OKAY did not restart, and what it runs is not
 * what the set just wrote: the set stops. */
#define GONE_S 10

static int gone(struct ub_device *d, const char *how, struct ub_err *e)
{
	double end = ub_now() + GONE_S;
	struct ub_err q;
	char v[64];
	int rc;

	do {
		ub_err_clear(&q);
		rc = ub_fb_getvar(&d->fb, "product", v, sizeof v, 1000, &q);
		/* an answer, even a FAIL, is the old session still there */
		if (rc && !(rc == UB_EFAIL && q.advice_id && strcmp(q.advice_id, "fastboot-fail") == 0))
			return 0;
		if ((rc = ub_safe_point("waiting for the device to restart", e)))
			return rc;
		usleep(200000);
	} while (ub_now() < end);
	return ub_err_set(e, UB_EFAIL, "fastboot-restart",
			  "the device answered OKAY to %s but still answers %d s later: it did not restart, so the image just written does not run; nothing more was written",
			  how, GONE_S);
}

/* The command that brings the device back in fastboot: the profile's
 * recovery.restart (the schema allows reboot-bootloader and reboot). */
static const char *restart_verb(const json_t *profile)
{
	const char *v = json_string_value(json_object_get(json_object_get(profile, "recovery"), "restart"));

	return v && strcmp(v, "reboot") == 0 ? "reboot" : "reboot-bootloader";
}

int ub_fbdev_restart(struct ub_device *d, struct ub_err *e)
{
	const char *how = restart_verb(d->profile);
	double t0 = ub_now();
	char said[208];
	int rc;

	if ((rc = ub_fbdev_connect(d, e)))
		return rc;
	rc = ub_fb_do(&d->fb, how, NULL, UB_FB_VAR_TIMEOUT_MS, e);
	if (rc == UB_EFAIL) {
		/* the device's words, copied: e->msg is rewritten below */
		snprintf(said, sizeof said, "%.200s", e->msg);
		return ub_err_set(e, UB_EFAIL, "fastboot-restart", "the device refused %s (%s); nothing more was written%s",
				  how, said, strcmp(how, "reboot-bootloader") ? "" :
				  ". A bootloader that starts fastboot by itself after a plain reboot (U-Boot with a fastboot bootcmd) takes \"recovery\": {\"restart\": \"reboot\"} in its profile");
	}
	if (rc)
		return rc;
	ub_fbdev_log(d, "fastboot: %s sent; waiting for the device to go away\n", how);
	if ((rc = gone(d, how, e)))
		return rc;
	ub_fbdev_log(d, "fastboot: the device went away after %.1f s; waiting for it to answer again\n", ub_now() - t0);
	if ((rc = come_back(d, e)))
		return rc;
	ub_say("  the device answers fastboot again after %.1f s (%s)\n", ub_now() - t0, how);
	return 0;
}

int ub_fbdev_locked(struct ub_device *d, struct ub_err *e)
{
	struct ub_identity id;
	int rc;

	if ((rc = ub_fbdev_connect(d, e)))
		return rc;
	if (!d->identified && (rc = ub_fbdev_identify(d, &id, e)))
		return rc;
	return d->locked < 0 ? 2 : d->locked;
}

int ub_fbdev_unlock(struct ub_device *d, struct ub_err *e)
{
	int rc;

	if ((rc = ub_fbdev_connect(d, e)))
		return rc;
	ub_say("  sending 'flashing unlock': a phone asks on its screen now; confirm there with its volume and power keys\n");
	ub_fbdev_log(d, "fastboot: flashing unlock\n");
	/* a phone answers once its owner confirmed on the screen, and the
	 * erase is done: the flash timeout, not a getvar's */
	if ((rc = ub_fb_do(&d->fb, "flashing", "unlock", d->timeout_ms, e)))
		return rc;
	/* some devices restart after it: ask afresh what they are */
	return come_back(d, e);
}
