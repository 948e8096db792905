/* Small whole files: keys, signatures, checksum lists, manifests. */
#ifndef UB_FILE_H
#define UB_FILE_H

#include <stddef.h>

#include "err.h"

/* Reads the regular file at path into a new NUL-terminated buffer.  A file
 * larger than max is refused as UB_EFORMAT with advice_big; `what` names
 * the file in messages ("public key").  *buf is freed by the caller. */
int ub_read_small(const char *path, size_t max, const char *what,
		  const char *advice_big, char **buf, size_t *len,
		  struct ub_err *e);

#endif
