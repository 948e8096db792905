/* A device whose storage is a file: fake:file:PATH[,params].  It behaves
 * like a small board with NOR flash behind a link that can be made to
 * misbehave, so that the workflow and every contract test can be run
 * against faults on purpose, without hardware.  Its manual (README.md
 * here says more):
 *
 * Reach it: the file is the device; its size is the flash's.  The profile's
 * flash map puts regions on storage "file".
 * Identify it: model, serial and firmware version as the spec says (model=,
 * serial=, version=), else the profile's model, "FAKE0001" and the
 * VERSION=x.y.z marker in the first 4 KiB of the firmware region.
 * Read a region: in transfers of 16 KiB, each checked against the device's
 * own digest of it when it has one (digest=), else read until two reads
 * agree; a transfer that cannot be confirmed is an error, never
 * passed on.  read=off: the device cannot be read at all.
 * Write a region: per erase block, erase then program, each block checked
 * afterwards by digest or by reading it back (neither: written blind, and
 * said so by the workflow); a block that does not take is written once more
 * and then reported.  needs_loader=on: writes only after load_stage.
 * Boot: reset, then the firmware region's first block must not be erased;
 * the version booted is its VERSION= marker. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "family/fake/device.h"
#include "family/family.h"
#include "image/digest.h"

#define TRANSFER (16u * 1024)   /* bytes per read exchange */
#define MARKER_AREA 4096u       /* where boot looks for VERSION= */

struct ub_device {
	struct ub_fakedev *dev;
	const struct ub_flash_map *map;
	const json_t *profile;
	unsigned caps;
	unsigned alg;                 /* the device's digest, a UB_CAP_DIGEST_* bit; 0: none */
	char model[64], serial[64], version[64];
	int needs_loader, loaded;
	int has_loader_sha;
	uint8_t loader_sha[32];
	struct ub_write_stats ws;
	struct ub_read_stats rs;
};

/* Capabilities follow the spec: digest=, read=, boot=. */
static unsigned fake_spec_caps(const struct ub_device_spec *spec)
{
	unsigned caps = UB_CAP_ERASE_BLOCK | UB_CAP_RESUME;
	char v[16] = "crc32";

	ub_device_spec_param(spec, "digest", v, sizeof v);
	caps |= strcmp(v, "crc32") == 0 ? UB_CAP_DIGEST_CRC32 : strcmp(v, "md5") == 0 ? UB_CAP_DIGEST_MD5 :
		strcmp(v, "sha256") == 0 ? UB_CAP_DIGEST_SHA256 : 0;
	if (!ub_device_spec_param(spec, "read", v, sizeof v) || strcmp(v, "off") != 0)
		caps |= UB_CAP_READ;
	if (!ub_device_spec_param(spec, "boot", v, sizeof v) || strcmp(v, "off") != 0)
		caps |= UB_CAP_BOOT_CHECK;
	return caps;
}

static void fake_close(struct ub_device *d)
{
	if (!d)
		return;
	ub_fakedev_close(d->dev);
	free(d);
}

/* kill_at=OP:N */
static int parse_kill(const char *v, struct ub_fake_faults *f, struct ub_err *e)
{
	const char *colon = strchr(v, ':');
	char op[16];
	char *end;

	if (colon && (size_t)(colon - v) < sizeof op) {
		snprintf(op, sizeof op, "%.*s", (int)(colon - v), v);
		f->kill_op = ub_fake_op_parse(op);
		f->kill_n = strtoul(colon + 1, &end, 10);
		if (f->kill_op >= 0 && *end == '\0' && end != colon + 1 && f->kill_n > 0)
			return 0;
	}
	return ub_err_set(e, UB_EUSAGE, "usage",
			  "kill_at=%s: expected OP:N (N from 1), OP one of %s", v, ub_fake_op_names());
}

static int parse_spec(struct ub_device *d, const struct ub_device_spec *spec,
		      struct ub_fake_faults *f, char *trace, size_t tlen, struct ub_err *e)
{
	char v[128];

	memset(f, 0, sizeof *f);
	f->kill_op = -1;
	if (ub_device_spec_param(spec, "flaky_read", v, sizeof v))
		f->flaky_read = strtoul(v, NULL, 10);
	if (ub_device_spec_param(spec, "drop_at", v, sizeof v))
		f->drop_at = strtoul(v, NULL, 10);
	if (ub_device_spec_param(spec, "stuck", v, sizeof v)) {
		if (ub_parse_size(v, &f->stuck_at) != 0)
			return ub_err_set(e, UB_EUSAGE, "usage", "stuck=%s: expected a byte offset such as 0x9000", v);
		f->stuck = 1;
	}
	if (ub_device_spec_param(spec, "kill_at", v, sizeof v) && parse_kill(v, f, e))
		return e->code;
	if (ub_device_spec_param(spec, "trace", trace, tlen))
		f->trace = trace;
	if (ub_device_spec_param(spec, "needs_loader", v, sizeof v))
		d->needs_loader = strcmp(v, "on") == 0;
	if (ub_device_spec_param(spec, "loader_sha256", v, sizeof v)) {
		if (strlen(v) != 64 || ub_unhex(v, d->loader_sha, sizeof d->loader_sha) != 0)
			return ub_err_set(e, UB_EUSAGE, "usage", "loader_sha256= takes 64 hex digits, not '%s'", v);
		d->has_loader_sha = 1;
	}
	ub_device_spec_param(spec, "model", d->model, sizeof d->model);
	ub_device_spec_param(spec, "version", d->version, sizeof d->version);
	if (!ub_device_spec_param(spec, "serial", d->serial, sizeof d->serial))
		snprintf(d->serial, sizeof d->serial, "FAKE0001");
	if (!d->model[0]) {
		const char *m = json_string_value(json_array_get(json_object_get(json_object_get(d->profile, "match"),
										  "models"), 0));

		snprintf(d->model, sizeof d->model, "%s", m ? m : "fake-board");
	}
	return 0;
}

/* Every region on storage "file", inside the file. */
static int check_map(struct ub_device *d, const char *path, struct ub_err *e)
{
	uint64_t size = ub_fakedev_size(d->dev);
	size_t i;

	for (i = 0; i < d->map->n; i++) {
		const struct ub_region *r = &d->map->v[i];

		if (strcmp(r->storage, "file") != 0)
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "profile: region %s is on storage '%s'; a fake device has only \"file\"",
					  r->name, r->storage);
		if (r->offset > size || r->size > size - r->offset)
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "profile: region %s (0x%llx+0x%llx) does not fit the fake device %s (%llu bytes)",
					  r->name, (unsigned long long)r->offset, (unsigned long long)r->size, path,
					  (unsigned long long)size);
	}
	return 0;
}

static int fake_open(struct ub_device **out, const struct ub_device_spec *spec,
		     const struct ub_flash_map *map, const json_t *profile, struct ub_err *e)
{
	struct ub_fake_faults f;
	struct ub_device *d;
	char trace[1024];
	int rc;

	*out = NULL;
	if (!(d = calloc(1, sizeof *d)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	d->map = map;
	d->profile = profile;
	d->caps = fake_spec_caps(spec);
	d->alg = d->caps & UB_CAP_DIGESTS;
	if ((rc = parse_spec(d, spec, &f, trace, sizeof trace, e)) ||
	    (rc = ub_fakedev_open(&d->dev, spec->address, &f, e)) ||
	    (rc = check_map(d, spec->address, e))) {
		fake_close(d);
		return rc;
	}
	*out = d;
	return 0;
}

static const struct ub_region *firmware_region(const struct ub_device *d)
{
	size_t i;

	for (i = 0; i < d->map->n; i++)
		if (d->map->v[i].flags & UB_REGION_FIRMWARE)
			return &d->map->v[i];
	return NULL;
}

/* The VERSION=x.y.z marker in the first 4 KiB of the firmware region, as
 * the device's own firmware finds it.  Returns 1 when the region's first
 * erase block is erased (nothing to boot). */
static int firmware_marker(const struct ub_device *d, char *out, size_t len, struct ub_err *e)
{
	const struct ub_region *fw = firmware_region(d);
	uint8_t buf[MARKER_AREA];
	size_t n, first, i, k;
	const uint8_t *p;
	int rc;

	out[0] = '\0';
	if (!fw)
		return 0;
	n = fw->size < MARKER_AREA ? (size_t)fw->size : MARKER_AREA;
	if ((rc = ub_fakedev_peek(d->dev, fw->offset, buf, n, e)))
		return rc;
	first = fw->erase_block < n ? (size_t)fw->erase_block : n;
	for (i = 0; i < first && buf[i] == 0xff; i++)
		;
	if (i == first)
		return 1;
	if ((p = memmem(buf, n, "VERSION=", 8))) {
		p += 8;
		for (k = 0; k + 1 < len && p + k < buf + n &&
		     (p[k] == '.' || p[k] == '-' || (p[k] >= '0' && p[k] <= '9') ||
		      (p[k] >= 'a' && p[k] <= 'z') || (p[k] >= 'A' && p[k] <= 'Z')); k++)
			out[k] = (char)p[k];
		out[k] = '\0';
	}
	return 0;
}

static int fake_identify(struct ub_device *d, struct ub_identity *id, struct ub_err *e)
{
	int rc;

	memset(id, 0, sizeof *id);
	if ((rc = ub_fakedev_call(d->dev, UB_FAKE_IDENTIFY, e)))
		return rc;
	snprintf(id->model, sizeof id->model, "%s", d->model);
	snprintf(id->serial, sizeof id->serial, "%s", d->serial);
	if (d->version[0])
		snprintf(id->firmware_version, sizeof id->firmware_version, "%s", d->version);
	else if ((rc = firmware_marker(d, id->firmware_version, sizeof id->firmware_version, e)) < 0)
		return rc;
	snprintf(id->bootloader, sizeof id->bootloader, "fake boot ROM");
	snprintf(id->mode, sizeof id->mode, "recovery");
	snprintf(id->hardware, sizeof id->hardware, "a fake device of %llu KiB in a file (NOR: erase, then program)",
		 (unsigned long long)(ub_fakedev_size(d->dev) / 1024));
	return 0;
}

static int fake_enter_recovery(struct ub_device *d, struct ub_err *e)
{
	return ub_fakedev_call(d->dev, UB_FAKE_ENTER, e);
}

static int fake_link_check(struct ub_device *d, double *rtt_ms, struct ub_err *e)
{
	*rtt_ms = 0;
	return ub_fakedev_call(d->dev, UB_FAKE_LINK, e);
}

/* One transfer the host can trust: confirmed by the device's digest of
 * the same range, else by two reads that agree (up to five reads: noise
 * does not flip the same bit twice). */
#define READS 5

static int checked_read(struct ub_device *d, uint64_t at, uint8_t *buf, size_t n, struct ub_err *e)
{
	uint8_t dev[32], got[32], *v;
	int rc = 0, i, j;

	if (d->alg) {
		for (i = 0; i < 3; i++) {
			if ((rc = ub_fakedev_read(d->dev, at, buf, n, e)) ||
			    (rc = ub_fakedev_digest(d->dev, d->alg, at, n, dev, e)))
				return rc;
			ub_fake_digest_buf(d->alg, buf, n, got);
			if (memcmp(dev, got, ub_fake_digest_len(d->alg)) == 0)
				return 0;
			d->rs.asked_again += n;
		}
		return ub_err_set(e, UB_EFAIL, "read-unstable",
				  "three reads at 0x%llx+0x%zx came back different from the device's own checksum",
				  (unsigned long long)at, n);
	}
	if (!(v = malloc(READS * n)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	for (i = 0; i < READS; i++) {
		if ((rc = ub_fakedev_read(d->dev, at, v + i * n, n, e)))
			break;
		for (j = 0; j < i && memcmp(v + i * n, v + j * n, n) != 0; j++)
			;
		if (j < i) {
			memcpy(buf, v + i * n, n);
			break;
		}
		if (i)
			d->rs.asked_again += n;
	}
	if (!rc && i == READS)
		rc = ub_err_set(e, UB_EFAIL, "read-unstable",
				"%d reads at 0x%llx+0x%zx all differ; nothing read there can be trusted", READS,
				(unsigned long long)at, n);
	free(v);
	return rc;
}

static int fake_read(struct ub_device *d, const struct ub_region *r, uint64_t off, uint64_t len,
		     int (*sink)(void *ctx, const uint8_t *buf, size_t n), void *ctx,
		     struct ub_progress *p, struct ub_err *e)
{
	uint8_t *buf;
	uint64_t done = 0;
	int rc = 0;

	if (!(d->caps & UB_CAP_READ))
		return ub_err_set(e, UB_EFAIL, "failed",
				  "this device cannot be read (read=off): no backup or read-back is possible");
	if (off > r->size || len > r->size - off)
		return ub_err_set(e, UB_EUSAGE, "usage", "read outside region %s", r->name);
	if (!(buf = malloc(TRANSFER)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	snprintf(d->rs.via, sizeof d->rs.via, "file");
	while (!rc && done < len) {
		size_t n = len - done < TRANSFER ? (size_t)(len - done) : TRANSFER;

		if (!(rc = checked_read(d, r->offset + off + done, buf, n, e)))
			rc = sink(ctx, buf, n);
		done += n;
		d->rs.bytes += rc ? 0 : n;
		ub_progress_update(p, done);
	}
	free(buf);
	return rc;
}

static int fake_digest(struct ub_device *d, const struct ub_region *r, uint64_t off, uint64_t len,
		       unsigned alg, uint8_t *out, struct ub_err *e)
{
	if (!d->alg || alg != d->alg)
		return ub_err_set(e, UB_EUSAGE, "usage", "this device has no %s digest",
				  alg == UB_CAP_DIGEST_CRC32 ? "crc32" : alg == UB_CAP_DIGEST_MD5 ? "md5" : "sha256");
	if (off > r->size || len > r->size - off)
		return ub_err_set(e, UB_EUSAGE, "usage", "digest outside region %s", r->name);
	return ub_fakedev_digest(d->dev, alg, r->offset + off, len, out, e);
}

/* The device computes every answer now: the flags and expect change
 * nothing here. */
static int fake_digest_blocks(struct ub_device *d, const struct ub_region *r, uint64_t off,
			      uint64_t len, unsigned n, const uint32_t *expect, uint32_t *out,
			      unsigned flags, struct ub_err *e)
{
	(void)expect;
	(void)flags;
	if (d->alg != UB_CAP_DIGEST_CRC32)
		return ub_err_set(e, UB_EUSAGE, "usage", "this device has no crc32");
	if (off > r->size || (uint64_t)n * len > r->size - off)
		return ub_err_set(e, UB_EUSAGE, "usage", "digest outside region %s", r->name);
	return ub_fakedev_crc_blocks(d->dev, r->offset + off, len, n, out, e);
}

/* After a block's write: 0 when it holds want, 1 when not, or an error.
 * A device that can neither digest nor be read cannot say (0). */
static int block_holds(struct ub_device *d, uint64_t at, const uint8_t *want, size_t n,
		       uint8_t *scratch, struct ub_err *e)
{
	uint8_t dev[32], mine[32];
	int rc;

	if (d->alg) {
		if ((rc = ub_fakedev_digest(d->dev, d->alg, at, n, dev, e)))
			return rc;
		ub_fake_digest_buf(d->alg, want, n, mine);
		return memcmp(dev, mine, ub_fake_digest_len(d->alg)) != 0;
	}
	if (d->caps & UB_CAP_READ) {
		if ((rc = checked_read(d, at, scratch, n, e)))
			return rc;
		return memcmp(scratch, want, n) != 0;
	}
	return 0;
}

static int write_one(struct ub_device *d, uint64_t at, const uint8_t *want, size_t n,
		     uint8_t *scratch, struct ub_err *e)
{
	int attempt, rc = 0;

	for (attempt = 0; attempt < 2; attempt++) {
		if (attempt)
			d->ws.retries++;
		if ((rc = ub_fakedev_write_block(d->dev, at, n, want, e)))
			return rc;
		d->ws.bytes_sent += n;
		if ((rc = block_holds(d, at, want, n, scratch, e)) <= 0)
			return rc;
	}
	return ub_err_set(e, UB_EFAIL, "verify-failed",
			  "the block at 0x%llx does not hold what was written (twice)", (unsigned long long)at);
}

static int fake_write(struct ub_device *d, const struct ub_region *r, uint64_t off,
		      const struct ub_src *src, const struct ub_blockset *todo,
		      struct ub_progress *p, struct ub_err *e)
{
	uint64_t eb = r->erase_block, i, bytes = 0, done = 0;
	struct ub_progress step;
	uint8_t *want = NULL, *scratch = NULL;
	int rc = 0;

	memset(&d->ws, 0, sizeof d->ws);
	snprintf(d->ws.via, sizeof d->ws.via, "file");
	d->ws.blocks_total = (unsigned)todo->count;
	if (todo->block != eb || off % eb || off > r->size || src->size > r->size - off ||
	    todo->count != (src->size + eb - 1) / eb)
		return ub_err_set(e, UB_EUSAGE, "usage", "region %s: the blocks to write do not match the image",
				  r->name);
	for (i = 0; i < todo->count; i++)
		bytes += todo->write[i] ? eb : 0;
	d->ws.blocks_skipped = (unsigned)(todo->count - bytes / eb);
	if (!bytes)
		return 0;
	if (d->needs_loader && !d->loaded)
		return ub_err_set(e, UB_EREFUSED, "loader-needed",
				  "this device takes writes only after its loader stage ran (needs_loader=on); nothing was written");
	/* The last block of an image that ends inside it keeps the rest of
	 * the block as the device holds it, which takes reading it. */
	if (src->size % eb && todo->write[todo->count - 1] && !(d->caps & UB_CAP_READ))
		return ub_err_set(e, UB_EREFUSED, "refused",
				  "the image ends inside an erase block of region %s and this device cannot be read to keep the rest of that block; nothing was written",
				  r->name);
	want = malloc((size_t)eb);
	scratch = malloc((size_t)eb);
	if (!want || !scratch) {
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		goto out;
	}
	ub_progress_begin(&step, p, "write", 1, bytes);
	for (i = 0; !rc && i < todo->count; i++) {
		uint64_t at = r->offset + off + i * eb;
		size_t n = src->size - i * eb < eb ? (size_t)(src->size - i * eb) : (size_t)eb;

		if (!todo->write[i])
			continue;
		if (n < eb && (rc = checked_read(d, at + n, want + n, (size_t)eb - n, e)))
			break;
		if ((rc = ub_src_read(src, i * eb, want, n, e)) ||
		    (rc = write_one(d, at, want, (size_t)eb, scratch, e)))
			break;
		d->ws.blocks_written++;
		done += eb;
		ub_progress_update(&step, done);
	}
	ub_progress_end(&step, rc);
out:
	free(want);
	free(scratch);
	return rc;
}

/* The loader is checked against the sha256 the spec names before it
 * runs; a wrong one leaves the device as it was. */
static int fake_load_stage(struct ub_device *d, const struct ub_loader *l, struct ub_progress *p,
			   struct ub_err *e)
{
	struct ub_digests dg;
	char want[65], got[65];
	int rc;

	if ((rc = ub_fakedev_call(d->dev, UB_FAKE_LOAD, e)))
		return rc;
	if (!d->has_loader_sha)
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "this device names no loader (loader_sha256= in the spec); nothing was loaded");
	if ((rc = ub_digest_src(l->src, UB_SHA256, &dg, p, e)))
		return rc;
	ub_hex(dg.md[ub_digest_index(UB_SHA256)], 32, got);
	ub_hex(d->loader_sha, 32, want);
	if (strcmp(got, want) != 0)
		return ub_err_set(e, UB_EFAIL, "checksum-mismatch",
				  "the device refused the loader %s: sha256 %s, it takes %s; nothing was loaded",
				  l->src->label, got, want);
	d->loaded = 1;
	return 0;
}

static int fake_reboot(struct ub_device *d, struct ub_err *e)
{
	int rc;

	if (!(d->caps & UB_CAP_BOOT_CHECK))
		return ub_err_set(e, UB_EUSAGE, "usage", "this device cannot be reset from here (boot=off)");
	if ((rc = ub_fakedev_call(d->dev, UB_FAKE_REBOOT, e)))
		return rc;
	d->loaded = 0;   /* a loader lives in RAM */
	return 0;
}

static int fake_boot_check(struct ub_device *d, const char *expect, struct ub_boot_report *out,
			   struct ub_err *e)
{
	char log[256];
	int rc;

	memset(out, 0, sizeof *out);
	if (!(d->caps & UB_CAP_BOOT_CHECK))
		return ub_err_set(e, UB_EUSAGE, "usage", "this device cannot be watched booting (boot=off)");
	if ((rc = ub_fakedev_call(d->dev, UB_FAKE_BOOT, e)) ||
	    (rc = firmware_marker(d, out->version, sizeof out->version, e)) < 0)
		return rc;
	if (rc == 1)
		snprintf(log, sizeof log, "fake boot ROM\nno firmware: the first block of the firmware region is erased\n");
	else
		snprintf(log, sizeof log, "fake boot ROM\nstarting firmware\n%s firmware %s booted\n", d->model,
			 out->version[0] ? out->version : "(no VERSION= marker)");
	out->log = strdup(log);
	out->log_len = out->log ? strlen(log) : 0;
	if (rc == 1)
		return ub_err_set(e, UB_EFAIL, "boot-failed",
				  "the device found no firmware to boot (the firmware region's first block is erased)");
	out->booted = 1;
	if (expect && *expect && strcmp(expect, out->version) != 0)
		return ub_err_set(e, UB_EFAIL, "boot-wrong-version", "the device booted version %s, not %s",
				  out->version[0] ? out->version : "(none)", expect);
	return 0;
}

static void fake_set_log(struct ub_device *d, int fd)
{
	ub_fakedev_set_log(d->dev, fd);
}

static void fake_write_stats(const struct ub_device *d, struct ub_write_stats *out)
{
	*out = d->ws;
}

static void fake_read_stats(const struct ub_device *d, struct ub_read_stats *out)
{
	*out = d->rs;
}

static const struct ub_transport_def transports[] = {
	{ "file", "PATH", "a file that is the device's flash (its size is the device's)" },
	{ NULL, NULL, NULL },
};

static const struct ub_param_def params[] = {
	{ "model", "text", 0, 0, "the profile's first model", "the model identify reports", NULL, 0 },
	{ "serial", "text", 0, 0, "FAKE0001", "the serial number identify reports", NULL, 0 },
	{ "version", "text", 0, 0, "the firmware region's VERSION= marker",
	  "the firmware version identify reports", NULL, 0 },
	{ "digest", "crc32|md5|sha256|none", 0, 0, "crc32", "the digest the device computes of a range", NULL, 0 },
	{ "read", "on|off", 0, 0, "on", "whether the device can be read back at all", NULL, 0 },
	{ "boot", "on|off", 0, 0, "on", "whether the device can be reset and watched booting", NULL, 0 },
	{ "flaky_read", "int", 1, 1000000000, NULL, "every Nth read transfer comes back with a bit flipped", NULL, 0 },
	{ "stuck", "text", 0, 0, NULL, "writes to the erase block holding this byte offset do not stick", NULL, 0 },
	{ "drop_at", "int", 1, 1000000000, NULL, "the link drops at the Nth exchange: the device stops answering", NULL, 0 },
	{ "kill_at", "text", 0, 0, NULL,
	  "OP:N: the process kills itself (SIGKILL) at the Nth exchange of OP (read, write, erase, digest, identify, boot, ...)", NULL, 0 },
	{ "trace", "path", 0, 0, NULL, "append each exchange to this file (\"CALL OP N\")", NULL, 0 },
	{ "needs_loader", "on|off", 0, 0, "off", "writes are refused until the loader stage ran", NULL, 0 },
	{ "loader_sha256", "text", 0, 0, NULL, "the sha256 of the only loader the device takes", NULL, 0 },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL, 0 },
};

static const char *const paths[] = { "console", NULL };

static const struct ub_diag_rule rules[] = {
	{ "fake-no-firmware", "fake", "(no firmware: the first block of the firmware region is erased)", 0, "console",
	  "the device's boot ROM found the firmware region erased: a write was cut between an erase and its program",
	  "Write the firmware again (unbrick recover IMAGE, or --resume the case): the boot ROM still answers.", 0 },
	{ NULL, NULL, NULL, 0, NULL, NULL, NULL, 0 },
};

static const char *const banners[] = { "^fake boot ROM$", NULL };

const struct ub_family ub_family_fake = {
	.name = "fake",
	.what = "a device whose flash is a file, with faults on request, for tests and demonstrations (fake:file:PATH[,params])",
	.reach = "opening the device's file",
	.caps = UB_CAP_READ | UB_CAP_DIGEST_CRC32 | UB_CAP_ERASE_BLOCK | UB_CAP_RESUME | UB_CAP_BOOT_CHECK,
	.spec_caps = fake_spec_caps,
	.transports = transports,
	.params = params,
	.paths = paths,
	.rules = rules,
	.banners = banners,
	.read_bps = 50e6,
	.write_bps = 20e6,
	.open = fake_open,
	.identify = fake_identify,
	.enter_recovery = fake_enter_recovery,
	.load_stage = fake_load_stage,
	.read = fake_read,
	.digest = fake_digest,
	.digest_blocks = fake_digest_blocks,
	.write = fake_write,
	.reboot = fake_reboot,
	.boot_check = fake_boot_check,
	.link_check = fake_link_check,
	.set_log = fake_set_log,
	.write_stats = fake_write_stats,
	.read_stats = fake_read_stats,
	.close = fake_close,
};
