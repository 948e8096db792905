/* TFTP: packet parsing, and the server against a client of ours on
 * loopback that loses and duplicates ACKs on purpose (the real clients
 * in tests/peer/tftp_server.sh do not misbehave). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "proto/tftp_server.h"

#define P(s) ((const uint8_t *)(s)), (sizeof(s) - 1)

static void parse_requests(void **state)
{
	struct ub_tftp_pkt k;

	(void)state;
	assert_int_equal(ub_tftp_parse(P("\0\1fw.bin\0octet\0"), &k), 0);
	assert_int_equal(k.op, UB_TFTP_RRQ);
	assert_string_equal(k.file, "fw.bin");
	assert_string_equal(k.mode, "octet");
	assert_int_equal(k.blksize, -1);
	assert_int_equal(k.tsize_asked, 0);
	assert_int_equal(ub_tftp_parse(P("\0\1f\0OCTET\0BLKSIZE\0001468\0tsize\0000\0windowsize\00016\0timeout\0003\0x-odd\0y\0"), &k), 0);
	assert_int_equal(k.blksize, 1468);
	assert_int_equal(k.windowsize, 16);
	assert_int_equal(k.timeout, 3);
	assert_int_equal(k.tsize_asked, 1);
	/* a value that is not a number is no value */
	assert_int_equal(ub_tftp_parse(P("\0\1f\0octet\0blksize\0big\0"), &k), 0);
	assert_true(k.blksize < 0);
	assert_int_equal(ub_tftp_parse(P("\0\1f\0octet\0blksize\0999999999999\0"), &k), 0);
	assert_true(k.blksize < 0);
	assert_int_equal(ub_tftp_parse(P("\0\2up.bin\0octet\0"), &k), 0);
	assert_int_equal(k.op, UB_TFTP_WRQ);
	/* the mode is the client's string; the server compares it without case */
	assert_int_equal(ub_tftp_parse(P("\0\1f\0NetASCII\0"), &k), 0);
	assert_string_equal(k.mode, "NetASCII");
	/* values outside the RFCs' ranges are parsed as they are: what to
	 * grant is the server's decision (tested with the OACK below) */
	assert_int_equal(ub_tftp_parse(P("\0\1f\0octet\0blksize\0007\0timeout\000256\0windowsize\0000\0"), &k), 0);
	assert_int_equal(k.blksize, 7);
	assert_int_equal(k.timeout, 256);
	assert_int_equal(k.windowsize, 0);
	assert_int_equal(ub_tftp_parse(P("\0\1f\0octet\0blksize\00065465\0"), &k), 0);
	assert_int_equal(k.blksize, 65465);
	/* an empty value is no value; option names ignore case */
	assert_int_equal(ub_tftp_parse(P("\0\1f\0octet\0blksize\0\0WindowSize\0008\0"), &k), 0);
	assert_true(k.blksize < 0);
	assert_int_equal(k.windowsize, 8);
	/* tsize's value is the client's business (0 in a read request): a
	 * huge one is still "tsize asked" and nothing overflows */
	assert_int_equal(ub_tftp_parse(P("\0\1f\0octet\0tsize\000999999999999999999999999\0"), &k), 0);
	assert_int_equal(k.tsize_asked, 1);
	/* an unknown option between known ones does not hide them */
	assert_int_equal(ub_tftp_parse(P("\0\1f\0octet\0multicast\0\0blksize\000512\0"), &k), 0);
	assert_int_equal(k.blksize, 512);
}

static void parse_bad(void **state)
{
	struct ub_tftp_pkt k;

	(void)state;
	assert_int_equal(ub_tftp_parse(P("\0\1"), &k), UB_EFORMAT);
	assert_int_equal(ub_tftp_parse(P("\0\1fw.bin"), &k), UB_EFORMAT);          /* no NUL */
	assert_int_equal(ub_tftp_parse(P("\0\1fw.bin\0octet"), &k), UB_EFORMAT);   /* mode cut */
	assert_int_equal(ub_tftp_parse(P("\0\1f\0octet\0blksize\0"), &k), UB_EFORMAT);   /* no value */
	assert_int_equal(ub_tftp_parse(P("\0\11abc"), &k), UB_EFORMAT);            /* opcode 9 */
	assert_int_equal(ub_tftp_parse(P("\0\4\1\2"), &k), 0);
	assert_int_equal(k.op, UB_TFTP_ACK);
	assert_int_equal(k.block, 0x102);
	assert_int_equal(ub_tftp_parse(P("\0\5\0\1no such file"), &k), 0);   /* message without NUL */
	assert_int_equal(k.error_code, 1);
	assert_string_equal(k.error_msg, "");
	assert_int_equal(ub_tftp_parse(P("\0\5\0\3disk full\0"), &k), 0);
	assert_int_equal(k.error_code, 3);
	assert_string_equal(k.error_msg, "disk full");
	/* cut short: no block number, no error code, nothing at all */
	assert_int_equal(ub_tftp_parse(P("\0\4\1"), &k), UB_EFORMAT);
	assert_int_equal(ub_tftp_parse(P("\0\5\0"), &k), UB_EFORMAT);
	assert_int_equal(ub_tftp_parse(P("\0\3\0"), &k), UB_EFORMAT);
	assert_int_equal(ub_tftp_parse(P("\0"), &k), UB_EFORMAT);
	assert_int_equal(ub_tftp_parse((const uint8_t *)"", 0, &k), UB_EFORMAT);
	/* a request with an option name but the packet ends inside its value */
	assert_int_equal(ub_tftp_parse(P("\0\1f\0octet\0blksize\000512"), &k), UB_EFORMAT);
	/* opcode 0 and one past OACK */
	assert_int_equal(ub_tftp_parse(P("\0\0f\0octet\0"), &k), UB_EFORMAT);
	assert_int_equal(ub_tftp_parse(P("\0\7f\0octet\0"), &k), UB_EFORMAT);
}

struct client {
	int fd;
	struct sockaddr_in server, tid;
	int have_tid;
};

static void cl_open(struct client *c, unsigned port)
{
	memset(c, 0, sizeof *c);
	c->fd = socket(AF_INET, SOCK_DGRAM, 0);
	assert_true(c->fd >= 0);
	c->server.sin_family = AF_INET;
	c->server.sin_port = htons((uint16_t)port);
	inet_pton(AF_INET, "127.0.0.1", &c->server.sin_addr);
}

/* A client on another host: its socket sends from address from. */
static void cl_open_from(struct client *c, unsigned port, const char *from)
{
	struct sockaddr_in me = { 0 };

	cl_open(c, port);
	me.sin_family = AF_INET;
	inet_pton(AF_INET, from, &me.sin_addr);
	assert_int_equal(bind(c->fd, (struct sockaddr *)&me, sizeof me), 0);
}

static void cl_send(struct client *c, const void *p, size_t n)
{
	const struct sockaddr_in *to = c->have_tid ? &c->tid : &c->server;

	assert_int_equal(sendto(c->fd, p, n, 0, (const struct sockaddr *)to, sizeof *to), (ssize_t)n);
}

static void cl_ack(struct client *c, unsigned block)
{
	uint8_t a[4] = { 0, 4, (uint8_t)(block >> 8), (uint8_t)block };

	cl_send(c, a, 4);
}

/* Receives one packet (within ms); returns its length, 0 on timeout. */
static long cl_recv(struct client *c, uint8_t *buf, size_t cap, int ms)
{
	struct pollfd pf = { c->fd, POLLIN, 0 };
	struct sockaddr_in from;
	socklen_t fl = sizeof from;
	long n;

	if (poll(&pf, 1, ms) <= 0)
		return 0;
	n = recvfrom(c->fd, buf, cap, 0, (struct sockaddr *)&from, &fl);
	if (!c->have_tid) {
		c->tid = from;
		c->have_tid = 1;
	}
	return n;
}

struct server {
	struct ub_tftp_server *s;
	struct ub_src src;
	uint8_t *data;
	size_t size;
	char path[64];
	struct ub_progress *p;   /* handed to the server when set */
};

/* Tests keep their struct server in a static: when an assertion fails
 * the test returns at once, and the server's thread may still read the
 * file name and source it was given.  One file per server for the same
 * reason. */
static unsigned files;

static int long_timeout;   /* the server's resend timer: 10 s instead of 150 ms */
static const char *board;  /* the only client served, when set */

static unsigned serve(struct server *v, size_t size)
{
	struct ub_tftp_opts o = { 0 };
	struct ub_err e;
	FILE *f;
	size_t i;

	v->size = size;
	v->data = malloc(size + 1);
	for (i = 0; i < size; i++)
		v->data[i] = (uint8_t)(i * 31 + i / 512);
	snprintf(v->path, sizeof v->path, "/tmp/ub-tftp-test-%d-%u", (int)getpid(), files++);
	f = fopen(v->path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(v->data, 1, size, f), size);
	fclose(f);
	assert_int_equal(ub_src_open(&v->src, v->path, &e), 0);
	o.bind_addr = "127.0.0.1";
	o.port = UB_TFTP_ANY_PORT;   /* runs of this test in other builds do not collide */
	o.name = "fw.bin";
	o.src = &v->src;
	o.timeout_ms = long_timeout ? 10000 : 150;
	o.retries = 5;
	o.wait_ms = 5000;
	o.client_addr = board;
	assert_int_equal(ub_tftp_server_start(&v->s, &o, v->p, &e), 0);
	assert_int_not_equal(ub_tftp_server_port(v->s), 0);
	return ub_tftp_server_port(v->s);
}

static void done(struct server *v)
{
	unlink(v->path);
	ub_src_close(&v->src);
	free(v->data);
}

/* The value of option name in an OACK of n bytes, or NULL. */
static const char *oack_value(const uint8_t *p, long n, const char *name)
{
	long at = 2;

	assert_true(n >= 2 && p[n - 1] == 0);
	while (at < n) {
		const char *k = (const char *)p + at, *v = k + strlen(k) + 1;

		assert_true(v < (const char *)p + n);
		if (strcmp(k, name) == 0)
			return v;
		at = (long)(v + strlen(v) + 1 - (const char *)p);
	}
	return NULL;
}

/* What the OACK grants: a blksize above the cap gets the cap, tsize the
 * file's size; a timeout outside 1..255 is left out rather than answered
 * with another value (RFC 2349 allows only the same). */
static void oack_grants(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0blksize\00070000\0timeout\000300\0tsize\0000\0windowsize\000100000\0";
	static struct server v;
	struct client c;
	struct ub_err e;
	uint8_t buf[2000];
	long n;

	(void)state;
	cl_open(&c, serve(&v, 3000));
	cl_send(&c, rrq, sizeof rrq - 1);
	n = cl_recv(&c, buf, sizeof buf, 1000);
	assert_int_equal(buf[1], UB_TFTP_OACK);
	assert_non_null(oack_value(buf, n, "blksize"));
	assert_string_equal(oack_value(buf, n, "blksize"), "1468");
	assert_non_null(oack_value(buf, n, "tsize"));
	assert_string_equal(oack_value(buf, n, "tsize"), "3000");
	assert_non_null(oack_value(buf, n, "windowsize"));
	assert_string_equal(oack_value(buf, n, "windowsize"), "16");   /* the default cap */
	assert_null(oack_value(buf, n, "timeout"));
	cl_ack(&c, 0);
	n = cl_recv(&c, buf, sizeof buf, 1000);
	assert_int_equal(n, 4 + 1468);
	assert_int_equal(buf[1], UB_TFTP_DATA);
	ub_tftp_server_cancel(v.s);
	(void)e;
	close(c.fd);
	done(&v);
}

/* Only options we cannot grant: no OACK at all, block 1 of 512 bytes
 * comes at once (RFC 2347: a server that takes no option answers as in
 * RFC 1350).  An OACK here would offer a blksize larger than asked. */
static void no_grantable_option(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0blksize\0004\0timeout\0000\0windowsize\0000\0";
	static struct server v;
	struct client c;
	struct ub_tftp_stats st;
	struct ub_err e;
	uint8_t buf[2000];
	long n;

	(void)state;
	cl_open(&c, serve(&v, 700));
	cl_send(&c, rrq, sizeof rrq - 1);
	n = cl_recv(&c, buf, sizeof buf, 1000);
	assert_int_equal(buf[1], UB_TFTP_DATA);
	assert_int_equal(n, 4 + 512);
	assert_memory_equal(buf + 4, v.data, 512);
	cl_ack(&c, 1);
	n = cl_recv(&c, buf, sizeof buf, 1000);
	assert_int_equal(n, 4 + 700 - 512);
	assert_int_equal(buf[3], 2);
	cl_ack(&c, 2);
	assert_int_equal(ub_tftp_server_finish(v.s, &st, &e), 0);
	assert_int_equal(st.blksize, 512);
	assert_int_equal(st.windowsize, 1);
	close(c.fd);
	done(&v);
}

/* The transfer comes from a port of its own (a new TID), and a packet
 * from any other port gets ERROR 5 there without disturbing the
 * transfer. */
static void other_tid(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0";
	static struct server v;
	struct client c, stray;
	struct ub_tftp_stats st;
	struct ub_err e;
	uint8_t buf[600];
	unsigned port;
	long n;

	(void)state;
	port = serve(&v, 600);
	cl_open(&c, port);
	cl_send(&c, rrq, sizeof rrq - 1);
	n = cl_recv(&c, buf, sizeof buf, 1000);
	assert_int_equal(n, 4 + 512);
	assert_int_not_equal(ntohs(c.tid.sin_port), port);
	cl_open(&stray, port);
	stray.tid = c.tid;
	stray.have_tid = 1;
	cl_ack(&stray, 1);   /* the right block, the wrong sender */
	n = cl_recv(&stray, buf, sizeof buf, 1000);
	assert_true(n >= 5);
	assert_int_equal(buf[1], UB_TFTP_ERROR);
	assert_int_equal(buf[3], 5);
	/* block 1 is still unacknowledged: it comes again */
	n = cl_recv(&c, buf, sizeof buf, 1000);
	assert_int_equal(n, 4 + 512);
	assert_int_equal(buf[3], 1);
	cl_ack(&c, 1);
	n = cl_recv(&c, buf, sizeof buf, 1000);
	assert_int_equal(n, 4 + 600 - 512);
	cl_ack(&c, 2);
	assert_int_equal(ub_tftp_server_finish(v.s, &st, &e), 0);
	assert_int_equal(st.bytes, 600);
	assert_int_equal(st.retransmits, 1);
	close(stray.fd);
	close(c.fd);
	done(&v);
}

/* A client that keeps repeating an old ACK faster than the server's
 * timeout (150 ms here) must not hold back the resend of a lost block:
 * the timer runs from the send, not from the last packet. */
static void old_acks_do_not_postpone_resend(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0";
	static struct server v;
	struct client c;
	struct ub_tftp_stats st;
	struct ub_err e;
	uint8_t buf[600];
	double t0;
	long n = 0;
	int i;

	(void)state;
	cl_open(&c, serve(&v, 600));
	cl_send(&c, rrq, sizeof rrq - 1);
	assert_int_equal(cl_recv(&c, buf, sizeof buf, 1000), 4 + 512);
	t0 = ub_now();
	for (i = 0; i < 40 && n == 0; i++) {   /* up to 2 s of ACK 0 every 50 ms */
		cl_ack(&c, 0);
		n = cl_recv(&c, buf, sizeof buf, 50);
	}
	assert_int_equal(n, 4 + 512);
	assert_int_equal(buf[3], 1);
	assert_true(ub_now() - t0 < 0.5);
	cl_ack(&c, 1);
	assert_int_equal(cl_recv(&c, buf, sizeof buf, 1000), 4 + 600 - 512);
	cl_ack(&c, 2);
	assert_int_equal(ub_tftp_server_finish(v.s, &st, &e), 0);
	assert_int_equal(st.retransmits, 1);
	close(c.fd);
	done(&v);
}

/* Same while the OACK waits for ACK 0: packets that are not ACK 0 get
 * no OACK each (that would double the traffic with every stray packet),
 * only the timeout resends it. */
static void junk_does_not_repeat_oack(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0blksize\0001024\0";
	static struct server v;
	struct client c;
	struct ub_err e;
	uint8_t buf[2000];
	unsigned oacks = 0;
	double t0;
	long n;

	(void)state;
	cl_open(&c, serve(&v, 600));
	cl_send(&c, rrq, sizeof rrq - 1);
	assert_true(cl_recv(&c, buf, sizeof buf, 1000) > 2);
	assert_int_equal(buf[1], UB_TFTP_OACK);
	t0 = ub_now();
	while (ub_now() - t0 < 0.4) {   /* 150 ms timeout: about 2 resends */
		cl_ack(&c, 7);
		if ((n = cl_recv(&c, buf, sizeof buf, 25)) > 0 && buf[1] == UB_TFTP_OACK)
			oacks++;
	}
	assert_in_range(oacks, 1, 4);
	cl_ack(&c, 0);
	n = cl_recv(&c, buf, sizeof buf, 1000);
	assert_int_equal(n, 4 + 600);
	assert_int_equal(buf[1], UB_TFTP_DATA);
	cl_ack(&c, 1);
	assert_int_equal(ub_tftp_server_finish(v.s, NULL, &e), 0);
	close(c.fd);
	done(&v);
}

/* Window 4, blksize 512: the first window's ACK is lost (the server must
 * resend the window after its timeout), a duplicate ACK arrives later
 * (the server must not send twice), and a gap is reported by an ACK
 * short of the window's end (the server goes on from the gap). */
static void lost_and_duplicate_acks(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0blksize\000512\0windowsize\0004\0";
	static struct server v;
	struct client c;
	struct ub_tftp_stats st;
	struct ub_err e;
	uint8_t buf[600], *got;
	size_t have = 0;
	unsigned port, expect = 1, in_window = 0, dropped_once = 0, gap_done = 0, packets = 0;
	long n;

	(void)state;
	port = serve(&v, 512 * 10 + 100);   /* 11 blocks, the last short */
	got = calloc(1, v.size + 1);
	cl_open(&c, port);
	cl_send(&c, rrq, sizeof rrq - 1);
	n = cl_recv(&c, buf, sizeof buf, 1000);
	assert_true(n > 2 && buf[1] == UB_TFTP_OACK);
	cl_ack(&c, 0);
	for (;;) {
		unsigned blk;

		n = cl_recv(&c, buf, sizeof buf, 2000);
		assert_true(n >= 4);
		assert_int_equal(buf[1], UB_TFTP_DATA);
		packets++;
		blk = (unsigned)buf[2] << 8 | buf[3];
		if (blk != expect)
			continue;   /* a resend of what we have, or past a gap */
		memcpy(got + have, buf + 4, (size_t)n - 4);
		have += (size_t)n - 4;
		expect++;
		if (n - 4 < 512) {
			cl_ack(&c, blk);
			break;
		}
		if (++in_window < 4)
			continue;
		in_window = 0;
		if (blk == 4 && !dropped_once) {   /* lose this ACK: wait for the resend */
			dropped_once = 1;
			expect = 1;
			have = 0;
			continue;
		}
		if (blk == 8 && !gap_done) {       /* pretend block 7 never came */
			gap_done = 1;
			expect = 7;
			have -= 2 * 512;
			cl_ack(&c, 6);
			cl_ack(&c, 6);                 /* and say it twice more */
			cl_ack(&c, 6);
			continue;
		}
		cl_ack(&c, blk);
	}
	assert_int_equal(ub_tftp_server_finish(v.s, &st, &e), 0);
	assert_int_equal(have, v.size);
	assert_memory_equal(got, v.data, v.size);
	assert_true(dropped_once && gap_done);
	/* 1-4, 1-4 again after the lost ACK, 5-8, 7-10 after the gap, 11:
	 * the repeated ACKs added nothing (the first ACK 6 was the NACK) */
	assert_int_equal(packets, 17);
	assert_int_equal(st.retransmits, 1);   /* the lost ACK's window, once */
	assert_int_equal(st.windowsize, 4);
	assert_int_equal(st.bytes, v.size);
	close(c.fd);
	free(got);
	done(&v);
}

/* The first block of a window lost: the client repeats the ACK of the
 * block before it, and the server must resend at once, not after its
 * timeout (set to 10 s here; the client gives it 2 s). */
static void nack_for_first_block(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0blksize\000512\0windowsize\0004\0";
	static struct server v;   /* outlives a failed assertion; see serve() */
	struct client c;
	struct ub_tftp_stats st;
	struct ub_err e;
	uint8_t buf[600];
	unsigned blk, i;
	long n;

	(void)state;
	memset(&v, 0, sizeof v);
	long_timeout = 1;
	cl_open(&c, serve(&v, 512 * 8 + 1));
	long_timeout = 0;
	cl_send(&c, rrq, sizeof rrq - 1);
	assert_true(cl_recv(&c, buf, sizeof buf, 1000) > 2);
	cl_ack(&c, 0);
	for (i = 1; i <= 4; i++)
		assert_true(cl_recv(&c, buf, sizeof buf, 2000) == 516);
	cl_ack(&c, 4);
	for (i = 5; i <= 8; i++)   /* "lose" 5: everything in this window is useless */
		assert_true(cl_recv(&c, buf, sizeof buf, 2000) == 516);
	cl_ack(&c, 4);
	for (i = 5; i <= 8; i++) {
		n = cl_recv(&c, buf, sizeof buf, 2000);
		assert_int_equal(n, 516);
		blk = (unsigned)buf[2] << 8 | buf[3];
		assert_int_equal(blk, i);
	}
	cl_ack(&c, 8);
	assert_int_equal(cl_recv(&c, buf, sizeof buf, 2000), 5);   /* block 9: one byte */
	cl_ack(&c, 9);
	assert_int_equal(ub_tftp_server_finish(v.s, &st, &e), 0);
	assert_int_equal(st.retransmits, 1);
	close(c.fd);
	done(&v);
}

/* More than 65535 blocks: block numbers wrap to 0 and the transfer goes on. */
static void block_numbers_wrap(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0blksize\0008\0windowsize\00064\0";
	static struct server v;
	struct client c;
	struct ub_tftp_stats st;
	struct ub_err e;
	uint8_t buf[64], *got;
	size_t have = 0;
	unsigned expect = 1, in_window = 0;
	long n;

	(void)state;
	cl_open(&c, serve(&v, 8 * 70000 + 3));
	got = calloc(1, v.size + 1);
	cl_send(&c, rrq, sizeof rrq - 1);
	n = cl_recv(&c, buf, sizeof buf, 1000);
	/* asked for 64, granted the server's cap: the OACK says 16 */
	assert_true(n > 2 && buf[1] == UB_TFTP_OACK);
	assert_non_null(memmem(buf, (size_t)n, "windowsize\00016\0", 14));
	cl_ack(&c, 0);
	for (;;) {
		unsigned blk;

		n = cl_recv(&c, buf, sizeof buf, 2000);
		assert_true(n >= 4);
		blk = (unsigned)buf[2] << 8 | buf[3];
		assert_int_equal(blk, expect & 0xffff);
		memcpy(got + have, buf + 4, (size_t)n - 4);
		have += (size_t)n - 4;
		expect++;
		if (n - 4 < 8 || ++in_window == 16) {
			in_window = 0;
			cl_ack(&c, blk);
		}
		if (n - 4 < 8)
			break;
	}
	assert_int_equal(ub_tftp_server_finish(v.s, &st, &e), 0);
	assert_int_equal(have, v.size);
	assert_memory_equal(got, v.data, v.size);
	assert_int_equal(st.retransmits, 0);
	close(c.fd);
	free(got);
	done(&v);
}

struct seen {
	unsigned updates;
	uint64_t last, total;
	int backwards;
};

static void sink(void *ctx, const struct ub_progress_event *ev)
{
	struct seen *w = ctx;

	if (ev->kind != UB_PROGRESS_UPDATE || ev->depth != 1)
		return;
	if (ev->done < w->last)
		w->backwards = 1;
	w->updates++;
	w->last = ev->done;
	w->total = ev->total;
}

/* Progress in bytes acknowledged, never backwards, ending at the size
 * (window 8: one update per window at most). */
static void progress_in_bytes(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0windowsize\0008\0";
	static struct server v;
	struct ub_progress root, step;
	struct seen w = { 0 };
	struct client c;
	struct ub_err e;
	uint8_t buf[600];
	unsigned blk = 0;
	long n;

	(void)state;
	ub_progress_root(&root, "test", sink, &w);
	ub_progress_set_interval(&root, 0);
	ub_progress_begin(&step, &root, "tftp", 1, 512 * 40 + 7);
	v.p = &step;
	cl_open(&c, serve(&v, 512 * 40 + 7));
	cl_send(&c, rrq, sizeof rrq - 1);
	assert_true(cl_recv(&c, buf, sizeof buf, 1000) > 2);   /* the OACK */
	cl_ack(&c, 0);
	do {
		n = cl_recv(&c, buf, sizeof buf, 1000);
		assert_true(n >= 4);
		blk = (unsigned)buf[2] << 8 | buf[3];
		if (blk % 8 == 0 || n < 4 + 512)
			cl_ack(&c, blk);
	} while (n == 4 + 512);
	assert_int_equal(blk, 41);
	assert_int_equal(ub_tftp_server_finish(v.s, NULL, &e), 0);
	assert_int_equal(w.last, 512 * 40 + 7);
	assert_int_equal(w.total, 512 * 40 + 7);
	assert_in_range(w.updates, 2, 6);
	assert_false(w.backwards);
	v.p = NULL;
	close(c.fd);
	done(&v);
}

/* Other names and writes are refused; the server keeps waiting for the
 * request it can serve. */
static void refusals(void **state)
{
	static const uint8_t other[] = "\0\1etc/passwd\0octet\0", put[] = "\0\2fw.bin\0octet\0";
	static const uint8_t ascii[] = "\0\1fw.bin\0netascii\0";
	static struct server v;
	struct client c;
	struct ub_err e;
	uint8_t buf[600];

	(void)state;
	cl_open(&c, serve(&v, 100));
	cl_send(&c, other, sizeof other - 1);
	assert_true(cl_recv(&c, buf, sizeof buf, 1000) > 4);
	assert_int_equal(buf[1], UB_TFTP_ERROR);
	assert_int_equal(buf[3], 1);
	c.have_tid = 0;
	cl_send(&c, put, sizeof put - 1);
	assert_true(cl_recv(&c, buf, sizeof buf, 1000) > 4);
	assert_int_equal(buf[3], 2);
	c.have_tid = 0;
	cl_send(&c, ascii, sizeof ascii - 1);
	assert_true(cl_recv(&c, buf, sizeof buf, 1000) > 4);
	assert_int_equal(buf[1], UB_TFTP_ERROR);
	ub_tftp_server_cancel(v.s);
	(void)e;
	close(c.fd);
	done(&v);
}

/* Only the board is served: requests from another address (a neighbour
 * on the board's network; here 127.0.0.2) get ERROR 2 whatever name they
 * ask for, are counted, and the server goes on waiting for the board's
 * request (127.0.0.1), which gets the whole file. */
static void only_the_board(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0", guess[] = "\0\1other.bin\0octet\0";
	static const uint8_t wrq[] = "\0\2fw.bin\0octet\0";
	static struct server v;
	struct client c, n;
	struct ub_tftp_stats st;
	struct ub_err e;
	uint8_t buf[600];
	unsigned port;
	long got;
	int i;

	(void)state;
	board = "127.0.0.1";
	port = serve(&v, 700);
	board = NULL;
	cl_open_from(&n, port, "127.0.0.2");
	for (i = 0; i < 3; i++) {   /* the right name, another, a write */
		n.have_tid = 0;
		cl_send(&n, i == 0 ? rrq : i == 1 ? guess : wrq,
			i == 0 ? sizeof rrq - 1 : i == 1 ? sizeof guess - 1 : sizeof wrq - 1);
		got = cl_recv(&n, buf, sizeof buf, 1000);
		assert_true(got > 4);
		assert_int_equal(buf[1], UB_TFTP_ERROR);
		assert_int_equal(buf[3], 2);   /* access violation */
		assert_non_null(strstr((const char *)buf + 4, "not the board"));
	}
	cl_open(&c, port);
	cl_send(&c, rrq, sizeof rrq - 1);
	assert_int_equal(cl_recv(&c, buf, sizeof buf, 1000), 4 + 512);
	assert_memory_equal(buf + 4, v.data, 512);
	cl_ack(&c, 1);
	assert_int_equal(cl_recv(&c, buf, sizeof buf, 1000), 4 + 700 - 512);
	assert_memory_equal(buf + 4, v.data + 512, 700 - 512);
	cl_ack(&c, 2);
	assert_int_equal(ub_tftp_server_finish(v.s, &st, &e), 0);
	assert_int_equal(st.bytes, 700);
	assert_int_equal(st.refused, 3);
	assert_string_equal(st.refused_from, "127.0.0.2");
	assert_int_equal(cl_recv(&n, buf, sizeof buf, 100), 0);   /* the neighbour got nothing else */
	close(n.fd);
	close(c.fd);
	done(&v);
}

/* The name served cannot be guessed: random per run, not the pid. */
static void names_unguessable(void **state)
{
	char a[32], b[32];
	struct ub_err e;
	size_t i;

	(void)state;
	assert_int_equal(ub_tftp_random_name(a, sizeof a, &e), 0);
	assert_int_equal(ub_tftp_random_name(b, sizeof b, &e), 0);
	assert_string_not_equal(a, b);
	assert_int_equal(strlen(a), strlen("unbrick-") + 16 + strlen(".bin"));
	assert_memory_equal(a, "unbrick-", 8);
	assert_string_equal(a + 24, ".bin");
	for (i = 8; i < 24; i++)
		assert_non_null(strchr("0123456789abcdef", a[i]));
}

/* A client that vanishes: the server gives up after its retries, saying so. */
static void client_gone(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0";
	static struct server v;
	struct client c;
	struct ub_err e;
	uint8_t buf[600];
	struct ub_tftp_stats st;
	unsigned resends = 0;
	long n;

	(void)state;
	cl_open(&c, serve(&v, 5000));
	cl_send(&c, rrq, sizeof rrq - 1);
	assert_true(cl_recv(&c, buf, sizeof buf, 1000) > 4);
	assert_int_equal(ub_tftp_server_finish(v.s, &st, &e), UB_ETIMEOUT);
	assert_string_equal(e.advice_id, "tftp-timeout");
	assert_non_null(strstr(e.msg, "block 1"));
	assert_int_equal(st.unconfirmed, 0);   /* most of the file never left */
	/* the resends of block 1, then an ERROR so a client still there
	 * stops waiting */
	while ((n = cl_recv(&c, buf, sizeof buf, 200)) > 0 && buf[1] == UB_TFTP_DATA)
		resends++;
	assert_int_equal(resends, 5);   /* the retries */
	assert_true(n >= 5);
	assert_int_equal(buf[1], UB_TFTP_ERROR);
	assert_int_equal(buf[3], 0);
	close(c.fd);
	done(&v);
}

/* The client takes the last block and leaves without its final ACK
 * reaching us (U-Boot does not linger): a timeout still, but one that says
 * the whole file went out, so a caller that can check may go on. */
static void final_ack_lost(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0";
	static struct server v;
	struct client c;
	struct ub_tftp_stats st;
	struct ub_err e;
	uint8_t buf[600];

	(void)state;
	cl_open(&c, serve(&v, 1100));
	cl_send(&c, rrq, sizeof rrq - 1);
	assert_int_equal(cl_recv(&c, buf, sizeof buf, 1000), 4 + 512);
	cl_ack(&c, 1);
	assert_int_equal(cl_recv(&c, buf, sizeof buf, 1000), 4 + 512);
	cl_ack(&c, 2);
	assert_int_equal(cl_recv(&c, buf, sizeof buf, 1000), 4 + 1100 - 1024);
	assert_int_equal(ub_tftp_server_finish(v.s, &st, &e), UB_ETIMEOUT);
	assert_string_equal(e.advice_id, "tftp-unconfirmed");
	assert_int_equal(st.unconfirmed, 1);
	assert_int_equal(st.bytes, 1024);   /* what was acknowledged */
	close(c.fd);
	done(&v);
}

static void on_usr1(int sig)
{
	(void)sig;
}

/* Signals that interrupt the server's wait are not timeouts: ten of them
 * within one timeout must not send block 1 ten times (nor use up the five
 * retries and fail).  The test's own thread blocks the signal, so the
 * server's thread is the one interrupted. */
static void signals_are_not_timeouts(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0";
	static struct server v;
	struct sigaction sa = { 0 }, old;
	sigset_t usr1, was;
	struct client c;
	struct ub_tftp_stats st;
	struct ub_err e;
	uint8_t buf[600];
	unsigned copies = 0;
	long n;
	int i;

	(void)state;
	sa.sa_handler = on_usr1;   /* no SA_RESTART: poll returns EINTR */
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGUSR1, &sa, &old), 0);
	cl_open(&c, serve(&v, 600));
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	assert_int_equal(pthread_sigmask(SIG_BLOCK, &usr1, &was), 0);
	cl_send(&c, rrq, sizeof rrq - 1);
	assert_int_equal(cl_recv(&c, buf, sizeof buf, 1000), 4 + 512);
	for (i = 0; i < 10; i++) {
		kill(getpid(), SIGUSR1);
		while (cl_recv(&c, buf, sizeof buf, 5) > 0)
			copies++;
	}
	assert_in_range(copies, 0, 1);   /* the 150 ms timeout may fall in */
	cl_ack(&c, 1);
	while ((n = cl_recv(&c, buf, sizeof buf, 1000)) == 4 + 512)
		;   /* a resend of block 1 still on its way */
	assert_int_equal(n, 4 + 600 - 512);
	cl_ack(&c, 2);
	assert_int_equal(ub_tftp_server_finish(v.s, &st, &e), 0);
	assert_in_range(st.retransmits, 0, 1);
	pthread_sigmask(SIG_SETMASK, &was, NULL);
	sigaction(SIGUSR1, &old, NULL);
	close(c.fd);
	done(&v);
}

/* Nobody asks: the server gives up after wait_ms with the advice for a
 * board that never reached us, not the one for a transfer that stalled. */
static void nobody_asks(void **state)
{
	struct ub_tftp_opts o = { 0 };
	struct ub_tftp_server *s;
	struct ub_src src;
	struct ub_err e;
	double t0 = ub_now();
	char path[64];
	FILE *f;

	(void)state;
	snprintf(path, sizeof path, "/tmp/ub-tftp-test-%d-idle", (int)getpid());
	f = fopen(path, "wb");
	assert_non_null(f);
	fclose(f);
	assert_int_equal(ub_src_open(&src, path, &e), 0);
	o.bind_addr = "127.0.0.1";
	o.port = UB_TFTP_ANY_PORT;
	o.name = "fw.bin";
	o.src = &src;
	o.wait_ms = 300;
	assert_int_equal(ub_tftp_server_start(&s, &o, NULL, &e), 0);
	assert_int_equal(ub_tftp_server_finish(s, NULL, &e), UB_ETIMEOUT);
	assert_true(ub_now() - t0 >= 0.29);
	assert_string_equal(e.advice_id, "tftp-no-request");
	o.port = 70000;
	assert_int_equal(ub_tftp_server_start(&s, &o, NULL, &e), UB_EUSAGE);
	ub_src_close(&src);
	unlink(path);
}

/* The file shrinks under the server: the client gets an ERROR, and the
 * caller the file's own error (not a network one). */
static void file_shrinks(void **state)
{
	static const uint8_t rrq[] = "\0\1fw.bin\0octet\0";
	static struct server v;
	struct client c;
	struct ub_err e;
	uint8_t buf[600];
	long n;

	(void)state;
	cl_open(&c, serve(&v, 2000));
	assert_int_equal(truncate(v.path, 600), 0);
	cl_send(&c, rrq, sizeof rrq - 1);
	n = cl_recv(&c, buf, sizeof buf, 1000);
	assert_int_equal(n, 4 + 512);   /* block 1 is still whole... */
	cl_ack(&c, 1);
	n = cl_recv(&c, buf, sizeof buf, 1000);   /* ...block 2 is not */
	assert_true(n >= 5);
	assert_int_equal(buf[1], UB_TFTP_ERROR);
	assert_int_equal(ub_tftp_server_finish(v.s, NULL, &e), UB_EFORMAT);
	assert_string_equal(e.advice_id, "image-truncated");
	close(c.fd);
	done(&v);
}

/* ---- receiving: a write of a known size, as U-Boot's tftpput sends ---- */

static unsigned receive_into(struct ub_tftp_server **s, uint8_t *sink, size_t len, unsigned timeout_ms)
{
	struct ub_tftp_opts o = { 0 };
	struct ub_err e;

	o.bind_addr = "127.0.0.1";
	o.port = UB_TFTP_ANY_PORT;
	o.name = "up.bin";
	o.sink = sink;
	o.sink_len = len;
	o.timeout_ms = (int)timeout_ms;
	o.retries = 3;
	o.wait_ms = 5000;
	assert_int_equal(ub_tftp_server_start(s, &o, NULL, &e), 0);
	return ub_tftp_server_port(*s);
}

static void cl_data(struct client *c, unsigned block, const uint8_t *p, size_t n)
{
	uint8_t pkt[1100];

	assert_true(n + 4 <= sizeof pkt);
	pkt[0] = 0;
	pkt[1] = 3;
	pkt[2] = (uint8_t)(block >> 8);
	pkt[3] = (uint8_t)block;
	memcpy(pkt + 4, p, n);
	cl_send(c, pkt, n + 4);
}

/* The ACK the receiver sends next is for block k. */
static void expect_ack(struct client *c, unsigned k)
{
	uint8_t buf[600];

	assert_int_equal(cl_recv(c, buf, sizeof buf, 2000), 4);
	assert_int_equal(buf[1], 4);
	assert_int_equal((unsigned)buf[2] << 8 | buf[3], k);
}

/* Lost ACKs both ways: a block sent again gets its ACK again, a block
 * ahead of its turn is not taken, silence brings the last ACK again, and
 * after the last block the receiver still answers its repeat until the
 * caller says the client is done. */
static void receive_lost_acks(void **state)
{
	static const uint8_t wrq[] = "\0\2up.bin\0octet\0";
	static uint8_t sink[1100];
	uint8_t data[1100], buf[600];
	struct ub_tftp_server *s;
	struct ub_tftp_stats st;
	struct ub_err e;
	struct client c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)(i * 7 + 3);
	cl_open(&c, receive_into(&s, sink, sizeof sink, 150));
	cl_send(&c, wrq, sizeof wrq - 1);
	expect_ack(&c, 0);
	cl_data(&c, 1, data, 512);
	expect_ack(&c, 1);
	cl_data(&c, 1, data, 512);          /* our ACK 1 "lost" */
	expect_ack(&c, 1);
	cl_data(&c, 3, data + 1024, 76);    /* ahead of its turn */
	expect_ack(&c, 1);                  /* only the resend after the timeout */
	cl_data(&c, 2, data + 512, 512);
	expect_ack(&c, 2);
	expect_ack(&c, 2);                  /* silence: ACK 2 again */
	cl_data(&c, 3, data + 1024, 76);
	expect_ack(&c, 3);
	cl_data(&c, 3, data + 1024, 76);    /* the dally answers the repeat */
	expect_ack(&c, 3);
	assert_int_equal(ub_tftp_server_finish(s, &st, &e), 0);
	assert_memory_equal(sink, data, sizeof data);
	assert_int_equal(st.bytes, 1100);
	assert_int_equal(st.blocks, 3);
	assert_true(st.retransmits >= 3);
	assert_int_equal(cl_recv(&c, buf, sizeof buf, 50), 0);
	close(c.fd);
}

/* The options of a write: blksize and timeout as asked, tsize equal to
 * the size expected, and no window (not offered for writes). */
static void receive_options(void **state)
{
	static const uint8_t wrq[] =
		"\0\2up.bin\0octet\0blksize\0001024\0tsize\0001100\0windowsize\0008\0timeout\0001\0";
	static uint8_t sink[1100];
	uint8_t data[1100], buf[600];
	struct ub_tftp_server *s;
	struct ub_tftp_stats st;
	struct ub_err e;
	struct client c;
	long n;

	(void)state;
	memset(data, 0x5a, sizeof data);
	cl_open(&c, receive_into(&s, sink, sizeof sink, 150));
	cl_send(&c, wrq, sizeof wrq - 1);
	n = cl_recv(&c, buf, sizeof buf, 2000);
	assert_int_equal(buf[1], 6);
	assert_string_equal(oack_value(buf, n, "blksize"), "1024");
	assert_string_equal(oack_value(buf, n, "tsize"), "1100");
	assert_string_equal(oack_value(buf, n, "timeout"), "1");
	assert_null(oack_value(buf, n, "windowsize"));
	cl_data(&c, 1, data, 1024);
	expect_ack(&c, 1);
	cl_data(&c, 2, data + 1024, 76);
	expect_ack(&c, 2);
	assert_int_equal(ub_tftp_server_finish(s, &st, &e), 0);
	assert_memory_equal(sink, data, sizeof data);
	assert_int_equal(st.blksize, 1024);
	close(c.fd);
}

/* A client that stops sending: the receiver gives up after its retries,
 * saying how far it came; one announcing another size is stopped before
 * any data; a server cannot both serve and receive. */
static void receive_failures(void **state)
{
	static const uint8_t wrq[] = "\0\2up.bin\0octet\0";
	static const uint8_t wrq_big[] = "\0\2up.bin\0octet\0tsize\0002000\0";
	static uint8_t sink[1100];
	uint8_t data[512] = { 0 }, buf[600];
	struct ub_tftp_opts o = { 0 };
	struct ub_tftp_server *s;
	struct ub_tftp_stats st;
	struct ub_src src = { 0 };
	struct ub_err e;
	struct client c;

	(void)state;
	cl_open(&c, receive_into(&s, sink, sizeof sink, 100));
	cl_send(&c, wrq, sizeof wrq - 1);
	expect_ack(&c, 0);
	cl_data(&c, 1, data, 512);
	expect_ack(&c, 1);
	assert_int_equal(ub_tftp_server_finish(s, &st, &e), UB_ETIMEOUT);
	assert_string_equal(e.advice_id, "tftp-put-timeout");
	assert_non_null(strstr(e.msg, "at block 2 (512 of 1100 bytes came)"));
	assert_int_equal(st.bytes, 512);
	close(c.fd);

	cl_open(&c, receive_into(&s, sink, sizeof sink, 100));
	cl_send(&c, wrq_big, sizeof wrq_big - 1);
	assert_true(cl_recv(&c, buf, sizeof buf, 2000) > 4);
	assert_int_equal(buf[1], 5);
	assert_int_equal(buf[3], 3);   /* disk full */
	assert_int_equal(ub_tftp_server_finish(s, &st, &e), UB_EFAIL);
	assert_string_equal(e.advice_id, "tftp-size");
	assert_non_null(strstr(e.msg, "2000 bytes"));
	close(c.fd);

	o.bind_addr = "127.0.0.1";
	o.port = UB_TFTP_ANY_PORT;
	o.name = "up.bin";
	o.src = &src;
	o.sink = sink;
	o.sink_len = sizeof sink;
	assert_int_equal(ub_tftp_server_start(&s, &o, NULL, &e), UB_EUSAGE);
	assert_null(s);

	/* only the board may write: a request from elsewhere is refused */
	o.src = NULL;
	o.client_addr = "127.0.0.2";
	o.wait_ms = 300;
	assert_int_equal(ub_tftp_server_start(&s, &o, NULL, &e), 0);
	cl_open(&c, ub_tftp_server_port(s));
	cl_send(&c, wrq, sizeof wrq - 1);
	assert_true(cl_recv(&c, buf, sizeof buf, 2000) > 4);
	assert_int_equal(buf[1], 5);
	assert_int_equal(buf[3], 2);   /* access violation */
	assert_int_equal(ub_tftp_server_finish(s, &st, &e), UB_ETIMEOUT);
	assert_string_equal(e.advice_id, "tftp-no-request");
	close(c.fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parse_requests),
		cmocka_unit_test(parse_bad),
		cmocka_unit_test(oack_grants),
		cmocka_unit_test(no_grantable_option),
		cmocka_unit_test(other_tid),
		cmocka_unit_test(old_acks_do_not_postpone_resend),
		cmocka_unit_test(junk_does_not_repeat_oack),
		cmocka_unit_test(lost_and_duplicate_acks),
		cmocka_unit_test(nack_for_first_block),
		cmocka_unit_test(block_numbers_wrap),
		cmocka_unit_test(progress_in_bytes),
		cmocka_unit_test(refusals),
		cmocka_unit_test(only_the_board),
		cmocka_unit_test(names_unguessable),
		cmocka_unit_test(client_gone),
		cmocka_unit_test(final_ack_lost),
		cmocka_unit_test(signals_are_not_timeouts),
		cmocka_unit_test(nobody_asks),
		cmocka_unit_test(file_shrinks),
		cmocka_unit_test(receive_lost_acks),
		cmocka_unit_test(receive_options),
		cmocka_unit_test(receive_failures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
