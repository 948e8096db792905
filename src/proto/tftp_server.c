#include "tftp_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/say.h"

#define MAX_PKT 65468   /* 4 bytes of header + the largest blksize */

/* ---- packets ---- */

static unsigned be16(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* A NUL-terminated string at *at inside [p, end); advances *at. */
static const char *cstr(const uint8_t *p, size_t n, size_t *at)
{
	const uint8_t *nul;
	const char *s;

	if (*at >= n || !(nul = memchr(p + *at, 0, n - *at)))
		return NULL;
	s = (const char *)p + *at;
	*at = (size_t)(nul - p) + 1;
	return s;
}

/* Option values are decimal and small; anything else is not a value. */
static long number(const char *s)
{
	long v = 0;

	if (!*s)
		return -2;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -2;
		v = v * 10 + (*s - '0');
	}
	return v;
}

int ub_tftp_parse(const uint8_t *p, size_t n, struct ub_tftp_pkt *out)
{
	size_t at = 2;

	memset(out, 0, sizeof *out);
	out->blksize = out->timeout = out->windowsize = out->tsize = -1;
	if (n < 4)
		return UB_EFORMAT;
	out->op = (enum ub_tftp_op)be16(p);
	switch (out->op) {
	case UB_TFTP_RRQ:
	case UB_TFTP_WRQ:
		if (!(out->file = cstr(p, n, &at)) || !(out->mode = cstr(p, n, &at)))
			return UB_EFORMAT;
		while (at < n) {
			const char *k = cstr(p, n, &at), *v = k ? cstr(p, n, &at) : NULL;

			if (!k || !v)
				return UB_EFORMAT;
			if (strcasecmp(k, "blksize") == 0)
				out->blksize = number(v);
			else if (strcasecmp(k, "timeout") == 0)
				out->timeout = number(v);
			else if (strcasecmp(k, "windowsize") == 0)
				out->windowsize = number(v);
			else if (strcasecmp(k, "tsize") == 0) {
				out->tsize_asked = 1;
				out->tsize = number(v);
			}
		}
		return 0;
	case UB_TFTP_ACK:
	case UB_TFTP_DATA:
		out->block = be16(p + 2);
		return 0;
	case UB_TFTP_ERROR:
		out->error_code = be16(p + 2);
		at = 4;
		out->error_msg = cstr(p, n, &at);
		if (!out->error_msg)
			out->error_msg = "";
		return 0;
	case UB_TFTP_OACK:
		return 0;
	default:
		return UB_EFORMAT;
	}
}

/* ---- the server ---- */

struct ub_tftp_server {
	struct ub_tftp_opts o;
	struct ub_progress *p;
	int listen_fd, stop_fd[2];
	unsigned port;
	pthread_t thread;
	int started;
	atomic_int dallying;       /* receiving: every byte is in, the last ACK sent */
	int rc;
	struct ub_err e;
	struct ub_tftp_stats st;
};

static void send_error(int fd, const struct sockaddr_in *to, unsigned code, const char *msg)
{
	uint8_t pkt[256];
	size_t n = strlen(msg) < 200 ? strlen(msg) : 200;

	pkt[0] = 0;
	pkt[1] = UB_TFTP_ERROR;
	pkt[2] = (uint8_t)(code >> 8);
	pkt[3] = (uint8_t)code;
	memcpy(pkt + 4, msg, n);
	pkt[4 + n] = 0;
	sendto(fd, pkt, 5 + n, 0, (const struct sockaddr *)to, sizeof *to);
}

/* Waits for a packet on fd, or the stop pipe; returns its length, 0 on
 * timeout or a signal (callers look at the clock), -1 when stopped or on
 * error. */
static long wait_packet(struct ub_tftp_server *s, int fd, uint8_t *buf, size_t cap, int ms,
			struct sockaddr_in *from)
{
	struct pollfd pf[2] = { { fd, POLLIN, 0 }, { s->stop_fd[0], POLLIN, 0 } };
	socklen_t fl = sizeof *from;
	int r = poll(pf, 2, ms);

	if (r < 0 && errno == EINTR)
		return 0;
	if (r < 0 || (pf[1].revents & POLLIN))
		return -1;
	if (r == 0)
		return 0;
	return recvfrom(fd, buf, cap, 0, (struct sockaddr *)from, &fl);
}

static int same_peer(const struct sockaddr_in *a, const struct sockaddr_in *b)
{
	return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

/* Which of the request's options we take: a value outside its RFC's range
 * is left out of the OACK, as if never asked (RFC 2347 lets a server
 * ignore an option; answering with another blksize than asked, or any
 * other timeout, is not allowed). */
static int want_blksize(const struct ub_tftp_pkt *rq)
{
	return rq->blksize >= 8;   /* above 65464 we answer with our cap */
}

static int want_window(const struct ub_tftp_pkt *rq)
{
	return rq->windowsize >= 1;
}

static int want_timeout(const struct ub_tftp_pkt *rq)
{
	return rq->timeout >= 1 && rq->timeout <= 255;
}

/* The options granted, in an OACK; 0 when there is none to acknowledge
 * (the transfer then starts with block 1, as in RFC 1350). */
static size_t build_oack(uint8_t *pkt, const struct ub_tftp_pkt *rq, unsigned blksize,
			 unsigned window, unsigned timeout_s, uint64_t size)
{
	size_t n = 2;

	pkt[0] = 0;
	pkt[1] = UB_TFTP_OACK;
	if (want_blksize(rq))
		n += (size_t)sprintf((char *)pkt + n, "blksize%c%u%c", 0, blksize, 0);
	if (want_window(rq))
		n += (size_t)sprintf((char *)pkt + n, "windowsize%c%u%c", 0, window, 0);
	if (want_timeout(rq))
		n += (size_t)sprintf((char *)pkt + n, "timeout%c%u%c", 0, timeout_s, 0);
	if (rq->tsize_asked)
		n += (size_t)sprintf((char *)pkt + n, "tsize%c%llu%c", 0, (unsigned long long)size, 0);
	return n > 2 ? n : 0;
}

/* Sends data block k (1-based, 64-bit) of the file.  A block the file
 * cannot give is reported in e, and the client is told, so it does not
 * wait out its own timeouts. */
static int send_block(struct ub_tftp_server *s, int fd, const struct sockaddr_in *to, uint64_t k,
		      unsigned blksize, uint8_t *pkt, struct ub_err *e)
{
	uint64_t off = (k - 1) * blksize;
	size_t len = off >= s->o.src->size ? 0 :
		(size_t)(s->o.src->size - off < blksize ? s->o.src->size - off : blksize);
	int rc;

	pkt[0] = 0;
	pkt[1] = UB_TFTP_DATA;
	pkt[2] = (uint8_t)(k >> 8);
	pkt[3] = (uint8_t)k;
	if (len && (rc = ub_src_read(s->o.src, off, pkt + 4, len, e)) != 0) {
		send_error(fd, to, 0, "server cannot read the file");
		return rc;
	}
	if (sendto(fd, pkt, 4 + len, 0, (const struct sockaddr *)to, sizeof *to) < 0)
		return ub_err_errno(e, UB_EIO, "tftp-send", errno, "TFTP: sending block %llu",
				    (unsigned long long)k);
	return 0;
}

/* A packet that came during the transfer, parsed into *a: 1 to look at
 * it, 0 to ignore it (junk, or another port, which gets ERROR 5 as RFC 1350
 * says), or a negative code when the client sent an ERROR (it is done). */
static int from_peer(struct ub_tftp_server *s, int fd, const struct sockaddr_in *peer,
		     const struct sockaddr_in *from, const uint8_t *in, long got,
		     struct ub_tftp_pkt *a, const char *what)
{
	if (!same_peer(from, peer)) {
		send_error(fd, from, 5, "Unknown transfer ID");
		return 0;
	}
	if (ub_tftp_parse(in, (size_t)got, a) != 0)
		return 0;
	if (a->op == UB_TFTP_ERROR)
		return ub_err_set(&s->e, UB_EFAIL, "tftp-refused", "TFTP: %s %s: %.200s", s->st.client,
				  what, a->error_msg);
	return 1;
}

/* Milliseconds left until a deadline, for poll. */
static int ms_until(double deadline)
{
	double left = (deadline - ub_now()) * 1000;

	return left <= 0 ? 0 : (int)left + 1;
}

/* What both directions start with: the block size and timeout granted,
 * the peer named for messages, and a socket of the transfer's own (a new
 * port: RFC 1350's transfer ID).  Returns the socket, or -1 with s->e set. */
static int start_transfer(struct ub_tftp_server *s, const struct ub_tftp_pkt *rq,
			  const struct sockaddr_in *peer, unsigned *blksize, unsigned *timeout_ms)
{
	struct sockaddr_in me = { 0 };
	char addr[INET_ADDRSTRLEN];
	int fd;

	*blksize = 512;
	*timeout_ms = (unsigned)s->o.timeout_ms;
	if (want_blksize(rq))
		*blksize = (unsigned)(rq->blksize < (long)s->o.max_blksize ? rq->blksize : (long)s->o.max_blksize);
	if (want_timeout(rq))
		*timeout_ms = (unsigned)rq->timeout * 1000;
	s->st.blksize = *blksize;
	inet_ntop(AF_INET, &peer->sin_addr, addr, sizeof addr);   /* inet_ntoa is not thread-safe */
	snprintf(s->st.client, sizeof s->st.client, "%s:%u", addr, ntohs(peer->sin_port));
	me.sin_family = AF_INET;
	inet_pton(AF_INET, s->o.bind_addr, &me.sin_addr);
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(fd, (struct sockaddr *)&me, sizeof me) != 0) {
		ub_err_errno(&s->e, UB_EIO, "tftp-bind", errno, "TFTP: no socket for the transfer");
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/* One transfer, from its own socket: the OACK when options were granted
 * (answered by ACK 0), then windows of blocks; an ACK inside the window
 * slides it to there, a timeout resends from the first block not yet
 * acknowledged.  The last block is the first shorter than blksize (empty
 * when the size is a multiple).
 *
 * The resend timer runs from the last time something was sent: packets
 * that change nothing (duplicate ACKs, other TIDs, junk) must not put it
 * off, or a client repeating its last ACK faster than our timeout would
 * hold the transfer still for as long as it keeps repeating. */
static int transfer(struct ub_tftp_server *s, const struct ub_tftp_pkt *rq,
		    const struct sockaddr_in *peer)
{
	struct sockaddr_in from;
	uint8_t *pkt = malloc(MAX_PKT), *in = malloc(MAX_PKT);
	unsigned blksize, window = 1, timeout_ms, tries = 0;
	uint64_t size = s->o.src->size, last, base = 1, next = 1, nacked = 0;
	double t0 = ub_now(), deadline;
	int fd = -1, rc = 0, use;
	size_t oack;

	if (!pkt || !in) {
		free(pkt);
		free(in);
		return ub_err_set(&s->e, UB_ENOMEM, NULL, "out of memory");
	}
	if (want_window(rq))
		window = (unsigned)(rq->windowsize < (long)s->o.max_window ? rq->windowsize : (long)s->o.max_window);
	s->st.windowsize = window;
	if ((fd = start_transfer(s, rq, peer, &blksize, &timeout_ms)) < 0) {
		rc = s->e.code;
		goto out;
	}
	last = size / blksize + 1;
	if ((oack = build_oack(pkt, rq, blksize, window, timeout_ms / 1000, size)) > 0) {
		sendto(fd, pkt, oack, 0, (const struct sockaddr *)peer, sizeof *peer);
		deadline = ub_now() + timeout_ms / 1000.0;
		for (;;) {   /* until ACK 0 */
			struct ub_tftp_pkt a;
			long got = wait_packet(s, fd, in, MAX_PKT, ms_until(deadline), &from);

			if (got < 0) {
				rc = ub_err_set(&s->e, UB_EFAIL, NULL, "TFTP: stopped");
				goto out;
			}
			if (got == 0 && ub_now() < deadline)
				continue;   /* a signal, not the timeout */
			if (got == 0) {
				if (++tries > (unsigned)s->o.retries) {
					send_error(fd, peer, 0, "timed out");
					rc = ub_err_set(&s->e, UB_ETIMEOUT, "tftp-timeout",
							"TFTP: %s never acknowledged the options", s->st.client);
					goto out;
				}
				s->st.retransmits++;
				sendto(fd, pkt, oack, 0, (const struct sockaddr *)peer, sizeof *peer);
				deadline = ub_now() + timeout_ms / 1000.0;
				continue;
			}
			if ((use = from_peer(s, fd, peer, &from, in, got, &a, "refused the options")) < 0) {
				rc = use;
				goto out;
			}
			if (use && a.op == UB_TFTP_ACK && a.block == 0)
				break;
		}
	}
	tries = 0;
	deadline = 0;
	while (base <= last) {
		struct ub_tftp_pkt a;
		long got;

		if (next < base + window && next <= last) {
			for (; next < base + window && next <= last; next++)
				if ((rc = send_block(s, fd, peer, next, blksize, pkt, &s->e)) != 0)
					goto out;
			deadline = ub_now() + timeout_ms / 1000.0;
		}
		got = wait_packet(s, fd, in, MAX_PKT, ms_until(deadline), &from);
		if (got < 0) {
			rc = ub_err_set(&s->e, UB_EFAIL, NULL, "TFTP: stopped");
			goto out;
		}
		if (got == 0 && ub_now() < deadline)
			continue;   /* a signal, not the timeout */
		if (got == 0) {
			if (++tries > (unsigned)s->o.retries && next > last) {
				send_error(fd, peer, 0, "timed out");
				s->st.unconfirmed = 1;
				rc = ub_err_set(&s->e, UB_ETIMEOUT, "tftp-unconfirmed",
						"TFTP: %s never acknowledged the end of the file (blocks %llu to %llu, sent %u times)",
						s->st.client, (unsigned long long)base, (unsigned long long)last, tries);
				goto out;
			}
			if (tries > (unsigned)s->o.retries) {
				send_error(fd, peer, 0, "timed out");
				rc = ub_err_set(&s->e, UB_ETIMEOUT, "tftp-timeout",
						"TFTP: %s stopped acknowledging at block %llu of %llu",
						s->st.client, (unsigned long long)base, (unsigned long long)last);
				goto out;
			}
			s->st.retransmits++;
			next = base;   /* go back: the whole window again */
			continue;
		}
		if ((use = from_peer(s, fd, peer, &from, in, got, &a, "gave up")) < 0) {
			rc = use;
			goto out;
		}
		if (!use || a.op != UB_TFTP_ACK)
			continue;
		/* Which block does this 16-bit number acknowledge?  Blocks sent
		 * and not yet acknowledged (base .. next-1; a window is below
		 * 65536 blocks, so at most one matches) move the window. */
		{
			uint64_t k, acked = UINT64_MAX;

			for (k = base; k < next; k++)
				if ((k & 0xffff) == a.block) {
					acked = k;
					break;
				}
			if (acked == UINT64_MAX) {
				/* The ACK of the block before the window, again: a
				 * client that lost the window's first block says so
				 * this way (RFC 7440), and waiting for our timeout
				 * would stall it.  Resent once per window position,
				 * so duplicated ACKs cannot start a cascade. */
				if (base > 1 && ((base - 1) & 0xffff) == a.block && nacked != base) {
					nacked = base;
					s->st.retransmits++;
					next = base;
				}
				continue;
			}
			base = acked + 1;
			tries = 0;
			s->st.blocks = acked;
			s->st.bytes = acked * blksize > size ? size : acked * blksize;
			if (s->p)
				ub_progress_update(s->p, s->st.bytes);
			/* an ACK short of the window's end: the client missed
			 * the block after it; go on from there */
			if (acked < next - 1) {
				next = base;
				nacked = base;   /* this ACK was the NACK for base */
			}
		}
	}
	s->st.bytes = size;
	s->st.blocks = last;
out:
	s->st.seconds = ub_now() - t0;
	if (fd >= 0)
		close(fd);
	free(pkt);
	free(in);
	return rc;
}

/* Silent timeouts a receiver that has every byte waits for a repeat of
 * the last block before it ends on its own. */
#define DALLY_TIMEOUTS 2

/* A write into o.sink, a block at a time (U-Boot's tftpput asks for no
 * window; RFC 7440 is not offered for writes).  Each DATA in order is
 * acknowledged; a repeat of the one before means that ACK was lost and
 * gets it again; silence past the timeout resends the last answer.  The
 * first block shorter than blksize is the last.  A size announced in
 * tsize, or more bytes than asked for, ends the transfer at once: a
 * backup of the wrong length is no backup. */
static int receive(struct ub_tftp_server *s, const struct ub_tftp_pkt *rq,
		   const struct sockaddr_in *peer)
{
	struct sockaddr_in from;
	struct ub_tftp_pkt q = *rq;
	uint8_t *in = malloc(MAX_PKT), answer[128];
	unsigned blksize, timeout_ms, tries = 0;
	uint64_t expect = 1, size = s->o.sink_len, have = 0;
	double t0 = ub_now(), deadline;
	int fd = -1, rc = 0, use;
	size_t answer_len;

	if (!in)
		return ub_err_set(&s->e, UB_ENOMEM, NULL, "out of memory");
	q.windowsize = -1;
	s->st.windowsize = 1;
	if ((fd = start_transfer(s, rq, peer, &blksize, &timeout_ms)) < 0) {
		rc = s->e.code;
		goto out;
	}
	if (rq->tsize_asked && (rq->tsize < 0 || (uint64_t)rq->tsize != size)) {
		send_error(fd, peer, 3, "not the size expected");
		if (rq->tsize >= 0)
			rc = ub_err_set(&s->e, UB_EFAIL, "tftp-size",
					"TFTP: %s was going to send %ld bytes as %s, not the %llu asked for",
					s->st.client, rq->tsize, s->o.name, (unsigned long long)size);
		else
			rc = ub_err_set(&s->e, UB_EFAIL, "tftp-size",
					"TFTP: %s announced a size for %s that is not the %llu bytes asked for",
					s->st.client, s->o.name, (unsigned long long)size);
		goto out;
	}
	if ((answer_len = build_oack(answer, &q, blksize, 1, timeout_ms / 1000, size)) == 0) {
		answer_len = 4;
		memcpy(answer, (const uint8_t[]){ 0, UB_TFTP_ACK, 0, 0 }, 4);
	}
	sendto(fd, answer, answer_len, 0, (const struct sockaddr *)peer, sizeof *peer);
	deadline = ub_now() + timeout_ms / 1000.0;
	for (;;) {
		struct ub_tftp_pkt a;
		long got = wait_packet(s, fd, in, MAX_PKT, ms_until(deadline), &from);
		size_t len;

		if (got < 0) {
			if (!atomic_load(&s->dallying))
				rc = ub_err_set(&s->e, UB_EFAIL, NULL, "TFTP: stopped");
			goto out;
		}
		if (got == 0 && ub_now() < deadline)
			continue;   /* a signal, not the timeout */
		if (got == 0) {
			deadline = ub_now() + timeout_ms / 1000.0;
			if (atomic_load(&s->dallying)) {
				if (++tries >= DALLY_TIMEOUTS)
					goto out;
				continue;
			}
			if (++tries > (unsigned)s->o.retries) {
				send_error(fd, peer, 0, "timed out");
				rc = ub_err_set(&s->e, UB_ETIMEOUT, "tftp-put-timeout",
						"TFTP: %s stopped sending %s at block %llu (%llu of %llu bytes came)",
						s->st.client, s->o.name, (unsigned long long)expect,
						(unsigned long long)have, (unsigned long long)size);
				goto out;
			}
			s->st.retransmits++;
			sendto(fd, answer, answer_len, 0, (const struct sockaddr *)peer, sizeof *peer);
			continue;
		}
		if ((use = from_peer(s, fd, peer, &from, in, got, &a, "gave up")) < 0) {
			if (atomic_load(&s->dallying)) {
				ub_err_clear(&s->e);   /* every byte is here */
				goto out;
			}
			rc = use;
			goto out;
		}
		if (!use || a.op != UB_TFTP_DATA)
			continue;
		if (expect > 1 && a.block == ((expect - 1) & 0xffff)) {
			/* our ACK of it was lost: the same answer again */
			s->st.retransmits++;
			sendto(fd, answer, answer_len, 0, (const struct sockaddr *)peer, sizeof *peer);
			continue;
		}
		if (atomic_load(&s->dallying) || a.block != (expect & 0xffff))
			continue;
		len = (size_t)got - 4;
		if (len > blksize) {
			send_error(fd, peer, 4, "block larger than the blksize agreed");
			rc = ub_err_set(&s->e, UB_EFAIL, "tftp-size",
					"TFTP: %s sent block %llu of %zu bytes, over the blksize of %u",
					s->st.client, (unsigned long long)expect, len, blksize);
			goto out;
		}
		if (have + len > size) {
			send_error(fd, peer, 3, "Disk full or allocation exceeded");
			rc = ub_err_set(&s->e, UB_EFAIL, "tftp-size",
					"TFTP: %s sent more than the %llu bytes of %s asked for",
					s->st.client, (unsigned long long)size, s->o.name);
			goto out;
		}
		memcpy(s->o.sink + have, in + 4, len);
		have += len;
		answer_len = 4;
		memcpy(answer, (const uint8_t[]){ 0, UB_TFTP_ACK, (uint8_t)(expect >> 8), (uint8_t)expect }, 4);
		sendto(fd, answer, answer_len, 0, (const struct sockaddr *)peer, sizeof *peer);
		tries = 0;
		deadline = ub_now() + timeout_ms / 1000.0;
		s->st.blocks = expect;
		s->st.bytes = have;
		if (s->p)
			ub_progress_update(s->p, have);
		expect++;
		if (len < blksize) {
			if (have != size) {
				rc = ub_err_set(&s->e, UB_EFAIL, "tftp-size",
						"TFTP: %s sent %llu bytes as %s, not the %llu asked for",
						s->st.client, (unsigned long long)have, s->o.name,
						(unsigned long long)size);
				goto out;
			}
			s->st.seconds = ub_now() - t0;
			atomic_store(&s->dallying, 1);
		}
	}
out:
	if (!atomic_load(&s->dallying))
		s->st.seconds = ub_now() - t0;
	if (fd >= 0)
		close(fd);
	free(in);
	return rc;
}

#define REFUSALS_SAID 3   /* a neighbour retrying every second is said once or twice */

/* A request from another address than the board's: counted, and the
 * first few said (the name it asked for may come from anyone: ub_say
 * shows its control characters as escapes). */
static void refused(struct ub_tftp_server *s, const char *who, const struct ub_tftp_pkt *rq)
{
	if (!s->st.refused)
		snprintf(s->st.refused_from, sizeof s->st.refused_from, "%s", who);
	if (++s->st.refused <= REFUSALS_SAID)
		ub_say("  TFTP: refused %s of '%.100s' from %s: only %s, the board, is served\n",
		       rq->op == UB_TFTP_RRQ ? "a read" : "a write", rq->file, who, s->o.client_addr);
}

static void *serve(void *arg)
{
	struct ub_tftp_server *s = arg;
	char who[INET_ADDRSTRLEN];
	uint8_t buf[1024];
	double until = ub_now() + s->o.wait_ms / 1000.0;

	s->rc = ub_err_set(&s->e, UB_ETIMEOUT, "tftp-no-request", "TFTP: no request for %s came in %d s",
			   s->o.name, s->o.wait_ms / 1000);
	while (ub_now() < until) {
		struct sockaddr_in from;
		struct ub_tftp_pkt rq;
		long n = wait_packet(s, s->listen_fd, buf, sizeof buf - 1, (int)((until - ub_now()) * 1000) + 1, &from);

		if (n < 0) {
			s->rc = ub_err_set(&s->e, UB_EFAIL, NULL, "TFTP: stopped before a request came");
			break;
		}
		if (n == 0 || ub_tftp_parse(buf, (size_t)n, &rq) != 0)
			continue;
		if (rq.op != UB_TFTP_RRQ && rq.op != UB_TFTP_WRQ)
			continue;
		/* the sender first: another address learns nothing, not even
		 * whether the name is right */
		if (s->o.client_addr && inet_ntop(AF_INET, &from.sin_addr, who, sizeof who) &&
		    strcmp(who, s->o.client_addr) != 0) {
			send_error(s->listen_fd, &from, 2, "access violation: not the board being repaired");
			refused(s, who, &rq);
			continue;
		}
		if (rq.op == UB_TFTP_WRQ && !s->o.sink) {
			send_error(s->listen_fd, &from, 2, "read-only server");
			continue;
		}
		if (rq.op == UB_TFTP_RRQ && s->o.sink) {
			send_error(s->listen_fd, &from, 2, "write-only server: it takes one upload");
			continue;
		}
		if (strcmp(rq.file, s->o.name) != 0 && !(rq.file[0] == '/' && strcmp(rq.file + 1, s->o.name) == 0)) {
			send_error(s->listen_fd, &from, 1, "File not found");
			continue;
		}
		if (strcasecmp(rq.mode, "octet") != 0) {
			send_error(s->listen_fd, &from, 0, "only octet (binary) transfers");
			continue;
		}
		ub_err_clear(&s->e);
		s->rc = s->o.sink ? receive(s, &rq, &from) : transfer(s, &rq, &from);
		break;
	}
	return NULL;
}

int ub_tftp_random_name(char *out, size_t len, struct ub_err *e)
{
	unsigned char r[8];
	ssize_t got;

	do
		got = getrandom(r, sizeof r, 0);
	while (got < 0 && errno == EINTR);
	if (got != (ssize_t)sizeof r)
		return ub_err_errno(e, UB_EFAIL, NULL, got < 0 ? errno : EIO,
				    "TFTP: no random bytes for the file's name");
	snprintf(out, len, "unbrick-%02x%02x%02x%02x%02x%02x%02x%02x.bin",
		 r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]);
	return 0;
}

int ub_tftp_server_start(struct ub_tftp_server **out, const struct ub_tftp_opts *o,
			 struct ub_progress *p, struct ub_err *e)
{
	struct ub_tftp_server *s = calloc(1, sizeof *s);
	struct sockaddr_in a = { 0 };
	socklen_t al = sizeof a;

	*out = NULL;
	if (!s)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	s->o = *o;
	if (!o->src == !o->sink) {
		free(s);
		return ub_err_set(e, UB_EUSAGE, "usage", "TFTP: a server either serves a file or receives one");
	}
	if (!s->o.max_blksize || s->o.max_blksize > 65464)
		s->o.max_blksize = 1468;
	/* U-Boot's virtio-net keeps 32 receive buffers, and a burst that
	 * overruns them wedged its NIC until reset (seen at windows 32 and
	 * 64 on QEMU's board); 16 in flight leaves room.  A client asking
	 * more is granted this in the OACK. */
	if (!s->o.max_window || s->o.max_window > 65535)
		s->o.max_window = 16;
	if (s->o.timeout_ms <= 0)
		s->o.timeout_ms = 1000;
	if (s->o.retries <= 0)
		s->o.retries = 8;
	if (s->o.wait_ms <= 0)
		s->o.wait_ms = 60000;
	s->p = p;
	s->listen_fd = -1;
	s->stop_fd[0] = s->stop_fd[1] = -1;
	a.sin_family = AF_INET;
	if (o->port > 65535 && o->port != UB_TFTP_ANY_PORT) {
		free(s);
		return ub_err_set(e, UB_EUSAGE, "usage", "TFTP: port %u does not exist", o->port);
	}
	a.sin_port = htons((uint16_t)(o->port == UB_TFTP_ANY_PORT ? 0 : o->port ? o->port : 69));
	if (!o->bind_addr || inet_pton(AF_INET, o->bind_addr, &a.sin_addr) != 1) {
		free(s);
		return ub_err_set(e, UB_EUSAGE, "usage", "TFTP: '%s' is not an IPv4 address",
				  o->bind_addr ? o->bind_addr : "");
	}
	if (pipe2(s->stop_fd, O_CLOEXEC) != 0 ||
	    (s->listen_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0 ||
	    bind(s->listen_fd, (struct sockaddr *)&a, sizeof a) != 0) {
		int err = errno;

		ub_tftp_server_cancel(s);
		return ub_err_errno(e, UB_EIO, "tftp-bind", err, "TFTP: cannot listen on %s port %u",
				    o->bind_addr, ntohs(a.sin_port));
	}
	getsockname(s->listen_fd, (struct sockaddr *)&a, &al);
	s->port = ntohs(a.sin_port);
	if (pthread_create(&s->thread, NULL, serve, s) != 0) {
		ub_tftp_server_cancel(s);
		return ub_err_set(e, UB_ENOMEM, NULL, "TFTP: no thread");
	}
	s->started = 1;
	*out = s;
	return 0;
}

unsigned ub_tftp_server_port(const struct ub_tftp_server *s)
{
	return s->port;
}

static void release(struct ub_tftp_server *s)
{
	if (s->listen_fd >= 0)
		close(s->listen_fd);
	if (s->stop_fd[0] >= 0)
		close(s->stop_fd[0]);
	if (s->stop_fd[1] >= 0)
		close(s->stop_fd[1]);
	free(s);
}

int ub_tftp_server_finish(struct ub_tftp_server *s, struct ub_tftp_stats *st,
			  struct ub_err *e)
{
	int rc;

	/* a receiver with every byte only waits for a repeat: the caller
	 * knows the client is done */
	if (atomic_load(&s->dallying) && write(s->stop_fd[1], "x", 1) < 0) {
		/* the dally ends on its own */
	}
	pthread_join(s->thread, NULL);
	rc = s->rc;
	if (st)
		*st = s->st;
	if (rc && e)
		*e = s->e;
	release(s);
	return rc;
}

void ub_tftp_server_cancel(struct ub_tftp_server *s)
{
	if (!s)
		return;
	if (s->started) {
		if (write(s->stop_fd[1], "x", 1) < 0) {
			/* the thread ends at its next timeout anyway */
		}
		pthread_join(s->thread, NULL);
	}
	release(s);
}
