/* The files of a zip or tar, for readers that need more than the one
 * firmware file `check` inspects (an image set: image/imgset.c).  The
 * archive is surveyed exactly as `check` does it (archive.c): an archive
 * that would write outside its folder, holds links out, devices, one name
 * twice, or claims absurd sizes is refused as a whole, and so is one cut
 * short.  Files are unpacked one at a time, by their place in the archive
 * (never by their names), into unlinked temporary files, within a budget
 * every layer of one download shares. */
#ifndef UB_ARCHIVE_FILES_H
#define UB_ARCHIVE_FILES_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "image/src.h"

struct ub_archive_file {
	char *name;        /* normalized: "folder/boot.img" */
	uint64_t size;     /* as the archive declares it */
	long index;        /* its place in the archive */
};

struct ub_archive_files {
	struct ub_archive_file *v;   /* the regular files, in archive order */
	size_t n;
	int zip;                     /* a zip (its CRC-32s are checked on unpacking) */
};

/* Surveys src and lists its regular files.  *budget is what every layer
 * of this download may still unpack (start with ub_unpack_limit of the
 * outermost file); the files' declared sizes must fit in it.  Returns 0;
 * 1 when src is no zip or tar; UB_EFORMAT ("archive-unsafe",
 * "archive-corrupt") naming what is wrong; other errors as usual. */
int ub_archive_files(const struct ub_src *src, uint64_t budget, struct ub_archive_files *out,
		     struct ub_err *e);

/* Unpacks file f of src into an unlinked temporary file in tmpdir (NULL:
 * $TMPDIR or /tmp), as out, labelled "ARCHIVE:NAME": its declared size,
 * whole (a zip's CRC-32 checked), taken off *budget.  UB_EFORMAT
 * ("archive-corrupt") when it cannot be unpacked whole. */
int ub_archive_unpack(const struct ub_src *src, const struct ub_archive_file *f, const char *tmpdir,
		      uint64_t *budget, struct ub_src *out, struct ub_err *e);

void ub_archive_files_free(struct ub_archive_files *l);

#endif
