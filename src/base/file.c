#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int ub_read_small(const char *path, size_t max, const char *what,
		  const char *advice_big, char **buf, size_t *len,
		  struct ub_err *e)
{
	struct stat st;
	size_t have = 0;
	char *b;
	int fd;

	*buf = NULL;
	*len = 0;
	/* O_NONBLOCK: a named pipe is refused below, not waited on */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return ub_err_errno(e, UB_EIO, "io", errno, "cannot open %s %s", what, path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ub_err_set(e, UB_EIO, "io", "%s %s is not a regular file", what, path);
	}
	if ((uintmax_t)st.st_size > max) {
		close(fd);
		return ub_err_set(e, UB_EFORMAT, advice_big,
				  "%s %s is %jd bytes, more than a %s can be (%zu)",
				  what, path, (intmax_t)st.st_size, what, max);
	}
	b = malloc((size_t)st.st_size + 1);
	if (!b) {
		close(fd);
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	while (have < (size_t)st.st_size) {
		ssize_t got = read(fd, b + have, (size_t)st.st_size - have);

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			int err = errno;

			close(fd);
			free(b);
			return ub_err_errno(e, UB_EIO, "io", err, "cannot read %s %s", what, path);
		}
		if (got == 0)
			break;
		have += (size_t)got;
	}
	close(fd);
	b[have] = '\0';
	*buf = b;
	*len = have;
	return 0;
}
