/* The serial ports attached now, as U-Boot consoles could be on any of
 * them: what `unbrick devices` shows for this family.  libserialport
 * finds them (USB adapters with their maker, product and serial number;
 * UARTs its driver says are real).  Ports are not opened here to see who
 * answers: opening a port can reset a board through DTR. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <libserialport.h>

#include "family/uboot/uboot.h"

static void describe(struct sp_port *p, char *out, size_t len)
{
	const char *desc = sp_get_port_description(p);
	int vid = 0, pid = 0;

	switch (sp_get_port_transport(p)) {
	case SP_TRANSPORT_USB: {
		const char *maker = sp_get_port_usb_manufacturer(p);
		const char *product = sp_get_port_usb_product(p);
		const char *serial = sp_get_port_usb_serial(p);

		sp_get_port_usb_vid_pid(p, &vid, &pid);
		snprintf(out, len, "USB serial: %s%s%s (%04x:%04x%s%s)", maker ? maker : "",
			 maker && product ? " " : "", product ? product : (maker ? "" : "adapter"),
			 vid, pid, serial ? ", serial " : "", serial ? serial : "");
		break;
	}
	case SP_TRANSPORT_BLUETOOTH:
		snprintf(out, len, "Bluetooth serial: %s", desc ? desc : "");
		break;
	default:
		snprintf(out, len, "serial port%s%s", desc ? ": " : "", desc ? desc : "");
		break;
	}
}

int ub_uboot_list(void (*found)(void *ctx, const struct ub_found *f), void *ctx,
		  struct ub_err *e)
{
	struct sp_port **ports = NULL;
	size_t i;

	if (sp_list_ports(&ports) != SP_OK) {
		char *msg = sp_last_error_message();
		int rc = ub_err_set(e, UB_EFAIL, "failed", "the serial ports could not be listed: %s",
				    msg ? msg : "libserialport failed");

		sp_free_error_message(msg);
		return rc;
	}
	for (i = 0; ports[i]; i++) {
		const char *name = sp_get_port_name(ports[i]);
		struct ub_found f;

		memset(&f, 0, sizeof f);
		snprintf(f.spec, sizeof f.spec, "uboot:serial:%s", name);
		describe(ports[i], f.what, sizeof f.what);
		/* a port this user may not open is worth saying before a repair */
		snprintf(f.state, sizeof f.state, "%s",
			 access(name, R_OK | W_OK) == 0 ? "" : "no access (the dialout group?)");
		found(ctx, &f);
	}
	sp_free_port_list(ports);
	return 0;
}
