/* A board whose bootloader is gone, reached through a debug probe on
 * JTAG/SWD (OpenOCD, a J-Link GDB server, pyOCD, a Black Magic Probe,
 * QEMU's gdbstub): gdb:tcp:HOST:PORT or gdb:serial:/dev/ttyACM0, with the
 * board's console as console=TRANSPORT:ADDRESS.  The manual (README.md
 * here says more):
 *
 * Reach it: connect to the probe's GDB server; it halts the CPU.
 * Identify it: what the probe says: the target description's architecture
 * and registers, the CPU's state (stop reason, program counter, status
 * register), the memory map when it has one.  Nothing on a bare CPU says
 * a model or a serial number; the backup's fingerprint tells the unit.
 * Read a region: memory-mapped flash (storage nor) through the probe,
 * every piece read twice and passed on only when two reads agree; once a
 * loader runs, with its CPU halted at the prompt meanwhile.
 * The loader stage (stage.c): a bootloader built to run from RAM, written,
 * read back, started at its entry, heard on the console.
 * From its prompt on, the repair is the U-Boot family's: compare, write,
 * verify with the board's crc32, reset and watch the boot.  Its ops run
 * on the console as they would for a board whose own U-Boot answers;
 * images reach RAM through the probe instead of TFTP or YMODEM. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/interrupt.h"
#include "family/gdb/gdb.h"
#include "family/uboot/uboot.h"
#include "io/stream.h"

#define CHUNK (64u * 1024)      /* bytes read (twice) at a time */

static int has_console(const struct ub_device_spec *spec)
{
	char v[8];

	return ub_device_spec_param(spec, "console", v, sizeof v);
}

/* Without a console the probe only reads: identify and back up. */
static unsigned gdb_spec_caps(const struct ub_device_spec *spec)
{
	if (!has_console(spec))
		return UB_CAP_READ;
	return UB_CAP_READ | UB_CAP_DIGEST_CRC32 | UB_CAP_ERASE_BLOCK | UB_CAP_RESUME |
	       UB_CAP_BOOT_CHECK;
}

static void gdb_close(struct ub_device *d)
{
	if (!d)
		return;
	if (d->con)
		d->con_fam->close(d->con);
	ub_probe_close(&d->pr);
	free(d);
}

/* console=TRANSPORT:ADDRESS as the U-Boot family's spec; baud= goes
 * with it. */
static int console_spec(const struct ub_device_spec *spec, struct ub_device_spec *out,
			struct ub_err *e)
{
	char con[1024], baud[32], text[1200];
	int rc;

	ub_device_spec_param(spec, "console", con, sizeof con);
	snprintf(text, sizeof text, "uboot:%s", con);
	if (ub_device_spec_param(spec, "baud", baud, sizeof baud))
		snprintf(text + strlen(text), sizeof text - strlen(text), ",baud=%s", baud);
	if ((rc = ub_device_spec_parse(text, out, e)) == 0)
		rc = ub_device_spec_check(out, &ub_family_uboot, e);
	if (rc) {
		char msg[UB_ERR_MSG_MAX];

		snprintf(msg, sizeof msg, "%s", e->msg);
		ub_err_set(e, UB_EUSAGE, "usage",
			   "console=%.200s: %.250s (the board's console as TRANSPORT:ADDRESS, e.g. console=unix:/run/board.sock)",
			   con, msg);
	}
	return rc;
}

/* What the board's console prints, heard without sending anything (the
 * U-Boot family's capture on console=): a boot log for diagnosis. */
static int gdb_capture(const struct ub_device_spec *spec, int seconds, char **log, size_t *len,
		       struct ub_err *e)
{
	struct ub_device_spec cs;
	int rc;

	if (!has_console(spec))
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "a boot log is heard on the board's console: add console=TRANSPORT:ADDRESS to the device spec");
	if ((rc = console_spec(spec, &cs, e)))
		return rc;
	return ub_family_uboot.capture(&cs, seconds, log, len, e);
}

static int gdb_open(struct ub_device **out, const struct ub_device_spec *spec,
		    const struct ub_flash_map *map, const json_t *profile, struct ub_err *e)
{
	struct ub_device *d = calloc(1, sizeof *d);
	struct ub_device_spec cs;
	char endian[8] = "little";
	int rc;

	*out = NULL;
	if (!d)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	d->map = map;
	d->profile = profile;
	d->log_fd = -1;
	d->pr.log_fd = -1;
	ub_device_spec_param(spec, "endian", endian, sizeof endian);
	ub_device_spec_param(spec, "reset", d->reset_cmd, sizeof d->reset_cmd);
	/* the console first: a mistake in it is said before the CPU is
	 * touched */
	if (has_console(spec)) {
		if ((rc = console_spec(spec, &cs, e))) {
			free(d);
			return rc;
		}
		d->con_fam = &ub_family_uboot;
		if ((rc = d->con_fam->open(&d->con, &cs, map, profile, e))) {
			ub_err_prefix(e, "the board's console");
			free(d);
			return rc;
		}
	}
	if ((rc = ub_probe_open(&d->pr, spec->transport, spec->address,
				strcmp(endian, "big") == 0, e))) {
		if (d->con)
			d->con_fam->close(d->con);
		free(d);
		return rc;
	}
	*out = d;
	return 0;
}

static void gdb_set_log(struct ub_device *d, int fd)
{
	d->log_fd = fd;
	d->pr.log_fd = fd;
	if (d->con)
		d->con_fam->set_log(d->con, fd);
}

static int gdb_enter_recovery(struct ub_device *d, struct ub_err *e)
{
	if (d->loaded)
		return d->con_fam->enter_recovery(d->con, e);
	return ub_probe_halt(&d->pr, e);
}

static int gdb_identify(struct ub_device *d, struct ub_identity *id, struct ub_err *e)
{
	char state[128], map[48];
	size_t i, flash = 0, ram = 0;

	if (d->loaded)
		return d->con_fam->identify(d->con, id, e);
	memset(id, 0, sizeof *id);
	ub_probe_state(&d->pr, state, sizeof state);
	for (i = 0; i < d->pr.map.n; i++) {
		flash += d->pr.map.v[i].type == UB_GDB_FLASH;
		ram += d->pr.map.v[i].type == UB_GDB_RAM;
	}
	if (d->pr.have_map)
		snprintf(map, sizeof map, "memory map: %zu flash, %zu RAM ranges", flash, ram);
	else
		snprintf(map, sizeof map, "no memory map");
	snprintf(id->hardware, sizeof id->hardware, "%.20s CPU %.56s; %.24s",
		 d->pr.td.arch[0] ? d->pr.td.arch : "unknown", state, map);
	snprintf(id->mode, sizeof id->mode, "%s", d->pr.rsp.running ? "running" : "halted");
	ub_probe_log(&d->pr, "gdb: %s; target description: %s; packets of %zu bytes%s",
		     id->hardware, d->pr.have_tdesc ? d->pr.td.features : "none", d->pr.rsp.packet_size,
		     d->pr.rsp.acks ? ", acknowledged" : "");
	return 0;
}

/* The probe reads memory-mapped flash, nothing behind a controller. */
static int mapped(const struct ub_device *d, const struct ub_region *r, uint64_t off, uint64_t len,
		  struct ub_err *e)
{
	int t;

	if (strcmp(r->storage, "nor") != 0)
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "region %s is on %s storage, which is not memory-mapped: the debug probe reads memory-mapped flash (storage nor); read it once the loader runs",
				  r->name, r->storage);
	if (off > r->size || len > r->size - off)
		return ub_err_set(e, UB_EUSAGE, NULL, "region %s: 0x%llx bytes at +0x%llx are outside it", r->name,
				  (unsigned long long)len, (unsigned long long)off);
	t = ub_probe_mem_type(&d->pr, r->offset + off, len);
	if (d->pr.have_map && t != UB_GDB_FLASH && t != UB_GDB_ROM)
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "region %s (0x%llx at 0x%llx) is %s in the debug probe's memory map, not flash: check the profile's offset",
				  r->name, (unsigned long long)r->size, (unsigned long long)r->offset,
				  t < 0 ? "in no one range" : "RAM");
	return 0;
}

static int gdb_read(struct ub_device *d, const struct ub_region *r, uint64_t off, uint64_t len,
		    int (*sink)(void *ctx, const uint8_t *buf, size_t n), void *ctx,
		    struct ub_progress *p, struct ub_err *e)
{
	uint8_t *buf;
	uint64_t done = 0;
	int rc;

	/* flash behind a controller: only the loader reaches it */
	if (d->loaded && strcmp(r->storage, "nor") != 0)
		return d->con_fam->read(d->con, r, off, len, sink, ctx, p, e);
	/* memory-mapped flash through the probe, the loader's CPU halted
	 * at its prompt meanwhile (far faster than its console's dumps) */
	if ((rc = mapped(d, r, off, len, e)) || (rc = ub_probe_halt(&d->pr, e)))
		return rc;
	if (!(buf = malloc(CHUNK)))
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	while (!rc && buf && done < len) {
		size_t n = len - done < CHUNK ? (size_t)(len - done) : CHUNK;
		char where[96];

		snprintf(where, sizeof where, "region %s, at +0x%llx", r->name, (unsigned long long)(off + done));
		if ((rc = ub_safe_point(where, e)) ||
		    (rc = ub_probe_read_agreed(&d->pr, r->offset + off + done, buf, n, e)))
			break;
		if ((rc = sink(ctx, buf, n)) != 0)
			break;
		done += n;
		d->read_bytes += n;
		ub_progress_update(p, done);
	}
	free(buf);
	if (d->loaded && ub_rsp_continue(&d->pr.rsp, rc ? NULL : e) && !rc)
		rc = e->code;
	return rc;
}

/* crc32 of each block, from one read through the probe (before the
 * loader runs: a read-back, not the device's own digest). */
static int probe_crcs(struct ub_device *d, const struct ub_region *r, uint64_t off, uint64_t len,
		      unsigned n, uint32_t *out, struct ub_err *e)
{
	uint8_t *buf;
	unsigned i;
	int rc;

	if ((rc = mapped(d, r, off, len * n, e)) || (rc = ub_probe_halt(&d->pr, e)))
		return rc;
	if (!(buf = malloc(len ? len : 1)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	for (i = 0; !rc && i < n; i++)
		if (!(rc = ub_rsp_read_mem(&d->pr.rsp, r->offset + off + i * len, buf, len, NULL, e)))
			out[i] = (uint32_t)crc32(0L, buf, (uInt)len);
	free(buf);
	return rc;
}

static int gdb_digest(struct ub_device *d, const struct ub_region *r, uint64_t off, uint64_t len,
		      unsigned alg, uint8_t *out, struct ub_err *e)
{
	uint32_t c;
	int rc;

	if (d->loaded)
		return d->con_fam->digest(d->con, r, off, len, alg, out, e);
	if (alg != UB_CAP_DIGEST_CRC32)
		return ub_err_set(e, UB_EUSAGE, NULL, "the gdb family digests by crc32 only");
	if ((rc = probe_crcs(d, r, off, len, 1, &c, e)))
		return rc;
	out[0] = (uint8_t)(c >> 24);
	out[1] = (uint8_t)(c >> 16);
	out[2] = (uint8_t)(c >> 8);
	out[3] = (uint8_t)c;
	return 0;
}

static int gdb_digest_blocks(struct ub_device *d, const struct ub_region *r, uint64_t off,
			     uint64_t len, unsigned n, const uint32_t *expect, uint32_t *out,
			     unsigned flags, struct ub_err *e)
{
	if (d->loaded)
		return d->con_fam->digest_blocks(d->con, r, off, len, n, expect, out, flags, e);
	return probe_crcs(d, r, off, len, n, out, e);
}

/* Flash is written from the loader's console, never through the probe:
 * a debugger's writes to flash reach its command interface, not its
 * cells (and QEMU's gdbstub writes them into memory only). */
static int not_yet(const char *what, struct ub_err *e)
{
	return ub_err_set(e, UB_EUSAGE, "loader-missing",
			  "%s goes through the loader's console, and no loader runs: the profile must name one (\"loader\") and the device spec the console (console=)",
			  what);
}

static int gdb_write(struct ub_device *d, const struct ub_region *r, uint64_t off,
		     const struct ub_src *src, const struct ub_blockset *todo, struct ub_progress *p,
		     struct ub_err *e)
{
	if (!d->loaded)
		return not_yet("writing flash", e);
	return d->con_fam->write(d->con, r, off, src, todo, p, e);
}

static int gdb_check_write(const struct ub_region *r, uint64_t off, uint64_t len, struct ub_err *e)
{
	return ub_family_uboot.check_write(r, off, len, e);
}

static int gdb_reboot(struct ub_device *d, struct ub_err *e)
{
	if (!d->loaded)
		return not_yet("the reset", e);
	/* after the reset the board's own bootloader runs from flash */
	d->loaded = 0;
	return d->con_fam->reboot(d->con, e);
}

static int gdb_boot_check(struct ub_device *d, const char *expect_version,
			  struct ub_boot_report *out, struct ub_err *e)
{
	if (!d->con)
		return not_yet("watching the boot", e);
	return d->con_fam->boot_check(d->con, expect_version, out, e);
}

/* Before the loader: five round trips to the probe, each a stop reply
 * that must parse; after it, the console's own check. */
static int gdb_link_check(struct ub_device *d, double *rtt_ms, struct ub_err *e)
{
	int i, rc;

	if (d->loaded)
		return d->con_fam->link_check(d->con, rtt_ms, e);
	*rtt_ms = 0;
	for (i = 0; i < 5; i++) {
		double t0 = ub_now(), ms;

		if ((rc = ub_rsp_stop_reason(&d->pr.rsp, &d->pr.stop, e)))
			return rc;
		ms = (ub_now() - t0) * 1000;
		if (ms > *rtt_ms)
			*rtt_ms = ms;
	}
	return 0;
}

static int gdb_watch(struct ub_device *d, int seconds, char **log, size_t *len, struct ub_err *e)
{
	if (!d->con)
		return not_yet("listening to the board", e);
	return d->con_fam->watch(d->con, seconds, log, len, e);
}

static void gdb_write_stats(const struct ub_device *d, struct ub_write_stats *out)
{
	memset(out, 0, sizeof *out);
	if (d->con)
		d->con_fam->write_stats(d->con, out);
}

static void gdb_read_stats(const struct ub_device *d, struct ub_read_stats *out)
{
	struct ub_read_stats con = { 0 };

	memset(out, 0, sizeof *out);
	if (d->con && d->con_fam->read_stats)
		d->con_fam->read_stats(d->con, &con);
	out->bytes = d->read_bytes + con.bytes;
	out->asked_again = d->pr.reads_again + con.asked_again;
	snprintf(out->via, sizeof out->via, "%s%s%.24s", d->read_bytes ? "probe" : "",
		 d->read_bytes && con.bytes ? "+" : "", con.bytes ? con.via : "");
}

static int gdb_load_stage(struct ub_device *d, const struct ub_loader *l, struct ub_progress *p,
			  struct ub_err *e)
{
	return ub_gdb_load_stage(d, l, p, e);
}

static const struct ub_transport_def transports[] = {
	{ "tcp", "HOST:PORT", "a GDB server: OpenOCD (3333), J-Link (2331), pyOCD (3333), QEMU's -gdb" },
	{ "serial", "/dev/ttyACM0", "a Black Magic Probe's GDB port" },
	{ "pty", "/dev/pts/N", "a pseudo-terminal carrying the GDB protocol (a simulator, a relay)" },
	{ NULL, NULL, NULL },
};

static const struct ub_param_def params[] = {
	{ "console", "text", 0, 0, NULL,
	  "the board's console as TRANSPORT:ADDRESS (unix:/path, serial:/dev/ttyUSB0, tcp:HOST:PORT, telnet:HOST:PORT): the loader is heard and the flash written there",
	  NULL, 0 },
	{ "baud", "int", 50, 4000000, "115200", "the console's rate (serial, telnet)", NULL, 0 },
	{ "reset", "text", 0, 0, NULL,
	  "a monitor command that resets the CPU and holds it before the loader goes in ('reset halt' for OpenOCD and pyOCD)",
	  NULL, 0 },
	{ "endian", "little|big", 0, 0, "little", "the target's byte order, for its registers", NULL, 0 },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL, 0 },
};

/* The way in when the bootloader is gone: a programmer's, not its
 * console's. */
static const char *const paths[] = { "programmer", NULL };

const struct ub_family ub_family_gdb = {
	.name = "gdb",
	.what = "boards reached through a debug probe's GDB server (JTAG/SWD), a loader run from RAM, then its console",
	.reach = "connecting to the debug probe (the board powered, the probe on its JTAG/SWD header)",
	.caps = UB_CAP_READ | UB_CAP_DIGEST_CRC32 | UB_CAP_ERASE_BLOCK | UB_CAP_RESUME | UB_CAP_BOOT_CHECK,
	.spec_caps = gdb_spec_caps,
	.transports = transports,
	.params = params,
	.paths = paths,
	/* after the loader, what the board prints is U-Boot's */
	.banners = ub_uboot_banners,
	.prompts = ub_uboot_prompts,
	/* QEMU's gdbstub reads 2-7 MB/s; writes go to RAM through the probe
	 * and into flash from the loader's console */
	.read_bps = 2e6,
	.write_bps = 1e6,
	.check_write = gdb_check_write,
	.capture = gdb_capture,
	.open = gdb_open,
	.identify = gdb_identify,
	.enter_recovery = gdb_enter_recovery,
	.load_stage = gdb_load_stage,
	.read = gdb_read,
	.digest = gdb_digest,
	.digest_blocks = gdb_digest_blocks,
	.write = gdb_write,
	.reboot = gdb_reboot,
	.boot_check = gdb_boot_check,
	.link_check = gdb_link_check,
	.watch = gdb_watch,
	.set_log = gdb_set_log,
	.write_stats = gdb_write_stats,
	.read_stats = gdb_read_stats,
	.close = gdb_close,
};
