#include "fastboot_tcp.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "base/progress.h"
#include "io/tcp_connect.h"
#include "proto/fastboot_udp.h"

#define SEND_MS 30000   /* a peer that takes nothing for this long is gone */

struct tcp {
	struct ub_fb_transport t;
	int fd;
};

int ub_fbtcp_handshake_answer(const uint8_t *d, size_t n, unsigned *version, struct ub_err *e)
{
	if (n != 4 || d[0] != 'F' || d[1] != 'B' || d[2] < '0' || d[2] > '9' || d[3] < '0' || d[3] > '9')
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "the peer's handshake is not FB and a two-digit version: not a fastboot device");
	*version = (unsigned)(d[2] - '0') * 10 + (unsigned)(d[3] - '0');
	if (*version < 1)
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "the device speaks fastboot TCP version %u; version 1 or later is needed", *version);
	return 0;
}

uint64_t ub_fbtcp_length(const uint8_t h[8])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | h[i];
	return v;
}

void ub_fbtcp_put_length(uint8_t h[8], uint64_t n)
{
	int i;

	for (i = 7; i >= 0; i--) {
		h[i] = (uint8_t)n;
		n >>= 8;
	}
}

static int ms_left(double deadline)
{
	double left = (deadline - ub_now()) * 1000;

	return left <= 0 ? 0 : (int)left + 1;
}

/* Exactly n bytes within the deadline. */
static int read_all(struct tcp *c, uint8_t *buf, size_t n, double deadline, struct ub_err *e)
{
	struct pollfd pfd = { c->fd, POLLIN, 0 };

	while (n > 0) {
		ssize_t k;
		int r = poll(&pfd, 1, ms_left(deadline));

		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			return ub_err_set(e, UB_ETIMEOUT, "fastboot-gone", "%s stopped answering", c->t.where);
		k = read(c->fd, buf, n);
		if (k < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (k == 0)
			return ub_err_set(e, UB_ENODEV, "fastboot-gone", "%s closed the connection", c->t.where);
		if (k < 0)
			return ub_err_errno(e, UB_ENODEV, "fastboot-gone", errno, "reading from %s", c->t.where);
		buf += k;
		n -= (size_t)k;
	}
	return 0;
}

static int write_all(struct tcp *c, struct iovec *iov, int cnt, struct ub_err *e)
{
	struct pollfd pfd = { c->fd, POLLOUT, 0 };
	double deadline = ub_now() + SEND_MS / 1000.0;

	while (cnt > 0) {
		ssize_t k;

		if (iov->iov_len == 0) {
			iov++;
			cnt--;
			continue;
		}
		k = writev(c->fd, iov, cnt);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0 && errno == EAGAIN) {
			if (poll(&pfd, 1, ms_left(deadline)) == 0)
				return ub_err_set(e, UB_ETIMEOUT, "fastboot-gone", "%s takes nothing more", c->t.where);
			continue;
		}
		if (k < 0)
			return ub_err_errno(e, UB_ENODEV, "fastboot-gone", errno, "writing to %s", c->t.where);
		while (k > 0 && cnt > 0) {
			size_t m = (size_t)k < iov->iov_len ? (size_t)k : iov->iov_len;

			iov->iov_base = (uint8_t *)iov->iov_base + m;
			iov->iov_len -= m;
			k -= (ssize_t)m;
			if (iov->iov_len == 0) {
				iov++;
				cnt--;
			}
		}
	}
	return 0;
}

static int tcp_send(struct ub_fb_transport *t, const uint8_t *buf, size_t n, struct ub_err *e)
{
	struct tcp *c = (struct tcp *)t;
	uint8_t h[8];
	struct iovec iov[2] = { { h, 8 }, { (void *)buf, n } };

	ub_fbtcp_put_length(h, n);
	return write_all(c, iov, 2, e);
}

static long tcp_recv(struct ub_fb_transport *t, uint8_t *buf, size_t max, int timeout_ms,
		     struct ub_err *e)
{
	struct tcp *c = (struct tcp *)t;
	double deadline = ub_now() + timeout_ms / 1000.0;
	uint8_t h[8];
	uint64_t n;
	int rc;

	if ((rc = read_all(c, h, 8, deadline, e)))
		return rc;
	n = ub_fbtcp_length(h);
	if (n > max)
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "%s announced a reply of %llu bytes; a reply has at most %zu", c->t.where,
				  (unsigned long long)n, max);
	if ((rc = read_all(c, buf, (size_t)n, deadline, e)))
		return rc;
	return (long)n;
}

static void tcp_close(struct ub_fb_transport *t)
{
	struct tcp *c = (struct tcp *)t;

	if (!c)
		return;
	if (c->fd >= 0)
		close(c->fd);
	free(c);
}

static const struct ub_fb_transport_ops tcp_ops = { tcp_send, tcp_recv, tcp_close };

int ub_fbtcp_open_fd(struct ub_fb_transport **out, int fd, const char *where, int timeout_ms,
		     struct ub_err *e)
{
	struct iovec iov = { (void *)"FB01", 4 };
	struct tcp *c;
	uint8_t a[4];
	unsigned version;
	int rc;

	*out = NULL;
	if (!(c = calloc(1, sizeof *c))) {
		close(fd);
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	c->t.ops = &tcp_ops;
	c->t.name = "tcp";
	c->t.chunk = 1u << 20;
	snprintf(c->t.where, sizeof c->t.where, "%s", where);
	c->fd = fd;
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* commands are a few bytes each, answered at once: no Nagle delay
	 * (fails harmlessly on a socket pair) */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &(int){ 1 }, sizeof(int));
	if ((rc = write_all(c, &iov, 1, e)) ||
	    (rc = read_all(c, a, 4, ub_now() + timeout_ms / 1000.0, e)) ||
	    (rc = ub_fbtcp_handshake_answer(a, 4, &version, e))) {
		ub_err_prefix(e, "the fastboot TCP handshake");
		tcp_close(&c->t);
		return rc;
	}
	*out = &c->t;
	return 0;
}

int ub_fbtcp_open(struct ub_fb_transport **out, const char *address, int timeout_ms,
		  struct ub_err *e)
{
	char host[256], port_s[16], where[128];
	unsigned port;
	int fd, rc, err, gai;

	*out = NULL;
	if ((rc = ub_fb_host_port(address, host, sizeof host, &port, e)))
		return rc;
	snprintf(port_s, sizeof port_s, "%u", port ? port : UB_FBTCP_PORT);
	fd = ub_tcp_connect(host, port_s, timeout_ms > 0 && timeout_ms < UB_TCP_CONNECT_MS ? timeout_ms : UB_TCP_CONNECT_MS,
			    &err, &gai);
	if (gai)
		return ub_err_set(e, UB_ENODEV, "no-device", "tcp %s: cannot resolve %s: %s", address, host,
				  gai_strerror(gai));
	if (fd < 0)
		return ub_err_errno(e, UB_ENODEV, "fastboot-absent", err,
				    "no fastboot device answers at tcp %s:%s%s", host, port_s,
				    err == ETIMEDOUT ? " (the connection was not accepted in time)" : "");
	snprintf(where, sizeof where, "tcp %.100s:%s", host, port_s);
	return ub_fbtcp_open_fd(out, fd, where, timeout_ms, e);
}
