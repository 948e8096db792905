/* The fake device: see device.h.  What makes it useful is that its state
 * is a file: a process killed in the middle of a write leaves the file as
 * power lost at that moment would leave a NOR chip, and the next run (a
 * resume) finds it so. */
#include "family/fake/device.h"

#include <errno.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "family/family.h"

static const char *const op_names[UB_FAKE_NOPS] = {
	"identify", "enter", "link", "load", "read", "digest", "write", "erase", "reboot", "boot",
};

struct ub_fakedev {
	int fd;
	int trace_fd;
	int log_fd;
	char path[1024];
	uint64_t size;
	struct ub_fake_faults f;
	unsigned long calls;              /* every exchange so far */
	unsigned long count[UB_FAKE_NOPS];
};

const char *ub_fake_op_name(enum ub_fake_op op)
{
	return op < UB_FAKE_NOPS ? op_names[op] : "?";
}

int ub_fake_op_parse(const char *name)
{
	int i;

	for (i = 0; i < UB_FAKE_NOPS; i++)
		if (strcmp(op_names[i], name) == 0)
			return i;
	return -1;
}

const char *ub_fake_op_names(void)
{
	return "identify, enter, link, load, read, digest, write, erase, reboot, boot";
}

int ub_fakedev_open(struct ub_fakedev **out, const char *path,
		    const struct ub_fake_faults *f, struct ub_err *e)
{
	struct ub_fakedev *d;
	struct stat st;

	*out = NULL;
	if (!(d = calloc(1, sizeof *d)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	d->trace_fd = d->log_fd = -1;
	d->f = *f;
	d->f.trace = NULL;
	snprintf(d->path, sizeof d->path, "%s", path);
	d->fd = open(path, O_RDWR | O_CLOEXEC);
	if (d->fd < 0) {
		int err = errno;

		free(d);
		return ub_err_errno(e, UB_ENODEV, "no-device", err, "the fake device %s cannot be opened", path);
	}
	if (fstat(d->fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_size <= 0) {
		ub_fakedev_close(d);
		return ub_err_set(e, UB_ENODEV, "no-device",
				  "the fake device %s must be a regular file, not empty (its size is the device's)", path);
	}
	d->size = (uint64_t)st.st_size;
	if (f->trace) {
		d->trace_fd = open(f->trace, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
		if (d->trace_fd < 0) {
			int err = errno;

			ub_fakedev_close(d);
			return ub_err_errno(e, UB_EIO, "io", err, "trace=%s cannot be written", f->trace);
		}
	}
	*out = d;
	return 0;
}

void ub_fakedev_close(struct ub_fakedev *d)
{
	if (!d)
		return;
	if (d->fd >= 0)
		close(d->fd);
	if (d->trace_fd >= 0)
		close(d->trace_fd);
	free(d);
}

uint64_t ub_fakedev_size(const struct ub_fakedev *d)
{
	return d->size;
}

void ub_fakedev_set_log(struct ub_fakedev *d, int fd)
{
	d->log_fd = fd;
}

static void put(int fd, const char *line)
{
	size_t n = strlen(line);
	ssize_t w;

	while (fd >= 0 && n > 0 && (w = write(fd, line, n)) > 0) {
		line += w;
		n -= (size_t)w;
	}
}

/* One exchange: counted, traced, then the faults.  The trace line is
 * written before a kill so that a counting run names every call. */
static int exchange(struct ub_fakedev *d, enum ub_fake_op op, uint64_t off, uint64_t len,
		    struct ub_err *e)
{
	char line[128];
	unsigned long n = ++d->count[op];

	d->calls++;
	snprintf(line, sizeof line, "%lu %s %lu\n", d->calls, op_names[op], n);
	put(d->trace_fd, line);
	if (d->log_fd >= 0) {
		snprintf(line, sizeof line, "fake: %s 0x%llx+0x%llx\n", op_names[op],
			 (unsigned long long)off, (unsigned long long)len);
		put(d->log_fd, line);
	}
	if (d->f.drop_at && d->calls >= d->f.drop_at)
		return ub_err_set(e, UB_ENODEV, "no-device",
				  "the fake device %s stopped answering at call %lu (%s; drop_at=%lu)",
				  d->path, d->calls, op_names[op], d->f.drop_at);
	if (d->f.kill_op == (int)op && n == d->f.kill_n) {
		put(d->log_fd, "fake: kill_at reached: the process dies now\n");
		kill(getpid(), SIGKILL);
		pause();
	}
	return 0;
}

int ub_fakedev_call(struct ub_fakedev *d, enum ub_fake_op op, struct ub_err *e)
{
	return exchange(d, op, 0, 0, e);
}

static int range_ok(const struct ub_fakedev *d, uint64_t off, uint64_t len, struct ub_err *e)
{
	if (off > d->size || len > d->size - off)
		return ub_err_set(e, UB_EUSAGE, "usage", "0x%llx+0x%llx is beyond the fake device's %llu bytes",
				  (unsigned long long)off, (unsigned long long)len,
				  (unsigned long long)d->size);
	return 0;
}

int ub_fakedev_peek(const struct ub_fakedev *d, uint64_t off, void *buf, size_t len,
		    struct ub_err *e)
{
	size_t done = 0;
	int rc;

	if ((rc = range_ok(d, off, len, e)))
		return rc;
	while (done < len) {
		ssize_t n = pread(d->fd, (uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ub_err_errno(e, UB_EIO, "io", n < 0 ? errno : EIO, "reading the fake device %s",
					    d->path);
		done += (size_t)n;
	}
	return 0;
}

static int poke(struct ub_fakedev *d, uint64_t off, const void *buf, size_t len, struct ub_err *e)
{
	size_t done = 0;

	while (done < len) {
		ssize_t n = pwrite(d->fd, (const uint8_t *)buf + done, len - done, (off_t)(off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return ub_err_errno(e, UB_EIO, "io", n < 0 ? errno : EIO, "writing the fake device %s",
					    d->path);
		done += (size_t)n;
	}
	return 0;
}

int ub_fakedev_read(struct ub_fakedev *d, uint64_t off, void *buf, size_t len,
		    struct ub_err *e)
{
	int rc;

	if ((rc = range_ok(d, off, len, e)) || (rc = exchange(d, UB_FAKE_READ, off, len, e)) ||
	    (rc = ub_fakedev_peek(d, off, buf, len, e)))
		return rc;
	/* A noisy link: a different bit each time, so that two reads of the
	 * same range disagree as they would on a real wire. */
	if (d->f.flaky_read && len && d->count[UB_FAKE_READ] % d->f.flaky_read == 0) {
		unsigned long n = d->count[UB_FAKE_READ];

		((uint8_t *)buf)[(n * 2654435761u) % len] ^= (uint8_t)(1u << (n % 8));
	}
	return 0;
}

size_t ub_fake_digest_len(unsigned alg)
{
	return alg == UB_CAP_DIGEST_CRC32 ? 4 : alg == UB_CAP_DIGEST_MD5 ? 16 : 32;
}

void ub_fake_digest_buf(unsigned alg, const uint8_t *buf, size_t len, uint8_t *out)
{
	if (alg == UB_CAP_DIGEST_CRC32) {
		uint32_t c = (uint32_t)crc32(0L, buf, (uInt)len);

		out[0] = (uint8_t)(c >> 24);
		out[1] = (uint8_t)(c >> 16);
		out[2] = (uint8_t)(c >> 8);
		out[3] = (uint8_t)c;
		return;
	}
	EVP_Digest(buf, len, out, NULL, alg == UB_CAP_DIGEST_MD5 ? EVP_md5() : EVP_sha256(), NULL);
}

int ub_fakedev_digest(struct ub_fakedev *d, unsigned alg, uint64_t off, uint64_t len,
		      uint8_t *out, struct ub_err *e)
{
	uint8_t *buf;
	int rc;

	if ((rc = range_ok(d, off, len, e)) || (rc = exchange(d, UB_FAKE_DIGEST, off, len, e)))
		return rc;
	if (!(buf = malloc(len ? (size_t)len : 1)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if (!(rc = ub_fakedev_peek(d, off, buf, (size_t)len, e)))
		ub_fake_digest_buf(alg, buf, (size_t)len, out);
	free(buf);
	return rc;
}

int ub_fakedev_crc_blocks(struct ub_fakedev *d, uint64_t off, uint64_t len, unsigned n,
			  uint32_t *out, struct ub_err *e)
{
	uint8_t *buf;
	unsigned i;
	int rc;

	if ((rc = range_ok(d, off, len * n, e)) || (rc = exchange(d, UB_FAKE_DIGEST, off, len * n, e)))
		return rc;
	if (!(buf = malloc(len ? (size_t)len : 1)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	for (i = 0, rc = 0; !rc && i < n; i++)
		if (!(rc = ub_fakedev_peek(d, off + i * len, buf, (size_t)len, e)))
			out[i] = (uint32_t)crc32(0L, buf, (uInt)len);
	free(buf);
	return rc;
}

int ub_fakedev_write_block(struct ub_fakedev *d, uint64_t off, uint64_t len,
			   const uint8_t *data, struct ub_err *e)
{
	int stuck = d->f.stuck && d->f.stuck_at >= off && d->f.stuck_at - off < len;
	uint8_t *cur;
	uint64_t i;
	int rc;

	if ((rc = range_ok(d, off, len, e)) || (rc = exchange(d, UB_FAKE_WRITE, off, len, e)))
		return rc;
	if (!(cur = malloc((size_t)len)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	/* A locked sector: the device takes the commands and changes nothing. */
	memset(cur, 0xff, (size_t)len);
	if (!stuck && (rc = poke(d, off, cur, (size_t)len, e)))
		goto out;
	if ((rc = exchange(d, UB_FAKE_ERASE, off, len, e)))
		goto out;
	/* Programming clears bits only: what an erase did not set stays. */
	if ((rc = ub_fakedev_peek(d, off, cur, (size_t)len, e)))
		goto out;
	for (i = 0; i < len; i++)
		cur[i] &= data[i];
	if (!stuck)
		rc = poke(d, off, cur, (size_t)len, e);
out:
	free(cur);
	return rc;
}
