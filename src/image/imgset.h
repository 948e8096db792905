/* Image sets: several images, each for a partition, written in an order,
 * with what the device must be before (and after a restart), as phone
 * vendors ship them.  Two layouts, read as AOSP's fastboot and the
 * vendors' flash-all.sh read them:
 *
 * An update zip (`fastboot update`): android-info.txt (its requirements,
 * image/android_info.h) and NAME.img at the top, each for partition NAME.
 * Images go in AOSP's order: the ones the boot needs first (boot,
 * init_boot, dtbo, dt, pvmfw, recovery, vbmeta*, vendor_boot), then the
 * others by name.  userdata.img and cache.img are left out (AOSP writes
 * them only when told to wipe: they would erase the owner's data), and
 * so are NAME_other.img (another slot's); super_empty.img (dynamic
 * partitions) refuses the set: not done.
 *
 * A factory archive (flash-all.sh's folder, at the top or in one
 * folder): bootloader-PRODUCT-VERSION.img, radio-PRODUCT-VERSION.img and
 * image-PRODUCT-BUILD.zip, an update zip.  The bootloader goes first and
 * the device restarts into it, then the radio and a restart, then the
 * update zip's images: the two-pass flash.  The update zip's requirements
 * on version-bootloader and version-baseband are what those two images
 * bring about: they are checked after the image is written and the
 * device restarted, not before anything (when the zip states nothing of
 * the bootloader, its file name's version is checked instead).
 *
 * Outside input: every file is surveyed and unpacked by image/
 * archive_files.h (safe names, budgets), never by its name; names and
 * sizes are checked before use. */
#ifndef UB_IMGSET_H
#define UB_IMGSET_H

#include <stddef.h>

#include "base/err.h"
#include "image/android_info.h"
#include "image/src.h"

#define UB_IMGSET_MAX 48   /* images in one set */

struct ub_set_image {
	char part[64];          /* the partition it goes to: "boot", "bootloader" */
	char entry[256];        /* where it was: "x/bootloader-p-v.img", "x/image-p.zip:boot.img" */
	struct ub_src src;      /* unpacked into an unlinked file */
	int restart;            /* the device restarts into its bootloader after it */
	char provides[32];      /* the variable it changes once running ("version-bootloader"), or "" */
	char version[96];       /* the version its file name says, or "" */
};

struct ub_imgset {
	char kind[32];          /* "update zip", "factory archive" */
	struct ub_set_image *v;
	size_t n;
	struct ub_reqs req;
	char notes[400];        /* images left out, and why */
};

/* Reads src as an image set, unpacking its images into unlinked files in
 * tmpdir (NULL: $TMPDIR or /tmp).  0 with set filled; 1 when src is none
 * (no zip or tar, or neither layout: a single image, set left empty);
 * UB_EFORMAT with advice "imgset-invalid" (a layout broken: two
 * bootloaders, no images, a name that is no partition's),
 * "imgset-unsupported" (super_empty.img), or the archive's own
 * ("archive-unsafe", "archive-corrupt"). */
int ub_imgset_read(const struct ub_src *src, const char *tmpdir, struct ub_imgset *set,
		   struct ub_err *e);

void ub_imgset_free(struct ub_imgset *set);

#endif
