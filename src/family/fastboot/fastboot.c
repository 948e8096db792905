/* Phones and boards whose bootloader speaks fastboot: the recovery manual
 * (README.md here says more).
 *
 * Reach it: fastboot:udp:HOST[:PORT], fastboot:tcp:HOST[:PORT] (port
 * 5554) or fastboot:usb:SERIAL|any; the device must be in its bootloader's
 * fastboot mode, and is waited for (wait=, 30 s).
 * Identify it: getvar all where the bootloader has it, else the variables
 * one by one; those it lacks are noted, not fatal.  Every partition the
 * profile names is asked its size, which must be the profile's.
 * Read it: never; fastboot has no way to read a partition back.
 * Write a region: the region is a partition, flashed by name: the image
 * downloaded whole (raw, or sparse as it is), or as sparse pieces no
 * larger than the device's max-download-size.  A locked bootloader is
 * refused before anything is sent.
 * Boot: reboot, then the board's console (console=) shows the profile's
 * boot line, or else the device answers fastboot again. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"
#include "base/interrupt.h"
#include "base/say.h"
#include "family/fastboot/fastboot.h"
#include "proto/fastboot_tcp.h"
#include "proto/fastboot_udp.h"
#include "proto/fastboot_usb.h"

void ub_fbdev_log(struct ub_device *d, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ub_log_vline(&d->log_fd, fmt, ap);
	va_end(ap);
}

int ub_fbdev_parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	while (*s == ' ')
		s++;
	if (!*s || *s == '-')
		return -1;
	v = strtoull(s, &end, 0);
	while (*end == ' ')
		end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static void on_note(void *ctx, enum ub_fb_kind kind, const char *text)
{
	struct ub_device *d = ctx;

	ub_fbdev_log(d, "fastboot: %s %s\n", ub_fb_kind_name(kind), text);
	ub_say("  device: %s\n", text);
}

static int param_int(const struct ub_device_spec *spec, const char *key, int def)
{
	char v[32];

	return ub_device_spec_param(spec, key, v, sizeof v) ? atoi(v) : def;
}

/* A bootloader left in a download by a host that went away takes our
 * first command for data, and fails it ("Received invalid data length");
 * the command after that is heard.  Asked once more, then. */
static int first_contact(struct ub_device *d, struct ub_err *e)
{
	char v[64];
	int rc;

	if ((rc = ub_fb_getvar(&d->fb, "version", v, sizeof v, UB_FB_VAR_TIMEOUT_MS, e)) == UB_EFAIL &&
	    strstr(e->msg, "invalid data length")) {
		ub_fbdev_log(d, "fastboot: the device was still in an earlier download; asked again\n");
		ub_err_clear(e);
		rc = ub_fb_getvar(&d->fb, "version", v, sizeof v, UB_FB_VAR_TIMEOUT_MS, e);
	}
	/* a device without the variable still answered */
	if (rc == UB_EFAIL && !strstr(e->msg, "invalid data length")) {
		ub_err_clear(e);
		rc = 0;
	}
	return rc;
}

int ub_fbdev_slots(const struct ub_device *d, char out[2][4], struct ub_err *e)
{
	if (!d->slot[0]) {
		out[0][0] = '\0';
		return 1;
	}
	if (strcmp(d->slot, "all") == 0) {
		snprintf(out[0], 4, "_a");
		snprintf(out[1], 4, "_b");
		return 2;
	}
	if (strcmp(d->slot, "other") == 0) {
		if (strcmp(d->current_slot, "a") != 0 && strcmp(d->current_slot, "b") != 0)
			return ub_err_set(e, UB_EREFUSED, "fastboot-slot",
					  "slot=other needs the device's current slot, and it says '%s'; nothing was written",
					  d->current_slot[0] ? d->current_slot : "nothing");
		snprintf(out[0], 4, "_%s", strcmp(d->current_slot, "a") == 0 ? "b" : "a");
		return 1;
	}
	snprintf(out[0], 4, "_%c", d->slot[0]);
	return 1;
}

int ub_fbdev_connect(struct ub_device *d, struct ub_err *e)
{
	const char *tr = d->spec.transport;
	int rc;

	if (d->fb.t)
		return 0;
	if (strcmp(tr, "udp") == 0) {
		struct ub_fbudp_opts o = { d->wait_ms, 0, 0, 0 };

		rc = ub_fbudp_open(&d->fb.t, d->spec.address, &o, e);
	} else if (strcmp(tr, "tcp") == 0) {
		double end = ub_now() + d->wait_ms / 1000.0;

		/* nothing listens until the device is up: ask again */
		while ((rc = ub_fbtcp_open(&d->fb.t, d->spec.address, 5000, e)) == UB_ENODEV && ub_now() < end &&
		       !(rc = ub_safe_point("waiting for the fastboot device to answer", e)))
			usleep(200000);
	} else {
		double end = ub_now() + d->wait_ms / 1000.0;

		while ((rc = ub_fbusb_open(&d->fb.t, d->spec.address, d->timeout_ms, e)) == UB_ENODEV &&
		       strcmp(e->advice_id ? e->advice_id : "", "fastboot-absent") == 0 && ub_now() < end &&
		       !(rc = ub_safe_point("waiting for the fastboot device to answer", e)))
			usleep(250000);
	}
	if (rc)
		return rc;
	d->fb.note = on_note;
	d->fb.note_ctx = d;
	ub_fbdev_log(d, "fastboot: connected to %s\n", d->fb.t->where);
	if ((rc = first_contact(d, e)))
		ub_fbdev_disconnect(d);
	return rc;
}

void ub_fbdev_disconnect(struct ub_device *d)
{
	ub_fb_close(&d->fb);
}

static void fb_close(struct ub_device *d)
{
	if (!d)
		return;
	ub_fbdev_disconnect(d);
	if (d->console)
		ub_stream_close(d->console);
	free(d->part);
	free(d);
}

/* Every region is a partition, flashed by its name. */
static int check_map(const struct ub_flash_map *map, struct ub_err *e)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (strcmp(map->v[i].storage, "partition") != 0)
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "profile: region %s is on storage '%s'; fastboot flashes partitions by name (storage \"partition\")",
					  map->v[i].name, map->v[i].storage);
	if (map->n > 64)
		return ub_err_set(e, UB_EFORMAT, "profile-invalid", "profile: more than 64 partitions");
	return 0;
}

static int fb_open(struct ub_device **out, const struct ub_device_spec *spec,
		   const struct ub_flash_map *map, const json_t *profile, struct ub_err *e)
{
	struct ub_device *d;
	char v[64];
	int rc;

	*out = NULL;
	if ((rc = check_map(map, e)))
		return rc;
	if (!(d = calloc(1, sizeof *d)) || !(d->part = calloc(map->n ? map->n : 1, sizeof *d->part))) {
		free(d);
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	d->spec = *spec;
	d->map = map;
	d->profile = profile;
	d->log_fd = -1;
	d->locked = -1;
	d->wait_ms = param_int(spec, "wait", 30) * 1000;
	d->timeout_ms = param_int(spec, "timeout", 120) * 1000;
	ub_device_spec_param(spec, "slot", d->slot, sizeof d->slot);
	d->set_active = ub_device_spec_param(spec, "set_active", v, sizeof v) && strcmp(v, "on") == 0;
	if (d->set_active && (!d->slot[0] || strcmp(d->slot, "all") == 0)) {
		fb_close(d);
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "set_active=on needs one slot to make active: slot=a, b or other");
	}
	if (ub_device_spec_param(spec, "max_download", v, sizeof v) &&
	    (ub_parse_size(v, &d->max_piece) || d->max_piece < 4096 || d->max_piece > 0xffffffffu)) {
		fb_close(d);
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "max_download=%s: expected a size from 4K to 4G-1, such as 4M or 0x400000", v);
	}
	*out = d;
	return 0;
}

static int fb_enter_recovery(struct ub_device *d, struct ub_err *e)
{
	return ub_fbdev_connect(d, e);
}

static int fb_identify(struct ub_device *d, struct ub_identity *id, struct ub_err *e)
{
	int rc;

	if ((rc = ub_fbdev_connect(d, e)))
		return rc;
	return ub_fbdev_identify(d, id, e);
}

/* fastboot has no command that reads a partition back. */
static int fb_read(struct ub_device *d, const struct ub_region *r, uint64_t off, uint64_t len,
		   int (*sink)(void *ctx, const uint8_t *buf, size_t n), void *ctx,
		   struct ub_progress *p, struct ub_err *e)
{
	(void)d;
	(void)off;
	(void)len;
	(void)sink;
	(void)ctx;
	(void)p;
	return ub_err_set(e, UB_EREFUSED, "fastboot-no-read",
			  "fastboot cannot read partitions, so region %s cannot be backed up or read back this way",
			  r->name);
}

static int fb_link_check(struct ub_device *d, double *rtt_ms, struct ub_err *e)
{
	char v[64];
	int i, rc = 0;

	*rtt_ms = 0;
	if ((rc = ub_fbdev_connect(d, e)))
		return rc;
	for (i = 0; !rc && i < 5; i++) {
		double t0 = ub_now(), ms;

		rc = ub_fb_getvar(&d->fb, "version", v, sizeof v, UB_FB_VAR_TIMEOUT_MS, e);
		if (rc == UB_EFAIL) {   /* a device without it answered all the same */
			ub_err_clear(e);
			rc = 0;
		}
		ms = (ub_now() - t0) * 1000;
		if (ms > *rtt_ms)
			*rtt_ms = ms;
	}
	return rc;
}

static void fb_set_log(struct ub_device *d, int fd)
{
	d->log_fd = fd;
}

static void fb_write_stats(const struct ub_device *d, struct ub_write_stats *out)
{
	*out = d->ws;
}

static int fb_write(struct ub_device *d, const struct ub_region *r, uint64_t off,
		    const struct ub_src *src, const struct ub_blockset *todo,
		    struct ub_progress *p, struct ub_err *e)
{
	int rc;

	if ((rc = ub_fbdev_connect(d, e)))
		return rc;
	return ub_fbdev_write(d, r, off, src, todo, p, e);
}

/* fastboot writes a partition from its start, whole. */
static int fb_check_write(const struct ub_region *r, uint64_t off, uint64_t len, struct ub_err *e)
{
	(void)len;
	if (off != 0)
		return ub_err_set(e, UB_EREFUSED, "refused",
				  "fastboot writes partition %s from its start; an image at +0x%llx cannot be written",
				  r->name, (unsigned long long)off);
	return 0;
}

static const struct ub_transport_def transports[] = {
	{ "udp", "HOST[:PORT]", "fastboot over the network, AOSP's UDP protocol (port 5554)" },
	{ "tcp", "HOST[:PORT]", "fastboot over TCP (port 5554)" },
	{ "usb", "SERIAL|any", "fastboot over USB: the device with this serial, or the only one" },
	{ NULL, NULL, NULL },
};

static const struct ub_param_def params[] = {
	{ "wait", "int", 1, 3600, "30", "seconds to wait for the device to answer fastboot", NULL, 0 },
	{ "timeout", "int", 1, 86400, "120", "seconds a flash or an erase may take on the device", NULL, 0 },
	{ "max_download", "text", 0, 0, "the device's max-download-size",
	  "largest download (as fastboot -S): larger images go as sparse pieces", NULL, 0 },
	{ "slot", "a|b|all|other", 0, 0, NULL,
	  "the slot to write on an A/B device: partition NAME_a, NAME_b, both, or the one it does not boot now", "slot", 0 },
	{ "set_active", "on|off", 0, 0, "off",
	  "after every write went in, make the slot written the one the device boots (set_active)", NULL, 0 },
	{ "console", "text", 0, 0, NULL,
	  "the board's console for the boot check (unix:PATH, serial:/dev/ttyUSB0, tcp:HOST:PORT)", NULL, 0 },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL, 0 },
};

static const char *const paths[] = { "console", NULL };

static const char *const banners[] = { "^U-Boot [0-9]{4}\\.[0-9]{2}", NULL };

const struct ub_family ub_family_fastboot = {
	.name = "fastboot",
	.what = "phones and boards in their bootloader's fastboot mode (udp, tcp, usb); fastboot cannot read, so nothing written is verified",
	.reach = "waiting for the device to answer fastboot (put it in its bootloader's fastboot mode now)",
	.caps = UB_CAP_BOOT_CHECK | UB_CAP_SPARSE_IMAGE,
	.transports = transports,
	.params = params,
	.paths = paths,
	.banners = banners,
	/* UDP with one 1 KiB packet in flight: 1.2 MiB/s on QEMU's user
	 * network; USB 2.0 devices take 20-30 MB/s */
	.read_bps = 0,
	.write_bps = 1.2e6,
	.check_write = fb_check_write,
	.list = ub_fbdev_list,
	.open = fb_open,
	.identify = fb_identify,
	.enter_recovery = fb_enter_recovery,
	.read = fb_read,
	.write = fb_write,
	.reboot = ub_fbdev_reboot,
	.boot_check = ub_fbdev_boot_check,
	.link_check = fb_link_check,
	.image_set = ub_fbdev_image_set,
	.variable = ub_fbdev_variable,
	.restart = ub_fbdev_restart,
	.bootloader_locked = ub_fbdev_locked,
	.unlock_bootloader = ub_fbdev_unlock,
	.set_log = fb_set_log,
	.write_stats = fb_write_stats,
	.close = fb_close,
};
