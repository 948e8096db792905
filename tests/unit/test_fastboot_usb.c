/* fastboot over USB without USB: this machine has no USB bus (no
 * /sys/bus/usb, no dummy_hcd, no vhci), so libusb is replaced at link time
 * (-Wl,--wrap=libusb_..., tests/meson.build) by a bus of our own: a USB
 * stick (mass storage, no fastboot) and phones with a fastboot interface
 * (class ff/42/03, bulk IN 0x81 and OUT 0x01 of 512 bytes).  What is
 * checked: the interface found by its class, the serial chosen, replies
 * read, and the zero-length packet after a transfer of whole packets. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <libusb.h>

#include "proto/fastboot.h"
#include "proto/fastboot_usb.h"

/* ---- the bus */

struct fake_dev {
	uint16_t vid, pid;
	const char *serial, *product;
	int fastboot;
};

static struct fake_dev bus[3];
static int nbus;
static int init_fails, gone_after = -1;
static int claimed, released, opened, closed;
/* what went out: one line per transfer, "LEN" */
static char out_log[4096];
static unsigned out_count;
static const char *replies[8];
static int nreplies, reply_at;

static struct libusb_endpoint_descriptor eps[2] = {
	{ .bEndpointAddress = 0x81, .bmAttributes = LIBUSB_TRANSFER_TYPE_BULK, .wMaxPacketSize = 512 },
	{ .bEndpointAddress = 0x01, .bmAttributes = LIBUSB_TRANSFER_TYPE_BULK, .wMaxPacketSize = 512 },
};
static struct libusb_interface_descriptor fb_alt = {
	.bInterfaceNumber = 1, .bNumEndpoints = 2, .bInterfaceClass = 0xff, .bInterfaceSubClass = 0x42,
	.bInterfaceProtocol = 0x03, .endpoint = eps,
};
static struct libusb_interface_descriptor storage_alt = {
	.bInterfaceNumber = 0, .bNumEndpoints = 2, .bInterfaceClass = 0x08, .bInterfaceSubClass = 0x06,
	.bInterfaceProtocol = 0x50, .endpoint = eps,
};
static struct libusb_interface ifs[2] = { { &storage_alt, 1 }, { &fb_alt, 1 } };

/* A device is its index + 1; a handle the same. */
#define DEV(i) ((libusb_device *)(uintptr_t)((i) + 1))
#define IDX(p) ((int)(uintptr_t)(p) - 1)

int __wrap_libusb_init(libusb_context **ctx);
int __wrap_libusb_init(libusb_context **ctx)
{
	*ctx = (libusb_context *)(uintptr_t)0x1000;
	return init_fails ? LIBUSB_ERROR_OTHER : 0;
}

void __wrap_libusb_exit(libusb_context *ctx);
void __wrap_libusb_exit(libusb_context *ctx)
{
	(void)ctx;
}

ssize_t __wrap_libusb_get_device_list(libusb_context *ctx, libusb_device ***list);
ssize_t __wrap_libusb_get_device_list(libusb_context *ctx, libusb_device ***list)
{
	int i;

	(void)ctx;
	*list = calloc((size_t)nbus + 1, sizeof **list);
	for (i = 0; i < nbus; i++)
		(*list)[i] = DEV(i);
	return nbus;
}

void __wrap_libusb_free_device_list(libusb_device **list, int unref);
void __wrap_libusb_free_device_list(libusb_device **list, int unref)
{
	(void)unref;
	free(list);
}

int __wrap_libusb_get_device_descriptor(libusb_device *dev, struct libusb_device_descriptor *d);
int __wrap_libusb_get_device_descriptor(libusb_device *dev, struct libusb_device_descriptor *d)
{
	memset(d, 0, sizeof *d);
	d->idVendor = bus[IDX(dev)].vid;
	d->idProduct = bus[IDX(dev)].pid;
	d->iSerialNumber = 3;
	d->iProduct = 2;
	return 0;
}

int __wrap_libusb_get_active_config_descriptor(libusb_device *dev, struct libusb_config_descriptor **c);
int __wrap_libusb_get_active_config_descriptor(libusb_device *dev, struct libusb_config_descriptor **c)
{
	struct libusb_config_descriptor *cfg = calloc(1, sizeof *cfg);

	cfg->bNumInterfaces = bus[IDX(dev)].fastboot ? 2 : 1;
	cfg->interface = ifs;
	*c = cfg;
	return 0;
}

void __wrap_libusb_free_config_descriptor(struct libusb_config_descriptor *c);
void __wrap_libusb_free_config_descriptor(struct libusb_config_descriptor *c)
{
	free(c);
}

uint8_t __wrap_libusb_get_bus_number(libusb_device *dev);
uint8_t __wrap_libusb_get_bus_number(libusb_device *dev)
{
	(void)dev;
	return 1;
}

uint8_t __wrap_libusb_get_device_address(libusb_device *dev);
uint8_t __wrap_libusb_get_device_address(libusb_device *dev)
{
	return (uint8_t)(IDX(dev) + 2);
}

int __wrap_libusb_open(libusb_device *dev, libusb_device_handle **h);
int __wrap_libusb_open(libusb_device *dev, libusb_device_handle **h)
{
	*h = (libusb_device_handle *)dev;
	opened++;
	return 0;
}

void __wrap_libusb_close(libusb_device_handle *h);
void __wrap_libusb_close(libusb_device_handle *h)
{
	(void)h;
	closed++;
}

int __wrap_libusb_get_string_descriptor_ascii(libusb_device_handle *h, uint8_t index, unsigned char *data,
					      int length);
int __wrap_libusb_get_string_descriptor_ascii(libusb_device_handle *h, uint8_t index, unsigned char *data,
					      int length)
{
	const char *s = index == 3 ? bus[IDX(h)].serial : bus[IDX(h)].product;

	if (!s)
		return LIBUSB_ERROR_IO;
	snprintf((char *)data, (size_t)length, "%s", s);
	return (int)strlen((char *)data);
}

libusb_device *__wrap_libusb_ref_device(libusb_device *dev);
libusb_device *__wrap_libusb_ref_device(libusb_device *dev)
{
	return dev;
}

void __wrap_libusb_unref_device(libusb_device *dev);
void __wrap_libusb_unref_device(libusb_device *dev)
{
	(void)dev;
}

int __wrap_libusb_set_auto_detach_kernel_driver(libusb_device_handle *h, int enable);
int __wrap_libusb_set_auto_detach_kernel_driver(libusb_device_handle *h, int enable)
{
	(void)h;
	(void)enable;
	return 0;
}

int __wrap_libusb_claim_interface(libusb_device_handle *h, int iface);
int __wrap_libusb_claim_interface(libusb_device_handle *h, int iface)
{
	(void)h;
	assert_int_equal(iface, 1);   /* the fastboot interface, not the other */
	claimed++;
	return 0;
}

int __wrap_libusb_release_interface(libusb_device_handle *h, int iface);
int __wrap_libusb_release_interface(libusb_device_handle *h, int iface)
{
	(void)h;
	(void)iface;
	released++;
	return 0;
}

int __wrap_libusb_bulk_transfer(libusb_device_handle *h, unsigned char ep, unsigned char *data, int length,
				int *transferred, unsigned int timeout);
int __wrap_libusb_bulk_transfer(libusb_device_handle *h, unsigned char ep, unsigned char *data, int length,
				int *transferred, unsigned int timeout)
{
	(void)h;
	(void)timeout;
	if (gone_after >= 0 && (int)out_count >= gone_after)
		return LIBUSB_ERROR_NO_DEVICE;
	if (ep == 0x01) {
		snprintf(out_log + strlen(out_log), sizeof out_log - strlen(out_log), "%d ", length);
		out_count++;
		*transferred = length;
		return 0;
	}
	assert_int_equal(ep, 0x81);
	assert_true(length >= 512);   /* never less than a packet: no overflow */
	if (reply_at >= nreplies)
		return LIBUSB_ERROR_TIMEOUT;
	*transferred = (int)strlen(replies[reply_at]);
	memcpy(data, replies[reply_at++], (size_t)*transferred);
	return 0;
}

const char *__wrap_libusb_strerror(int code);
const char *__wrap_libusb_strerror(int code)
{
	return code == LIBUSB_ERROR_NO_DEVICE ? "No such device" : "error";
}

/* ---- tests */

static void reset(void)
{
	nbus = 0;
	init_fails = 0;
	gone_after = -1;
	claimed = released = opened = closed = 0;
	out_log[0] = '\0';
	out_count = 0;
	nreplies = reply_at = 0;
}

static void plug(uint16_t vid, uint16_t pid, const char *serial, const char *product, int fastboot)
{
	bus[nbus++] = (struct fake_dev){ vid, pid, serial, product, fastboot };
}

struct seen {
	char text[512];
	int n;
};

static void on_found(void *ctx, const struct ub_fbusb_found *f)
{
	struct seen *s = ctx;

	snprintf(s->text + strlen(s->text), sizeof s->text - strlen(s->text), "%04x:%04x %s %s|", f->vid, f->pid,
		 f->serial, f->product);
	s->n++;
}

static void list(void **state)
{
	struct seen s = { "", 0 };
	struct ub_err e;

	(void)state;
	reset();
	plug(0x0781, 0x5567, "STICK", "Cruzer", 0);
	plug(0x18d1, 0x4ee0, "ABC123", "Pixel", 1);
	assert_int_equal(ub_fbusb_list(on_found, &s, &e), 0);
	assert_string_equal(s.text, "18d1:4ee0 ABC123 Pixel|");
	/* no USB at all: said, not an empty list */
	reset();
	init_fails = 1;
	assert_int_equal(ub_fbusb_list(on_found, &s, &e), UB_ENODEV);
	assert_string_equal(e.advice_id, "fastboot-no-usb");
}

static int fill(void *ctx, uint64_t off, uint8_t *buf, size_t n, struct ub_err *e)
{
	(void)ctx;
	(void)off;
	(void)e;
	memset(buf, 0x5a, n);
	return 0;
}

static void session(void **state)
{
	struct ub_fb fb = { 0 };
	struct ub_err e;
	char v[64];

	(void)state;
	reset();
	plug(0x0781, 0x5567, "STICK", "Cruzer", 0);
	plug(0x18d1, 0x4ee0, "ABC123", "Pixel", 1);
	plug(0x18d1, 0x4ee0, "XYZ789", "Pixel", 1);
	replies[nreplies++] = "OKAYsailfish";
	replies[nreplies++] = "DATA00000400";
	replies[nreplies++] = "OKAY";
	replies[nreplies++] = "DATA000003e8";
	replies[nreplies++] = "OKAY";
	assert_int_equal(ub_fbusb_open(&fb.t, "ABC123", 1000, &e), 0);
	assert_int_equal(claimed, 1);
	assert_non_null(strstr(fb.t->where, "18d1:4ee0 ABC123"));
	assert_int_equal(ub_fb_getvar(&fb, "product", v, sizeof v, 1000, &e), 0);
	assert_string_equal(v, "sailfish");
	/* 1024 bytes: two whole packets, then a zero-length one */
	assert_int_equal(ub_fb_download(&fb, 1024, fill, NULL, NULL, 1000, &e), 0);
	/* 1000 bytes end in a short packet: no zero-length one */
	assert_int_equal(ub_fb_download(&fb, 1000, fill, NULL, NULL, 1000, &e), 0);
	assert_string_equal(out_log, "14 17 1024 0 17 1000 ");
	ub_fb_close(&fb);
	assert_int_equal(released, 1);
	assert_int_equal(closed, opened);
}

static void choosing(void **state)
{
	struct ub_fb_transport *t;
	struct ub_err e;

	(void)state;
	reset();
	plug(0x18d1, 0x4ee0, "ABC123", "Pixel", 1);
	plug(0x18d1, 0x4ee0, "XYZ789", "Pixel", 1);
	/* two and no serial named: which one is the user's to say */
	assert_int_equal(ub_fbusb_open(&t, "any", 1000, &e), UB_EUSAGE);
	assert_non_null(strstr(e.msg, "ABC123, XYZ789"));
	assert_int_equal(claimed, 0);
	assert_int_equal(ub_fbusb_open(&t, "NOPE", 1000, &e), UB_ENODEV);
	assert_string_equal(e.advice_id, "fastboot-absent");
	assert_non_null(strstr(e.msg, "with serial NOPE"));
	/* one: "any" takes it */
	reset();
	plug(0x0781, 0x5567, "STICK", "Cruzer", 0);
	plug(0x18d1, 0x4ee0, "ABC123", "Pixel", 1);
	assert_int_equal(ub_fbusb_open(&t, "any", 1000, &e), 0);
	t->ops->close(t);
	/* a USB stick alone is no fastboot device */
	reset();
	plug(0x0781, 0x5567, "STICK", "Cruzer", 0);
	assert_int_equal(ub_fbusb_open(&t, "any", 1000, &e), UB_ENODEV);
	assert_int_equal(opened, closed);
}

static void unplugged(void **state)
{
	struct ub_fb fb = { 0 };
	struct ub_err e;

	(void)state;
	reset();
	plug(0x18d1, 0x4ee0, "ABC123", "Pixel", 1);
	replies[nreplies++] = "DATA00300000";
	assert_int_equal(ub_fbusb_open(&fb.t, "ABC123", 1000, &e), 0);
	/* the command, one MiB and its zero-length packet go (a whole number
	 * of packets: each send ends with one, as the real client's writes
	 * do), then the cable is pulled */
	gone_after = 3;
	assert_int_equal(ub_fb_download(&fb, 3u << 20, fill, NULL, NULL, 1000, &e), UB_ENODEV);
	assert_string_equal(e.advice_id, "fastboot-gone");
	assert_non_null(strstr(e.msg, "after 1048576 of 3145728 bytes"));
	assert_non_null(strstr(e.msg, "unplugged"));
	assert_string_equal(out_log, "17 1048576 0 ");
	ub_fb_close(&fb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(list),
		cmocka_unit_test(session),
		cmocka_unit_test(choosing),
		cmocka_unit_test(unplugged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
