#include "outfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ub_outfile {
	int fd;
	int unnamed;   /* O_TMPFILE: no name until commit, nothing left by a crash */
	char path[4096];
	char tmp[4200];
	EVP_MD_CTX *md;
	uint64_t size;
};

static int fail_errno(struct ub_outfile *f, int err, const char *what,
		      struct ub_err *e)
{
	return ub_err_errno(e, UB_EIO, err == ENOSPC || err == EDQUOT ? "disk-full" : "io",
			    err, "%s %s", what, f->path);
}

int ub_outfile_open(struct ub_outfile **out, const char *path,
		    struct ub_err *e)
{
	struct ub_outfile *f = calloc(1, sizeof *f);

	*out = NULL;
	if (!f)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if (strlen(path) >= sizeof f->path) {
		free(f);
		return ub_err_set(e, UB_EUSAGE, "io", "path too long: %s", path);
	}
	strcpy(f->path, path);
	snprintf(f->tmp, sizeof f->tmp, "%s.partial-XXXXXX", path);
	/* Unnamed first: a process killed (even with SIGKILL) before the
	 * commit leaves no file behind.  Filesystems without O_TMPFILE get a
	 * named temporary, removed on every error path. */
	{
		char dir[4096];

		snprintf(dir, sizeof dir, "%s", path);
		f->fd = open(dirname(dir), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0600);
		f->unnamed = f->fd >= 0;
	}
	if (f->fd < 0)
		f->fd = mkostemp(f->tmp, O_CLOEXEC);
	if (f->fd < 0) {
		int err = errno;
		int rc = fail_errno(f, err, "cannot create", e);

		free(f);
		return rc;
	}
	f->md = EVP_MD_CTX_new();
	if (!f->md || EVP_DigestInit_ex(f->md, EVP_sha256(), NULL) != 1) {
		ub_outfile_abort(f);
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	*out = f;
	return 0;
}

int ub_outfile_write(struct ub_outfile *f, const void *buf, size_t len,
		     struct ub_err *e)
{
	const char *p = buf;
	size_t left = len;

	while (left > 0) {
		ssize_t n = write(f->fd, p, left);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return fail_errno(f, errno, "cannot write", e);
		p += n;
		left -= (size_t)n;
	}
	EVP_DigestUpdate(f->md, buf, len);
	f->size += len;
	return 0;
}

static void sync_dir(const char *path)
{
	char copy[4096];
	int fd;

	snprintf(copy, sizeof copy, "%s", path);
	fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int ub_outfile_commit(struct ub_outfile *f, char *sha256_hex, uint64_t *size,
		      struct ub_err *e)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;
	int rc;

	if (fsync(f->fd) != 0) {
		rc = fail_errno(f, errno, "cannot save", e);
		ub_outfile_abort(f);
		return rc;
	}
	if (f->unnamed) {
		/* a name for the finished file, then the rename that makes it
		 * appear whole */
		char proc[64];
		int tries;

		snprintf(proc, sizeof proc, "/proc/self/fd/%d", f->fd);
		for (tries = 0; tries < 16; tries++) {
			snprintf(f->tmp, sizeof f->tmp, "%s.partial-%06x", f->path,
				 (unsigned)((getpid() * 2654435761u + (unsigned)tries * 40503u) & 0xffffff));
			if (linkat(AT_FDCWD, proc, AT_FDCWD, f->tmp, AT_SYMLINK_FOLLOW) == 0)
				break;
			if (errno != EEXIST || tries == 15) {
				rc = fail_errno(f, errno, "cannot name", e);
				f->tmp[0] = '\0';
				ub_outfile_abort(f);
				return rc;
			}
		}
		f->unnamed = 0;
	}
	if (close(f->fd) != 0) {
		rc = fail_errno(f, errno, "cannot save", e);
		f->fd = -1;
		ub_outfile_abort(f);
		return rc;
	}
	f->fd = -1;
	if (rename(f->tmp, f->path) != 0) {
		rc = fail_errno(f, errno, "cannot rename into", e);
		ub_outfile_abort(f);
		return rc;
	}
	sync_dir(f->path);
	EVP_DigestFinal_ex(f->md, md, &mdlen);
	if (sha256_hex) {
		for (i = 0; i < mdlen; i++)
			sprintf(sha256_hex + 2 * i, "%02x", md[i]);
		sha256_hex[2 * mdlen] = '\0';
	}
	if (size)
		*size = f->size;
	EVP_MD_CTX_free(f->md);
	free(f);
	return 0;
}

void ub_outfile_abort(struct ub_outfile *f)
{
	if (!f)
		return;
	if (f->fd >= 0)
		close(f->fd);
	if (!f->unnamed && f->tmp[0])
		unlink(f->tmp);
	EVP_MD_CTX_free(f->md);
	free(f);
}

int ub_write_file_atomic(const char *path, const void *buf, size_t len,
			 char *sha256_hex, struct ub_err *e)
{
	struct ub_outfile *f;
	int rc = ub_outfile_open(&f, path, e);

	if (rc)
		return rc;
	rc = ub_outfile_write(f, buf, len, e);
	if (rc) {
		ub_outfile_abort(f);
		return rc;
	}
	return ub_outfile_commit(f, sha256_hex, NULL, e);
}
