/* A firmware file, or a window of one, read with pread so that no parser
 * keeps the whole image in memory. */
#ifndef UB_SRC_H
#define UB_SRC_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"

struct ub_src {
	int fd;              /* shared by windows; closed only by the owner */
	int owner;           /* 1 when ub_src_close must close fd */
	uint64_t off;        /* start of the window in the file */
	uint64_t size;       /* size of the window */
	char label[256];     /* what to call it in messages: a path or "path:entry" */
};

/* Opens a regular file read-only.  Directories, devices, named pipes,
 * sockets and missing files are refused with a message naming the path
 * (a named pipe without a writer does not make it wait). */
int ub_src_open(struct ub_src *s, const char *path, struct ub_err *e);

/* Adopts an open descriptor (for temporary files); s owns it afterwards. */
int ub_src_from_fd(struct ub_src *s, int fd, const char *label,
		   struct ub_err *e);

/* A window [off, off+size) of parent; fails when it does not fit.  The
 * window shares the parent's descriptor and must not outlive it. */
int ub_src_window(struct ub_src *w, const struct ub_src *parent, uint64_t off,
		  uint64_t size, struct ub_err *e);

/* Reads exactly len bytes at off (relative to the window).  Returns 0, or
 * UB_EFORMAT with "image-truncated" advice when the window ends first, or
 * UB_EIO on a read error. */
int ub_src_read(const struct ub_src *s, uint64_t off, void *buf, size_t len,
		struct ub_err *e);

/* Reads up to len bytes at off; returns the count (short at the end), or a
 * negative ub_code. */
long ub_src_pread(const struct ub_src *s, uint64_t off, void *buf, size_t len,
		  struct ub_err *e);

void ub_src_close(struct ub_src *s);

#endif
