/* Opening an image by its path: only a regular file is an image.  A named
 * pipe without a writer used to block the open for ever; a device, a
 * socket and a folder are refused the same way, with the path named. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <cmocka.h>

#include "image/src.h"

static char dir[] = "/tmp/ub-src-XXXXXX";

static void refused(const char *path, const char *kind)
{
	struct ub_src s;
	struct ub_err e;

	assert_int_equal(ub_src_open(&s, path, &e), UB_EIO);
	assert_string_equal(e.advice_id, "io");
	if (!strstr(e.msg, path) || !strstr(e.msg, kind) || !strstr(e.msg, "give the path of a regular file"))
		fail_msg("'%s' does not name %s as %s and say what to give", e.msg, path, kind);
}

/* No writer ever opens the pipe: a blocking open would never return. */
static void named_pipe_refused_at_once(void **state)
{
	char path[64];

	(void)state;
	snprintf(path, sizeof path, "%s/pipe", dir);
	assert_int_equal(mkfifo(path, 0600), 0);
	refused(path, "a named pipe");
}

static void device_folder_socket_refused(void **state)
{
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	struct ub_src s;
	struct ub_err e;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	(void)state;
	refused("/dev/null", "a character device");
	refused(dir, "a folder");
	/* a socket cannot even be opened: the error names it all the same */
	snprintf(a.sun_path, sizeof a.sun_path, "%s/sock", dir);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(ub_src_open(&s, a.sun_path, &e), UB_EIO);
	assert_non_null(strstr(e.msg, a.sun_path));
	close(fd);
}

/* A regular file opens, blocking again: reads must not see EAGAIN. */
static void regular_file_opens_blocking(void **state)
{
	char path[64], buf[5];
	struct ub_src s;
	struct ub_err e;
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "%s/fw.bin", dir);
	f = fopen(path, "wb");
	assert_non_null(f);
	fputs("hello", f);
	fclose(f);
	assert_int_equal(ub_src_open(&s, path, &e), 0);
	assert_int_equal(s.size, 5);
	assert_int_equal(fcntl(s.fd, F_GETFL) & O_NONBLOCK, 0);
	assert_int_equal(ub_src_read(&s, 0, buf, 5, &e), 0);
	assert_memory_equal(buf, "hello", 5);
	ub_src_close(&s);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(named_pipe_refused_at_once),
		cmocka_unit_test(device_folder_socket_refused),
		cmocka_unit_test(regular_file_opens_blocking),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
