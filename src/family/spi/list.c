/* The programmers that could be reached now, for `unbrick devices`: only
 * those this libflashrom knows, and only where there is something to
 * reach.  flashrom's dummy programmer (a chip made of a file) is always
 * there.  USB programmers are found by their USB ids on the USB bus; a
 * machine without a USB bus gets a note saying none can be attached,
 * rather than a list of names that cannot answer.  Linux's own SPI and
 * MTD devices are listed when their nodes exist.  Not offered: the
 * internal programmer (this computer's own firmware chip), PCI cards and
 * serial-port programmers (serprog, buspirate_spi: any serial port might
 * be one; their ports are listed as serial ports). */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "family/spi/flashrom.h"
#include "family/spi/spi.h"

/* USB ids as `flashrom -L` of libflashrom 1.3 lists them for its USB
 * programmers (developerbox's id is a common USB-serial bridge, and
 * J-Link's are not listed: both left out). */
static const struct usb_prog {
	unsigned vid, pid;
	const char *programmer, *what;
} usb_progs[] = {
	{ 0x1a86, 0x5512, "ch341a_spi", "WCH CH341A" },
	{ 0x0403, 0x6010, "ft2232_spi", "FTDI FT2232H" },
	{ 0x0403, 0x6011, "ft2232_spi", "FTDI FT4232H" },
	{ 0x0403, 0x6014, "ft2232_spi", "FTDI FT232H" },
	{ 0x0403, 0x6041, "ft2232_spi", "FTDI FT4233H" },
	{ 0x0403, 0x8a98, "ft2232_spi", "TIAO USB Multi-Protocol Adapter" },
	{ 0x0403, 0x8a99, "ft2232_spi", "TIAO USB Multi-Protocol Adapter Lite" },
	{ 0x0403, 0xbbe2, "ft2232_spi", "Kristech KT-LINK" },
	{ 0x0403, 0xcff8, "ft2232_spi", "Amontec JTAGkey" },
	{ 0x096c, 0x1449, "ft2232_spi", "GOEPEL PicoTAP" },
	{ 0x18d1, 0x5001, "ft2232_spi", "Google Servo" },
	{ 0x18d1, 0x5002, "ft2232_spi", "Google Servo V2 Legacy" },
	{ 0x18d1, 0x5003, "ft2232_spi", "Google Servo V2" },
	{ 0x1457, 0x5118, "ft2232_spi", "OpenMoko Neo1973 Debug board" },
	{ 0x15ba, 0x0003, "ft2232_spi", "Olimex ARM-USB-OCD" },
	{ 0x15ba, 0x0004, "ft2232_spi", "Olimex ARM-USB-TINY" },
	{ 0x15ba, 0x002b, "ft2232_spi", "Olimex ARM-USB-OCD-H" },
	{ 0x15ba, 0x002a, "ft2232_spi", "Olimex ARM-USB-TINY-H" },
	{ 0x0483, 0xdada, "dediprog", "Dediprog SF100/SF200/SF600" },
	{ 0x09fb, 0x6001, "usbblaster_spi", "Altera USB-Blaster" },
	{ 0x04d8, 0x0033, "pickit2_spi", "Microchip PICkit 2" },
	{ 0x1443, 0x0007, "digilent_spi", "Digilent development board JTAG" },
	{ 0x0483, 0x374e, "stlinkv3_spi", "STLINK-V3E" },
	{ 0x0483, 0x374f, "stlinkv3_spi", "STLINK-V3S" },
	{ 0x0483, 0x3753, "stlinkv3_spi", "STLINK-V3 dual VCP" },
	{ 0x0483, 0x3754, "stlinkv3_spi", "STLINK-V3 no MSD" },
	{ 0x1209, 0xc0ca, "dirtyjtag_spi", "DirtyJTAG JTAG probe" },
};

#define USB_DEVICES "/sys/bus/usb/devices"

/* Whether name is in ", "-separated known. */
static int knows(const char *known, const char *name)
{
	size_t n = strlen(name);
	const char *p = known;

	while ((p = strstr(p, name)) != NULL) {
		if ((p == known || p[-1] == ' ') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

static unsigned hex_file(const char *dir, const char *name)
{
	char path[512], buf[16] = "";
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (!(f = fopen(path, "r")))
		return 0xffffffffu;
	if (!fgets(buf, sizeof buf, f))
		buf[0] = '\0';
	fclose(f);
	return buf[0] ? (unsigned)strtoul(buf, NULL, 16) : 0xffffffffu;
}

static void found_usb(const char *known, void (*found)(void *, const struct ub_found *), void *ctx)
{
	DIR *d = opendir(USB_DEVICES);
	struct dirent *de;
	char names[512] = "";
	size_t i, n = 0;

	if (!d) {
		struct ub_found note;

		for (i = 0; i < sizeof usb_progs / sizeof usb_progs[0]; i++)
			if (knows(known, usb_progs[i].programmer) && !knows(names, usb_progs[i].programmer)) {
				snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
					 n ? ", " : "", usb_progs[i].programmer);
				n++;
			}
		if (!n)
			return;
		memset(&note, 0, sizeof note);
		snprintf(note.what, sizeof note.what, "no USB bus on this machine (no %s): "
			 "none of the %zu USB programmers libflashrom drives can be attached here",
			 USB_DEVICES, n);
		found(ctx, &note);
		return;
	}
	while ((de = readdir(d)) != NULL) {
		char dir[512];
		unsigned vid, pid;

		if (de->d_name[0] == '.')
			continue;
		snprintf(dir, sizeof dir, "%s/%s", USB_DEVICES, de->d_name);
		vid = hex_file(dir, "idVendor");
		pid = hex_file(dir, "idProduct");
		for (i = 0; i < sizeof usb_progs / sizeof usb_progs[0]; i++) {
			struct ub_found f;

			if (usb_progs[i].vid != vid || usb_progs[i].pid != pid ||
			    !knows(known, usb_progs[i].programmer))
				continue;
			memset(&f, 0, sizeof f);
			snprintf(f.spec, sizeof f.spec, "spi:flashrom:%s", usb_progs[i].programmer);
			snprintf(f.what, sizeof f.what, "USB %04x:%04x %s (at %.40s)", vid, pid,
				 usb_progs[i].what, de->d_name);
			found(ctx, &f);
		}
	}
	closedir(d);
}

/* Nodes in dir named prefix and a number: Linux's spidev and MTD
 * devices.  The spec's dev= is the path (/dev/spidev0.0) or, with
 * number_only, the number (MTD's 0). */
static void found_nodes(const char *known, const char *programmer, const char *dir,
			const char *prefix, int number_only, const char *what,
			void (*found)(void *, const struct ub_found *), void *ctx)
{
	DIR *d;
	struct dirent *de;
	size_t pl = strlen(prefix);

	if (!knows(known, programmer) || !(d = opendir(dir)))
		return;
	while ((de = readdir(d)) != NULL) {
		const char *num = de->d_name + pl;
		struct ub_found f;

		if (strncmp(de->d_name, prefix, pl) != 0 || !*num ||
		    strspn(num, "0123456789.") != strlen(num))
			continue;
		memset(&f, 0, sizeof f);
		if (number_only)
			snprintf(f.spec, sizeof f.spec, "spi:flashrom:%s,dev=%.40s", programmer, num);
		else
			snprintf(f.spec, sizeof f.spec, "spi:flashrom:%s,dev=%s/%.40s", programmer, dir,
				 de->d_name);
		snprintf(f.what, sizeof f.what, "%s %.40s", what, de->d_name);
		found(ctx, &f);
	}
	closedir(d);
}

int ub_spi_list(void (*found)(void *ctx, const struct ub_found *f), void *ctx,
		struct ub_err *e)
{
	char known[2048];
	struct ub_found f;

	if (!ub_chip_programmers(known, sizeof known))
		return ub_err_set(e, UB_EFAIL, "failed", "libflashrom did not say which programmers it knows");
	if (knows(known, "dummy")) {
		memset(&f, 0, sizeof f);
		snprintf(f.spec, sizeof f.spec, "spi:flashrom:dummy,emulate=W25Q128FV,image=FILE");
		snprintf(f.what, sizeof f.what, "flashrom's emulated chip, its contents in FILE: "
			 "to try unbrick out");
		snprintf(f.state, sizeof f.state, "always there");
		found(ctx, &f);
	}
	found_usb(known, found, ctx);
	found_nodes(known, "linux_spi", "/dev", "spidev", 0, "Linux SPI device", found, ctx);
	found_nodes(known, "linux_mtd", "/sys/class/mtd", "mtd", 1, "Linux MTD device", found, ctx);
	return 0;
}
