#include "image_copy.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"

#define CHUNK (1u << 20)

/* Opens a regular file without blocking on a FIFO or a device. */
static int open_regular(const char *path, struct ub_err *e)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return ub_err_errno(e, errno == ENOENT ? UB_EUSAGE : UB_EIO, "io", errno,
				    "cannot open the image %s", path);
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return ub_err_set(e, UB_EUSAGE, "usage", "the image %s is not a regular file (%s); give the firmware file itself",
				  path, S_ISFIFO(st.st_mode) ? "a pipe" : S_ISDIR(st.st_mode) ? "a folder" :
				  S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) ? "a device" : "not a file");
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	return fd;
}

static int copy(int in, int out, const char *path, char *sha, struct ub_err *e)
{
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	unsigned char d[32];
	uint8_t *buf = malloc(CHUNK);
	int rc = 0;

	if (!md || !buf || EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1)
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	while (!rc) {
		ssize_t n = read(in, buf, CHUNK), w = 0;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = ub_err_errno(e, UB_EIO, "io", errno, "reading the image %s", path);
			break;
		}
		if (n == 0)
			break;
		EVP_DigestUpdate(md, buf, (size_t)n);
		while (w < n) {
			ssize_t k = write(out, buf + w, (size_t)(n - w));

			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0) {
				rc = ub_err_errno(e, UB_EIO, errno == ENOSPC ? "disk-full" : "io", errno,
						  "copying the image into the case");
				break;
			}
			w += k;
		}
	}
	if (!rc) {
		EVP_DigestFinal_ex(md, d, NULL);
		ub_hex(d, 32, sha);
	}
	EVP_MD_CTX_free(md);
	free(buf);
	return rc;
}

int ub_image_take(struct ub_image *img, const char *path, const char *dir, struct ub_err *e)
{
	const char *base = strrchr(path, '/');
	int in, out, rc;

	memset(img, 0, sizeof *img);
	img->src.fd = -1;
	snprintf(img->name, sizeof img->name, "%s", base ? base + 1 : path);
	if ((in = open_regular(path, e)) < 0)
		return in;
	out = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0400);
	if (out < 0) {
		/* no unnamed files here: a named one, unlinked at once */
		char tmp[4300];

		snprintf(tmp, sizeof tmp, "%s/.image-XXXXXX", dir);
		out = mkostemp(tmp, O_CLOEXEC);
		if (out >= 0)
			unlink(tmp);
	}
	if (out < 0) {
		close(in);
		return ub_err_errno(e, UB_EIO, "io", errno, "cannot make a private copy of the image in %s", dir);
	}
	rc = copy(in, out, path, img->sha256, e);
	close(in);
	if (rc) {
		close(out);
		return rc;
	}
	return ub_src_from_fd(&img->src, out, path, e);
}

void ub_image_keep(struct ub_image *img, const char *dir)
{
	char proc[64], path[4300];

	if (img->kept[0] || img->src.fd < 0)
		return;
	snprintf(proc, sizeof proc, "/proc/self/fd/%d", img->src.fd);
	snprintf(path, sizeof path, "%s/%.16s-%s", dir, img->sha256, img->name);
	if (linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW) == 0 || errno == EEXIST)
		snprintf(img->kept, sizeof img->kept, "%s", path);
}

void ub_image_drop(struct ub_image *img)
{
	ub_src_close(&img->src);
}
