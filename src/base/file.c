#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "say.h"
#include "strbuf.h"

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

int ub_make_private(const char *path, unsigned *was, struct ub_err *e)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return 0;
	if (!(st.st_mode & 077))
		return 0;
	if (was)
		*was = (unsigned)(st.st_mode & 07777);
	if (chmod(path, st.st_mode & 07700) != 0)
		return ub_err_errno(e, UB_EIO, "io", errno, "cannot make %s private", path);
	return 1;
}

void ub_make_private_all(const char *dir, const char *const *names)
{
	struct ub_strbuf done = { 0 }, failed = { 0 };
	char path[4600];
	struct ub_err e;
	unsigned was;
	size_t i;
	int rc;

	for (i = 0; i == 0 || names[i - 1]; i++) {
		if (i == 0)
			snprintf(path, sizeof path, "%s", dir);
		else
			snprintf(path, sizeof path, "%s/%s", dir, names[i - 1]);
		ub_err_clear(&e);
		if ((rc = ub_make_private(path, &was, &e)) > 0)
			ub_sb_putf(&done, "%s%s (was %o)", done.len ? ", " : "", path, was);
		else if (rc < 0)
			ub_sb_putf(&failed, "%s%s", failed.len ? "; " : "", e.msg);
	}
	if (done.len)
		ub_say("unbrick: %s: now only you can read them (cases hold what devices and their owners typed)\n",
		       done.p);
	if (failed.len)
		ub_say("unbrick: warning: %s: others may read the journal and the cases\n", failed.p);
	free(done.p);
	free(failed.p);
}

void ub_log_vline(int *fd, const char *fmt, va_list ap)
{
	char line[512];
	int n;

	if (*fd < 0)
		return;
	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof line - 2)
		n = (int)sizeof line - 2;
	if (n == 0 || line[n - 1] != '\n')
		line[n++] = '\n';
	if (write(*fd, line, (size_t)n) < 0)
		*fd = -1;
}
