#include "fastboot_usb.h"

#include <libusb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CLASS 0xff
#define SUBCLASS 0x42
#define PROTOCOL 0x03
#define CHUNK (1u << 20)      /* bytes per bulk transfer out */
#define IN_BUF 4096           /* a reply is read into this, whatever its size */

struct usb {
	struct ub_fb_transport t;
	libusb_context *ctx;
	libusb_device_handle *h;
	int iface;
	uint8_t ep_in, ep_out;
	unsigned max_packet;     /* of the OUT endpoint */
	int timeout_ms;
	uint8_t in[IN_BUF];
};

/* Where a device's fastboot interface is. */
struct fbif {
	int iface;
	uint8_t ep_in, ep_out;
	unsigned max_packet;
};

static int find_interface(libusb_device *dev, struct fbif *f)
{
	struct libusb_config_descriptor *cfg;
	int i, a, k, found = 0;

	if (libusb_get_active_config_descriptor(dev, &cfg) != 0)
		return 0;
	for (i = 0; !found && i < cfg->bNumInterfaces; i++) {
		const struct libusb_interface *it = &cfg->interface[i];

		for (a = 0; !found && a < it->num_altsetting; a++) {
			const struct libusb_interface_descriptor *d = &it->altsetting[a];

			if (d->bInterfaceClass != CLASS || d->bInterfaceSubClass != SUBCLASS ||
			    d->bInterfaceProtocol != PROTOCOL)
				continue;
			f->ep_in = f->ep_out = 0;
			for (k = 0; k < d->bNumEndpoints; k++) {
				const struct libusb_endpoint_descriptor *ep = &d->endpoint[k];

				if ((ep->bmAttributes & 3) != LIBUSB_TRANSFER_TYPE_BULK)
					continue;
				if (ep->bEndpointAddress & LIBUSB_ENDPOINT_IN)
					f->ep_in = ep->bEndpointAddress;
				else {
					f->ep_out = ep->bEndpointAddress;
					f->max_packet = ep->wMaxPacketSize;
				}
			}
			if (f->ep_in && f->ep_out) {
				f->iface = d->bInterfaceNumber;
				found = 1;
			}
		}
	}
	libusb_free_config_descriptor(cfg);
	return found;
}

static void strings(libusb_device *dev, const struct libusb_device_descriptor *dd, char *serial,
		    size_t slen, char *product, size_t plen)
{
	libusb_device_handle *h;

	serial[0] = product[0] = '\0';
	if (libusb_open(dev, &h) != 0)
		return;
	if (dd->iSerialNumber &&
	    libusb_get_string_descriptor_ascii(h, dd->iSerialNumber, (unsigned char *)serial, (int)slen) < 0)
		serial[0] = '\0';
	if (dd->iProduct &&
	    libusb_get_string_descriptor_ascii(h, dd->iProduct, (unsigned char *)product, (int)plen) < 0)
		product[0] = '\0';
	libusb_close(h);
}

static int usb_init(libusb_context **ctx, struct ub_err *e)
{
	int r = libusb_init(ctx);

	if (r != 0)
		return ub_err_set(e, UB_ENODEV, "fastboot-no-usb",
				  "USB cannot be used on this machine (libusb: %s)", libusb_strerror(r));
	return 0;
}

/* Calls each(dev, found) for every fastboot device; stops at a non-zero
 * return. */
static int each_device(libusb_context *ctx,
		       int (*each)(void *c, libusb_device *dev, const struct fbif *f,
				   const struct ub_fbusb_found *found),
		       void *c, struct ub_err *e)
{
	libusb_device **list;
	ssize_t n, i;
	int rc = 0;

	n = libusb_get_device_list(ctx, &list);
	if (n < 0)
		return ub_err_set(e, UB_ENODEV, "fastboot-no-usb", "the USB devices cannot be listed (libusb: %s)",
				  libusb_strerror((int)n));
	for (i = 0; !rc && i < n; i++) {
		struct libusb_device_descriptor dd;
		struct ub_fbusb_found f;
		struct fbif fi;

		if (libusb_get_device_descriptor(list[i], &dd) != 0 || !find_interface(list[i], &fi))
			continue;
		memset(&f, 0, sizeof f);
		f.vid = dd.idVendor;
		f.pid = dd.idProduct;
		f.bus = libusb_get_bus_number(list[i]);
		f.address = libusb_get_device_address(list[i]);
		strings(list[i], &dd, f.serial, sizeof f.serial, f.product, sizeof f.product);
		rc = each(c, list[i], &fi, &f);
	}
	libusb_free_device_list(list, 1);
	return rc < 0 ? rc : 0;
}

struct lister {
	void (*found)(void *ctx, const struct ub_fbusb_found *f);
	void *ctx;
};

static int list_one(void *c, libusb_device *dev, const struct fbif *f, const struct ub_fbusb_found *found)
{
	struct lister *l = c;

	(void)dev;
	(void)f;
	l->found(l->ctx, found);
	return 0;
}

int ub_fbusb_list(void (*found)(void *ctx, const struct ub_fbusb_found *f), void *ctx,
		  struct ub_err *e)
{
	struct lister l = { found, ctx };
	libusb_context *u;
	int rc;

	if ((rc = usb_init(&u, e)))
		return rc;
	rc = each_device(u, list_one, &l, e);
	libusb_exit(u);
	return rc;
}

static int bulk(struct usb *u, uint8_t ep, uint8_t *buf, int n, int *done, int timeout_ms,
		struct ub_err *e)
{
	int r = libusb_bulk_transfer(u->h, ep, buf, n, done, (unsigned)timeout_ms);

	if (r == LIBUSB_ERROR_TIMEOUT)
		return ub_err_set(e, UB_ETIMEOUT, "fastboot-gone", "%s stopped answering (%s)", u->t.where,
				  ep & LIBUSB_ENDPOINT_IN ? "no reply" : "it takes nothing more");
	if (r == LIBUSB_ERROR_NO_DEVICE)
		return ub_err_set(e, UB_ENODEV, "fastboot-gone", "%s was unplugged or reset", u->t.where);
	if (r != 0)
		return ub_err_set(e, UB_ENODEV, "fastboot-gone", "%s: USB transfer failed (libusb: %s)",
				  u->t.where, libusb_strerror(r));
	return 0;
}

static int usb_send(struct ub_fb_transport *t, const uint8_t *buf, size_t n, struct ub_err *e)
{
	struct usb *u = (struct usb *)t;
	size_t left = n;
	int rc, done;

	while (left > 0) {
		int m = left < CHUNK ? (int)left : (int)CHUNK;

		if ((rc = bulk(u, u->ep_out, (uint8_t *)buf, m, &done, u->timeout_ms, e)))
			return rc;
		if (done != m)
			return ub_err_set(e, UB_ENODEV, "fastboot-gone", "%s took %d of %d bytes", u->t.where, done, m);
		buf += m;
		left -= (size_t)m;
	}
	/* the zero-length packet: a transfer of whole packets has no short
	 * one to end it */
	if (n > 0 && u->max_packet && n % u->max_packet == 0)
		return bulk(u, u->ep_out, NULL, 0, &done, u->timeout_ms, e);
	return 0;
}

static long usb_recv(struct ub_fb_transport *t, uint8_t *buf, size_t max, int timeout_ms,
		     struct ub_err *e)
{
	struct usb *u = (struct usb *)t;
	int rc, done = 0;

	if ((rc = bulk(u, u->ep_in, u->in, IN_BUF, &done, timeout_ms, e)))
		return rc;
	if ((size_t)done > max)
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "%s sent a reply of %d bytes; a reply has at most %zu", u->t.where, done, max);
	memcpy(buf, u->in, (size_t)done);
	return done;
}

static void usb_close(struct ub_fb_transport *t)
{
	struct usb *u = (struct usb *)t;

	if (!u)
		return;
	if (u->h) {
		libusb_release_interface(u->h, u->iface);
		libusb_close(u->h);
	}
	if (u->ctx)
		libusb_exit(u->ctx);
	free(u);
}

static const struct ub_fb_transport_ops usb_ops = { usb_send, usb_recv, usb_close };

struct picker {
	const char *serial;
	libusb_device *dev;
	struct fbif f;
	struct ub_fbusb_found found;
	unsigned n;
	char names[256];
};

static int pick_one(void *c, libusb_device *dev, const struct fbif *f, const struct ub_fbusb_found *found)
{
	struct picker *p = c;

	if (strcmp(p->serial, "any") != 0 && strcmp(p->serial, found->serial) != 0)
		return 0;
	if (p->n++ == 0) {
		p->dev = libusb_ref_device(dev);
		p->f = *f;
		p->found = *found;
	}
	snprintf(p->names + strlen(p->names), sizeof p->names - strlen(p->names), "%s%s",
		 p->n > 1 ? ", " : "", found->serial[0] ? found->serial : "(no serial)");
	return 0;
}

int ub_fbusb_open(struct ub_fb_transport **out, const char *serial, int timeout_ms,
		  struct ub_err *e)
{
	struct picker p;
	struct usb *u;
	int rc, r;

	*out = NULL;
	memset(&p, 0, sizeof p);
	p.serial = serial && *serial ? serial : "any";
	if (!(u = calloc(1, sizeof *u)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	u->t.ops = &usb_ops;
	u->t.name = "usb";
	u->t.chunk = CHUNK;
	u->timeout_ms = timeout_ms;
	if ((rc = usb_init(&u->ctx, e)) || (rc = each_device(u->ctx, pick_one, &p, e)))
		goto fail;
	if (p.n == 0) {
		rc = ub_err_set(e, UB_ENODEV, "fastboot-absent", "no fastboot device on USB%s%s",
				strcmp(p.serial, "any") ? " with serial " : "", strcmp(p.serial, "any") ? p.serial : "");
		goto fail;
	}
	if (p.n > 1) {
		rc = ub_err_set(e, UB_EUSAGE, "usage",
				"%u fastboot devices on USB (%s); name one: fastboot:usb:SERIAL", p.n, p.names);
		goto fail;
	}
	snprintf(u->t.where, sizeof u->t.where, "usb %04x:%04x %.90s", p.found.vid, p.found.pid,
		 p.found.serial[0] ? p.found.serial : "(no serial)");
	u->iface = p.f.iface;
	u->ep_in = p.f.ep_in;
	u->ep_out = p.f.ep_out;
	u->max_packet = p.f.max_packet;
	if ((r = libusb_open(p.dev, &u->h)) != 0) {
		rc = ub_err_set(e, UB_ENODEV, "fastboot-usb-access", "%s cannot be opened (libusb: %s)", u->t.where,
				libusb_strerror(r));
		goto fail;
	}
	libusb_set_auto_detach_kernel_driver(u->h, 1);
	if ((r = libusb_claim_interface(u->h, u->iface)) != 0) {
		libusb_close(u->h);
		u->h = NULL;
		rc = ub_err_set(e, UB_ENODEV, "fastboot-usb-access", "%s: its fastboot interface is busy (libusb: %s)",
				u->t.where, libusb_strerror(r));
		goto fail;
	}
	libusb_unref_device(p.dev);
	*out = &u->t;
	return 0;
fail:
	if (p.dev)
		libusb_unref_device(p.dev);
	usb_close(&u->t);
	return rc;
}
