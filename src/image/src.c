#include "src.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void set_label(struct ub_src *s, const char *label)
{
	snprintf(s->label, sizeof s->label, "%s", label);
}

int ub_src_from_fd(struct ub_src *s, int fd, const char *label,
		   struct ub_err *e)
{
	struct stat st;

	memset(s, 0, sizeof *s);
	s->fd = -1;
	if (fstat(fd, &st) != 0) {
		close(fd);
		return ub_err_errno(e, UB_EIO, "io", errno, "%s", label);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ub_err_set(e, UB_EIO, "io",
				  "%s: not a regular file", label);
	}
	s->fd = fd;
	s->owner = 1;
	s->size = (uint64_t)st.st_size;
	set_label(s, label);
	return 0;
}

static const char *kind_of(mode_t m)
{
	return S_ISDIR(m) ? "a folder" : S_ISFIFO(m) ? "a named pipe" :
		S_ISSOCK(m) ? "a socket" : S_ISCHR(m) ? "a character device" :
		S_ISBLK(m) ? "a block device" : "not a regular file";
}

int ub_src_open(struct ub_src *s, const char *path, struct ub_err *e)
{
	struct stat st;
	int fd, fl;

	memset(s, 0, sizeof *s);
	s->fd = -1;
	/* O_NONBLOCK: opening a named pipe must not wait for a writer;
	 * the type is checked on what was opened, not on the name */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return ub_err_errno(e, UB_EIO, "io", errno, "cannot open %s",
				    path);
	if (fstat(fd, &st) != 0) {
		int err = errno;

		close(fd);
		return ub_err_errno(e, UB_EIO, "io", err, "%s", path);
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return ub_err_set(e, UB_EIO, "io",
				  "%s is %s, not an image file: give the path of a regular file (save a download or a device's contents to a file first)",
				  path, kind_of(st.st_mode));
	}
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) != 0) {
		int err = errno;

		close(fd);
		return ub_err_errno(e, UB_EIO, "io", err, "%s", path);
	}
	return ub_src_from_fd(s, fd, path, e);
}

int ub_src_window(struct ub_src *w, const struct ub_src *parent, uint64_t off,
		  uint64_t size, struct ub_err *e)
{
	if (off > parent->size || size > parent->size - off)
		return ub_err_set(e, UB_EFORMAT, "image-truncated",
				  "%s: %llu bytes at offset %llu go past its end (%llu bytes)",
				  parent->label, (unsigned long long)size,
				  (unsigned long long)off,
				  (unsigned long long)parent->size);
	*w = *parent;
	w->owner = 0;
	w->off = parent->off + off;
	w->size = size;
	return 0;
}

long ub_src_pread(const struct ub_src *s, uint64_t off, void *buf, size_t len,
		  struct ub_err *e)
{
	size_t done = 0;

	if (off >= s->size)
		return 0;
	if (len > s->size - off)
		len = (size_t)(s->size - off);
	while (done < len) {
		ssize_t n = pread(s->fd, (char *)buf + done, len - done,
				  (off_t)(s->off + off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return ub_err_errno(e, UB_EIO, "io", errno,
					    "reading %s", s->label);
		}
		if (n == 0)
			break; /* file shrank under us */
		done += (size_t)n;
	}
	return (long)done;
}

int ub_src_read(const struct ub_src *s, uint64_t off, void *buf, size_t len,
		struct ub_err *e)
{
	long n = ub_src_pread(s, off, buf, len, e);

	if (n < 0)
		return (int)n;
	if ((size_t)n != len)
		return ub_err_set(e, UB_EFORMAT, "image-truncated",
				  "%s: ends at %llu bytes, %zu bytes needed at offset %llu",
				  s->label, (unsigned long long)s->size, len,
				  (unsigned long long)off);
	return 0;
}

void ub_src_close(struct ub_src *s)
{
	if (s->owner && s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	s->owner = 0;
}
