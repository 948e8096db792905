/* Small whole files: keys, signatures, checksum lists, manifests; and
 * files that are their owner's alone. */
#ifndef UB_FILE_H
#define UB_FILE_H

#include <stdarg.h>
#include <stddef.h>

#include "err.h"

/* Reads the regular file at path into a new NUL-terminated buffer.  A file
 * larger than max is refused as UB_EFORMAT with advice_big; `what` names
 * the file in messages ("public key").  *buf is freed by the caller. */
int ub_read_small(const char *path, size_t max, const char *what,
		  const char *advice_big, char **buf, size_t *len,
		  struct ub_err *e);

/* Makes path its owner's alone: group and others lose every permission
 * (a folder becomes 0700 and a file 0600 at most; the owner's own bits
 * stay).  Returns 1 when it changed them (*was, may be NULL: the old
 * bits), 0 when there was nothing to change or no such path, or a
 * negative code (e set) when the mode could not be changed. */
int ub_make_private(const char *path, unsigned *was, struct ub_err *e);

/* ub_make_private on dir and on dir/NAME for each of names (ending with
 * NULL); what it changed, and what it could not, it says in one message
 * on stderr. */
void ub_make_private_all(const char *dir, const char *const *names);

/* A line for a case's log (a family's record of what it said to the
 * device): formatted, cut at 511 bytes, ended with a newline when it has
 * none, and written to *fd.  A log that cannot be written is not worth a
 * failed repair: *fd becomes -1 and later lines are dropped.  Nothing
 * when *fd < 0. */
void ub_log_vline(int *fd, const char *fmt, va_list ap);

#endif
