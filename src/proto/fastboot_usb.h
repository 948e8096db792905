/* fastboot over USB, through libusb-1.0: the interface of class 0xff,
 * subclass 0x42, protocol 0x03 with a bulk IN and a bulk OUT endpoint.
 * Commands and data go OUT, replies come IN, each a bulk transfer; a
 * transfer that is a whole number of the endpoint's packets ends with a
 * zero-length packet, so the device sees where it ends. */
#ifndef UB_PROTO_FASTBOOT_USB_H
#define UB_PROTO_FASTBOOT_USB_H

#include <stdint.h>

#include "base/err.h"
#include "proto/fastboot.h"

struct ub_fbusb_found {
	char serial[128];      /* "" when the device has none */
	char product[128];     /* its USB product string, "" when none */
	unsigned vid, pid;
	unsigned bus, address;
};

/* Every device with a fastboot interface, to found.  UB_ENODEV when USB
 * cannot be used here at all (no USB bus), saying so. */
int ub_fbusb_list(void (*found)(void *ctx, const struct ub_fbusb_found *f), void *ctx,
		  struct ub_err *e);

/* Opens the fastboot interface of the device with this serial ("any":
 * the only one; two or more are an error naming them). */
int ub_fbusb_open(struct ub_fb_transport **out, const char *serial, int timeout_ms,
		  struct ub_err *e);

#endif
