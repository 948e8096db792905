/* Recovering a board through U-Boot's console: the manual.
 *
 * Reach it: open the console (serial, unix socket, TCP), wait for the
 * prompt, stopping autoboot with the profile's keys.
 * Identify it: board name, serial number and firmware version from the
 * environment; the bootloader's own version line.
 * Read a region: per piece (an erase block, at least 64 KiB), ask the board
 * for its crc32; a piece whose crc is that of erased flash is proven erased
 * exactly with `cmp.b` against 0xff-filled RAM; any other piece is dumped
 * with `md.l` (`md.b` when not whole words) and must hash to the board's
 * crc.  The dump's text comes through the netconsole when the board has
 * one and the network addresses are known (a serial line carries 2.7 KB/s
 * of data at 115200 baud), else over the console.  Block storage (virtio,
 * usb, scsi, nvme, mmc) and SPI NOR (sf) are first read into scratch
 * RAM, their bus brought up (or chip probed) once per session.
 * Write a region: compare each erase block's crc on the board with the
 * image's; load only the span of blocks that differ into RAM (TFTP or
 * YMODEM), check its crc there, then per block: protect off, erase, copy in
 * pieces the flash's write buffer accepts, and read the crc back.  SPI NOR
 * is erased and written with `sf`, block storage with `<kind> write`, each
 * run of changed blocks in one go, read back and checked the same way.
 * Reboot: `reset`; the boot is good when the profile's success line and
 * the expected version appear on the console in time. */
#include "family/uboot/uboot.h"
#include "family/uboot/loader.h"

#include "base/interrupt.h"

#include <errno.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

#include "family/uboot/block.h"
#include "family/uboot/nccon.h"
#include "family/uboot/net.h"
#include "family/uboot/netcons.h"
#include "family/uboot/nor.h"
#include "family/uboot/sf.h"
#include "family/uboot/tftpput.h"
#include "io/stream.h"
#include "family/uboot/console.h"
#include "family/uboot/dump.h"
#include "proto/ymodem.h"

#define IDLE_MS 5000            /* silence allowed inside one command */
#define ERASE_IDLE_MS 60000     /* erasing a big block says nothing for a while */

struct ub_device {
	struct ub_stream *s;
	struct ub_console con;
	const struct ub_flash_map *map;
	const json_t *profile;
	char stop_keys[16];
	uint64_t load_addr, load_max, scratch_addr, nor_chunk;
	uint64_t scratch_max;     /* bytes of block storage staged in RAM at once */
	int no_crc_loop;          /* the board lacks itest/setexpr: a crc per command */
	int words_big;            /* md.l prints this board's words big-endian */
	int sync_timeout_ms;
	uint64_t ff_filled;       /* bytes of 0xff already in scratch RAM */
	uint64_t zero_filled;     /* bytes of 0x00 likewise */
	struct ub_block_state blk;   /* block buses up, current devices, since the last reset */
	struct ub_sf_state sf;       /* the SPI flash probed since the last reset */
	struct ub_uboot_loader loader;
	struct ub_uboot_nc nc;       /* dumps through the netconsole, when it works */
	struct ub_uboot_nccon nccon; /* the console is the netconsole itself */
	struct ub_uboot_put put;     /* reads uploaded by the board's tftpput */
	struct ub_write_stats stats;
	uint64_t read_bytes;         /* by uboot_read since open */
	struct {                     /* another family's way into RAM */
		int (*load)(void *ctx, const struct ub_src *src, uint64_t addr,
			    struct ub_progress *p, struct ub_err *e);
		void *ctx;
	} ram;
};

/* How each storage is reached.  NOR is memory-mapped; the rest is staged
 * through scratch RAM.  NOR and SPI NOR are erased before they are
 * written, so what a block's image leaves unwritten reads 0xff; block
 * storage writes whole 512-byte sectors and needs no erase. */
static int is_nor(const struct ub_region *r)
{
	return strcmp(r->storage, "nor") == 0;
}

static int is_sf(const struct ub_region *r)
{
	return strcmp(r->storage, "sf") == 0;
}

static int erased_first(const struct ub_region *r)
{
	return is_nor(r) || is_sf(r);
}

/* What n bytes of an image written at a block's start occupy: the whole
 * erase block on flash (the rest stays 0xff), n bytes on block storage. */
static uint64_t span_of(const struct ub_region *r, uint64_t n)
{
	return erased_first(r) ? r->erase_block : n;
}

/* What the board knows of its buses is lost on a reset; after a failed
 * command it is not trusted either. */
static void forget_buses(struct ub_device *d)
{
	ub_uboot_block_forget(&d->blk);
	ub_uboot_sf_forget(&d->sf);
}

/* Silence allowed while SPI NOR erases or programs len bytes: chips and
 * controllers range from MiB/s down to about 16 KiB/s (QEMU's SST25VF016B,
 * bit-banged buses), and the board says nothing until it is done. */
static int sf_idle_ms(uint64_t len)
{
	return ERASE_IDLE_MS + (int)(len / 16);
}

static const char *jstr(const json_t *obj, const char *section, const char *key)
{
	return json_string_value(json_object_get(json_object_get(obj, section), key));
}

static int jsize(const json_t *profile, const char *key, uint64_t def,
		 uint64_t *out, struct ub_err *e)
{
	const json_t *v = json_object_get(json_object_get(profile, "recovery"), key);

	*out = def;
	if (!v)
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v) && ub_parse_size(json_string_value(v), out) == 0)
		return 0;
	return ub_err_set(e, UB_EFORMAT, "profile-invalid",
			  "profile: recovery.%s must be a size like \"0x800\"", key);
}

static int run(struct ub_device *d, const char *cmd, int idle, struct ub_err *e)
{
	struct ub_console_out out;
	int rc = ub_console_check(&d->con, cmd, idle, &out, e);

	ub_console_out_free(&out);
	return rc;
}

static void uboot_read_stats(const struct ub_device *dev, struct ub_read_stats *out)
{
	memset(out, 0, sizeof *out);
	out->bytes = dev->read_bytes;
	out->asked_again = (dev->nc.lost_all + dev->nccon.lost_all) * 16;
	if (dev->read_bytes) {
		/* what the dumps went through; uploads come first when there
		 * were any, and dumps after them only once tftpput was given up */
		const char *dumps = dev->nccon.on ? "netconsole" : !dev->nc.lines_all ? "console" :
				    dev->nc.state == 1 ? "netconsole" : "netconsole+console";

		if (!dev->put.transfers)
			snprintf(out->via, sizeof out->via, "%s", dumps);
		else
			snprintf(out->via, sizeof out->via, "tftpput%s%s", dev->put.gave_up ? "+" : "",
				 dev->put.gave_up ? dumps : "");
	}
}

static void uboot_write_stats(const struct ub_device *dev,
			      struct ub_write_stats *out)
{
	*out = dev->stats;
}

static void uboot_close(struct ub_device *d);
static int use_loader(struct ub_device *dev, const char *via, struct ub_err *e);

/* Whether the image is to go by TFTP: 3 when the console is a netconsole
 * (the only way; -1 when the spec asks another), 2 when the spec asks
 * (via=tftp), 1 when it names no way and the profile gives network
 * addresses (TFTP if this machine can serve on them), 0 for the console;
 * via gets the spec's via=, "" when none. */
static int tftp_wanted(const struct ub_device_spec *spec, const json_t *profile,
		       char *via, size_t len)
{
	via[0] = '\0';
	/* loady reads the console, and a netconsole takes 512 bytes of
	 * input at a time: a board reached that way loads by TFTP */
	if (strcmp(spec->transport, "netconsole") == 0)
		return ub_device_spec_param(spec, "via", via, len) && strcmp(via, "tftp") ? -1 : 3;
	if (ub_device_spec_param(spec, "via", via, len))
		return strcmp(via, "tftp") == 0 ? 2 : 0;
	return json_object_get(json_object_get(profile, "recovery"), "network") ? 1 : 0;
}

static int uboot_open(struct ub_device **out, const struct ub_device_spec *spec,
		      const struct ub_flash_map *map, const json_t *profile,
		      struct ub_err *e)
{
	struct ub_device *d = calloc(1, sizeof *d);
	const char *keys, *prompt;
	char via[16];
	int rc = 0, tftp;

	*out = NULL;
	if (!d)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	d->map = map;
	d->profile = profile;
	keys = jstr(profile, "recovery", "stop_keys");
	snprintf(d->stop_keys, sizeof d->stop_keys, "%s", keys ? keys : " ");
	d->sync_timeout_ms = 90000;
	rc = jsize(profile, "load_addr", 0, &d->load_addr, e);
	if (!rc)
		rc = jsize(profile, "load_max", 0x1000000, &d->load_max, e);
	if (!rc)
		rc = jsize(profile, "scratch_addr", 0, &d->scratch_addr, e);
	if (!rc)
		rc = jsize(profile, "nor_write_chunk", 0x800, &d->nor_chunk, e);
	if (!rc)
		rc = jsize(profile, "scratch_max", 0x100000, &d->scratch_max, e);
	if (!rc && (!d->load_addr || !d->scratch_addr))
		rc = ub_err_set(e, UB_EFORMAT, "profile-invalid",
				"profile: recovery.load_addr and recovery.scratch_addr are needed for U-Boot boards (free RAM addresses)");
	d->nccon.on = strcmp(spec->transport, "netconsole") == 0;
	if (!rc)
		rc = ub_uboot_nc_config(&d->nc, spec, profile, e);
	if (!rc)
		rc = ub_uboot_put_config(&d->put, spec, profile, e);
	if (!rc)
		rc = ub_stream_open(&d->s, spec->transport, spec->address, spec->params, e);
	if (rc) {
		free(d);
		return rc;
	}
	prompt = jstr(profile, "recovery", "prompt");
	ub_console_init(&d->con, d->s, prompt ? prompt : "=> ");
	/* TFTP when asked, or when the profile gives network addresses and
	 * this machine can serve on them; YMODEM over the console otherwise. */
	tftp = tftp_wanted(spec, profile, via, sizeof via);
	if (tftp < 0) {
		rc = ub_err_set(e, UB_EUSAGE, "usage",
				"via=%s cannot go through a netconsole (it takes 512 bytes of input at a time): a board reached that way loads by TFTP",
				via);
	} else if (tftp == 3) {
		/* the only way; whether this machine may serve it is found
		 * when an image is loaded (a backup needs none) */
		rc = ub_uboot_tftp_loader(&d->loader, spec, profile, e);
	} else if (tftp == 2) {
		rc = ub_uboot_tftp_loader(&d->loader, spec, profile, e);
		if (!rc && !ub_uboot_tftp_possible(&d->loader))
			rc = ub_err_set(e, UB_EIO, "tftp-bind",
					"TFTP: this machine cannot serve on the server address, UDP port 69 (not its address, or not root)");
	} else if (tftp == 1 && ub_uboot_tftp_loader(&d->loader, spec, profile, e) == 0) {
		if (!ub_uboot_tftp_possible(&d->loader)) {
			ub_uboot_tftp_loader_free(&d->loader);
			rc = use_loader(d, "ymodem", e);
		}
	} else {
		ub_err_clear(e);
		rc = use_loader(d, *via ? via : "ymodem", e);
	}
	if (rc) {
		uboot_close(d);
		return rc;
	}
	*out = d;
	return 0;
}

static void uboot_close(struct ub_device *d)
{
	if (!d)
		return;
	ub_uboot_tftp_loader_free(&d->loader);
	ub_uboot_nc_free(&d->nc);
	ub_console_free(&d->con);
	ub_stream_close(d->s);
	free(d);
}

static void uboot_set_log(struct ub_device *d, int fd)
{
	ub_stream_tee(d->s, fd);
	ub_uboot_nc_set_log(&d->nc, fd);
}

static int uboot_enter_recovery(struct ub_device *d, struct ub_err *e)
{
	forget_buses(d);   /* the board may have been power-cycled since */
	return ub_console_sync(&d->con, d->stop_keys, d->sync_timeout_ms, e);
}

static void getvar(struct ub_device *d, const char *section_key, char *out,
		   size_t len, struct ub_err *e)
{
	const char *var = jstr(d->profile, "identity", section_key);

	out[0] = '\0';
	if (var && ub_console_getenv(&d->con, var, out, len, e) != 0)
		out[0] = '\0';
}

static int uboot_identify(struct ub_device *d, struct ub_identity *id,
			  struct ub_err *e)
{
	struct ub_console_out out;
	size_t i;
	int rc;

	memset(id, 0, sizeof *id);
	getvar(d, "model_var", id->model, sizeof id->model, e);
	getvar(d, "revision_var", id->revision, sizeof id->revision, e);
	getvar(d, "serial_var", id->serial, sizeof id->serial, e);
	getvar(d, "region_var", id->region, sizeof id->region, e);
	getvar(d, "version_var", id->firmware_version, sizeof id->firmware_version, e);
	rc = ub_console_run(&d->con, "version", IDLE_MS, NULL, NULL, &out, e);
	if (rc)
		return rc;
	if (out.text) {
		size_t n = strcspn(out.text, "\n");
		const char *paren = memchr(out.text, '(', n);

		if (paren && paren > out.text)
			n = (size_t)(paren - out.text - 1);
		snprintf(id->bootloader, sizeof id->bootloader, "%.*s", (int)n, out.text);
	}
	ub_console_out_free(&out);
	snprintf(id->mode, sizeof id->mode, "bootloader");
	/* The flash the profile keeps regions on, as the board sees it: what
	 * a technician compares with the chips on the board.  The SPI probe is
	 * how every read of sf regions starts anyway; a chip that does not
	 * answer is for the backup to report, with its advice. */
	for (i = 0; d->map && i < d->map->n; i++) {
		if (!is_nor(&d->map->v[i]))
			continue;
		if ((rc = ub_uboot_nor_describe(&d->con, id->hardware, sizeof id->hardware, e)))
			return rc;   /* the console, not the flash, failed */
		break;
	}
	for (i = 0; d->map && i < d->map->n && !id->hardware[0]; i++) {
		if (!is_sf(&d->map->v[i]))
			continue;
		if (!ub_uboot_sf_select(&d->con, &d->map->v[i], &d->sf, e))
			ub_uboot_sf_describe(&d->sf, id->hardware, sizeof id->hardware);
		break;
	}
	ub_err_clear(e);
	return 0;
}

/* --- reading ------------------------------------------------------------ */

static int board_crc(struct ub_device *d, uint64_t addr, uint64_t len,
		     uint32_t *crc, struct ub_err *e)
{
	struct ub_console_out out;
	char cmd[80];
	const char *p;
	int rc;

	snprintf(cmd, sizeof cmd, "crc32 %llx %llx", (unsigned long long)addr,
		 (unsigned long long)len);
	rc = ub_console_check(&d->con, cmd, IDLE_MS, &out, e);
	if (!rc) {
		p = out.text ? strstr(out.text, "==> ") : NULL;
		if (!p || sscanf(p + 4, "%8x", crc) != 1)
			rc = ub_err_set(e, UB_EFAIL, "board-command",
					"the board's crc32 printed no checksum: %.100s",
					out.text ? out.text : "");
	}
	ub_console_out_free(&out);
	return rc;
}

/* crc32 of n consecutive blocks of len bytes from addr, out[i] for block
 * i, in one command line: a loop in the board's shell instead of a round
 * trip per block (a 16 MiB region in 64 KiB blocks is 256 of them, and the
 * round trips were most of a re-flash's time).  A board without itest or
 * setexpr answers one crc32 per command. */
static int board_crcs(struct ub_device *d, uint64_t addr, uint64_t len, unsigned n,
		      uint32_t *out, struct ub_err *e)
{
	struct ub_console_out o;
	char cmd[256];
	const char *p;
	unsigned i;
	int rc, w;

	w = snprintf(cmd, sizeof cmd,
		     "setenv ub_i 0; while itest $ub_i < %x; do setexpr ub_a $ub_i * %llx; "
		     "setexpr ub_a $ub_a + %llx; crc32 $ub_a %llx; setexpr ub_i $ub_i + 1; done; "
		     "setenv ub_i; setenv ub_a", n, (unsigned long long)len,
		     (unsigned long long)addr, (unsigned long long)len);
	if (n > 1 && !d->no_crc_loop && w > 0 && (size_t)w < sizeof cmd) {
		rc = ub_console_check(&d->con, cmd, IDLE_MS, &o, e);
		p = o.text;
		for (i = 0; !rc && i < n; i++) {
			unsigned long long a;

			/* "crc32 for" (lib/hash.c) or "CRC32 for" (boards
			 * built without CONFIG_HASH, u-boot-imx's) */
			p = p ? strstr(p, " for ") : NULL;
			if (!p || sscanf(p, " for %llx ... %*x ==> %8x", &a, &out[i]) != 2 ||
			    a != addr + i * len)
				rc = ub_err_set(e, UB_EFAIL, "board-command",
						"the board's crc32 loop printed %u checksums of %u", i, n);
			else
				p += 5;
		}
		ub_console_out_free(&o);
		if (rc != UB_EFAIL)
			return rc;
		/* Not this board's shell: fall back for the rest of the session. */
		d->no_crc_loop = 1;
		ub_err_clear(e);
		ub_console_sync(&d->con, NULL, 5000, e);
	}
	for (i = 0; i < n; i++)
		if ((rc = board_crc(d, addr + i * len, len, &out[i], e)))
			return rc;
	return 0;
}

static uint32_t crc_of_fill(uint8_t fill, uint64_t len)
{
	uint8_t buf[4096];
	uLong crc = crc32(0L, Z_NULL, 0);

	memset(buf, fill, sizeof buf);
	while (len > 0) {
		size_t n = len < sizeof buf ? (size_t)len : sizeof buf;

		crc = crc32(crc, buf, (uInt)n);
		len -= n;
	}
	return (uint32_t)crc;
}

/* Exact proof that [addr, addr+len) is all `fill`: compare it with RAM the
 * board itself filled with that byte.  Erased flash is 0xff, empty disks
 * are 0x00; both are common and cost two commands instead of a dump. */
static int board_is_filled(struct ub_device *d, uint64_t addr, uint64_t len,
			   uint8_t fill, int *same, struct ub_err *e)
{
	struct ub_console_out out;
	uint64_t ref = d->scratch_addr + (fill ? 0x100000 : 0x200000);
	uint64_t *filled = fill ? &d->ff_filled : &d->zero_filled;
	char cmd[96];
	int rc;

	if (*filled < len) {
		snprintf(cmd, sizeof cmd, "mw.b %llx %x %llx", (unsigned long long)ref,
			 fill, (unsigned long long)len);
		if ((rc = run(d, cmd, IDLE_MS, e)))
			return rc;
		*filled = len;
	}
	snprintf(cmd, sizeof cmd, "cmp.b %llx %llx %llx", (unsigned long long)ref,
		 (unsigned long long)addr, (unsigned long long)len);
	rc = ub_console_run(&d->con, cmd, IDLE_MS, NULL, NULL, &out, e);
	*same = !rc && out.status == 0 && out.text && strstr(out.text, "were the same");
	ub_console_out_free(&out);
	return rc;
}

struct dump_ctx {
	struct ub_dump dump;
	int broken;
	struct ub_progress *p;
	uint64_t base_done;
};

static int on_dump_line(void *ctx, const char *line, size_t len)
{
	struct dump_ctx *c = ctx;

	if (ub_dump_line(&c->dump, line, len) != 0)
		c->broken = 1;
	if ((c->dump.got & 0xfff) == 0)
		ub_progress_update(c->p, c->base_done + c->dump.got);
	return 0;
}

static int whole_words(uint64_t addr, size_t len)
{
	return addr % 4 == 0 && len % 4 == 0;
}

/* len bytes at addr over the console, md.l (width 4) or md.b, stored as
 * they print (md.l's words little-endian). */
static int console_dump(struct ub_device *d, uint64_t addr, uint8_t *buf, size_t len,
			unsigned width, struct ub_progress *p, uint64_t base_done,
			struct ub_err *e)
{
	struct dump_ctx c = { { addr, buf, len, 0, 0, width }, 0, p, base_done };
	struct ub_console_out out;
	char cmd[80];
	int rc;

	if (width == 4)
		snprintf(cmd, sizeof cmd, "md.l %llx %zx", (unsigned long long)addr, len / 4);
	else
		snprintf(cmd, sizeof cmd, "md.b %llx %zx", (unsigned long long)addr, len);
	rc = ub_console_run(&d->con, cmd, IDLE_MS, on_dump_line, &c, &out, e);
	ub_console_out_free(&out);
	if (rc)
		return rc;
	if (c.broken || c.dump.got != len)
		return ub_err_set(e, UB_EFAIL, "console-garbled",
				  "the dump of %llx was garbled (%zu of %zu bytes parsed)",
				  (unsigned long long)addr, c.dump.got, len);
	return 0;
}

/* Through the netconsole when it is in use: what it lost on the way and
 * would not bring when asked again comes over the console, run by run. */
static int nc_dump(struct ub_device *d, uint64_t addr, uint8_t *buf, size_t len,
		   unsigned width, struct ub_progress *p, uint64_t base_done,
		   struct ub_err *e)
{
	struct ub_dump_map m = { addr, buf, len, width, NULL, 0 };
	size_t lines = ub_dump_map_lines(&m), k, j;
	int rc;

	if (!(m.have = calloc(lines, 1)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	rc = ub_uboot_nc_read(&d->nc, &d->con, &m, IDLE_MS, p, base_done, e);
	for (k = 0; !rc && k < lines; k = j) {
		size_t off = k * 16, end;

		for (j = k; j < lines && !m.have[j]; j++)
			;
		if (j == k) {
			j++;
			continue;
		}
		end = j * 16 < len ? j * 16 : len;
		rc = console_dump(d, addr + off, buf + off, end - off, width, p, base_done + off, e);
	}
	free(m.have);
	return rc;
}

/* The console is the netconsole: lines lost on the way are asked for
 * again; there is no other line to bring them. */
static int nccon_dump(struct ub_device *d, uint64_t addr, uint8_t *buf, size_t len,
		      unsigned width, struct ub_progress *p, uint64_t base_done,
		      struct ub_err *e)
{
	struct ub_dump_map m = { addr, buf, len, width, NULL, 0 };
	int rc;

	if (!(m.have = calloc(ub_dump_map_lines(&m), 1)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	rc = ub_uboot_nccon_dump(&d->nccon, &d->con, &m, IDLE_MS, p, base_done, e);
	free(m.have);
	return rc;
}

static int dump(struct ub_device *d, uint64_t addr, uint8_t *buf, size_t len,
		struct ub_progress *p, uint64_t base_done, struct ub_err *e)
{
	/* Whole words go as md.l: 14% fewer characters for the serial line,
	 * and a quarter of the board's formatting.  Every U-Boot has it. */
	unsigned width = whole_words(addr, len) ? 4 : 1;
	int rc = ub_uboot_nc_on(&d->nc) ? nc_dump(d, addr, buf, len, width, p, base_done, e)
		 : d->nccon.on		  ? nccon_dump(d, addr, buf, len, width, p, base_done, e)
					  : console_dump(d, addr, buf, len, width, p, base_done, e);

	if (!rc && width == 4 && d->words_big)
		ub_dump_swap32(buf, len);
	return rc;
}

/* Where the bytes of a region are in the board's address space: NOR is
 * memory-mapped; SPI NOR and block storage are first copied into scratch
 * RAM. */
static int stage(struct ub_device *d, const struct ub_region *r, uint64_t off,
		 uint64_t len, uint64_t *addr, struct ub_err *e)
{
	char cmd[128];
	int rc;

	if (is_nor(r)) {
		*addr = r->offset + off;
		return 0;
	}
	if (is_sf(r)) {
		if ((rc = ub_uboot_sf_select(&d->con, r, &d->sf, e)))
			return rc;
		snprintf(cmd, sizeof cmd, "sf read %llx %llx %llx",
			 (unsigned long long)d->scratch_addr,
			 (unsigned long long)(r->offset + off), (unsigned long long)len);
	} else {
		if (ub_uboot_block_kind(r->storage) &&
		    ((r->offset + off) % 512 || len % 512))
			return ub_err_set(e, UB_EUSAGE, "profile-invalid",
					  "region %s: block storage needs 512-byte aligned offsets and sizes", r->name);
		if ((rc = ub_uboot_block_select(&d->con, r, &d->blk, e)))
			return rc;
		snprintf(cmd, sizeof cmd, "%s read %llx %llx %llx", r->storage,
			 (unsigned long long)d->scratch_addr,
			 (unsigned long long)((r->offset + off) / 512),
			 (unsigned long long)(len / 512));
	}
	if ((rc = run(d, cmd, ERASE_IDLE_MS, e))) {
		forget_buses(d);   /* say `dev` or `sf probe` again before the next try */
		return rc;
	}
	/* The fill references board_is_filled keeps sit 1 and 2 MiB into
	 * scratch RAM: a bigger read just overwrote them. */
	if (len > 0x100000)
		d->ff_filled = d->zero_filled = 0;
	*addr = d->scratch_addr;
	return 0;
}

/* The crcs of len bytes of 0xff and of 0x00, kept for the next piece of
 * the same length. */
struct fill_crcs {
	uint64_t len;
	uint32_t ff, zero;
};

/* 0xff or 0x00 when crc is that of len bytes of it (erased flash, an
 * empty disk), else -1: only a hint, which board_is_filled proves. */
static int fill_of(struct fill_crcs *f, uint32_t crc, uint64_t len)
{
	if (f->len != len) {
		f->len = len;
		f->ff = crc_of_fill(0xff, len);
		f->zero = crc_of_fill(0, len);
	}
	if (crc == f->ff)
		return 0xff;
	if (crc == f->zero)
		return 0;
	return -1;
}

/* A piece that is not all fill: dumped, and it must hash to the board's
 * crc (once more after a resync when noise garbled it). */
static int read_piece(struct ub_device *d, const struct ub_region *r, uint64_t off,
		      uint64_t addr, uint8_t *buf, size_t len, uint32_t want,
		      struct ub_progress *p, uint64_t done, struct ub_err *e)
{
	int rc, attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		rc = dump(d, addr, buf, len, p, done, e);
		if (rc && rc != UB_EFAIL)
			return rc;
		if (!rc && (uint32_t)crc32(0L, buf, (uInt)len) == want)
			return 0;
		/* md.l words in the other byte order: a big-endian board (MIPS
		 * and PowerPC routers), found once per session */
		if (!rc && whole_words(addr, len)) {
			ub_dump_swap32(buf, len);
			if ((uint32_t)crc32(0L, buf, (uInt)len) == want) {
				d->words_big = !d->words_big;
				return 0;
			}
		}
		ub_console_sync(&d->con, NULL, 5000, e);   /* noise: resync and retry */
	}
	return ub_err_set(e, UB_EFAIL, "console-garbled",
			  "region %s at +0x%llx: the dump never matched the board's crc32 %08x",
			  r->name, (unsigned long long)off, want);
}

/* The length of piece i of len bytes cut in pieces of piece bytes: the
 * last may be short. */
static size_t piece_len(size_t len, size_t piece, unsigned i)
{
	size_t at = (size_t)i * piece;

	return len - at < piece ? len - at : piece;
}

/* len bytes of r from off, in pieces of piece bytes (the last may be
 * short): staged once when the storage is not memory-mapped, a crc32 per
 * piece in one command, one cmp.b per run of pieces whose crc says all
 * 0xff (or all 0x00), and a dump of the rest.  An empty 16 MiB disk was
 * 768 commands in 64 KiB pieces; it is 48. */
static int read_chunk(struct ub_device *d, const struct ub_region *r, uint64_t off,
		      uint8_t *buf, size_t len, size_t piece, struct ub_progress *p,
		      uint64_t done, struct ub_err *e)
{
	unsigned n = (unsigned)((len + piece - 1) / piece), full = (unsigned)(len / piece), i, j;
	uint32_t *crc = calloc(n, sizeof *crc);
	struct fill_crcs f = { 0, 0, 0 };
	uint64_t addr;
	int rc, put = 0;

	if (!crc)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	rc = stage(d, r, off, len, &addr, e);
	if (!rc && full)
		rc = board_crcs(d, addr, piece, full, crc, e);
	if (!rc && full < n)
		rc = board_crc(d, addr + (uint64_t)full * piece, piece_len(len, piece, full), &crc[full], e);
	/* The whole chunk in one upload when the board can, unless every
	 * piece is fill (two commands prove that, faster than a transfer);
	 * each piece must still hash to the board's crc. */
	for (i = 0; !rc && ub_uboot_put_on(&d->put) && i < n; i++)
		if (fill_of(&f, crc[i], piece_len(len, piece, i)) < 0) {
			rc = ub_uboot_put_read(&d->put, &d->con, addr, buf, len, &put, e);
			break;
		}
	for (i = 0; !rc && i < n; i = j) {
		size_t at = (size_t)i * piece, plen = piece_len(len, piece, i);
		int fill = fill_of(&f, crc[i], plen), same = 0;

		j = i + 1;
		if (put && (uint32_t)crc32(0L, buf + at, (uInt)plen) == crc[i]) {
			ub_progress_update(p, done + at + plen);
			continue;
		}
		if (put) {
			put = 0;   /* the rest of the chunk by dumps */
			if ((rc = ub_uboot_put_mismatch(&d->put, addr + at, e)))
				break;
		}
		if (fill >= 0) {
			size_t flen;

			while (j < n && fill_of(&f, crc[j], piece_len(len, piece, j)) == fill)
				j++;
			flen = (j < n ? (size_t)j * piece : len) - at;
			if ((rc = board_is_filled(d, addr + at, flen, (uint8_t)fill, &same, e)))
				break;
			if (same) {
				memset(buf + at, fill, flen);
				continue;
			}
			j = i + 1;   /* a crc that only looked like fill: dump it */
		}
		rc = read_piece(d, r, off + at, addr + at, buf + at, plen, crc[i], p, done + at, e);
	}
	free(crc);
	return rc;
}

static int uboot_read(struct ub_device *d, const struct ub_region *r,
		      uint64_t off, uint64_t len,
		      int (*sink)(void *ctx, const uint8_t *buf, size_t n),
		      void *ctx, struct ub_progress *p, struct ub_err *e)
{
	uint64_t piece = r->erase_block, chunk = 0x100000, done = 0;
	uint8_t *buf;
	int rc = 0;

	/* Pieces of at least 64 KiB: SPI NOR erases in 4 KiB, and a crc32
	 * and a proof of erasure per 4 KiB were most of a backup's time.  At
	 * most 1 MiB: a dump that fails its crc is dumped again.  Chunks of
	 * up to 1 MiB, as much as the scratch RAM holds. */
	if (piece < 0x10000)
		piece = 0x10000;
	if (piece > 0x100000)
		piece = 0x100000;
	if (!is_nor(r) && d->scratch_max < chunk)
		chunk = d->scratch_max;
	chunk -= chunk % piece;
	if (chunk < piece)
		chunk = piece;
	buf = malloc(chunk);
	if (!buf)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	/* tftpput when the board has it; else the netconsole, when it has
	 * that; else the console */
	rc = ub_uboot_put_begin(&d->put, &d->con, e);
	if (!rc && !ub_uboot_put_on(&d->put))
		rc = ub_uboot_nc_begin(&d->nc, &d->con, e);
	while (!rc && done < len) {
		size_t n = len - done < chunk ? (size_t)(len - done) : (size_t)chunk;

		rc = read_chunk(d, r, off + done, buf, n, (size_t)piece, p, done, e);
		if (!rc)
			rc = sink(ctx, buf, n);
		done += n;
		d->read_bytes += n;
		ub_progress_update(p, done);
		if (!rc && done < len)
			rc = ub_safe_point(r->name, e);   /* reading is always safe to stop */
	}
	free(buf);
	if (rc) {
		struct ub_err ignored;

		ub_err_clear(&ignored);
		/* the first failure is the one to tell */
		ub_uboot_put_end(&d->put, &d->con, &ignored);
		ub_uboot_nc_end(&d->nc, &d->con, &ignored);
		return rc;
	}
	ub_uboot_nccon_end(&d->nccon);
	if ((rc = ub_uboot_put_end(&d->put, &d->con, e)))
		return rc;
	return ub_uboot_nc_end(&d->nc, &d->con, e);
}

static int uboot_digest(struct ub_device *d, const struct ub_region *r,
			uint64_t off, uint64_t len, unsigned alg, uint8_t *out,
			struct ub_err *e)
{
	uint64_t addr;
	uint32_t crc;
	int rc;

	if (alg != UB_CAP_DIGEST_CRC32)
		return ub_err_set(e, UB_EUSAGE, NULL, "U-Boot boards hash with crc32 only");
	if ((rc = stage(d, r, off, len, &addr, e)) || (rc = board_crc(d, addr, len, &crc, e)))
		return rc;
	out[0] = (uint8_t)(crc >> 24);
	out[1] = (uint8_t)(crc >> 16);
	out[2] = (uint8_t)(crc >> 8);
	out[3] = (uint8_t)crc;
	return 0;
}

/* The crcs of n blocks of len bytes at addr, when the caller says what
 * they should be (expect): first one crc32 per group of about sqrt(n)
 * blocks, then block by block only inside the groups that disagree.  The
 * board's loop prints a line per crc (at 115200 baud, 256 lines are a
 * second) and costs a few commands each; 16 MiB in 64 KiB blocks is 16
 * group lines, plus 16 per group that holds a change. */
static int board_crcs_expect(struct ub_device *d, uint64_t addr, uint64_t len, unsigned n,
			     const uint32_t *expect, uint32_t *out, struct ub_err *e)
{
	unsigned g = 1, groups, gi, k, m;
	uint32_t *gcrc;
	uLong whole;
	int rc;

	if (!expect || n < 4)
		return board_crcs(d, addr, len, n, out, e);
	while (g * g < n)
		g++;
	groups = n / g;
	gcrc = calloc(groups + 1, sizeof *gcrc);
	if (!gcrc)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	rc = board_crcs(d, addr, g * len, groups, gcrc, e);
	if (!rc && n % g)
		rc = board_crc(d, addr + (uint64_t)groups * g * len, (n % g) * len, &gcrc[groups], e);
	for (gi = 0; !rc && gi * g < n; gi++) {
		m = n - gi * g < g ? n - gi * g : g;
		whole = expect[gi * g];
		for (k = 1; k < m; k++)
			whole = crc32_combine(whole, expect[gi * g + k], (z_off_t)len);
		if (gcrc[gi] == (uint32_t)whole)
			memcpy(out + gi * g, expect + gi * g, m * sizeof *out);
		else
			rc = board_crcs(d, addr + (uint64_t)gi * g * len, len, m, out + gi * g, e);
	}
	free(gcrc);
	return rc;
}

/* n whole blocks of len bytes from off: NOR in place, the rest staged into
 * scratch RAM as many blocks at a time as recovery.scratch_max holds. */
static int uboot_digest_blocks(struct ub_device *d, const struct ub_region *r,
			       uint64_t off, uint64_t len, unsigned n, const uint32_t *expect,
			       uint32_t *out, unsigned flags, struct ub_err *e)
{
	unsigned per, k, cnt;
	uint64_t addr;
	int rc = 0;

	if (is_nor(r))
		return board_crcs_expect(d, r->offset + off, len, n, expect, out, e);
	per = d->scratch_max >= len ? (unsigned)(d->scratch_max / len) : 1;
	for (k = 0; !rc && k < n; k += cnt) {
		cnt = n - k < per ? n - k : per;
		rc = stage(d, r, off + k * len, cnt * len, &addr, e);
		if (!rc)
			rc = board_crcs_expect(d, addr, len, cnt, expect ? expect + k : NULL, out + k, e);
	}
	return rc;
}

/* --- writing ------------------------------------------------------------ */

static int all_ff(const uint8_t *p, uint64_t n)
{
	while (n > 0 && *p == 0xff) {
		p++;
		n--;
	}
	return n == 0;
}

/* Copies in pieces the flash's write buffer takes.  A piece that fails
 * leaves the block half-programmed: the caller erases and starts over.
 * Pieces that are all 0xff are what the erase left (programming only
 * clears bits), so they are not sent: padded images cost what their data
 * does.  The crc32 after writing covers them all the same. */
static int copy_nor(struct ub_device *d, uint64_t ram, uint64_t flash,
		    uint64_t len, const uint8_t *host, struct ub_err *e)
{
	uint64_t done = 0, chunk = d->nor_chunk;
	char cmd[96];
	int rc;

	while (done < len) {
		uint64_t n = len - done < chunk ? len - done : chunk;

		if (host && all_ff(host + done, n)) {
			done += n;
			continue;
		}

		snprintf(cmd, sizeof cmd, "cp.b %llx %llx %llx",
			 (unsigned long long)(ram + done), (unsigned long long)(flash + done),
			 (unsigned long long)n);
		if ((rc = run(d, cmd, IDLE_MS, e)))
			return rc;
		done += n;
	}
	return 0;
}

/* len bytes from RAM at ram to off inside staged region r: SPI NOR
 * erases span bytes (whole erase blocks) and writes len of them
 * (`sf erase`, `sf write`); block storage writes whole sectors
 * (`<kind> write`).  A failure forgets the bus, so the next try selects
 * the device again. */
static int staged_write(struct ub_device *d, const struct ub_region *r, uint64_t off,
			uint64_t ram, uint64_t len, uint64_t span, struct ub_err *e)
{
	char cmd[128];
	int rc;

	if (is_sf(r)) {
		if ((rc = ub_uboot_sf_select(&d->con, r, &d->sf, e)))
			return rc;
		snprintf(cmd, sizeof cmd, "sf erase %llx %llx",
			 (unsigned long long)(r->offset + off), (unsigned long long)span);
		rc = run(d, cmd, sf_idle_ms(span), e);
		snprintf(cmd, sizeof cmd, "sf write %llx %llx %llx", (unsigned long long)ram,
			 (unsigned long long)(r->offset + off), (unsigned long long)len);
		if (!rc)
			rc = run(d, cmd, sf_idle_ms(len), e);
	} else {
		if ((rc = ub_uboot_block_select(&d->con, r, &d->blk, e)))
			return rc;
		snprintf(cmd, sizeof cmd, "%s write %llx %llx %llx", r->storage,
			 (unsigned long long)ram, (unsigned long long)((r->offset + off) / 512),
			 (unsigned long long)((len + 511) / 512));
		rc = run(d, cmd, ERASE_IDLE_MS, e);
	}
	if (rc)
		forget_buses(d);
	if (rc == UB_EFAIL) {   /* the storage said no: not a profile mistake */
		char said[UB_ERR_MSG_MAX];

		snprintf(said, sizeof said, "%s", e->msg);
		rc = ub_err_set(e, UB_EFAIL, "write-refused", "%s", said);
	}
	return rc;
}

static int write_block(struct ub_device *d, const struct ub_region *r,
		       uint64_t off, uint64_t ram, uint64_t len, uint64_t span,
		       uint32_t want, const uint8_t *host, struct ub_err *e)
{
	char cmd[128];
	uint32_t got;
	uint64_t addr;
	int rc;

	if (is_nor(r)) {
		addr = r->offset + off;
		snprintf(cmd, sizeof cmd, "protect off %llx +%llx",
			 (unsigned long long)addr, (unsigned long long)span);
		if ((rc = run(d, cmd, IDLE_MS, e)))
			return rc;
		snprintf(cmd, sizeof cmd, "erase %llx +%llx",
			 (unsigned long long)addr, (unsigned long long)span);
		if ((rc = run(d, cmd, ERASE_IDLE_MS, e)) ||
		    (rc = copy_nor(d, ram, addr, len, host, e)) ||
		    (rc = board_crc(d, addr, len, &got, e)))
			return rc;
	} else if ((rc = staged_write(d, r, off, ram, len, span, e)) ||
		   (rc = stage(d, r, off, span, &addr, e)) ||
		   (rc = board_crc(d, addr, len, &got, e))) {
		return rc;
	}
	if (got != want)
		return ub_err_set(e, UB_EFAIL, "verify-failed",
				  "region %s at +0x%llx: crc32 after writing is %08x, expected %08x",
				  r->name, (unsigned long long)off, got, want);
	return 0;
}

/* cnt whole blocks of eb bytes that sit one after another both in RAM and
 * on staged storage: one write (and erase) for all of them, one read back,
 * and their crcs (one crc32 per group when it is right).  bad[k] says which
 * block read back wrong; the caller writes those again one by one. */
static int write_run(struct ub_device *d, const struct ub_region *r, uint64_t off,
		     uint64_t ram, uint64_t eb, unsigned cnt, const uint32_t *want,
		     uint8_t *bad, struct ub_err *e)
{
	uint32_t *got = calloc(cnt, sizeof *got);
	uint64_t addr;
	unsigned k;
	int rc;

	if (!got)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if (!(rc = staged_write(d, r, off, ram, cnt * eb, cnt * eb, e)) &&
	    !(rc = stage(d, r, off, cnt * eb, &addr, e)) &&
	    !(rc = board_crcs_expect(d, addr, eb, cnt, want, got, e)))
		for (k = 0; k < cnt; k++)
			bad[k] = got[k] != want[k];
	free(got);
	return rc;
}

/* The blocks of src marked in differs (between first and last), one
 * after another, in a temporary file that out reads (out owns it; it is
 * gone when closed); *glen and *crc are its size and crc32. */
static int gather(const struct ub_src *src, const uint8_t *differs, uint64_t first,
		  uint64_t last, uint64_t eb, uint8_t *buf, struct ub_src *out,
		  uint64_t *glen, uint32_t *crc, struct ub_err *e)
{
	uLong c = crc32(0L, Z_NULL, 0);
	FILE *f = tmpfile();
	uint64_t i;
	int rc = 0, fd;

	*glen = 0;
	*crc = 0;
	if (!f)
		return ub_err_set(e, UB_EIO, NULL, "no temporary file for the changed blocks: %s", strerror(errno));
	for (i = first; !rc && i <= last; i++) {
		size_t n = src->size - i * eb < eb ? (size_t)(src->size - i * eb) : (size_t)eb;

		if (!differs[i])
			continue;
		if ((rc = ub_src_read(src, i * eb, buf, n, e)))
			break;
		if (fwrite(buf, 1, n, f) != n)
			rc = ub_err_set(e, UB_EIO, NULL, "writing the changed blocks to a temporary file: %s",
					strerror(errno));
		c = crc32(c, buf, (uInt)n);
		*glen += n;
	}
	if (!rc && fflush(f) != 0)
		rc = ub_err_set(e, UB_EIO, NULL, "writing the changed blocks to a temporary file: %s", strerror(errno));
	fd = rc ? -1 : dup(fileno(f));
	fclose(f);
	if (rc)
		return rc;
	if (fd < 0)
		return ub_err_set(e, UB_EIO, NULL, "no descriptor for the changed blocks: %s", strerror(errno));
	*crc = (uint32_t)c;
	return ub_src_from_fd(out, fd, src->label, e);
}

/* A block that failed: a write buffer smaller than the profile says
 * shows as a buffer timeout, so erase and write it again in halves (the
 * smaller size sticks); any other failure is retried once, then reported. */
static int write_again(struct ub_device *d, const struct ub_region *r, uint64_t off,
		       uint64_t ram, uint64_t n, uint32_t want, const uint8_t *host,
		       struct ub_err *e)
{
	int rc = UB_EFAIL, tries;

	for (tries = 0; rc == UB_EFAIL && tries < 4; tries++) {
		int buffer = e->msg[0] && strstr(e->msg, "buffer write timeout") != NULL;

		if (!buffer && tries > 0)
			break;
		if (buffer && d->nor_chunk > 0x100)
			d->nor_chunk /= 2;
		d->stats.retries++;
		ub_err_clear(e);
		rc = write_block(d, r, off, ram, n, span_of(r, n), want, host, e);
	}
	return rc;
}

/* What can be written at all, known without the board: from an erase
 * block's start, inside the region; block storage takes whole 512-byte
 * sectors. */
static int uboot_check_write(const struct ub_region *r, uint64_t off, uint64_t len,
			     struct ub_err *e)
{
	if (off % r->erase_block || len == 0 || off > r->size || len > r->size - off)
		return ub_err_set(e, UB_EREFUSED, "image-too-big",
				  "%llu bytes at +0x%llx do not fit region %s (%llu bytes, erase block 0x%llx)",
				  (unsigned long long)len, (unsigned long long)off, r->name,
				  (unsigned long long)r->size, (unsigned long long)r->erase_block);
	if (ub_uboot_block_kind(r->storage) && len % 512)
		return ub_err_set(e, UB_EREFUSED, "image-too-big",
				  "block storage takes whole 512-byte sectors; the image is %llu bytes",
				  (unsigned long long)len);
	return 0;
}

static int uboot_write(struct ub_device *d, const struct ub_region *r,
		       uint64_t off, const struct ub_src *src, const struct ub_blockset *todo,
		       struct ub_progress *p, struct ub_err *e)
{
	uint64_t eb = r->erase_block;
	uint64_t len = src->size, nblocks = todo->count, i, first = UINT64_MAX, last = 0;
	int nor = is_nor(r);
	struct ub_progress step;
	const uint32_t *want = todo->crc;
	uint8_t *differs = NULL, *buf = NULL;
	int rc = 0;

	memset(&d->stats, 0, sizeof d->stats);
	snprintf(d->stats.via, sizeof d->stats.via, "%s", d->loader.name ? d->loader.name : "");
	if ((rc = uboot_check_write(r, off, len, e)))
		return rc;
	if (todo->block != eb || nblocks != (len + eb - 1) / eb)
		return ub_err_set(e, UB_EUSAGE, NULL, "region %s: the blocks to write do not match the image",
				  r->name);
	if (nor && (rc = ub_uboot_nor_check(&d->con, r, e)))
		return rc;
	/* a copy: runs written together mark in it which blocks read back wrong */
	differs = malloc(nblocks ? nblocks : 1);
	buf = malloc(eb);
	if (!differs || !buf) {
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		goto out;
	}
	memcpy(differs, todo->write, nblocks);
	d->stats.blocks_total = (unsigned)nblocks;
	ub_progress_plan(p, 100);
	for (i = 0; i < nblocks; i++)
		if (differs[i]) {
			if (first == UINT64_MAX)
				first = i;
			last = i;
		}
	if (first == UINT64_MAX) {
		d->stats.blocks_skipped = (unsigned)nblocks;
		goto out;
	}

	/* Load only the blocks that differ, packed one after another, into
	 * RAM and check them there: scattered changes in a big image cost
	 * what they are, not the span between them (over YMODEM the span of
	 * three blocks 16 MiB apart is 40 minutes). */
	{
		struct ub_src win;
		uint32_t ram_crc, c = 0;
		uint64_t glen = 0;

		if (!d->loader.load) {
			rc = ub_err_set(e, UB_EUSAGE, NULL, "no way to send the image to the board was chosen");
			goto out;
		}
		if ((rc = gather(src, differs, first, last, eb, buf, &win, &glen, &c, e)))
			goto out;
		if (glen > d->load_max) {
			ub_src_close(&win);
			rc = ub_err_set(e, UB_EREFUSED, "image-too-big",
					"%llu bytes to load exceed the board's load area (%llu bytes, recovery.load_max)",
					(unsigned long long)glen, (unsigned long long)d->load_max);
			goto out;
		}
		ub_progress_begin(&step, p, d->loader.name, 45, glen);
		rc = d->loader.load(d->loader.ctx, &d->con, &win, d->load_addr, &d->stats.retries, &step, e);
		ub_progress_end(&step, rc);
		ub_src_close(&win);
		if (rc)
			goto out;
		d->stats.bytes_sent = glen;
		rc = board_crc(d, d->load_addr, glen, &ram_crc, e);
		if (!rc && ram_crc != c)
			rc = ub_err_set(e, UB_EFAIL, "transfer-corrupt",
					"the image arrived damaged in the board's RAM (crc32 %08x, expected %08x)",
					ram_crc, c);
		if (rc)
			goto out;
		glen = 0;   /* from here: where the next block sits in RAM */

		/* Write and verify each differing block.  On staged storage
		 * (block, SPI NOR) a run of them goes in one write and one read
		 * back (a command pair per block was most of a whole flash's
		 * time), as long as the run fits the scratch RAM the read back
		 * lands in. */
		ub_progress_begin(&step, p, "write", 45, nblocks);
		for (i = first; !rc && i <= last; i++) {
			char where[96];

			/* between blocks: each one before was erased, written and
			 * read back whole */
			snprintf(where, sizeof where, "region %s, before block %llu of %llu", r->name,
				 (unsigned long long)i, (unsigned long long)nblocks);
			if (differs[i] && (rc = ub_safe_point(where, e)))
				break;
			uint64_t n = len - i * eb < eb ? len - i * eb : eb;
			uint64_t ram = d->load_addr + glen;
			unsigned cnt = 1, k;

			if (!differs[i]) {
				d->stats.blocks_skipped++;
				continue;
			}
			if (!nor && n == eb)
				while (i + cnt <= last && differs[i + cnt] && len - (i + cnt) * eb >= eb &&
				       (cnt + 1) * eb <= d->scratch_max)
					cnt++;
			if (cnt > 1) {
				/* differs[] now says which blocks read back wrong */
				rc = write_run(d, r, off + i * eb, ram, eb, cnt, want + i, differs + i, e);
				/* A refused write or read back (a bus hiccup, one bad
				 * sector) left differs[] marking the whole run: each
				 * block is tried alone, as a single block would be. */
				if (rc == UB_EFAIL)
					rc = 0;
				for (k = 0; !rc && k < cnt; k++) {
					if (differs[i + k])   /* read back wrong: once more alone */
						rc = write_again(d, r, off + (i + k) * eb, ram + k * eb, eb, want[i + k], NULL, e);
					if (!rc)
						d->stats.blocks_written++;
				}
				glen += cnt * eb;
				i += cnt - 1;
				ub_progress_update(&step, i + 1);
				continue;
			}
			glen += n;
			/* NOR: the block's bytes, so runs of 0xff are not sent */
			if (nor && (rc = ub_src_read(src, i * eb, buf, (size_t)n, e)))
				break;
			rc = write_block(d, r, off + i * eb, ram, n, span_of(r, n), want[i], nor ? buf : NULL, e);
			if (rc == UB_EFAIL)
				rc = write_again(d, r, off + i * eb, ram, n, want[i], nor ? buf : NULL, e);
			if (!rc)
				d->stats.blocks_written++;
			ub_progress_update(&step, i + 1);
		}
		d->stats.blocks_skipped += (unsigned)(first + (nblocks - 1 - last));
		ub_progress_end(&step, rc);
	}
out:
	free(differs);
	free(buf);
	return rc;
}

/* --- loaders ------------------------------------------------------------- */

/* YMODEM over the console: `loady ADDR`, the transfer, and back to the
 * prompt.  Slow (tens of KiB/s) but needs nothing but the serial line. */
static int load_ymodem(void *ctx, struct ub_console *con, const struct ub_src *src,
		       uint64_t addr, unsigned *retries, struct ub_progress *p, struct ub_err *e)
{
	struct ub_stream *s = ctx;   /* the console's own line */
	struct ub_ymodem_stats st;
	char cmd[64];
	int rc;

	snprintf(cmd, sizeof cmd, "loady %llx\n", (unsigned long long)addr);
	ub_stream_drain(s);
	if ((rc = ub_stream_write(s, cmd, strlen(cmd), 2000, e)))
		return rc;
	rc = ub_ymodem_send(s, "unbrick.bin", src, 15000, p, &st, e);
	if (!rc)
		*retries += st.resends;
	/* whatever happened, get back to a prompt we can trust */
	if (ub_console_sync(con, NULL, 15000, rc ? NULL : e) && !rc)
		rc = e->code;
	return rc;
}

static int use_loader(struct ub_device *dev, const char *via, struct ub_err *e)
{
	if (strcmp(via, "ymodem") == 0) {
		dev->loader = (struct ub_uboot_loader){ "ymodem", load_ymodem, dev->s };
		return 0;
	}
	return ub_err_set(e, UB_EUSAGE, "usage", "unknown transfer '%.16s' (ymodem or tftp)", via);
}

static int load_ram(void *ctx, struct ub_console *con, const struct ub_src *src,
		    uint64_t addr, unsigned *retries, struct ub_progress *p, struct ub_err *e)
{
	struct ub_device *d = ctx;

	(void)con;
	(void)retries;
	return d->ram.load(d->ram.ctx, src, addr, p, e);
}

void ub_uboot_set_ram_loader(struct ub_device *d, const char *name,
			     int (*load)(void *ctx, const struct ub_src *src, uint64_t addr,
					 struct ub_progress *p, struct ub_err *e),
			     void *ctx)
{
	ub_uboot_tftp_loader_free(&d->loader);
	d->ram.load = load;
	d->ram.ctx = ctx;
	d->loader = (struct ub_uboot_loader){ name, load_ram, d };
}

struct ub_stream *ub_uboot_stream(struct ub_device *d)
{
	return d->s;
}

/* --- reboot and first boot ------------------------------------------------ */

static int uboot_reboot(struct ub_device *d, struct ub_err *e)
{
	forget_buses(d);
	ub_stream_drain(d->s);
	return ub_stream_write(d->s, "reset\n", 6, 2000, e);
}

static int uboot_boot_check(struct ub_device *d, const char *expect_version,
			    struct ub_boot_report *rep, struct ub_err *e)
{
	const char *ok_pat = jstr(d->profile, "boot", "success");
	const char *ver_pat = jstr(d->profile, "boot", "version_pattern");
	json_t *t = json_object_get(json_object_get(d->profile, "boot"), "timeout");
	int timeout = json_is_integer(t) ? (int)json_integer_value(t) : 60;
	double start = ub_now();
	regex_t ok_re, ver_re;
	char *log = NULL;
	size_t log_len = 0;
	int rc = 0, have_ver = 0;

	memset(rep, 0, sizeof *rep);
	if (!ok_pat || regcomp(&ok_re, ok_pat, REG_EXTENDED | REG_NEWLINE))
		return ub_err_set(e, UB_EFORMAT, "profile-invalid",
				  "profile: boot.success must be a regular expression");
	if (ver_pat && !regcomp(&ver_re, ver_pat, REG_EXTENDED | REG_NEWLINE))
		have_ver = 1;
	while (ub_now() - start < timeout) {
		char buf[4096];
		long n = ub_stream_read(d->s, buf, sizeof buf, 500, e);
		regmatch_t m[2];
		char *grown;

		if (n < 0) {
			rc = (int)n;
			break;
		}
		if (n == 0)
			continue;
		grown = realloc(log, log_len + (size_t)n + 1);
		if (!grown) {
			rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
			break;
		}
		log = grown;
		memcpy(log + log_len, buf, (size_t)n);
		log_len += (size_t)n;
		log[log_len] = '\0';
		if (regexec(&ok_re, log, 0, NULL, 0) == 0) {
			rep->booted = 1;
			rep->seconds = ub_now() - start;
			if (have_ver && regexec(&ver_re, log, 2, m, 0) == 0 && m[1].rm_so >= 0)
				snprintf(rep->version, sizeof rep->version, "%.*s",
					 (int)(m[1].rm_eo - m[1].rm_so), log + m[1].rm_so);
			break;
		}
		if (log_len > (1u << 20)) {   /* keep the tail; a boot loop prints forever */
			memmove(log, log + log_len - 65536, 65536);
			log_len = 65536;
			log[log_len] = '\0';
		}
	}
	regfree(&ok_re);
	if (have_ver)
		regfree(&ver_re);
	/* the boot log goes to the caller, for the diagnosis of a failed boot */
	rep->log = log;
	rep->log_len = log_len;
	if (rc)
		return rc;
	if (!rep->booted)
		return ub_err_set(e, UB_EFAIL, "boot-failed",
				  "the board did not print the boot success line within %d s", timeout);
	if (expect_version && *expect_version && strcmp(rep->version, expect_version) != 0)
		return ub_err_set(e, UB_EFAIL, "boot-wrong-version",
				  "the board booted version '%s', expected %s", rep->version,
				  expect_version);
	return 0;
}

/* A console that drops or garbles bytes will corrupt a dump or a
 * command line later; five echoes of a known text show it first. */
static int uboot_link_check(struct ub_device *d, double *rtt_ms, struct ub_err *e)
{
	int i, rc = 0;

	*rtt_ms = 0;
	for (i = 0; !rc && i < 5; i++) {
		struct ub_console_out out;
		char cmd[64], want[48];
		double t0 = ub_now(), ms;

		snprintf(want, sizeof want, "unbrick-link-%d-0123456789abcdef", i);
		snprintf(cmd, sizeof cmd, "echo %s", want);
		if ((rc = ub_console_run(&d->con, cmd, IDLE_MS, NULL, NULL, &out, e)))
			break;
		ms = (ub_now() - t0) * 1000;
		if (ms > *rtt_ms)
			*rtt_ms = ms;
		if (!out.text || !strstr(out.text, want))
			rc = ub_err_set(e, UB_EFAIL, "console-garbled",
					"the board's echo came back wrong (\"%.60s\" for \"%s\")",
					out.text ? out.text : "", want);
		ub_console_out_free(&out);
	}
	return rc;
}

/* Listens to the console, sending nothing: a soak after the first boot. */
static int uboot_watch(struct ub_device *d, int seconds, char **log, size_t *len,
		       struct ub_err *e)
{
	return ub_stream_collect(d->s, seconds, 8u << 20, log, len, e);
}

/* What a serial line carries caps both ways over the console: 10 bits a
 * character; md.l prints a 67-character line for 16 bytes; YMODEM sends
 * 1029 bytes for 1 KiB.  At 115200 baud that is 2.7 KB/s read and
 * 11 KB/s written, not the emulator's 55 KB/s: a 16 MiB backup is about
 * 100 minutes, and the plan must say so.  A TCP or telnet console is
 * nearly always a serial port behind ser2net or a console server, so it
 * counts as 115200 unless the spec's baud= says otherwise.  TFTP writes go by the
 * network, not the line; so do reads by tftpput or through the
 * netconsole, which the board may or may not have: the line's rate stays
 * the bound until one is asked for. */
static void uboot_link_rates(const struct ub_device_spec *spec, const json_t *profile,
			     double *read_bps, double *write_bps, char *why, size_t len)
{
	char v[32], via[16], rvia[16] = "";
	double baud = UB_STREAM_DEFAULT_BAUD, cps;
	struct ub_uboot_net net;
	struct ub_err ignored;
	int nc_maybe;

	if (strcmp(spec->transport, "serial") != 0 && strcmp(spec->transport, "tcp") != 0 &&
	    strcmp(spec->transport, "telnet") != 0)
		return;
	if (ub_device_spec_param(spec, "baud", v, sizeof v) && strtod(v, NULL) > 0)
		baud = strtod(v, NULL);
	ub_device_spec_param(spec, "read_via", rvia, sizeof rvia);
	nc_maybe = !*rvia && ub_uboot_net_addrs(spec, profile, "", &net, &ignored) == 0;
	cps = baud / 10;
	if (strcmp(rvia, "netconsole") != 0 && strcmp(rvia, "tftpput") != 0 && cps * 16 / 67 < *read_bps)
		*read_bps = cps * 16 / 67;
	if (!tftp_wanted(spec, profile, via, sizeof via) && cps * 1024 / 1029 < *write_bps)
		*write_bps = cps * 1024 / 1029;
	snprintf(why, len, "a %s console at %.0f baud%s", spec->transport, baud,
		 strcmp(rvia, "netconsole") == 0 ? ", reads through the netconsole" :
		 strcmp(rvia, "tftpput") == 0 ? ", reads uploaded by tftpput" :
		 nc_maybe ? "; reads are faster by the board's tftpput or netconsole, if it has one" : "");
}

static const struct ub_transport_def transports[] = {
	{ "serial", "/dev/ttyUSB0", "a serial port (USB adapter or the board's UART)" },
	{ "pty", "/dev/pts/N", "a pseudo-terminal (a simulator, QEMU's -serial pty)" },
	{ "unix", "/path/console.sock", "a unix socket carrying the console (QEMU, a lab relay)" },
	{ "tcp", "HOST:PORT", "a raw TCP port carrying the console (ser2net in raw mode)" },
	{ "telnet", "HOST:PORT", "a console server speaking telnet; baud=, dtr=, rts= go to its port (RFC 2217)" },
	{ "netconsole", "BOARD_IP[:PORT]", "U-Boot's netconsole alone, for boards with no serial header (images by TFTP)" },
	{ NULL, NULL, NULL },
};

static const struct ub_param_def params[] = {
	{ "baud", "int", 50, 4000000, "115200", "the serial line's rate (serial, telnet)", NULL, 0 },
	{ "dtr", "on|off", 0, 0, NULL, "the DTR line (serial, telnet): some boards reset on it", NULL, 0 },
	{ "rts", "on|off", 0, 0, NULL, "the RTS line (serial, telnet)", NULL, 0 },
	{ "via", "tftp|ymodem", 0, 0, "tftp when the network addresses are known",
	  "how the image reaches the board's RAM: TFTP from unbrick's own server, or YMODEM over the console", "via",
	  UB_PARAM_USE_WRITE },
	{ "read_via", "tftpput|netconsole|console", 0, 0, "the fastest the board has",
	  "how the flash comes back: uploaded by the board's tftpput, dumped through its netconsole, or over the console", "read-via",
	  UB_PARAM_USE_READ },
	{ "server_ip", "ipv4", 0, 0, "the profile's, or this machine's address on the route to the board",
	  "this machine's address on the board's network", "server-ip", 0 },
	{ "device_ip", "ipv4", 0, 0, "the profile's", "the address the board takes on that network", "device-ip", 0 },
	{ "tftp_blksize", "int", 8, 65464, "1468", "TFTP block size offered to the board", NULL, 0 },
	{ "tftp_window", "int", 1, 65535, "8", "TFTP window size offered to the board", NULL, 0 },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL, 0 },
};

static const char *const paths[] = { "console", NULL };

const struct ub_family ub_family_uboot = {
	.name = "uboot",
	.what = "boards with a U-Boot console (serial, unix socket, TCP, telnet, netconsole)",
	.reach = "waiting for the console (power the board on now if it is off)",
	.caps = UB_CAP_READ | UB_CAP_DIGEST_CRC32 | UB_CAP_ERASE_BLOCK |
		UB_CAP_RESUME | UB_CAP_BOOT_CHECK,
	.transports = transports,
	.params = params,
	.paths = paths,
	.rules = ub_uboot_rules,
	.banners = ub_uboot_banners,
	.prompts = ub_uboot_prompts,
	/* md.l dumps at 45-70 KB/s over QEMU's socket, YMODEM into loady
	 * 8-26 KB/s; a serial line caps both (uboot_link_rates) */
	.read_bps = 55e3,
	.write_bps = 8e3,
	.link_rates = uboot_link_rates,
	.check_write = uboot_check_write,
	.capture = ub_uboot_capture,
	.list = ub_uboot_list,
	.open = uboot_open,
	.identify = uboot_identify,
	.enter_recovery = uboot_enter_recovery,
	.read = uboot_read,
	.digest = uboot_digest,
	.digest_blocks = uboot_digest_blocks,
	.write = uboot_write,
	.reboot = uboot_reboot,
	.boot_check = uboot_boot_check,
	.set_log = uboot_set_log,
	.link_check = uboot_link_check,
	.watch = uboot_watch,
	.write_stats = uboot_write_stats,
	.read_stats = uboot_read_stats,
	.close = uboot_close,
};
