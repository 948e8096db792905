/* fastboot: replies parsed, commands checked, and the UDP and TCP
 * transports against devices of ours in a thread, over datagram and
 * stream socket pairs: a device that loses a packet, answers in pieces
 * (continuation), repeats stale answers, reports an error, or answers a
 * handshake wrongly.  The real device (U-Boot in QEMU) and the real client
 * are in tests/peer/fastboot_*.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "proto/fastboot.h"
#include "proto/fastboot_tcp.h"
#include "proto/fastboot_udp.h"

#define P(s) ((const uint8_t *)(s)), (sizeof(s) - 1)

static void replies(void **state)
{
	struct ub_fb_reply r;
	struct ub_err e;

	(void)state;
	assert_int_equal(ub_fb_reply_parse(P("OKAYqemu-arm"), &r, &e), 0);
	assert_int_equal(r.kind, UB_FB_OKAY);
	assert_string_equal(r.text, "qemu-arm");
	assert_int_equal(ub_fb_reply_parse(P("OKAY"), &r, &e), 0);
	assert_string_equal(r.text, "");
	assert_int_equal(ub_fb_reply_parse(P("FAILVariable not implemented"), &r, &e), 0);
	assert_int_equal(r.kind, UB_FB_FAIL);
	assert_string_equal(r.text, "Variable not implemented");
	assert_int_equal(ub_fb_reply_parse(P("INFOerasing"), &r, &e), 0);
	assert_int_equal(r.kind, UB_FB_INFO);
	assert_int_equal(ub_fb_reply_parse(P("TEXTpart"), &r, &e), 0);
	assert_int_equal(r.kind, UB_FB_TEXT);
	assert_int_equal(ub_fb_reply_parse(P("DATA0000abcd"), &r, &e), 0);
	assert_int_equal(r.kind, UB_FB_DATA);
	assert_int_equal(r.data_len, 0xabcd);
	assert_int_equal(ub_fb_reply_parse(P("DATA0004000F"), &r, &e), 0);
	assert_int_equal(r.data_len, 0x4000f);
	/* device text keeps no control bytes: an escape sequence from a
	 * device is quoted, never run by a terminal */
	assert_int_equal(ub_fb_reply_parse(P("FAILno\x1b]0;x\x07\0z"), &r, &e), 0);
	assert_string_equal(r.text, "no?]0;x??z");
	/* malformed */
	assert_int_equal(ub_fb_reply_parse(P("OKA"), &r, &e), UB_EFORMAT);
	assert_string_equal(e.advice_id, "fastboot-protocol");
	assert_int_equal(ub_fb_reply_parse(P(""), &r, &e), UB_EFORMAT);
	assert_int_equal(ub_fb_reply_parse(P("okay"), &r, &e), UB_EFORMAT);
	assert_int_equal(ub_fb_reply_parse(P("DATA1234"), &r, &e), UB_EFORMAT);
	assert_int_equal(ub_fb_reply_parse(P("DATA0000abcdx"), &r, &e), UB_EFORMAT);
	assert_int_equal(ub_fb_reply_parse(P("DATA0000abcg"), &r, &e), UB_EFORMAT);
	assert_int_equal(ub_fb_reply_parse(P("DATA-0000abc"), &r, &e), UB_EFORMAT);
	/* longer than a reply may be: cut, not overrun */
	{
		uint8_t big[600];

		memcpy(big, "INFO", 4);
		memset(big + 4, 'x', sizeof big - 4);
		assert_int_equal(ub_fb_reply_parse(big, sizeof big, &r, &e), 0);
		assert_int_equal(strlen(r.text), UB_FB_REPLY_MAX);
	}
}

static void udp_codec(void **state)
{
	struct ub_fbudp_header h = { 3, 1, 0xbeef }, g;
	uint8_t p[4];
	uint16_t seq;
	unsigned v, m;
	struct ub_err e;

	(void)state;
	ub_fbudp_put_header(p, &h);
	assert_memory_equal(p, "\x03\x01\xbe\xef", 4);
	assert_int_equal(ub_fbudp_header(p, 4, &g), 0);
	assert_int_equal(g.seq, 0xbeef);
	assert_int_equal(ub_fbudp_header(p, 3, &g), -1);
	assert_int_equal(ub_fbudp_query_answer(P("\x12\x34"), &seq, &e), 0);
	assert_int_equal(seq, 0x1234);
	assert_int_equal(ub_fbudp_query_answer(P("\x12"), &seq, &e), UB_EFORMAT);
	assert_int_equal(ub_fbudp_init_answer(P("\x00\x01\x04\x00"), &v, &m, &e), 0);
	assert_int_equal(v, 1);
	assert_int_equal(m, 1024);
	assert_int_equal(ub_fbudp_init_answer(P("\x00\x00\x04\x00"), &v, &m, &e), UB_EFORMAT);
	assert_int_equal(ub_fbudp_init_answer(P("\x00\x01\x01\xff"), &v, &m, &e), UB_EFORMAT);
	assert_int_equal(ub_fbudp_init_answer(P("\x00\x01\x04"), &v, &m, &e), UB_EFORMAT);
}

static void tcp_codec(void **state)
{
	uint8_t h[8];
	unsigned v;
	struct ub_err e;

	(void)state;
	ub_fbtcp_put_length(h, 0x0102030405060708ull);
	assert_memory_equal(h, "\x01\x02\x03\x04\x05\x06\x07\x08", 8);
	assert_true(ub_fbtcp_length(h) == 0x0102030405060708ull);
	assert_int_equal(ub_fbtcp_handshake_answer(P("FB01"), &v, &e), 0);
	assert_int_equal(v, 1);
	assert_int_equal(ub_fbtcp_handshake_answer(P("FB12"), &v, &e), 0);
	assert_int_equal(v, 12);
	assert_int_equal(ub_fbtcp_handshake_answer(P("FB00"), &v, &e), UB_EFORMAT);
	assert_int_equal(ub_fbtcp_handshake_answer(P("SSH-"), &v, &e), UB_EFORMAT);
	assert_int_equal(ub_fbtcp_handshake_answer(P("FB1"), &v, &e), UB_EFORMAT);
}

static void host_port(void **state)
{
	char h[64];
	unsigned port;
	struct ub_err e;

	(void)state;
	assert_int_equal(ub_fb_host_port("127.0.0.1:5555", h, sizeof h, &port, &e), 0);
	assert_string_equal(h, "127.0.0.1");
	assert_int_equal(port, 5555);
	assert_int_equal(ub_fb_host_port("phone.lan", h, sizeof h, &port, &e), 0);
	assert_string_equal(h, "phone.lan");
	assert_int_equal(port, 0);
	assert_int_equal(ub_fb_host_port("[::1]:7", h, sizeof h, &port, &e), 0);
	assert_string_equal(h, "::1");
	assert_int_equal(port, 7);
	assert_int_equal(ub_fb_host_port("::1", h, sizeof h, &port, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_host_port("h:0", h, sizeof h, &port, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_host_port("h:70000", h, sizeof h, &port, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_host_port(":5554", h, sizeof h, &port, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_host_port("[::1", h, sizeof h, &port, &e), UB_EUSAGE);
}

/* ---- a device of ours: the command side, shared by both transports */

struct dev {
	int fd;
	/* faults (UDP) */
	int drop_seq;          /* never answer the first packet with this sequence number */
	int split_replies;     /* answers in two packets, the first with continuation */
	int stale_before;      /* send a repeat of the previous answer before each one */
	int error_seq;         /* answer this sequence number with an ERROR packet */
	int silent;            /* answer nothing at all (after the handshake) */
	unsigned packet;       /* its largest packet */
	/* what it saw */
	char cmds[2048];
	uint8_t data[1 << 16];
	size_t got, expect;
	int in_download;
	/* replies waiting to be fetched */
	char queue[4][80];
	int nq, q;
	unsigned dropped, data_packets;
	int stop;
};

static void command(struct dev *d, const char *c)
{
	snprintf(d->cmds + strlen(d->cmds), sizeof d->cmds - strlen(d->cmds), "%s|", c);
	d->nq = d->q = 0;
	if (strcmp(c, "getvar:product") == 0)
		snprintf(d->queue[d->nq++], 80, "OKAYfake-phone");
	else if (strcmp(c, "getvar:version") == 0)
		snprintf(d->queue[d->nq++], 80, "OKAY0.4");
	else if (strncmp(c, "getvar:", 7) == 0)
		snprintf(d->queue[d->nq++], 80, "FAILVariable not implemented");
	else if (strncmp(c, "download:", 9) == 0) {
		d->expect = strtoul(c + 9, NULL, 16);
		d->got = 0;
		d->in_download = 1;
		snprintf(d->queue[d->nq++], 80, "DATA%08zx", d->expect);
	} else if (strncmp(c, "flash:", 6) == 0) {
		snprintf(d->queue[d->nq++], 80, "INFOwriting '%s'", c + 6);
		snprintf(d->queue[d->nq++], 80, "OKAY");
	} else if (strcmp(c, "erase:locked") == 0)
		snprintf(d->queue[d->nq++], 80, "FAILpartition is locked");
	else
		snprintf(d->queue[d->nq++], 80, "OKAY");
}

static void data(struct dev *d, const uint8_t *p, size_t n)
{
	if (d->got + n <= sizeof d->data)
		memcpy(d->data + d->got, p, n);
	d->got += n;
	d->data_packets++;
	if (d->got >= d->expect) {
		d->in_download = 0;
		d->nq = d->q = 0;
		snprintf(d->queue[d->nq++], 80, d->got == d->expect ? "OKAY" : "FAILtoo much data");
	}
}

static int wait_in(int fd, int ms)
{
	struct pollfd p = { fd, POLLIN, 0 };

	return poll(&p, 1, ms) > 0;
}

/* ---- UDP: the device side of AOSP's protocol, as U-Boot keeps it: the
 * next expected sequence number and the last answer, sent again when
 * the packet before comes again. */

static void *udp_device(void *arg)
{
	struct dev *d = arg;
	uint16_t seq = 7;   /* any start: the host learns it by the query */
	uint8_t in[2048], out[2048], last[2048];
	size_t last_len = 0, outn;
	char pending[80] = "";

	while (!d->stop) {
		struct ub_fbudp_header h, a;
		ssize_t n;

		if (!wait_in(d->fd, 100))
			continue;
		if ((n = recv(d->fd, in, sizeof in, 0)) <= 0)
			break;
		if (ub_fbudp_header(in, (size_t)n, &h))
			continue;
		a = h;
		a.flags = 0;
		outn = 4;
		if (h.id == UB_FBUDP_QUERY) {
			out[4] = (uint8_t)(seq >> 8);
			out[5] = (uint8_t)seq;
			outn = 6;
			ub_fbudp_put_header(out, &a);
			send(d->fd, out, outn, 0);
			continue;
		}
		if (h.seq == (uint16_t)(seq - 1)) {   /* a repeat: the last answer again */
			send(d->fd, last, last_len, 0);
			continue;
		}
		if (h.seq != seq)
			continue;
		if (d->drop_seq >= 0 && h.seq == (uint16_t)d->drop_seq) {
			d->drop_seq = -1;
			d->dropped++;
			continue;
		}
		if (d->silent && h.id == UB_FBUDP_FASTBOOT)
			continue;
		if (d->error_seq >= 0 && h.seq == (uint16_t)d->error_seq) {
			a.id = UB_FBUDP_ERROR;
			ub_fbudp_put_header(out, &a);
			memcpy(out + 4, "bad state", 9);
			send(d->fd, out, 13, 0);
			seq++;
			continue;
		}
		if (h.id == UB_FBUDP_INIT) {
			out[4] = 0;
			out[5] = 1;
			out[6] = (uint8_t)(d->packet >> 8);
			out[7] = (uint8_t)d->packet;
			outn = 8;
		} else if (h.id == UB_FBUDP_FASTBOOT) {
			size_t len = (size_t)n - 4;

			if (d->in_download && len) {
				data(d, in + 4, len);
			} else if (len) {
				snprintf(pending + strlen(pending), sizeof pending - strlen(pending), "%.*s", (int)len,
					 (const char *)in + 4);
				if (!(h.flags & UB_FBUDP_CONTINUATION)) {
					command(d, pending);
					pending[0] = '\0';
				}
			} else if (d->q < d->nq) {   /* an empty packet fetches a reply */
				const char *r = d->queue[d->q++];
				size_t rl = strlen(r);

				if (d->split_replies && rl > 2) {
					/* the first half now, flagged; the rest for the next empty packet */
					struct ub_fbudp_header c = a;

					c.flags = UB_FBUDP_CONTINUATION;
					ub_fbudp_put_header(out, &c);
					memcpy(out + 4, r, 2);
					send(d->fd, out, 6, 0);
					memcpy(last, out, 6);
					last_len = 6;
					seq++;
					/* wait for the host's empty packet asking for more */
					while (!d->stop && wait_in(d->fd, 2000)) {
						struct ub_fbudp_header m;

						n = recv(d->fd, in, sizeof in, 0);
						if (n >= 4 && !ub_fbudp_header(in, (size_t)n, &m) && m.seq == seq) {
							a = m;
							a.flags = 0;
							break;
						}
					}
					memcpy(out + 4, r + 2, rl - 2);
					outn = 4 + rl - 2;
				} else {
					memcpy(out + 4, r, rl);
					outn = 4 + rl;
				}
			}
		}
		ub_fbudp_put_header(out, &a);
		if (d->stale_before && last_len)
			send(d->fd, last, last_len, 0);
		send(d->fd, out, outn, 0);
		memcpy(last, out, outn);
		last_len = outn;
		seq++;
	}
	return NULL;
}

struct rig {
	struct dev d;
	pthread_t th;
	int host;
};

static void rig_start(struct rig *r, int type, void *(*fn)(void *))
{
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv), 0);
	r->d.fd = sv[1];
	r->host = sv[0];
	assert_int_equal(pthread_create(&r->th, NULL, fn, &r->d), 0);
}

static void rig_stop(struct rig *r, struct ub_fb *fb)
{
	ub_fb_close(fb);   /* the device sees the host go */
	r->d.stop = 1;
	pthread_join(r->th, NULL);
	close(r->d.fd);
}

static void dev_init(struct dev *d)
{
	memset(d, 0, sizeof *d);
	d->drop_seq = d->error_seq = -1;
	d->packet = 1024;
}

static int fill_pattern(void *ctx, uint64_t off, uint8_t *buf, size_t n, struct ub_err *e)
{
	size_t i;

	(void)ctx;
	(void)e;
	for (i = 0; i < n; i++)
		buf[i] = (uint8_t)((off + i) * 7 + 3);
	return 0;
}

struct notes {
	char text[256];
	int n;
};

static void on_note(void *ctx, enum ub_fb_kind kind, const char *text)
{
	struct notes *n = ctx;

	snprintf(n->text + strlen(n->text), sizeof n->text - strlen(n->text), "%s:%s|", ub_fb_kind_name(kind), text);
	n->n++;
}

/* The session a real client has: getvar, a download of several packets,
 * a flash with an INFO line on the way, and a FAIL quoted. */
static void exercise(struct ub_fb *fb, struct dev *d)
{
	struct notes notes = { "", 0 };
	char v[64];
	struct ub_err e;
	size_t i;

	fb->note = on_note;
	fb->note_ctx = &notes;
	assert_int_equal(ub_fb_getvar(fb, "product", v, sizeof v, 2000, &e), 0);
	assert_string_equal(v, "fake-phone");
	assert_int_equal(ub_fb_getvar(fb, "serialno", v, sizeof v, 2000, &e), UB_EFAIL);
	assert_string_equal(e.advice_id, "fastboot-fail");
	assert_non_null(strstr(e.msg, "getvar:serialno"));
	assert_non_null(strstr(e.msg, "FAIL Variable not implemented"));
	assert_int_equal(ub_fb_download(fb, 5000, fill_pattern, NULL, NULL, 2000, &e), 0);
	assert_int_equal(d->got, 5000);
	for (i = 0; i < 5000; i++)
		if (d->data[i] != (uint8_t)(i * 7 + 3))
			fail_msg("byte %zu of the download differs", i);
	assert_true(fb->bytes_sent == 5000);
	assert_int_equal(ub_fb_do(fb, "flash", "boot", 2000, &e), 0);
	assert_string_equal(notes.text, "INFO:writing 'boot'|");
	assert_int_equal(ub_fb_do(fb, "erase", "locked", 2000, &e), UB_EFAIL);
	assert_non_null(strstr(e.msg, "erase:locked"));
	assert_non_null(strstr(e.msg, "partition is locked"));
	assert_int_equal(ub_fb_do(fb, "set_active", "b", 2000, &e), 0);
	assert_int_equal(ub_fb_do(fb, "oem", "device-info", 2000, &e), 0);
	assert_int_equal(ub_fb_do(fb, "reboot-bootloader", NULL, 2000, &e), 0);
	assert_string_equal(d->cmds, "getvar:product|getvar:serialno|download:00001388|flash:boot|erase:locked|"
			    "set_active:b|oem device-info|reboot-bootloader|");
}

static struct ub_fbudp_opts quick = { 2000, 30, 4, 0 };

static void udp_session(void **state)
{
	struct rig r;
	struct ub_fb fb = { 0 };
	struct ub_err e;
	uint64_t resent;
	unsigned packet;

	(void)state;
	dev_init(&r.d);
	rig_start(&r, SOCK_DGRAM, udp_device);
	assert_int_equal(ub_fbudp_open_fd(&fb.t, r.host, "udp test", &quick, &e), 0);
	ub_fbudp_stats(fb.t, &resent, &packet);
	assert_int_equal(packet, 1024);
	exercise(&fb, &r.d);
	/* 5000 bytes in packets of 1020: five of them */
	assert_int_equal(r.d.data_packets, 5);
	ub_fbudp_stats(fb.t, &resent, &packet);
	assert_true(resent == 0);
	rig_stop(&r, &fb);
}

/* The device's packet size wins when it is the smaller, and so does ours. */
static void udp_packet_size(void **state)
{
	struct ub_fbudp_opts small = quick;
	struct rig r;
	struct ub_fb fb = { 0 };
	struct ub_err e;
	uint64_t resent;
	unsigned packet;

	(void)state;
	small.host_max = 600;
	dev_init(&r.d);
	r.d.packet = 2048;
	rig_start(&r, SOCK_DGRAM, udp_device);
	assert_int_equal(ub_fbudp_open_fd(&fb.t, r.host, "udp test", &small, &e), 0);
	ub_fbudp_stats(fb.t, &resent, &packet);
	assert_int_equal(packet, 600);
	assert_int_equal(ub_fb_download(&fb, 5000, fill_pattern, NULL, NULL, 2000, &e), 0);
	assert_int_equal(r.d.data_packets, 9);   /* 596 bytes each */
	rig_stop(&r, &fb);
}

/* A lost packet is sent again, and the device's repeats of old answers
 * are not taken for new ones. */
static void udp_lost_and_stale(void **state)
{
	struct rig r;
	struct ub_fb fb = { 0 };
	struct ub_err e;
	uint64_t resent;
	unsigned packet;

	(void)state;
	dev_init(&r.d);
	r.d.drop_seq = 7 + 2 + 3;   /* after query (7: not counted), init, 3 packets */
	r.d.stale_before = 1;
	rig_start(&r, SOCK_DGRAM, udp_device);
	assert_int_equal(ub_fbudp_open_fd(&fb.t, r.host, "udp test", &quick, &e), 0);
	exercise(&fb, &r.d);
	assert_int_equal(r.d.dropped, 1);
	ub_fbudp_stats(fb.t, &resent, &packet);
	assert_true(resent >= 1);
	rig_stop(&r, &fb);
}

/* Replies in two packets, the first flagged "continuation". */
static void udp_continuation(void **state)
{
	struct rig r;
	struct ub_fb fb = { 0 };
	struct ub_err e;

	(void)state;
	dev_init(&r.d);
	r.d.split_replies = 1;
	rig_start(&r, SOCK_DGRAM, udp_device);
	assert_int_equal(ub_fbudp_open_fd(&fb.t, r.host, "udp test", &quick, &e), 0);
	exercise(&fb, &r.d);
	rig_stop(&r, &fb);
}

static void udp_failures(void **state)
{
	struct rig r;
	struct ub_fb fb = { 0 };
	struct ub_err e;
	char v[64];
	int sv[2];

	(void)state;
	/* nothing answers: absent, said as such */
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv), 0);
	{
		struct ub_fbudp_opts o = { 200, 30, 2, 0 };

		assert_int_equal(ub_fbudp_open_fd(&fb.t, sv[0], "udp test", &o, &e), UB_ENODEV);
		assert_string_equal(e.advice_id, "fastboot-absent");
		assert_non_null(strstr(e.msg, "no fastboot device answers at udp test"));
	}
	close(sv[1]);

	/* it answers the handshake, then falls silent: gone, with a count */
	dev_init(&r.d);
	r.d.silent = 1;
	rig_start(&r, SOCK_DGRAM, udp_device);
	assert_int_equal(ub_fbudp_open_fd(&fb.t, r.host, "udp test", &quick, &e), 0);
	assert_int_equal(ub_fb_getvar(&fb, "product", v, sizeof v, 100, &e), UB_ETIMEOUT);
	assert_string_equal(e.advice_id, "fastboot-gone");
	assert_non_null(strstr(e.msg, "stopped answering"));
	assert_non_null(strstr(e.msg, "4 sends"));
	rig_stop(&r, &fb);

	/* an ERROR packet: its text quoted */
	dev_init(&r.d);
	r.d.error_seq = 7 + 1;
	rig_start(&r, SOCK_DGRAM, udp_device);
	assert_int_equal(ub_fbudp_open_fd(&fb.t, r.host, "udp test", &quick, &e), 0);
	assert_int_equal(ub_fb_getvar(&fb, "product", v, sizeof v, 2000, &e), UB_EFAIL);
	assert_non_null(strstr(e.msg, "reported an error: bad state"));
	rig_stop(&r, &fb);
}

/* Commands are checked before anything is sent. */
static void command_checks(void **state)
{
	struct rig r;
	struct ub_fb fb = { 0 };
	struct ub_err e;
	char big[100];

	(void)state;
	dev_init(&r.d);
	rig_start(&r, SOCK_DGRAM, udp_device);
	assert_int_equal(ub_fbudp_open_fd(&fb.t, r.host, "udp test", &quick, &e), 0);
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	assert_int_equal(ub_fb_command(&fb, big, 1000, NULL, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_command(&fb, "", 1000, NULL, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_command(&fb, "getvar:\n", 1000, NULL, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_command(&fb, "getvar:\xc3\xa9", 1000, NULL, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_do(&fb, "format", "boot", 1000, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_do(&fb, "flash", NULL, 1000, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_do(&fb, "reboot", "now", 1000, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_do(&fb, "flash", "boot:x", 1000, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_do(&fb, "set_active", "c", 1000, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_do(&fb, "flashing", "unlock_everything", 1000, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_download(&fb, 0, fill_pattern, NULL, NULL, 1000, &e), UB_EUSAGE);
	assert_int_equal(ub_fb_download(&fb, 1ull << 32, fill_pattern, NULL, NULL, 1000, &e), UB_EUSAGE);
	assert_string_equal(r.d.cmds, "");   /* none of them went */
	assert_int_equal(ub_fb_do(&fb, "flashing", "unlock", 1000, &e), 0);
	assert_int_equal(ub_fb_do(&fb, "continue", NULL, 1000, &e), 0);
	assert_string_equal(r.d.cmds, "flashing unlock|continue|");
	rig_stop(&r, &fb);
}

/* ---- TCP: "FB01" both ways, then 8-byte lengths. */

static int read_n(int fd, uint8_t *b, size_t n)
{
	while (n > 0) {
		ssize_t k;

		if (!wait_in(fd, 2000))
			return -1;
		if ((k = read(fd, b, n)) <= 0)
			return -1;
		b += k;
		n -= (size_t)k;
	}
	return 0;
}

static void send_msg(int fd, const char *s)
{
	uint8_t h[8];

	ub_fbtcp_put_length(h, strlen(s));
	if (write(fd, h, 8) != 8 || write(fd, s, strlen(s)) != (ssize_t)strlen(s))
		fail_msg("the test device could not write");
}

static char handshake_answer[5] = "FB01";

static void *tcp_device(void *arg)
{
	struct dev *d = arg;
	uint8_t hs[4], h[8], *buf = malloc(1 << 20);

	if (!buf || read_n(d->fd, hs, 4) || memcmp(hs, "FB01", 4) != 0) {
		free(buf);
		return NULL;
	}
	if (write(d->fd, handshake_answer, 4) != 4) {
		free(buf);
		return NULL;
	}
	while (!d->stop && read_n(d->fd, h, 8) == 0) {
		uint64_t n = ub_fbtcp_length(h);

		if (n > (1 << 20) || read_n(d->fd, buf, (size_t)n))
			break;
		if (d->in_download) {
			data(d, buf, (size_t)n);
		} else {
			char c[80];

			snprintf(c, sizeof c, "%.*s", (int)n, (const char *)buf);
			command(d, c);
		}
		/* a stream device sends its replies as they come */
		while (!d->in_download && d->q < d->nq)
			send_msg(d->fd, d->queue[d->q++]);
		if (d->in_download && d->q < d->nq && d->got == 0)
			send_msg(d->fd, d->queue[d->q++]);
	}
	free(buf);
	return NULL;
}

static void tcp_session(void **state)
{
	struct rig r;
	struct ub_fb fb = { 0 };
	struct ub_err e;

	(void)state;
	dev_init(&r.d);
	rig_start(&r, SOCK_STREAM, tcp_device);
	assert_int_equal(ub_fbtcp_open_fd(&fb.t, r.host, "tcp test", 2000, &e), 0);
	exercise(&fb, &r.d);
	rig_stop(&r, &fb);
}

static void tcp_bad_handshake(void **state)
{
	struct rig r;
	struct ub_fb fb = { 0 };
	struct ub_err e;

	(void)state;
	dev_init(&r.d);
	memcpy(handshake_answer, "FB00", 4);
	rig_start(&r, SOCK_STREAM, tcp_device);
	assert_int_equal(ub_fbtcp_open_fd(&fb.t, r.host, "tcp test", 2000, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "handshake"));
	rig_stop(&r, &fb);
	memcpy(handshake_answer, "FB01", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(replies),
		cmocka_unit_test(udp_codec),
		cmocka_unit_test(tcp_codec),
		cmocka_unit_test(host_port),
		cmocka_unit_test(udp_session),
		cmocka_unit_test(udp_packet_size),
		cmocka_unit_test(udp_lost_and_stale),
		cmocka_unit_test(udp_continuation),
		cmocka_unit_test(udp_failures),
		cmocka_unit_test(command_checks),
		cmocka_unit_test(tcp_session),
		cmocka_unit_test(tcp_bad_handshake),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
