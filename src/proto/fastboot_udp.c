#include "fastboot_udp.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/interrupt.h"
#include "base/progress.h"

#define VERSION 1
#define MIN_PACKET 512
#define HOST_MAX 65000u   /* under the 65507 bytes an IPv4 datagram carries */

struct udp {
	struct ub_fb_transport t;
	int fd;
	uint16_t seq;
	size_t packet;           /* agreed largest packet */
	int retransmit_ms, attempts;
	uint64_t resent;
	uint8_t *tx, *rx;        /* packet buffers of HOST_MAX */
};

int ub_fbudp_header(const uint8_t *p, size_t n, struct ub_fbudp_header *h)
{
	if (n < UB_FBUDP_HEADER)
		return -1;
	h->id = p[0];
	h->flags = p[1];
	h->seq = (uint16_t)(p[2] << 8 | p[3]);
	return 0;
}

void ub_fbudp_put_header(uint8_t *p, const struct ub_fbudp_header *h)
{
	p[0] = h->id;
	p[1] = h->flags;
	p[2] = (uint8_t)(h->seq >> 8);
	p[3] = (uint8_t)h->seq;
}

int ub_fbudp_query_answer(const uint8_t *d, size_t n, uint16_t *next_seq, struct ub_err *e)
{
	if (n < 2)
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "the device's answer to the UDP query is %zu bytes; it must name the next sequence number (2 bytes)",
				  n);
	*next_seq = (uint16_t)(d[0] << 8 | d[1]);
	return 0;
}

int ub_fbudp_init_answer(const uint8_t *d, size_t n, unsigned *version, unsigned *max_packet,
			 struct ub_err *e)
{
	if (n < 4)
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "the device's answer to the UDP init is %zu bytes, not its version and packet size (4 bytes)",
				  n);
	*version = (unsigned)(d[0] << 8 | d[1]);
	*max_packet = (unsigned)(d[2] << 8 | d[3]);
	if (*version < VERSION)
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "the device speaks fastboot UDP version %u; version %d or later is needed", *version,
				  VERSION);
	if (*max_packet < MIN_PACKET)
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "the device takes UDP packets of %u bytes; the protocol says at least %d",
				  *max_packet, MIN_PACKET);
	return 0;
}

static int ms_left(double deadline)
{
	double left = (deadline - ub_now()) * 1000;

	return left <= 0 ? 0 : left > 1e9 ? 1000000000 : (int)left + 1;
}

/* One datagram within ms: its length, 0 on timeout, or an error. */
static long wait_datagram(struct udp *u, int ms, struct ub_err *e)
{
	struct pollfd pfd = { u->fd, POLLIN, 0 };
	double end = ub_now() + ms / 1000.0;
	ssize_t n;
	int r;

	for (;;) {
		r = poll(&pfd, 1, ms_left(end));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return ub_err_errno(e, UB_EIO, "io", errno, "waiting for %s", u->t.where);
		if (r == 0)
			return 0;
		n = recv(u->fd, u->rx, HOST_MAX, 0);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n < 0 && errno == ECONNREFUSED)
			return ub_err_set(e, UB_ENODEV, "fastboot-gone",
					  "nothing listens at %s any more (the port is closed: the device or its emulator is gone)",
					  u->t.where);
		if (n < 0)
			return ub_err_errno(e, UB_EIO, "no-device", errno, "receiving from %s", u->t.where);
		return n;
	}
}

/* One packet of id with data out and its answer in, sent again every
 * retransmit_ms, at most max_sends times (0: no bound) and while
 * budget_ms has not passed; answers that carry the continuation flag are
 * asked for more.  The answer's data goes to rx (up to rxmax; more is an
 * error); returns its length. */
static long exchange(struct udp *u, uint8_t id, uint8_t flags, const uint8_t *data, size_t n,
		     uint8_t *rx, size_t rxmax, unsigned max_sends, int budget_ms, struct ub_err *e)
{
	struct ub_fbudp_header h = { id, flags, u->seq }, a;
	double deadline = ub_now() + budget_ms / 1000.0, start = ub_now();
	size_t got = 0;
	unsigned sends = 0;
	long k;

	for (;;) {
		double window;

		ub_fbudp_put_header(u->tx, &h);
		if (n)
			memcpy(u->tx + UB_FBUDP_HEADER, data, n);
		if (send(u->fd, u->tx, UB_FBUDP_HEADER + n, 0) < 0 && errno != ECONNREFUSED && errno != EINTR)
			return ub_err_errno(e, UB_ENODEV, "no-device", errno, "sending to %s", u->t.where);
		if (sends++)
			u->resent++;
		window = ub_now() + u->retransmit_ms / 1000.0;
		if (window > deadline)
			window = deadline;
		for (;;) {
			k = wait_datagram(u, ms_left(window), e);
			if (k < 0)
				return k;
			if (k == 0)
				break;
			/* stale answers (repeats of earlier ones) and noise are not ours */
			if (ub_fbudp_header(u->rx, (size_t)k, &a) || a.seq != h.seq ||
			    (a.id != h.id && a.id != UB_FBUDP_ERROR))
				continue;
			u->seq++;
			if (a.id == UB_FBUDP_ERROR) {
				char text[128];
				size_t i, m = (size_t)k - UB_FBUDP_HEADER < sizeof text - 1 ?
					(size_t)k - UB_FBUDP_HEADER : sizeof text - 1;

				for (i = 0; i < m; i++) {
					uint8_t c = u->rx[UB_FBUDP_HEADER + i];

					text[i] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
				}
				text[m] = '\0';
				return ub_err_set(e, UB_EFAIL, "fastboot-protocol",
						  "%s reported an error: %s", u->t.where, m ? text : "(no text)");
			}
			if ((size_t)k - UB_FBUDP_HEADER > rxmax - got)
				return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
						  "%s answered with more than the %zu bytes a reply may have",
						  u->t.where, rxmax);
			if (rx)
				memcpy(rx + got, u->rx + UB_FBUDP_HEADER, (size_t)k - UB_FBUDP_HEADER);
			got += (size_t)k - UB_FBUDP_HEADER;
			if (!(a.flags & UB_FBUDP_CONTINUATION))
				return (long)got;
			/* more of the answer: ask for it with an empty packet */
			h = (struct ub_fbudp_header){ id, 0, u->seq };
			n = 0;
			sends = 0;
			deadline = ub_now() + budget_ms / 1000.0;
			goto next;
		}
		if (ub_now() >= deadline || (max_sends && sends >= max_sends))
			return ub_err_set(e, UB_ETIMEOUT, "fastboot-gone",
					  "%s stopped answering: no answer in %.1f s to %u sends of packet %u",
					  u->t.where, ub_now() - start, sends, h.seq);
next:;
	}
}

static int udp_send(struct ub_fb_transport *t, const uint8_t *buf, size_t n, struct ub_err *e)
{
	struct udp *u = (struct udp *)t;
	size_t max = u->packet - UB_FBUDP_HEADER;
	long k;

	do {
		size_t m = n < max ? n : max;

		k = exchange(u, UB_FBUDP_FASTBOOT, m < n ? UB_FBUDP_CONTINUATION : 0, buf, m, NULL,
			     (size_t)-1 / 2, (unsigned)u->attempts, 3600 * 1000, e);
		if (k < 0)
			return (int)k;
		buf += m;
		n -= m;
	} while (n > 0);
	return 0;
}

static long udp_recv(struct ub_fb_transport *t, uint8_t *buf, size_t max, int timeout_ms,
		     struct ub_err *e)
{
	struct udp *u = (struct udp *)t;
	int budget = timeout_ms > u->retransmit_ms * u->attempts ? timeout_ms : u->retransmit_ms * u->attempts;

	return exchange(u, UB_FBUDP_FASTBOOT, 0, NULL, 0, buf, max, 0, budget, e);
}

static void udp_close(struct ub_fb_transport *t)
{
	struct udp *u = (struct udp *)t;

	if (!u)
		return;
	if (u->fd >= 0)
		close(u->fd);
	free(u->tx);
	free(u->rx);
	free(u);
}

static const struct ub_fb_transport_ops udp_ops = { udp_send, udp_recv, udp_close };

void ub_fbudp_stats(const struct ub_fb_transport *t, uint64_t *resent, unsigned *packet)
{
	const struct udp *u = (const struct udp *)t;

	*resent = u->resent;
	*packet = (unsigned)u->packet;
}

static int handshake(struct udp *u, int wait_ms, unsigned host_max, struct ub_err *e)
{
	double end = ub_now() + wait_ms / 1000.0;
	uint8_t d[8], init[4];
	unsigned version, max;
	long k;
	int rc;

	u->seq = 0;
	/* asked in slices of a second, so that Ctrl-C ends a long wait for a
	 * device that is not there yet */
	do {
		int slice = ms_left(end) < 1000 ? ms_left(end) : 1000;

		k = exchange(u, UB_FBUDP_QUERY, 0, NULL, 0, d, sizeof d, 0, slice, e);
		if (k != UB_ETIMEOUT)
			break;
		if ((rc = ub_safe_point("waiting for the fastboot device to answer", e)))
			return rc;
	} while (ub_now() < end);
	if (k == UB_ETIMEOUT)
		return ub_err_set(e, UB_ENODEV, "fastboot-absent",
				  "no fastboot device answers at %s (asked for %.1f s)", u->t.where, wait_ms / 1000.0);
	if (k < 0)
		return (int)k;
	if ((rc = ub_fbudp_query_answer(d, (size_t)k, &u->seq, e)))
		return rc;
	init[0] = 0;
	init[1] = VERSION;
	init[2] = (uint8_t)(host_max >> 8);
	init[3] = (uint8_t)host_max;
	k = exchange(u, UB_FBUDP_INIT, 0, init, sizeof init, d, sizeof d, (unsigned)u->attempts, 3600 * 1000, e);
	if (k < 0)
		return (int)k;
	if ((rc = ub_fbudp_init_answer(d, (size_t)k, &version, &max, e)))
		return rc;
	u->packet = max < host_max ? max : host_max;
	/* a whole number of packets per send keeps every packet full */
	u->t.chunk = (u->packet - UB_FBUDP_HEADER) * 64;
	return 0;
}

int ub_fbudp_open_fd(struct ub_fb_transport **out, int fd, const char *where,
		     const struct ub_fbudp_opts *o, struct ub_err *e)
{
	struct ub_fbudp_opts d = { 10000, 500, 4, HOST_MAX };
	struct udp *u;
	int rc;

	*out = NULL;
	if (o) {
		d.wait_ms = o->wait_ms > 0 ? o->wait_ms : d.wait_ms;
		d.retransmit_ms = o->retransmit_ms > 0 ? o->retransmit_ms : d.retransmit_ms;
		d.attempts = o->attempts > 0 ? o->attempts : d.attempts;
		d.host_max = o->host_max >= MIN_PACKET && o->host_max <= HOST_MAX ? o->host_max : d.host_max;
	}
	if (!(u = calloc(1, sizeof *u)) || !(u->tx = malloc(HOST_MAX)) || !(u->rx = malloc(HOST_MAX))) {
		if (u) {
			free(u->tx);
			free(u);
		}
		close(fd);
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	u->t.ops = &udp_ops;
	u->t.name = "udp";
	snprintf(u->t.where, sizeof u->t.where, "%s", where);
	u->fd = fd;
	u->packet = MIN_PACKET;
	u->retransmit_ms = d.retransmit_ms;
	u->attempts = d.attempts;
	if ((rc = handshake(u, d.wait_ms, d.host_max, e))) {
		udp_close(&u->t);
		return rc;
	}
	*out = &u->t;
	return 0;
}

int ub_fb_host_port(const char *address, char *host, size_t len, unsigned *port, struct ub_err *e)
{
	const char *colon, *end;
	char *stop;
	unsigned long p = 0;

	*port = 0;
	if (address[0] == '[') {
		if (!(end = strchr(address, ']')))
			return ub_err_set(e, UB_EUSAGE, "usage", "'%s': an IPv6 address in [ ] lacks its ]", address);
		snprintf(host, len, "%.*s", (int)(end - address - 1), address + 1);
		colon = end[1] == ':' ? end + 1 : NULL;
		if (end[1] && !colon)
			return ub_err_set(e, UB_EUSAGE, "usage", "'%s': expected [ADDRESS]:PORT", address);
	} else {
		colon = strchr(address, ':');
		if (colon && strchr(colon + 1, ':'))
			return ub_err_set(e, UB_EUSAGE, "usage",
					  "'%s': write an IPv6 address in brackets, [ADDRESS]:PORT", address);
		snprintf(host, len, "%.*s", colon ? (int)(colon - address) : (int)strlen(address), address);
	}
	if (!host[0])
		return ub_err_set(e, UB_EUSAGE, "usage", "'%s': the host is empty; expected HOST[:PORT]", address);
	if (colon) {
		p = strtoul(colon + 1, &stop, 10);
		if (*stop || stop == colon + 1 || p == 0 || p > 65535)
			return ub_err_set(e, UB_EUSAGE, "usage", "'%s': the port must be 1 to 65535", address);
	}
	*port = (unsigned)p;
	return 0;
}

int ub_fbudp_open(struct ub_fb_transport **out, const char *address,
		  const struct ub_fbudp_opts *o, struct ub_err *e)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	char host[256], port_s[16], where[128];
	unsigned port;
	int fd = -1, rc, err = 0;

	*out = NULL;
	if ((rc = ub_fb_host_port(address, host, sizeof host, &port, e)))
		return rc;
	snprintf(port_s, sizeof port_s, "%u", port ? port : UB_FBUDP_PORT);
	hints.ai_socktype = SOCK_DGRAM;
	if ((rc = getaddrinfo(host, port_s, &hints, &res)) != 0)
		return ub_err_set(e, UB_ENODEV, "no-device", "udp %s: cannot resolve %s: %s", address, host,
				  gai_strerror(rc));
	for (ai = res; ai && fd < 0; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) != 0) {
			err = errno;
			close(fd);
			fd = -1;
		}
	}
	freeaddrinfo(res);
	if (fd < 0)
		return ub_err_errno(e, UB_ENODEV, "no-device", err ? err : errno, "udp %s", address);
	snprintf(where, sizeof where, "udp %.100s:%s", host, port_s);
	return ub_fbudp_open_fd(out, fd, where, o, e);
}
