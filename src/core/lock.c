#include "lock.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "image/digest.h"

#include <openssl/sha.h>

/* Writes who holds it into the open lock file. */
static void say_holder(int fd, long long case_id, const char *key)
{
	char text[1400];
	int n = snprintf(text, sizeof text, "pid %ld case %lld %.1200s\n", (long)getpid(), case_id,
			 key ? key : "");

	if (ftruncate(fd, 0) == 0 && n > 0)
		(void)!pwrite(fd, text, (size_t)n, 0);
}

/* "pid N case M" of the holder, from the file; "" when unreadable. */
static void holder(int fd, char *out, size_t len)
{
	char text[256];
	long pid = 0;
	long long cid = 0;
	ssize_t n = pread(fd, text, sizeof text - 1, 0);

	out[0] = '\0';
	if (n <= 0)
		return;
	text[n] = '\0';
	if (sscanf(text, "pid %ld case %lld", &pid, &cid) >= 1) {
		if (cid > 0)
			snprintf(out, len, "case %lld, process %ld", cid, pid);
		else
			snprintf(out, len, "process %ld", pid);
	}
}

static int take(struct ub_lock *l, const char *path, long long case_id, const char *key,
		const char *advice, const char *what, struct ub_err *e)
{
	char who[128];
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

	l->fd = -1;
	if (fd < 0)
		return ub_err_errno(e, UB_EIO, "io", errno, "cannot open the lock %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		int err = errno;

		holder(fd, who, sizeof who);
		close(fd);
		if (err == EWOULDBLOCK)
			return ub_err_set(e, UB_ENODEV, advice, "%s is in use by another unbrick run (%s)",
					  what, who[0] ? who : "holder unknown");
		return ub_err_errno(e, UB_EIO, "io", err, "cannot lock %s", path);
	}
	say_holder(fd, case_id, key);
	l->fd = fd;
	return 0;
}

int ub_lock_device(struct ub_lock *l, const char *locks, const char *key, long long case_id,
		   struct ub_err *e)
{
	unsigned char md[SHA256_DIGEST_LENGTH];
	char path[4300], hex[65], what[1100];

	l->fd = -1;
	if (mkdir(locks, 0700) != 0 && errno != EEXIST)
		return ub_err_errno(e, UB_EIO, "io", errno, "cannot create %s", locks);
	SHA256((const unsigned char *)key, strlen(key), md);
	ub_hex(md, 16, hex);
	snprintf(path, sizeof path, "%s/%s.lock", locks, hex);
	snprintf(what, sizeof what, "the device %.1000s", key);
	return take(l, path, case_id, key, "device-busy", what, e);
}

int ub_lock_case(struct ub_lock *l, const char *folder, long long case_id, struct ub_err *e)
{
	char path[4300], what[64];

	snprintf(path, sizeof path, "%s/.lock", folder);
	snprintf(what, sizeof what, "case %lld", case_id);
	return take(l, path, case_id, NULL, "case-busy", what, e);
}

int ub_case_unlocked(const char *folder)
{
	char path[4300];
	int fd, free_now;

	snprintf(path, sizeof path, "%s/.lock", folder);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 1;   /* never locked: nobody holds it */
	free_now = flock(fd, LOCK_SH | LOCK_NB) == 0;
	close(fd);
	return free_now;
}

void ub_lock_note_case(struct ub_lock *l, long long case_id)
{
	char text[1400];
	ssize_t n;

	if (l->fd < 0)
		return;
	n = pread(l->fd, text, sizeof text - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	/* keep the key after "pid N case M " */
	{
		const char *key = strchr(text, ' ');

		key = key ? strchr(key + 1, ' ') : NULL;
		key = key ? strchr(key + 1, ' ') : NULL;
		key = key ? strchr(key + 1, ' ') : NULL;
		if (key) {
			char k[1300];

			snprintf(k, sizeof k, "%s", key + 1);
			k[strcspn(k, "\n")] = '\0';
			say_holder(l->fd, case_id, k);
		}
	}
}

void ub_unlock(struct ub_lock *l)
{
	if (l->fd >= 0)
		close(l->fd);   /* releases the flock */
	l->fd = -1;
}
