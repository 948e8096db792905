/* Writing a region: the region is a partition, flashed by its name from
 * its start.  An image that fits the device's max-download-size goes in
 * one download (raw, padded with zeros to whole 512-byte sectors, which
 * the bootloader writes whole anyway; or sparse, as it is); a larger one
 * goes as sparse pieces (image/sparse_split.c), each downloaded and
 * flashed in turn, as `fastboot -S` does; and a raw one whose blocks of
 * one repeated word make a sparse image much shorter goes as that.  Nothing can be read back: the
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
static int send_and_flash(struct ub_device *d, const char *part, uint64_t size, ub_fb_fill fill,
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
		rc = flash(d, part, e);
	}
	ub_progress_end(&step, rc);
	if (!rc)
		ub_fbdev_log(d, "fastboot: %s: flashed into %s\n", what, part);
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

/* The image as sparse pieces of at most max bytes.  4 KiB blocks as
 * libsparse makes them when the image is whole blocks; else 512-byte
 * ones, so the padding of the last block changes no more of the partition
 * than a raw write of whole sectors does. */
static int plan(const struct ub_src *src, uint64_t max, struct ub_resparse **rs, uint64_t *total,
		struct ub_err *e)
{
	unsigned i;
	int rc;

	if ((rc = ub_resparse_plan(rs, src, src->size % 4096 ? SECTOR : 4096, max, e)))
		return rc;
	for (*total = 0, i = 0; i < ub_resparse_count(*rs); i++)
		*total += ub_resparse_size(*rs, i);
	return 0;
}

static int pieces(struct ub_device *d, const char *part, const struct ub_src *src,
		  struct ub_resparse *rs, uint64_t max, uint64_t total, struct ub_progress *p, struct ub_err *e)
{
	struct feed f = { src, rs, 0 };
	unsigned i, n = ub_resparse_count(rs);
	int rc = 0;

	ub_say("  %s goes as %u sparse piece%s (at most %llu bytes each; %llu bytes in all)\n", src->label, n,
	       n == 1 ? "" : "s", (unsigned long long)max, (unsigned long long)total);
	ub_progress_plan(p, (double)total);
	for (i = 0; !rc && i < n; i++) {
		char what[32];

		f.piece = i;
		snprintf(what, sizeof what, "piece %u of %u", i + 1, n);
		rc = send_and_flash(d, part, ub_resparse_size(rs, i), fill_piece, &f, what, p, e);
		if (rc) {
			char where[64];

			snprintf(where, sizeof where, "sparse piece %u of %u", i + 1, n);
			ub_err_prefix(e, where);
		}
	}
	snprintf(d->ws.via, sizeof d->ws.via, "%s sparse", d->fb.t->name);
	return rc;
}

/* The image into one partition: whole, or in pieces. */
static int write_part(struct ub_device *d, const struct ub_region *r, const char *part,
		      const struct ub_src *src, int sparse, struct ub_progress *p, struct ub_err *e)
{
	struct feed f = { src, NULL, 0 };
	struct ub_resparse *rs;
	uint64_t max = d->max_download, total;
	int rc;

	if (d->max_piece && (!max || d->max_piece < max))
		max = d->max_piece;
	if (!sparse) {
		/* a raw image: whole, padded to sectors, when it fits; as sparse
		 * pieces when it does not; and as one sparse piece when its
		 * blocks of one repeated word make that a ninth shorter or more
		 * (the same bytes land, fewer travel) */
		uint64_t len = (src->size + SECTOR - 1) / SECTOR * SECTOR;

		if (len > r->size)
			len = src->size;
		if ((rc = plan(src, max ? max : 0xffffffffu, &rs, &total, e)))
			return rc;
		if ((max && len > max) || (ub_resparse_count(rs) == 1 && total + total / 8 < len))
			rc = pieces(d, part, src, rs, max ? max : len, total, p, e);
		else
			rc = send_and_flash(d, part, len, fill_raw, &f, "download", p, e);
		ub_resparse_free(rs);
		return rc;
	}
	if (!max || src->size <= max)
		return send_and_flash(d, part, src->size, fill_raw, &f, "download", p, e);
	if ((rc = plan(src, max, &rs, &total, e)))
		return rc;
	rc = pieces(d, part, src, rs, max, total, p, e);
	ub_resparse_free(rs);
	return rc;
}

int ub_fbdev_write(struct ub_device *d, const struct ub_region *r, uint64_t off,
		   const struct ub_src *src, const struct ub_blockset *todo,
		   struct ub_progress *p, struct ub_err *e)
{
	uint64_t expanded, sent0 = d->fb.bytes_sent;
	int i = region_index(d, r), sparse, rc, k, n;
	char suffix[2][4];

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
				  "the device has no partition %s (it says: %s); nothing was written", d->part_name[i],
				  d->part_why[i]);
	if ((n = ub_fbdev_slots(d, suffix, e)) < 0)
		return n;
	sparse = ub_sparse_is(src);
	if (sparse) {
		if ((rc = ub_sparse_expanded(src, &expanded, e)))
			return rc;
		if (expanded > r->size)
			return ub_err_set(e, UB_EREFUSED, "image-too-big",
					  "the sparse image expands to %llu bytes; partition %s holds %llu; nothing was written",
					  (unsigned long long)expanded, r->name, (unsigned long long)r->size);
	}
	snprintf(d->ws.via, sizeof d->ws.via, "%s", d->fb.t->name);
	ub_progress_plan(p, (double)src->size * n);
	for (rc = 0, k = 0; !rc && k < n; k++) {
		struct ub_progress step;
		char part[64];

		snprintf(part, sizeof part, "%.40s%s", r->name, suffix[k]);
		if (n > 1)
			ub_say("  slot %s: partition %s\n", suffix[k] + 1, part);
		ub_progress_begin(&step, p, part, (double)src->size, 0);
		rc = write_part(d, r, part, src, sparse, &step, e);
		ub_progress_end(&step, rc);
	}
	/* the slot the device boots changes last, and only when every write
	 * went in */
	if (!rc && d->set_active && suffix[0][0] && n == 1) {
		if ((rc = ub_fb_do(&d->fb, "set_active", suffix[0] + 1, UB_FB_VAR_TIMEOUT_MS, e)) == 0) {
			ub_say("  the device boots slot %s from now on (set_active)\n", suffix[0] + 1);
			ub_fbdev_log(d, "fastboot: set_active:%s\n", suffix[0] + 1);
		}
	}
	d->ws.bytes_sent = d->fb.bytes_sent - sent0;
	if (!rc) {
		/* the whole image went: every block of it */
		d->ws.blocks_written = (unsigned)todo->count;
		d->ws.blocks_skipped = 0;
	}
	return rc;
}
