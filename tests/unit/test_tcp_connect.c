/* TCP connections that give up: on loopback, a listener that takes the
 * connection, a port nobody listens on, and a listener whose queue is
 * full (the kernel drops the SYN, as a host that is gone does). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "io/tcp_connect.h"

/* A loopback socket bound to a free port; listening with backlog when
 * backlog >= 0.  port gets its number as text. */
static int bound(int backlog, char *port, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	if (backlog >= 0)
		assert_int_equal(listen(fd, backlog), 0);
	snprintf(port, len, "%u", ntohs(a.sin_port));
	return fd;
}

static void connects_blocking(void **state)
{
	char port[8];
	int l = bound(4, port, sizeof port), err, gai, fd, peer;
	char c = 0;

	(void)state;
	fd = ub_tcp_connect("127.0.0.1", port, 2000, &err, &gai);
	assert_true(fd >= 0);
	assert_int_equal(gai, 0);
	/* its callers read it with their own timeouts on a blocking fd */
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	peer = accept(l, NULL, NULL);
	assert_true(peer >= 0);
	assert_int_equal(write(fd, "x", 1), 1);
	assert_int_equal(read(peer, &c, 1), 1);
	assert_int_equal(c, 'x');
	close(peer);
	close(fd);
	close(l);
}

static void refused(void **state)
{
	char port[8];
	int l = bound(-1, port, sizeof port), err, gai;   /* bound, not listening */

	(void)state;
	assert_int_equal(ub_tcp_connect("127.0.0.1", port, 2000, &err, &gai), -1);
	assert_int_equal(gai, 0);
	assert_int_equal(err, ECONNREFUSED);
	close(l);
}

static void no_answer_gives_up(void **state)
{
	char port[8];
	int l = bound(0, port, sizeof port), err, gai, first;

	(void)state;
	/* backlog 0 holds one connection nobody accepts; the next SYN is
	 * dropped, so that connect would wait for the kernel's retries */
	first = ub_tcp_connect("127.0.0.1", port, 2000, &err, &gai);
	assert_true(first >= 0);
	assert_int_equal(ub_tcp_connect("127.0.0.1", port, 300, &err, &gai), -1);
	assert_int_equal(gai, 0);
	assert_int_equal(err, ETIMEDOUT);
	close(first);
	close(l);
}

static void bad_service(void **state)
{
	int err, gai;

	(void)state;
	assert_int_equal(ub_tcp_connect("127.0.0.1", "no-such-service", 300, &err, &gai), -1);
	assert_int_not_equal(gai, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(connects_blocking),
		cmocka_unit_test(refused),
		cmocka_unit_test(no_answer_gives_up),
		cmocka_unit_test(bad_service),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
