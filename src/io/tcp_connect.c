#include "tcp_connect.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One address: a non-blocking connect, waited for with poll, then the
 * descriptor made blocking again as its callers expect. */
static int one(const struct addrinfo *ai, int timeout_ms, int *err)
{
	long long end = now_ms() + timeout_ms;
	socklen_t len = sizeof *err;
	int fd, rc;

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, ai->ai_protocol);
	if (fd < 0) {
		*err = errno;
		return -1;
	}
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
		goto connected;
	if (errno != EINPROGRESS) {
		*err = errno;
		close(fd);
		return -1;
	}
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLOUT };
		long long left = end - now_ms();

		if (left <= 0) {
			*err = ETIMEDOUT;
			close(fd);
			return -1;
		}
		rc = poll(&p, 1, (int)left);
		if (rc > 0)
			break;
		if (rc < 0 && errno != EINTR) {
			*err = errno;
			close(fd);
			return -1;
		}
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, err, &len) != 0 || *err) {
		if (!*err)
			*err = errno;
		close(fd);
		return -1;
	}
connected:
	if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK) != 0) {
		*err = errno;
		close(fd);
		return -1;
	}
	return fd;
}

int ub_tcp_connect(const char *host, const char *port, int timeout_ms, int *err, int *gai)
{
	struct addrinfo hints, *res = NULL, *ai;
	int fd = -1;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	*err = 0;
	if ((*gai = getaddrinfo(host, port, &hints, &res)) != 0)
		return -1;
	for (ai = res; ai && fd < 0; ai = ai->ai_next)
		fd = one(ai, timeout_ms, err);
	freeaddrinfo(res);
	return fd;
}
