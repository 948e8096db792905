/* `unbrick check`: decides whether an image is safe to flash.  Runs, in
 * order: digests against what the user or vendor published, the image's
 * own structure and inner checksums, the sidecar manifest, the signature,
 * compatibility with the device, and the version policy.  Every check ends
 * up in one list; any failure means "do not flash".  No failure is not
 * enough to be safe: something must vouch for every byte (see the
 * verdict below). */
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
	/* An image taken out of another (an image set's archive): no files
	 * lie beside it (manifest, block map, signature), and what vouched
	 * for the archive as a whole, in words, vouches for it too (NULL:
	 * nothing did). */
	int inside;
	const char *vouched;
};

/* What the checks add up to, decided in one place (ub_check_image):
 *   SAFE        no check failed, nothing was left uninspected, and a passing
 *               check vouches for every byte: a digest or signature given
 *               for the file (--sha256/--sha512/--md5, --sums, --sig, the
 *               manifest's sha256), or the format's own CRC or hash over
 *               all its content (a uImage's CRCs, a gzip stream's CRC-32,
 *               every FIT image's hash...);
 *   UNVERIFIED  no check failed, but nothing vouches for every byte (raw
 *               data, a tar, a FIT image with no hash unbrick computes) or
 *               part of it was not inspected (nested too deep): not to be
 *               flashed unless the user says so, on the record;
 *   REFUSED     a check failed. */
enum ub_image_verdict {
	UB_VERDICT_SAFE,
	UB_VERDICT_UNVERIFIED,
	UB_VERDICT_REFUSED,
};

struct ub_check_result {
	struct ub_checks checks;
	struct ub_image_meta meta;
	uint64_t size;
	char sha256[65];
	const char *format_what;   /* the outermost format, in words */
	enum ub_image_verdict verdict;
	/* One sentence: what vouches for the image, what failed, or what is
	 * missing and which check would make it safe. */
	char why[480];
};

/* Returns 0 when every check could run (the verdict is in the list), or a
 * negative code when the image could not be read at all. */
int ub_check_image(const struct ub_check_opts *o, struct ub_check_result *r,
		   struct ub_progress *progress, struct ub_err *e);

void ub_check_result_free(struct ub_check_result *r);

/* "safe", "unverified", "refused" (as in JSON). */
const char *ub_image_verdict_name(enum ub_image_verdict v);

#endif
