/* Writing a region: the region is a partition, flashed by its name from
 * its start.  An image that fits the device's max-download-size goes in
 * one download (raw, padded with zeros to whole 512-byte sectors, which
 * the bootloader writes whole anyway; or sparse, as it is); a larger one
 * goes as sparse pieces (image/sparse_split.c), each downloaded and
 * flashed in turn, as `fastboot -S` does.  Nothing can be read back: the
 * workflow says "written, not verified". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/say.h"
#include "family/fastboot/fastboot.h"
#include "image/sparse_split.h"

#define SECTOR 512u

struct feed {
	const struct ub_src *src;
	struct ub_resparse *rs;
	unsigned piece;
};

/* The image, then zeros up to the padded length. */
static int fill_raw(void *ctx, uint64_t off, uint8_t *buf, size_t n, struct ub_err *e)
{
	const struct feed *f = ctx;
	size_t have = off >= f->src->size ? 0 : f->src->size - off < n ? (size_t)(f->src->size - off) : n;
	int rc;

	if (have && (rc = ub_src_read(f->src, off, buf, have, e)))
		return rc;
	memset(buf + have, 0, n - have);
	return 0;
}

static int fill_piece(void *ctx, uint64_t off, uint8_t *buf, size_t n, struct ub_err *e)
{
	const struct feed *f = ctx;

	return ub_resparse_read(f->rs, f->piece, off, buf, n, e);
}

static int flash(struct ub_device *d, const char *part, struct ub_err *e)
{
	return ub_fb_do(&d->fb, "flash", part, d->timeout_ms, e);
}

/* One download and its flash, as a step of its own in the progress. */
static int send_and_flash(struct ub_device *d, const struct ub_region *r, uint64_t size, ub_fb_fill fill,
			  struct feed *f, const char *what, struct ub_progress *p, struct ub_err *e)
{
	struct ub_progress step;
	double t0 = ub_now();
	int rc;

	ub_progress_begin(&step, p, what, (double)size, size);
	rc = ub_fb_download(&d->fb, size, fill, f, &step, d->timeout_ms, e);
	if (!rc) {
		ub_fbdev_log(d, "fastboot: %s: %llu bytes downloaded in %.2f s\n", what, (unsigned long long)size,
			     ub_now() - t0);
		rc = flash(d, r->name, e);
	}
	ub_progress_end(&step, rc);
	if (!rc)
		ub_fbdev_log(d, "fastboot: %s: flashed into %s\n", what, r->name);
	return rc;
}

static int region_index(const struct ub_device *d, const struct ub_region *r)
{
	size_t i;

	for (i = 0; i < d->map->n; i++)
		if (strcmp(d->map->v[i].name, r->name) == 0)
			return (int)i;
	return -1;
}

static int pieces(struct ub_device *d, const struct ub_region *r, const struct ub_src *src, uint64_t max,
		  struct ub_progress *p, struct ub_err *e)
{
	struct feed f = { src, NULL, 0 };
	/* 4 KiB blocks as libsparse makes them, unless padding the last one
	 * would run past the partition */
	uint32_t blk = (src->size + 4095) / 4096 * 4096 <= r->size ? 4096 : SECTOR;
	uint64_t total = 0;
	unsigned i, n;
	int rc;

	if ((rc = ub_resparse_plan(&f.rs, src, blk, max, e)))
		return rc;
	n = ub_resparse_count(f.rs);
	for (i = 0; i < n; i++)
		total += ub_resparse_size(f.rs, i);
	ub_say("  %s goes as %u sparse piece%s (at most %llu bytes each; %llu bytes in all)\n", src->label, n,
	       n == 1 ? "" : "s", (unsigned long long)max, (unsigned long long)total);
	ub_progress_plan(p, (double)total);
	for (i = 0; !rc && i < n; i++) {
		char what[32];

		f.piece = i;
		snprintf(what, sizeof what, "piece %u of %u", i + 1, n);
		rc = send_and_flash(d, r, ub_resparse_size(f.rs, i), fill_piece, &f, what, p, e);
		if (rc) {
			char where[64];

			snprintf(where, sizeof where, "sparse piece %u of %u", i + 1, n);
			ub_err_prefix(e, where);
		}
	}
	snprintf(d->ws.via, sizeof d->ws.via, "%s sparse", d->fb.t->name);
	ub_resparse_free(f.rs);
	return rc;
}

int ub_fbdev_write(struct ub_device *d, const struct ub_region *r, uint64_t off,
		   const struct ub_src *src, const struct ub_blockset *todo,
		   struct ub_progress *p, struct ub_err *e)
{
	struct feed f = { src, NULL, 0 };
	uint64_t max, expanded, sent0 = d->fb.bytes_sent;
	int i = region_index(d, r), sparse, rc;

	memset(&d->ws, 0, sizeof d->ws);
	d->ws.blocks_total = (unsigned)todo->count;
	if (off || i < 0)
		return ub_err_set(e, UB_EUSAGE, "usage", "fastboot writes partition %s whole, from its start", r->name);
	if (!d->identified) {
		struct ub_identity id;

		if ((rc = ub_fbdev_identify(d, &id, e)))
			return rc;
	}
	if (d->locked == 1)
		return ub_err_set(e, UB_EREFUSED, "fastboot-locked",
				  "the device's bootloader is locked (getvar unlocked: no): it refuses every flash; nothing was written");
	if (d->part[i] == UB_FBPART_MISSING)
		return ub_err_set(e, UB_EREFUSED, "fastboot-partition",
				  "the device has no partition %s (it says: %s); nothing was written", r->name,
				  d->part_why[i]);
	sparse = ub_sparse_is(src);
	if (sparse) {
		if ((rc = ub_sparse_expanded(src, &expanded, e)))
			return rc;
		if (expanded > r->size)
			return ub_err_set(e, UB_EREFUSED, "image-too-big",
					  "the sparse image expands to %llu bytes; partition %s holds %llu; nothing was written",
					  (unsigned long long)expanded, r->name, (unsigned long long)r->size);
	}
	max = d->max_download;
	if (d->max_piece && (!max || d->max_piece < max))
		max = d->max_piece;
	snprintf(d->ws.via, sizeof d->ws.via, "%s", d->fb.t->name);
	ub_progress_plan(p, (double)src->size);
	if (!sparse) {
		uint64_t len = (src->size + SECTOR - 1) / SECTOR * SECTOR;

		if (len > r->size)
			len = src->size;
		if (!max || len <= max)
			rc = send_and_flash(d, r, len, fill_raw, &f, "download", p, e);
		else
			rc = pieces(d, r, src, max, p, e);
	} else if (!max || src->size <= max) {
		rc = send_and_flash(d, r, src->size, fill_raw, &f, "download", p, e);
	} else {
		rc = pieces(d, r, src, max, p, e);
	}
	d->ws.bytes_sent = d->fb.bytes_sent - sent0;
	if (!rc) {
		/* the whole image went: every block of it */
		d->ws.blocks_written = (unsigned)todo->count;
		d->ws.blocks_skipped = 0;
	}
	return rc;
}
