/* Reboot and the boot check.  With the board's console (console=unix:PATH,
 * serial:/dev/..., tcp:HOST:PORT) the check is the profile's boot line on
 * it, and the console is opened before the reboot, so nothing it prints
 * is missed.  Without one, all there is to see is the device answering
 * fastboot again: that shows a bootloader came back, not which system
 * booted, and the report says so. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "family/fastboot/fastboot.h"

static int open_console(struct ub_device *d, struct ub_err *e)
{
	char v[1024], tr[32];
	const char *colon;

	if (d->console || !ub_device_spec_param(&d->spec, "console", v, sizeof v))
		return 0;
	colon = strchr(v, ':');
	if (!colon || colon == v || (size_t)(colon - v) >= sizeof tr || !colon[1])
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "console=%s: expected TRANSPORT:ADDRESS, such as unix:/run/board.sock or serial:/dev/ttyUSB0",
				  v);
	snprintf(tr, sizeof tr, "%.*s", (int)(colon - v), v);
	return ub_stream_open(&d->console, tr, colon + 1, NULL, e);
}

int ub_fbdev_reboot(struct ub_device *d, struct ub_err *e)
{
	int rc;

	if ((rc = open_console(d, e)) || (rc = ub_fbdev_connect(d, e)))
		return rc;
	if (d->console)
		ub_stream_drain(d->console);
	rc = ub_fb_do(&d->fb, "reboot", NULL, UB_FB_VAR_TIMEOUT_MS, e);
	/* the device starts afresh: a new session, and it says again what it is */
	ub_fbdev_disconnect(d);
	d->identified = 0;
	d->reboot_at = ub_now();
	return rc;
}

static int boot_timeout(const json_t *profile)
{
	json_t *t = json_object_get(json_object_get(profile, "boot"), "timeout");

	return json_is_integer(t) ? (int)json_integer_value(t) : 60;
}

static const char *boot_text(const json_t *profile, const char *key)
{
	return json_string_value(json_object_get(json_object_get(profile, "boot"), key));
}

static int on_console(struct ub_device *d, const char *expect, struct ub_boot_report *rep, struct ub_err *e)
{
	const char *ok_pat = boot_text(d->profile, "success"), *ver_pat = boot_text(d->profile, "version_pattern");
	int timeout = boot_timeout(d->profile), have_ver = 0, rc = 0;
	double start = d->reboot_at ? d->reboot_at : ub_now();
	regex_t ok_re, ver_re;
	char *log = NULL;
	size_t len = 0;

	if (!ok_pat || regcomp(&ok_re, ok_pat, REG_EXTENDED | REG_NEWLINE))
		return ub_err_set(e, UB_EFORMAT, "profile-invalid",
				  "profile: boot.success must be a regular expression to watch the console");
	if (ver_pat && !regcomp(&ver_re, ver_pat, REG_EXTENDED | REG_NEWLINE))
		have_ver = 1;
	while (ub_now() - start < timeout) {
		char buf[4096], *grown;
		regmatch_t m[2];
		long n = ub_stream_read(d->console, buf, sizeof buf, 500, e);

		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (n == 0)
			continue;
		if (d->log_fd >= 0 && write(d->log_fd, buf, (size_t)n) < 0)
			d->log_fd = -1;
		if (!(grown = realloc(log, len + (size_t)n + 1))) {
			rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
			break;
		}
		log = grown;
		memcpy(log + len, buf, (size_t)n);
		len += (size_t)n;
		log[len] = '\0';
		if (regexec(&ok_re, log, 0, NULL, 0) == 0) {
			rep->booted = 1;
			rep->seconds = ub_now() - start;
			if (have_ver && regexec(&ver_re, log, 2, m, 0) == 0 && m[1].rm_so >= 0)
				snprintf(rep->version, sizeof rep->version, "%.*s", (int)(m[1].rm_eo - m[1].rm_so),
					 log + m[1].rm_so);
			break;
		}
		if (len > (1u << 20)) {   /* keep the tail: a boot loop prints forever */
			memmove(log, log + len - 65536, 65536);
			len = 65536;
			log[len] = '\0';
		}
	}
	regfree(&ok_re);
	if (have_ver)
		regfree(&ver_re);
	rep->log = log;
	rep->log_len = len;
	if (rc)
		return rc;
	if (!rep->booted)
		return ub_err_set(e, UB_EFAIL, "boot-failed", "the board's console did not show the boot line within %d s",
				  timeout);
	if (expect && *expect && strcmp(rep->version, expect) != 0)
		return ub_err_set(e, UB_EFAIL, "boot-wrong-version", "the board booted version '%s', expected %s",
				  rep->version, expect);
	return 0;
}

static int fastboot_again(struct ub_device *d, struct ub_boot_report *rep, struct ub_err *e)
{
	int wait = d->wait_ms, rc;
	double start = d->reboot_at ? d->reboot_at : ub_now();
	char bl[96] = "", product[64] = "", log[512];

	d->wait_ms = boot_timeout(d->profile) * 1000;
	rc = ub_fbdev_connect(d, e);
	d->wait_ms = wait;
	if (rc) {
		snprintf(log, sizeof log, "rebooted; fastboot did not answer again within %d s: %.300s\n",
			 boot_timeout(d->profile), e->msg);
		rep->log = strdup(log);
		rep->log_len = rep->log ? strlen(log) : 0;
		return ub_err_set(e, UB_EFAIL, "boot-failed",
				  "the device did not come back in fastboot within %d s after the reboot",
				  boot_timeout(d->profile));
	}
	rep->seconds = ub_now() - start;
	if (ub_fb_getvar(&d->fb, "version-bootloader", bl, sizeof bl, UB_FB_VAR_TIMEOUT_MS, e) == UB_EFAIL)
		ub_err_clear(e);
	if (ub_fb_getvar(&d->fb, "product", product, sizeof product, UB_FB_VAR_TIMEOUT_MS, e) == UB_EFAIL)
		ub_err_clear(e);
	snprintf(log, sizeof log,
		 "rebooted; fastboot answered again after %.1f s (%s, product %s, bootloader %s): a bootloader came back; which system would boot is not seen without the board's console (console=)\n",
		 rep->seconds, d->fb.t->where, product[0] ? product : "not said", bl[0] ? bl : "not said");
	ub_fbdev_log(d, "fastboot: %s", log);
	rep->booted = 1;
	rep->log = strdup(log);
	rep->log_len = rep->log ? strlen(log) : 0;
	return 0;
}

int ub_fbdev_boot_check(struct ub_device *d, const char *expect, struct ub_boot_report *out,
			struct ub_err *e)
{
	int rc;

	memset(out, 0, sizeof *out);
	if ((rc = open_console(d, e)))
		return rc;
	return d->console ? on_console(d, expect, out, e) : fastboot_again(d, out, e);
}
