/* The image a run writes, taken once.  The path is read once into a
 * private copy in the case folder (unnamed until the write begins, so a
 * refused run leaves nothing), hashed as it is copied; the check, the
 * write and the verify all read that copy's descriptor, and the journal
 * records its hash.  A file replaced or changed after it was taken has no
 * effect on the run. */
#ifndef UB_IMAGE_COPY_H
#define UB_IMAGE_COPY_H

#include "base/err.h"
#include "image/src.h"

struct ub_image {
	struct ub_src src;   /* the copy, read-only from here on */
	char sha256[65];     /* of the bytes copied */
	char kept[4300];     /* where the case keeps it once kept ("" before) */
	char name[256];      /* the original's base name */
};

/* Copies path (a regular file: FIFOs and devices are refused) into the
 * folder dir (which must exist).  */
int ub_image_take(struct ub_image *img, const char *path, const char *dir, struct ub_err *e);

/* Gives the copy its name in dir (images/NAME), once: the case keeps the
 * very bytes written.  Leaves kept empty when the filesystem cannot name
 * an unnamed file (the copy still serves the run). */
void ub_image_keep(struct ub_image *img, const char *dir);

void ub_image_drop(struct ub_image *img);

#endif
