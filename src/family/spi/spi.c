/* Recovering a board whose bootloader is gone: a clip on its SPI flash chip
 * and a programmer (CH341A, FT2232H, a Raspberry Pi's spidev, serprog, or
 * flashrom's dummy chip), through libflashrom.  The manual:
 *
 * Reach it: the board's own power off, the clip on the chip; the programmer
 * powers the chip and flashrom names it.  A chip that several definitions
 * match must be named with chip=NAME.
 * Identify it: the chip (vendor, name, size) and what is on it: a U-Boot,
 * an FMAP (coreboot's own layout, which must agree with the profile), a
 * version string where the profile says one lives.  This is the first read
 * of the chip.
 * Read a region: the second read must agree with the first; where it does
 * not, a third read decides each 4 KiB page by majority, and the flaky
 * ranges are named (a loose clip, long wires, a board drawing power).
 * Write a region: the agreed contents are flashrom's reference, so nothing
 * is read again; only erase blocks that differ are erased and written, then
 * read back.  A block that does not read back right is written once more,
 * then reported.  The chip's write protection is checked first.
 * Reboot: not ours to do; the user removes the clip and powers the board. */
#include "family/spi/spi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/interrupt.h"
#include "base/say.h"
#include "family/spi/flashrom.h"

#define PAGE 4096u
#define CHUNK (1u << 20)   /* unit of reading, progress and write batches */
#define BOOT_AREA (1u << 20)
#define SPOT_CHECKS 8      /* blocks of a trusted backup compared with the chip */

enum page_state {
	UNKNOWN = 0,
	READ_ONCE,   /* one read: not yet confirmed */
	AGREED,      /* two reads agree, or written and read back */
};

struct ub_device {
	struct ub_chip *chip;
	const struct ub_flash_map *map;
	const json_t *profile;
	uint64_t size;
	uint8_t *have;     /* the chip's contents as far as known (see state) */
	uint8_t *want;     /* the contents a write is making */
	uint8_t *again;    /* CHUNK bytes: second and third reads */
	uint8_t *third;    /* CHUNK bytes */
	uint8_t *state;    /* per PAGE */
	uint64_t win_off, win_len;   /* digest window cached in again */
	struct ub_write_stats stats;
};

static void spi_close(struct ub_device *d)
{
	if (!d)
		return;
	ub_chip_close(d->chip);
	free(d->have);
	free(d->want);
	free(d->again);
	free(d->third);
	free(d->state);
	free(d);
}

/* The spec's parameters go to the programmer, except chip=, which is ours
 * (flashrom's -c). */
static void split_params(const char *params, char *prog, size_t plen,
			 char *chip, size_t clen)
{
	const char *p = params;

	prog[0] = chip[0] = '\0';
	while (*p) {
		size_t n = strcspn(p, ",");

		if (strncmp(p, "chip=", 5) == 0)
			snprintf(chip, clen, "%.*s", (int)(n - 5), p + 5);
		else
			snprintf(prog + strlen(prog), plen - strlen(prog), "%s%.*s",
				 prog[0] ? "," : "", (int)n, p);
		p += n;
		if (*p == ',')
			p++;
	}
}

/* The profile's regions must lie on this chip; a profile naming a chip
 * size refuses a chip of another size (a different board, or a chip a
 * repair shop swapped). */
static int check_map(struct ub_device *d, struct ub_err *e)
{
	const json_t *want = json_object_get(json_object_get(d->profile, "chip"), "size");
	uint64_t size = 0;
	size_t i;

	if (json_is_string(want) && ub_parse_size(json_string_value(want), &size) != 0)
		return ub_err_set(e, UB_EFORMAT, "profile-invalid", "profile: chip.size must be a size like \"16M\"");
	if (json_is_integer(want))
		size = (uint64_t)json_integer_value(want);
	if (size && size != d->size)
		return ub_err_set(e, UB_EREFUSED, "spi-chip-size",
				  "the profile is for a %llu KiB chip; the programmer found %s %s of %llu KiB",
				  (unsigned long long)(size / 1024), ub_chip_info(d->chip)->vendor,
				  ub_chip_info(d->chip)->name, (unsigned long long)(d->size / 1024));
	for (i = 0; i < d->map->n; i++) {
		const struct ub_region *r = &d->map->v[i];

		if (strcmp(r->storage, "chip") != 0)
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "profile: region %s is on storage '%s'; a SPI chip profile has only \"chip\" regions",
					  r->name, r->storage);
		if (r->offset % PAGE || r->size % PAGE || r->erase_block % PAGE)
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "profile: region %s must start, end and erase on 4 KiB boundaries",
					  r->name);
		if (r->offset > d->size || r->size > d->size - r->offset)
			return ub_err_set(e, UB_EREFUSED, "spi-chip-size",
					  "region %s (0x%llx+0x%llx) does not fit the %llu KiB chip found; wrong profile or wrong chip",
					  r->name, (unsigned long long)r->offset, (unsigned long long)r->size,
					  (unsigned long long)(d->size / 1024));
	}
	return 0;
}

static int spi_open(struct ub_device **out, const struct ub_device_spec *spec,
		    const struct ub_flash_map *map, const json_t *profile,
		    struct ub_err *e)
{
	struct ub_device *d;
	char prog[1024], chip[128];
	int rc;

	*out = NULL;
	if (strcmp(spec->transport, "flashrom") != 0)
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "SPI chips are reached through flashrom: spi:flashrom:PROGRAMMER[,params], e.g. spi:flashrom:ch341a_spi (not '%s')",
				  spec->transport);
	if (!(d = calloc(1, sizeof *d)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	d->map = map;
	d->profile = profile;
	split_params(spec->params, prog, sizeof prog, chip, sizeof chip);
	if ((rc = ub_chip_open(&d->chip, spec->address, prog, chip, e)))
		goto fail;
	d->size = ub_chip_info(d->chip)->size;
	if ((rc = check_map(d, e)))
		goto fail;
	d->have = malloc(d->size);
	d->want = malloc(d->size);
	d->again = malloc(CHUNK);
	d->third = malloc(CHUNK);
	d->state = calloc(d->size / PAGE + 1, 1);
	if (!d->have || !d->want || !d->again || !d->third || !d->state) {
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		goto fail;
	}
	*out = d;
	return 0;
fail:
	spi_close(d);
	return rc;
}

static int spi_enter_recovery(struct ub_device *d, struct ub_err *e)
{
	(void)d;
	(void)e;
	return 0;   /* the chip answered when it was opened */
}

/* Reads [off, off+len) into have and marks it read once. */
static int first_read(struct ub_device *d, uint64_t off, uint64_t len, struct ub_err *e)
{
	int rc = ub_chip_read(d->chip, off, len, d->have + off, e);

	if (!rc)
		memset(d->state + off / PAGE, READ_ONCE, (size_t)((len + PAGE - 1) / PAGE));
	d->win_len = 0;
	return rc;
}

/* Reads the pages of [from, to) not read yet, in runs of up to a CHUNK. */
static int ensure_read(struct ub_device *d, uint64_t from, uint64_t to, struct ub_err *e)
{
	uint64_t b = from, run;
	int rc = 0;

	while (!rc && b < to) {
		if (d->state[b / PAGE] != UNKNOWN) {
			b += PAGE;
			continue;
		}
		for (run = b + PAGE; run < to && run - b < CHUNK && d->state[run / PAGE] == UNKNOWN; run += PAGE)
			;
		rc = first_read(d, b, run - b, e);
		b = run;
	}
	return rc;
}

/* A printable run starting at p, at most max bytes, into out. */
static void printable(const uint8_t *p, size_t room, char *out, size_t max)
{
	size_t n = 0;

	while (n < room && n + 1 < max && p[n] >= 0x20 && p[n] < 0x7f)
		n++;
	memcpy(out, p, n);
	out[n] = '\0';
}

/* An Intel flash descriptor starts with its signature at 0x10: then the
 * chip also holds the ME and the BIOS region of an x86 board. */
static int has_ifd(const struct ub_device *d)
{
	static const uint8_t sig[4] = { 0x5a, 0xa5, 0xf0, 0x0f };

	return d->size >= 0x14 && memcmp(d->have + 0x10, sig, 4) == 0;
}

static void find_bootloader(const struct ub_device *d, struct ub_identity *id)
{
	static const char tag[] = "U-Boot 20";
	uint64_t n = d->size < BOOT_AREA ? d->size : BOOT_AREA;
	const uint8_t *p = memmem(d->have, (size_t)n, tag, sizeof tag - 1);
	char *paren;

	if (!p)
		return;
	printable(p, (size_t)(d->have + n - p), id->bootloader, sizeof id->bootloader);
	if ((paren = strstr(id->bootloader, " (")))
		*paren = '\0';
}

/* A profile whose layout is the chip's FMAP must agree with it on every
 * region: a profile for another build of the firmware would write at the
 * wrong places. */
static int check_fmap(struct ub_device *d, struct ub_identity *id, struct ub_err *e)
{
	const char *layout = json_string_value(json_object_get(d->profile, "layout"));
	uint64_t off = 0, len = 0;
	size_t i;

	if (!layout || strcmp(layout, "fmap") != 0)
		return 0;
	for (i = 0; i < d->map->n; i++) {
		const struct ub_region *r = &d->map->v[i];
		int rc = ub_chip_fmap_area(d->chip, r->name, &off, &len);

		if (rc == 2)
			return ub_err_set(e, UB_EREFUSED, "spi-layout-mismatch",
					  "the profile expects an FMAP on the chip, and there is none");
		if (rc == 1)
			return ub_err_set(e, UB_EREFUSED, "spi-layout-mismatch",
					  "the chip's FMAP has no area %s", r->name);
		if (off != r->offset || len != r->size)
			return ub_err_set(e, UB_EREFUSED, "spi-layout-mismatch",
					  "the chip's FMAP puts %s at 0x%llx+0x%llx, the profile at 0x%llx+0x%llx",
					  r->name, (unsigned long long)off, (unsigned long long)len,
					  (unsigned long long)r->offset, (unsigned long long)r->size);
	}
	if (!id->bootloader[0])
		snprintf(id->bootloader, sizeof id->bootloader, "FMAP layout, %zu areas checked", d->map->n);
	return 0;
}

static int spi_identify(struct ub_device *d, struct ub_identity *id, struct ub_err *e)
{
	const struct ub_chip_info *ci = ub_chip_info(d->chip);
	const json_t *at = json_object_get(json_object_get(d->profile, "identity"), "version_at");
	uint64_t off;
	int rc;

	memset(id, 0, sizeof *id);
	/* Boot code sits at the start of the chip on the SoCs that boot from
	 * SPI; reading only that keeps the full read for the backup. */
	if ((rc = ensure_read(d, 0, d->size < BOOT_AREA ? d->size : BOOT_AREA, e)))
		return rc;
	snprintf(id->mode, sizeof id->mode, "chip on %.20s", ci->programmer);
	find_bootloader(d, id);
	if (!id->bootloader[0] && has_ifd(d))
		snprintf(id->bootloader, sizeof id->bootloader, "Intel flash descriptor (x86 board)");
	if ((rc = check_fmap(d, id, e)))
		return rc;
	if (json_is_string(at) && ub_parse_size(json_string_value(at), &off) == 0 && off < d->size) {
		uint64_t n = d->size - off < 64 ? d->size - off : 64;

		if (!(rc = ensure_read(d, off / PAGE * PAGE, (off + n + PAGE - 1) / PAGE * PAGE, e)))
			printable(d->have + off, (size_t)n, id->firmware_version, sizeof id->firmware_version);
		if (rc)
			return rc;
	}
	/* A chip has no model or serial number; the chip itself is named. */
	snprintf(id->hardware, sizeof id->hardware, "%.20s %.56s, %llu KiB", ci->vendor, ci->name,
		 (unsigned long long)(d->size / 1024));
	return 0;
}

struct flaky {
	char text[256];
	unsigned ranges;
};

static void note_flaky(struct flaky *f, uint64_t off)
{
	size_t n = strlen(f->text);

	if (f->ranges++ < 6 && n + 24 < sizeof f->text)
		snprintf(f->text + n, sizeof f->text - n, "%s0x%llx", n ? ", " : "",
			 (unsigned long long)off);
}

/* Makes [off, off+len) (inside one CHUNK) agreed: a second read against
 * the first, a third by majority where they differ. */
static int agree(struct ub_device *d, uint64_t off, uint64_t len, struct flaky *f,
		 struct ub_err *e)
{
	uint64_t p;
	int rc, third_done = 0;

	if ((rc = ub_chip_read(d->chip, off, len, d->again, e)))
		return rc;
	for (p = 0; p < len; p += PAGE) {
		uint8_t *a = d->have + off + p, *b = d->again + p, *c = d->third + p;
		size_t n = len - p < PAGE ? (size_t)(len - p) : PAGE;

		if (d->state[(off + p) / PAGE] == UNKNOWN)
			memcpy(a, b, n);   /* never read before: this read is the first */
		else if (memcmp(a, b, n) != 0) {
			if (!third_done && (rc = ub_chip_read(d->chip, off, len, d->third, e)))
				return rc;
			third_done = 1;
			note_flaky(f, off + p);
			if (memcmp(b, c, n) == 0)
				memcpy(a, b, n);
			else if (memcmp(a, c, n) != 0)
				return ub_err_set(e, UB_EFAIL, "spi-read-unstable",
						  "three reads of the chip disagree at 0x%llx; nothing can be trusted there",
						  (unsigned long long)(off + p));
		}
	}
	return 0;
}

static int spi_read(struct ub_device *d, const struct ub_region *r,
		    uint64_t off, uint64_t len,
		    int (*sink)(void *ctx, const uint8_t *buf, size_t n),
		    void *ctx, struct ub_progress *prog, struct ub_err *e)
{
	struct flaky f = { "", 0 };
	uint64_t at = r->offset + off, done = 0;
	int rc = 0;

	if (off > r->size || len > r->size - off)
		return ub_err_set(e, UB_EUSAGE, "usage", "read outside region %s", r->name);
	d->win_len = 0;
	while (!rc && done < len) {
		uint64_t n = len - done < CHUNK ? len - done : CHUNK;
		uint64_t p0 = (at + done) / PAGE, np = (n + PAGE - 1) / PAGE, i;
		int need_second = 0, need_first = 0;

		for (i = 0; i < np; i++) {
			need_first |= d->state[p0 + i] == UNKNOWN;
			need_second |= d->state[p0 + i] != AGREED;
		}
		if (need_first)
			rc = first_read(d, at + done, n, e);
		if (!rc && need_second)
			rc = agree(d, at + done, n, &f, e);
		if (!rc) {
			memset(d->state + p0, AGREED, (size_t)np);
			rc = sink(ctx, d->have + at + done, (size_t)n);
		}
		done += n;
		ub_progress_update(prog, done);
		if (!rc && done < len)
			rc = ub_safe_point(r->name, e);   /* reading is always safe to stop */
	}
	if (rc == UB_EFAIL && e->advice_id && strcmp(e->advice_id, "spi-read-unstable") == 0 && f.ranges)
		ub_err_prefix(e, f.text);
	else if (!rc && f.ranges)
		ub_say("unbrick: warning: region %s: %u page%s read differently once (at %s%s); the majority of three reads was kept. Check the clip and wiring.\n",
			r->name, f.ranges, f.ranges == 1 ? "" : "s", f.text, f.ranges > 6 ? ", ..." : "");
	return rc;
}

/* crc32 of a range as read from the chip now (not from memory): this is
 * verification.  Reads a CHUNK-sized window so block-by-block callers do
 * not pay a chip access each. */
static int spi_digest(struct ub_device *d, const struct ub_region *r,
		      uint64_t off, uint64_t len, unsigned alg, uint8_t *out,
		      struct ub_err *e)
{
	uint64_t at = r->offset + off;
	uint32_t crc;
	int rc;

	if (alg != UB_CAP_DIGEST_CRC32 || len > CHUNK || off > r->size || len > r->size - off)
		return ub_err_set(e, UB_EUSAGE, "usage", "digest: unsupported request");
	if (!(d->win_len && at >= d->win_off && at + len <= d->win_off + d->win_len)) {
		uint64_t end = r->offset + r->size;

		d->win_off = at;
		d->win_len = end - at < CHUNK ? end - at : CHUNK;
		if ((rc = ub_chip_read(d->chip, d->win_off, d->win_len, d->again, e))) {
			d->win_len = 0;
			return rc;
		}
	}
	crc = (uint32_t)crc32(0L, d->again + (at - d->win_off), (uInt)len);
	out[0] = (uint8_t)(crc >> 24);
	out[1] = (uint8_t)(crc >> 16);
	out[2] = (uint8_t)(crc >> 8);
	out[3] = (uint8_t)crc;
	return 0;
}

/* A backup the user vouches for (--trust-backup) stands in for reading the
 * region, after a spot check of a few blocks against the chip.  The check
 * cannot prove the backup current; blocks equal in backup and image are
 * not written and never read. */
static int spi_set_reference(struct ub_device *d, const struct ub_region *r,
			     const struct ub_src *src, struct ub_err *e)
{
	uint64_t eb = r->erase_block ? r->erase_block : PAGE, nblocks = r->size / eb, at;
	unsigned i;
	int rc;

	if (src->size != r->size)
		return 0;
	if ((rc = ub_src_read(src, 0, d->want + r->offset, (size_t)r->size, e)))
		return rc;
	for (i = 0; i < SPOT_CHECKS; i++) {
		at = r->offset + (nblocks - 1) * i / (SPOT_CHECKS - 1) * eb;
		if ((rc = ub_chip_read(d->chip, at, eb, d->again, e)))
			return rc;
		if (memcmp(d->again, d->want + at, (size_t)eb) != 0) {
			ub_say("unbrick: warning: the backup of region %s does not match the chip at 0x%llx; the chip is read instead\n",
				r->name, (unsigned long long)at);
			return 0;
		}
	}
	memcpy(d->have + r->offset, d->want + r->offset, (size_t)r->size);
	memset(d->state + r->offset / PAGE, AGREED, (size_t)(r->size / PAGE));
	return 0;
}

/* Reads back the ranges just written.  Returns 0 when all match want;
 * otherwise 1 with the first wrong page in *bad_at, or a negative code. */
static int read_back(struct ub_device *d, const struct ub_chip_range *v, size_t n,
		     uint64_t *bad_at, struct ub_err *e)
{
	size_t i;
	uint64_t p;
	int rc;

	for (i = 0; i < n; i++) {
		if ((rc = ub_chip_read(d->chip, v[i].off, v[i].len, d->again, e)))
			return rc;
		for (p = 0; p < v[i].len; p += PAGE)
			if (memcmp(d->again + p, d->want + v[i].off + p, PAGE) != 0) {
				*bad_at = v[i].off + p;
				/* what is there now is the reference for the retry */
				memcpy(d->have + v[i].off, d->again, (size_t)v[i].len);
				return 1;
			}
	}
	return 0;
}

/* Writes one batch of ranges, reads it back, retries once. */
static int write_batch(struct ub_device *d, const struct ub_chip_range *v, size_t n,
		       struct ub_err *e)
{
	uint64_t bad_at = 0;
	size_t i;
	int rc = 0, attempt;

	for (attempt = 0; attempt < 2; attempt++) {
		if (attempt)
			d->stats.retries++;
		if ((rc = ub_chip_write(d->chip, v, n, d->want, d->have, e)) ||
		    (rc = read_back(d, v, n, &bad_at, e)) < 0)
			break;
		if (rc == 0) {
			for (i = 0; i < n; i++) {
				memcpy(d->have + v[i].off, d->want + v[i].off, (size_t)v[i].len);
				memset(d->state + v[i].off / PAGE, AGREED, (size_t)(v[i].len / PAGE));
			}
			return 0;
		}
	}
	if (rc == 1)
		rc = ub_err_set(e, UB_EFAIL, "verify-failed",
				"the chip does not read back what was written at 0x%llx (twice)",
				(unsigned long long)bad_at);
	/* what the chip holds in this batch is unknown now */
	for (i = 0; i < n; i++)
		memset(d->state + v[i].off / PAGE, UNKNOWN, (size_t)(v[i].len / PAGE));
	return rc;
}

/* The chip's contents over [first, end) known from two reads that agree
 * (what a backup leaves), read and compared now where they are not. */
static int agreed(struct ub_device *d, uint64_t first, uint64_t end, struct ub_err *e)
{
	struct flaky f = { "", 0 };
	uint64_t b;
	int rc;

	if ((rc = ensure_read(d, first, end, e)))
		return rc;
	for (b = first; !rc && b < end; b += CHUNK) {
		uint64_t n = end - b < CHUNK ? end - b : CHUNK, i;
		int once = 0;

		for (i = 0; i < n / PAGE; i++)
			once |= d->state[b / PAGE + i] != AGREED;
		if (once && !(rc = agree(d, b, n, &f, e)))
			memset(d->state + b / PAGE, AGREED, (size_t)(n / PAGE));
	}
	return rc;
}

/* Blocks left alone are trusted to be right, so deciding what to skip
 * compares with two reads that agree, as for a backup; a verify
 * (UB_DIGEST_FRESH) reads the chip now. */
static int spi_digest_blocks(struct ub_device *d, const struct ub_region *r, uint64_t off,
			     uint64_t len, unsigned n, const uint32_t *expect, uint32_t *out,
			     unsigned flags, struct ub_err *e)
{
	uint64_t at = r->offset + off, first = at / PAGE * PAGE;
	uint64_t end = (at + n * len + PAGE - 1) / PAGE * PAGE;
	unsigned i;
	int rc;

	(void)expect;
	if (off > r->size || n * len > r->size - off)
		return ub_err_set(e, UB_EUSAGE, "usage", "digest: outside region %s", r->name);
	if (flags & UB_DIGEST_FRESH) {
		for (i = 0, rc = 0; !rc && i < n; i++) {
			uint8_t got[4];

			if (!(rc = spi_digest(d, r, off + i * len, len, UB_CAP_DIGEST_CRC32, got, e)))
				out[i] = (uint32_t)got[0] << 24 | (uint32_t)got[1] << 16 |
					 (uint32_t)got[2] << 8 | got[3];
		}
		return rc;
	}
	if ((rc = agreed(d, first, end, e)))
		return rc;
	for (i = 0; i < n; i++)
		out[i] = (uint32_t)crc32(0L, d->have + at + i * len, (uInt)len);
	return 0;
}

static int spi_write(struct ub_device *d, const struct ub_region *r, uint64_t off,
		     const struct ub_src *src, const struct ub_blockset *todo,
		     struct ub_progress *prog, struct ub_err *e)
{
	uint64_t at = r->offset + off, eb = r->erase_block ? r->erase_block : PAGE;
	uint64_t first, end, b, done = 0, wp_off, wp_len, bytes = 0, i;
	struct ub_chip_range batch[64];
	struct ub_progress step;
	size_t nb = 0;
	uint64_t batch_bytes = 0;
	int rc = 0;

	memset(&d->stats, 0, sizeof d->stats);
	snprintf(d->stats.via, sizeof d->stats.via, "flashrom");
	d->win_len = 0;
	if (off % eb || at % eb || off > r->size || src->size > r->size - off)
		return ub_err_set(e, UB_EREFUSED, "image-too-big", "the image does not fit region %s", r->name);
	if (todo->block != eb || todo->count != (src->size + eb - 1) / eb)
		return ub_err_set(e, UB_EUSAGE, NULL, "region %s: the blocks to write do not match the image",
				  r->name);
	first = at;
	end = at + todo->count * eb;
	/* the reference for flashrom and for the blocks left alone: what
	 * the chip holds, from two reads that agree */
	if ((rc = agreed(d, first, end, e)))
		return rc;
	memcpy(d->want + first, d->have + first, (size_t)(end - first));
	for (b = 0; !rc && b < src->size; b += CHUNK)
		rc = ub_src_read(src, b, d->want + at + b,
				 (size_t)(src->size - b < CHUNK ? src->size - b : CHUNK), e);
	if (rc)
		return rc;
	for (i = 0; i < todo->count; i++)
		bytes += todo->write[i] ? eb : 0;
	d->stats.blocks_total = (unsigned)todo->count;
	d->stats.blocks_written = (unsigned)(bytes / eb);
	d->stats.blocks_skipped = d->stats.blocks_total - d->stats.blocks_written;
	if (!bytes)
		return 0;
	if (ub_chip_protected(d->chip, first, end - first, &wp_off, &wp_len))
		return ub_err_set(e, UB_EREFUSED, "spi-write-protected",
				  "the chip's write protection covers 0x%llx+0x%llx, inside what must be written",
				  (unsigned long long)wp_off, (unsigned long long)wp_len);
	ub_progress_begin(&step, prog, "write", 1, bytes);
	for (i = 0; !rc && i <= todo->count; i++) {
		b = first + i * eb;
		if (i < todo->count && todo->write[i]) {
			if (nb && batch[nb - 1].off + batch[nb - 1].len == b)
				batch[nb - 1].len += eb;
			else
				batch[nb++] = (struct ub_chip_range){ b, eb };
			batch_bytes += eb;
		}
		if (nb && (i == todo->count || batch_bytes >= CHUNK || nb == sizeof batch / sizeof batch[0])) {
			/* between batches: each one before was written and read back */
			if (done && (rc = ub_safe_point(r->name, e)))
				break;
			rc = write_batch(d, batch, nb, e);
			done += batch_bytes;
			d->stats.bytes_sent += batch_bytes;
			ub_progress_update(&step, done);
			nb = 0;
			batch_bytes = 0;
		}
	}
	ub_progress_end(&step, rc);
	return rc;
}

static void spi_write_stats(const struct ub_device *d, struct ub_write_stats *out)
{
	*out = d->stats;
}

static const struct ub_transport_def transports[] = {
	{ "flashrom", "PROGRAMMER", "a programmer libflashrom drives: ch341a_spi, ft2232_spi, linux_spi, serprog, dummy, ..." },
	{ NULL, NULL, NULL },
};

static const struct ub_param_def params[] = {
	{ "chip", "text", 0, 0, NULL, "the chip's name when several definitions match (as flashrom lists them)", NULL, 0 },
	{ NULL, NULL, 0, 0, NULL, NULL, NULL, 0 },
};

static const char *const paths[] = { "programmer", NULL };

const struct ub_family ub_family_spi = {
	.name = "spi",
	.transports = transports,
	.params = params,
	.passthrough = "the programmer's own parameters (flashrom(8): dev=, spispeed=, emulate=, image=, ...)",
	.paths = paths,
	.what = "SPI flash chips on a programmer clip, through libflashrom (spi:flashrom:PROGRAMMER[,params])",
	.reach = "reading the chip through the programmer (the board's own power must be off)",
	.caps = UB_CAP_READ | UB_CAP_DIGEST_CRC32 | UB_CAP_ERASE_BLOCK | UB_CAP_VERIFIED_WRITE,
	/* a CH341A-class programmer: about 1 MB/s reading (a backup reads
	 * twice), erase and program much slower */
	.read_bps = 0.5e6,
	.write_bps = 150e3,
	.list = ub_spi_list,
	.open = spi_open,
	.identify = spi_identify,
	.enter_recovery = spi_enter_recovery,
	.read = spi_read,
	.digest = spi_digest,
	.digest_blocks = spi_digest_blocks,
	.write = spi_write,
	.set_reference = spi_set_reference,
	.write_stats = spi_write_stats,
	.close = spi_close,
};
