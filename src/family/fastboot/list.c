/* `unbrick devices`: fastboot devices on USB (their fastboot interface,
 * class ff/42/03), by serial.  Devices on the network cannot be listed:
 * fastboot over UDP and TCP has no discovery, so a note says how to
 * reach one; a machine where USB cannot be used gets a note too, rather
 * than an empty list that looks like "no device". */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "family/fastboot/fastboot.h"
#include "proto/fastboot_usb.h"

struct lister {
	void (*found)(void *ctx, const struct ub_found *f);
	void *ctx;
	unsigned n;
};

static void one(void *ctx, const struct ub_fbusb_found *u)
{
	struct lister *l = ctx;
	struct ub_found f;

	memset(&f, 0, sizeof f);
	snprintf(f.spec, sizeof f.spec, "fastboot:usb:%s", u->serial[0] ? u->serial : "any");
	snprintf(f.what, sizeof f.what, "fastboot on USB %04x:%04x%s%.40s (bus %u device %u)%s", u->vid, u->pid,
		 u->product[0] ? " " : "", u->product, u->bus, u->address,
		 u->serial[0] ? "" : ", no serial: reachable as 'any' when it is the only one");
	snprintf(f.state, sizeof f.state, "fastboot");
	l->found(l->ctx, &f);
	l->n++;
}

int ub_fbdev_list(void (*found)(void *ctx, const struct ub_found *f), void *ctx, struct ub_err *e)
{
	struct lister l = { found, ctx, 0 };
	struct ub_found note;
	struct ub_err ue;

	ub_err_clear(&ue);
	(void)e;
	memset(&note, 0, sizeof note);
	/* libusb starts without a bus and finds nothing: that is not "no
	 * device", and is said so */
	if (access("/sys/bus/usb/devices", F_OK) != 0) {
		snprintf(note.what, sizeof note.what,
			 "no USB bus on this machine (no /sys/bus/usb/devices): no fastboot device can be attached here");
		found(ctx, &note);
	} else if (ub_fbusb_list(one, &l, &ue) != 0) {
		snprintf(note.what, sizeof note.what, "no fastboot device can be listed on USB here: %.100s", ue.msg);
		found(ctx, &note);
	}
	memset(&note, 0, sizeof note);
	snprintf(note.what, sizeof note.what,
		 "fastboot on the network is not listed (it has no discovery): fastboot:udp:HOST or fastboot:tcp:HOST reaches one");
	found(ctx, &note);
	return 0;
}
