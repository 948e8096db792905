/* The format handler table: each firmware format a probe and an inspector.
 * Inspectors check what the format lets them check (CRCs, hashes, sizes,
 * structure), fill the metadata, and may hand an inner payload back to
 * ub_inspect().  They never decide policy (compatibility, versions). */
#ifndef UB_FORMAT_H
#define UB_FORMAT_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../base/progress.h"
#include "checks.h"
#include "meta.h"
#include "src.h"

#define UB_PROBE_HEAD 4096   /* bytes of the head every probe sees */
/* Layers inspected, raw data included: gzip > tar > sysupgrade > tar >
 * uimage > raw is 6.  Deeper content is left uninspected, which makes the
 * image unverified: the bound keeps work proportional to the file. */
#define UB_INSPECT_DEPTH 8

struct ub_inspect {
	struct ub_checks *checks;
	struct ub_image_meta *meta;
	struct ub_err *err;          /* set when an inspector returns < 0 */
	struct ub_progress *progress; /* may be NULL */
	const char *tmpdir;          /* for decompressed payloads; NULL: $TMPDIR or /tmp */
	int depth;
	/* Bytes every unpacking layer together may still write, set by the
	 * outermost layer that unpacks (see ub_unpack_layer_limit), so that
	 * a bomb nested in a bomb is bounded by the download's size, not by
	 * its own, and layers do not each get the whole allowance. */
	uint64_t unpack_budget;
	int unpack_started;
	/* Out, per layer: what vouches for every byte of the layer just
	 * inspected (its own CRC or hash over all of it, or an inner
	 * layer's when this one is only a wrapper), in words; NULL when
	 * nothing does.  ub_inspect clears it before each inspector. */
	const char *covered;
};

struct ub_format {
	const char *name;   /* "uimage", "fit", "gzip", ... */
	const char *what;   /* "U-Boot legacy image" */
	/* 1 when this looks like the format.  head holds min(size, 4096)
	 * bytes; probes may read more of src (a trailer, say). */
	int (*probe)(const struct ub_src *src, const uint8_t *head, size_t n);
	/* Returns 0 when the inspection ran to its end, even when checks
	 * failed (problems in the image are checks, not errors); < 0 only
	 * when it could not run (I/O error, out of memory), with ctx->err.
	 * Sets ctx->covered when a check it made covers the whole layer. */
	int (*inspect)(struct ub_inspect *ctx, const struct ub_src *src);
};

/* Detects the format of src and runs its inspector; an unknown format is
 * inspected as raw data.  Guards the nesting depth. */
int ub_inspect(struct ub_inspect *ctx, const struct ub_src *src);

/* The handler whose probe accepts src, or the raw handler. */
const struct ub_format *ub_format_detect(const struct ub_src *src,
					 struct ub_err *e);

/* Handlers, each defined in its own file. */
extern const struct ub_format ub_format_uimage;
extern const struct ub_format ub_format_fit;
extern const struct ub_format ub_format_sparse;
extern const struct ub_format ub_format_bmap;
extern const struct ub_format ub_format_fwtool;
extern const struct ub_format ub_format_compressed;
extern const struct ub_format ub_format_archive;
extern const struct ub_format ub_format_raw;

#endif
