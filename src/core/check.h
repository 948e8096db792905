/* `unbrick check`: decides whether an image is safe to flash.  Runs, in
 * order: digests against what the user or vendor published, the image's
 * own structure and inner checksums, the sidecar manifest, the signature,
 * compatibility with the device, and the version policy.  Every check ends
 * up in one list; any failure means "do not flash". */
#ifndef UB_CHECK_H
#define UB_CHECK_H

#include <stdint.h>

#include "base/err.h"
#include "base/progress.h"
#include "core/compat.h"
#include "image/checks.h"
#include "image/meta.h"

struct ub_check_opts {
	const char *image;
	/* the image's bytes, already open (the workflow's private copy, so
	 * that what is checked is what is written); NULL: open image.  image
	 * still names it, for the files beside it (manifest, signature). */
	const struct ub_src *src;
	const char *sha256, *sha512, *md5;   /* expected digests, hex */
	const char *sums;                    /* a checksum list file */
	const char *sig, *key;               /* detached signature, public key */
	const char *manifest;                /* NULL: IMAGE.manifest.json if present */
	const char *tmpdir;
	struct ub_target target;
};

struct ub_check_result {
	struct ub_checks checks;
	struct ub_image_meta meta;
	uint64_t size;
	char sha256[65];
	const char *format_what;   /* the outermost format, in words */
};

/* Returns 0 when every check could run (the verdict is in the list), or a
 * negative code when the image could not be read at all. */
int ub_check_image(const struct ub_check_opts *o, struct ub_check_result *r,
		   struct ub_progress *progress, struct ub_err *e);

void ub_check_result_free(struct ub_check_result *r);

#endif
