#include "gdb_rsp.h"
#include "base/hex.h"

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define REPLY_MS 10000       /* a stub answers a packet within this */
#define RESENDS 5            /* a packet asked again this often is a bad line */
#define DEFAULT_PACKET 400   /* what gdb assumes when a stub says nothing */

enum { OUTSIDE, DATA, SUM1, SUM2 };

/* --- the packet parser ------------------------------------------------------ */

void ub_rsp_parser_init(struct ub_rsp_parser *p, size_t max)
{
	memset(p, 0, sizeof *p);
	p->max = max;
}

void ub_rsp_parser_free(struct ub_rsp_parser *p)
{
	free(p->data);
	memset(p, 0, sizeof *p);
}

static void append(struct ub_rsp_parser *p, uint8_t byte)
{
	if (p->len >= p->max) {
		p->overflow = 1;
		return;
	}
	if (p->len == p->cap) {
		size_t cap = p->cap ? 2 * p->cap : 512;
		uint8_t *d;

		if (cap > p->max)
			cap = p->max;
		d = realloc(p->data, cap);
		if (!d) {
			p->overflow = 1;   /* reported as too big: nothing more to do */
			return;
		}
		p->data = d;
		p->cap = cap;
	}
	p->data[p->len++] = byte;
}

enum ub_rsp_event ub_rsp_parser_feed(struct ub_rsp_parser *p, uint8_t byte)
{
	int v;

	switch (p->state) {
	case OUTSIDE:
		if (byte == '$' || byte == '%') {
			p->state = DATA;
			p->notify = byte == '%';
			p->len = 0;
			p->sum = 0;
			p->overflow = 0;
			return UB_RSP_EV_NONE;
		}
		return byte == '+' ? UB_RSP_EV_ACK : byte == '-' ? UB_RSP_EV_NAK :
		       byte == 0x03 ? UB_RSP_EV_INTERRUPT : UB_RSP_EV_NONE;
	case DATA:
		if (byte == '#') {
			p->state = SUM1;
		} else if (byte == '$') {
			/* a stub that starts over: the old packet is dropped,
			 * as gdb drops it */
			p->len = 0;
			p->sum = 0;
			p->overflow = 0;
			p->notify = 0;
		} else {
			p->sum = (uint8_t)(p->sum + byte);
			append(p, byte);
		}
		return UB_RSP_EV_NONE;
	case SUM1:
		if ((v = ub_hex_digit(byte)) < 0) {
			p->state = OUTSIDE;
			return UB_RSP_EV_BADSUM;
		}
		p->want = (uint8_t)(v << 4);
		p->state = SUM2;
		return UB_RSP_EV_NONE;
	default:
		p->state = OUTSIDE;
		if ((v = ub_hex_digit(byte)) < 0)
			return UB_RSP_EV_BADSUM;
		p->want = (uint8_t)(p->want | v);
		if (p->overflow)
			return UB_RSP_EV_TOOBIG;
		if (p->want != p->sum)
			return UB_RSP_EV_BADSUM;
		return p->notify ? UB_RSP_EV_NOTIFY : UB_RSP_EV_PACKET;
	}
}

int ub_rsp_decode(const uint8_t *raw, size_t len, int binary, uint8_t *out, size_t cap,
		  size_t *n)
{
	size_t i = 0, o = 0;
	int have_last = 0;
	uint8_t last = 0;

	*n = 0;
	while (i < len) {
		uint8_t c = raw[i++];

		if (c == '*') {
			int count;

			if (!have_last || i >= len)
				return -1;
			count = raw[i++] - 29;
			if (count < 1 || count > 255 || cap - o < (size_t)count)
				return -1;
			memset(out + o, last, (size_t)count);
			o += (size_t)count;
			continue;
		}
		if (binary && c == '}') {
			if (i >= len)
				return -1;
			c = raw[i++] ^ 0x20;
		}
		if (o >= cap)
			return -1;
		out[o++] = c;
		last = c;
		have_last = 1;
	}
	*n = o;
	return 0;
}

size_t ub_rsp_escape(const uint8_t *in, size_t len, uint8_t *out)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		uint8_t c = in[i];

		if (c == '}' || c == '#' || c == '$' || c == '*') {
			out[o++] = '}';
			out[o++] = c ^ 0x20;
		} else {
			out[o++] = c;
		}
	}
	return o;
}

size_t ub_rsp_frame(const uint8_t *data, size_t len, uint8_t *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t sum = 0;
	size_t i;

	out[0] = '$';
	for (i = 0; i < len; i++) {
		out[1 + i] = data[i];
		sum = (uint8_t)(sum + data[i]);
	}
	out[1 + len] = '#';
	out[2 + len] = (uint8_t)hex[sum >> 4];
	out[3 + len] = (uint8_t)hex[sum & 15];
	return len + 4;
}

/* --- what replies mean ------------------------------------------------------- */

void ub_rsp_parse_supported(const char *reply, size_t len, unsigned *features,
			    size_t *packet_size)
{
	static const struct { const char *name; unsigned bit; } known[] = {
		{ "QStartNoAckMode+", UB_RSP_F_NOACK },
		{ "qXfer:features:read+", UB_RSP_F_FEATURES },
		{ "qXfer:memory-map:read+", UB_RSP_F_MEMORY_MAP },
		{ "vContSupported+", UB_RSP_F_VCONT },
	};
	size_t at = 0, k;

	*features = 0;
	*packet_size = 0;
	while (at < len) {
		const char *item = reply + at;
		const char *semi = memchr(item, ';', len - at);
		size_t n = semi ? (size_t)(semi - item) : len - at;

		for (k = 0; k < sizeof known / sizeof known[0]; k++)
			if (n == strlen(known[k].name) && memcmp(item, known[k].name, n) == 0)
				*features |= known[k].bit;
		if (n > 11 && memcmp(item, "PacketSize=", 11) == 0) {
			size_t v = 0, i;

			for (i = 11; i < n && ub_hex_digit((uint8_t)item[i]) >= 0 && v < ((size_t)1 << 40); i++)
				v = v * 16 + (size_t)ub_hex_digit((uint8_t)item[i]);
			if (i == n)
				*packet_size = v;
		}
		at += n + 1;
	}
}

/* Two hex digits at s, or -1. */
static int hex2(const char *s, size_t left)
{
	int a, b;

	if (left < 2 || (a = ub_hex_digit((uint8_t)s[0])) < 0 || (b = ub_hex_digit((uint8_t)s[1])) < 0)
		return -1;
	return a << 4 | b;
}

int ub_rsp_parse_stop(const char *reply, size_t len, struct ub_rsp_stop *out)
{
	size_t at;
	int sig;

	memset(out, 0, sizeof *out);
	if (len < 3 || !strchr("STWX", reply[0]) || (sig = hex2(reply + 1, len - 1)) < 0)
		return -1;
	out->kind = reply[0];
	out->signal = sig;
	if (reply[0] != 'T') {
		/* W and X may say ;process:PID after it */
		if (len == 3 || reply[3] == ';')
			return 0;
		memset(out, 0, sizeof *out);
		return -1;
	}
	/* n:r; pairs: only the thread is of use here */
	for (at = 3; at < len; ) {
		const char *pair = reply + at;
		const char *semi = memchr(pair, ';', len - at);
		size_t n = semi ? (size_t)(semi - pair) : len - at;

		if (n > 7 && memcmp(pair, "thread:", 7) == 0)
			snprintf(out->thread, sizeof out->thread, "%.*s", (int)(n - 7), pair + 7);
		at += n + 1;
	}
	return 0;
}

const char *ub_rsp_signal_name(int signal)
{
	static const char *const names[] = {
		"no signal", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
		"SIGEMT", "SIGFPE", "SIGKILL", "SIGBUS", "SIGSEGV", "SIGSYS", "SIGPIPE",
		"SIGALRM", "SIGTERM",
	};

	return signal >= 0 && (size_t)signal < sizeof names / sizeof names[0] ? names[signal] :
	       "another signal";
}

long ub_rsp_unhex(const char *hex, size_t len, uint8_t *out, size_t cap)
{
	size_t i;

	if (len % 2 || len / 2 > cap)
		return -1;
	for (i = 0; i < len / 2; i++) {
		int v = hex2(hex + 2 * i, 2);

		if (v < 0)
			return -1;
		out[i] = (uint8_t)v;
	}
	return (long)(len / 2);
}

static size_t tohex(const uint8_t *in, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	return 2 * len;
}

/* --- the client ----------------------------------------------------------------- */

/* The stream's words are about a console; here it is the probe. */
static int lost(int rc, struct ub_err *e)
{
	if (e && (rc == UB_ENODEV || rc == UB_EIO)) {
		char msg[UB_ERR_MSG_MAX];

		snprintf(msg, sizeof msg, "%s", e->msg);
		ub_err_set(e, UB_ENODEV, "probe-lost", "the debug probe's connection: %s", msg);
		return UB_ENODEV;
	}
	return rc;
}

static int grow(char **buf, size_t *cap, size_t need, struct ub_err *e)
{
	char *b;
	size_t c = *cap ? *cap : 256;

	if (need <= *cap)
		return 0;
	while (c < need)
		c *= 2;
	if (!(b = realloc(*buf, c)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	*buf = b;
	*cap = c;
	return 0;
}

static int send_raw(struct ub_rsp *r, const void *buf, size_t len, struct ub_err *e)
{
	int rc = ub_stream_write(r->s, buf, len, REPLY_MS, e);

	return rc ? lost(rc, e) : 0;
}

/* The next event from the stub within ms (UB_RSP_EV_NONE: nothing came). */
static int next_event(struct ub_rsp *r, int ms, struct ub_err *e)
{
	double end = ub_now() + ms / 1000.0;

	for (;;) {
		while (r->rx_off < r->rx_len) {
			enum ub_rsp_event ev = ub_rsp_parser_feed(&r->p, r->rx[r->rx_off++]);

			if (ev != UB_RSP_EV_NONE)
				return (int)ev;
		}
		double left = end - ub_now();
		long n;

		if (left <= 0)
			return UB_RSP_EV_NONE;
		n = ub_stream_read(r->s, r->rx, sizeof r->rx, (int)(left * 1000) + 1, e);
		if (n < 0)
			return lost((int)n, e);
		r->rx_off = 0;
		r->rx_len = (size_t)n;
	}
}

/* Frames and sends data; with acks, until the stub takes it. */
static int send_packet(struct ub_rsp *r, const void *data, size_t len, struct ub_err *e)
{
	size_t n;
	int tries, rc;

	if (len + 5 > r->tx_cap) {
		uint8_t *t = realloc(r->tx, len + 5);

		if (!t)
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		r->tx = t;
		r->tx_cap = len + 5;
	}
	/* the ack of the last reply rides in front of this packet */
	r->tx[0] = '+';
	n = ub_rsp_frame(data, len, r->tx + 1);
	r->stats.packets++;
	for (tries = 0; tries <= RESENDS; tries++) {
		if (tries)
			r->stats.resends++;
		if ((rc = send_raw(r, r->tx + !r->ack_pending, n + r->ack_pending, e)))
			return rc;
		r->ack_pending = 0;
		if (!r->acks)
			return 0;
		for (;;) {
			int ev = next_event(r, r->timeout_ms, e);

			if (ev < 0)
				return ev;
			if (ev == UB_RSP_EV_ACK)
				return 0;
			if (ev == UB_RSP_EV_NAK)
				break;
			if (ev == UB_RSP_EV_NONE)
				return ub_err_set(e, UB_ETIMEOUT, "probe-silent",
						  "the debug probe did not acknowledge a packet within %d s",
						  r->timeout_ms / 1000);
			/* a packet before the ack (a stale reply): not ours */
		}
	}
	return ub_err_set(e, UB_EFAIL, "probe-garbled",
			  "the debug probe asked for a packet %d times: the line garbles what is sent",
			  RESENDS + 1);
}

/* A reply's ack: at once, or inside a run of packets (memory moved in
 * pieces) with the next packet, one write fewer per packet; the run's end
 * sends the last one (flush_ack). */
static int ack(struct ub_rsp *r, struct ub_err *e)
{
	if (r->batch) {
		r->ack_pending = 1;
		return 0;
	}
	return send_raw(r, "+", 1, e);
}

static int flush_ack(struct ub_rsp *r, int rc, struct ub_err *e)
{
	int frc;

	r->batch = 0;
	if (!r->ack_pending)
		return rc;
	r->ack_pending = 0;
	frc = send_raw(r, "+", 1, rc ? NULL : e);
	return rc ? rc : frc;
}

/* Is this O packet console output (O and hex), not "OK"? */
static int is_output(const char *s, size_t n)
{
	size_t i;

	if (n < 3 || s[0] != 'O' || (n - 1) % 2)
		return 0;
	for (i = 1; i < n; i++)
		if (ub_hex_digit((uint8_t)s[i]) < 0)
			return 0;
	return 1;
}

static int keep_output(struct ub_rsp *r, const char *hex, size_t n, struct ub_err *e)
{
	int rc;

	if ((rc = grow(&r->out, &r->out_cap, r->out_len + n / 2 + 1, e)))
		return rc;
	if (ub_rsp_unhex(hex, n, (uint8_t *)r->out + r->out_len, n / 2) == (long)(n / 2))
		r->out_len += n / 2;
	r->out[r->out_len] = '\0';
	return 0;
}

/* The next packet, decoded into r->reply (binary: } escapes undone).
 * With output, O packets are console output, kept in r->out, and the
 * wait goes on.  ms < 0: the stub's usual time.  1: none came in time. */
static int recv_packet(struct ub_rsp *r, int ms, int binary, int output, struct ub_err *e)
{
	int rc;

	for (;;) {
		int ev = next_event(r, ms < 0 ? r->timeout_ms : ms, e);
		size_t n;

		if (ev < 0)
			return ev;
		if (ev == UB_RSP_EV_NONE)
			return 1;
		if (ev == UB_RSP_EV_BADSUM || ev == UB_RSP_EV_TOOBIG) {
			r->stats.resends++;
			if (!r->acks && ev == UB_RSP_EV_TOOBIG)
				return ub_err_set(e, UB_EFAIL, "probe-garbled",
						  "the debug probe sent a packet larger than %u bytes",
						  UB_RSP_MAX_PACKET);
			if (!r->acks)
				return ub_err_set(e, UB_EFAIL, "probe-garbled",
						  "a packet from the debug probe arrived damaged (bad checksum) and cannot be asked for again");
			if ((rc = send_raw(r, "-", 1, e)))
				return rc;
			continue;
		}
		if (ev != UB_RSP_EV_PACKET)
			continue;   /* acks, notifications: nothing waits for them */
		if (r->acks && (rc = ack(r, e)))
			return rc;
		/* runs make more than they take: a reply may become twice the
		 * longest packet (erased flash read back), not more */
		if ((rc = grow(&r->reply, &r->reply_cap, UB_RSP_MAX_PACKET * 2 + 1, e)))
			return rc;
		if (ub_rsp_decode(r->p.data, r->p.len, binary, (uint8_t *)r->reply, r->reply_cap - 1, &n))
			return ub_err_set(e, UB_EFAIL, "probe-garbled",
					  "a reply from the debug probe is not valid (its encoding makes no sense, or it is larger than %u bytes)",
					  UB_RSP_MAX_PACKET * 2);
		r->reply[n] = '\0';
		r->reply_len = n;
		if (output && is_output(r->reply, n)) {
			if ((rc = keep_output(r, r->reply + 1, n - 1, e)))
				return rc;
			continue;
		}
		return 0;
	}
}

static int exchange(struct ub_rsp *r, const void *cmd, size_t len, int binary,
		    struct ub_err *e)
{
	int rc;

	if (r->running)
		return ub_err_set(e, UB_EUSAGE, NULL, "the target runs: halt it before asking the debug probe");
	if ((rc = send_packet(r, cmd, len, e)))
		return rc;
	rc = recv_packet(r, -1, binary, 0, e);
	if (rc == 1)
		return ub_err_set(e, UB_ETIMEOUT, "probe-silent",
				  "the debug probe did not answer '%.*s' within %d s", len > 24 ? 24 : (int)len,
				  (const char *)cmd, r->timeout_ms / 1000);
	return rc;
}

int ub_rsp_command(struct ub_rsp *r, const void *cmd, size_t len, struct ub_err *e)
{
	return exchange(r, cmd, len, 0, e);
}

int ub_rsp_commandf(struct ub_rsp *r, struct ub_err *e, const char *fmt, ...)
{
	char cmd[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(cmd, sizeof cmd, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof cmd)
		return ub_err_set(e, UB_EUSAGE, NULL, "a command for the debug probe is too long");
	return exchange(r, cmd, (size_t)n, 0, e);
}

/* An E NN reply as an error naming what was asked. */
static int stub_error(struct ub_rsp *r, const char *what, struct ub_err *e)
{
	return ub_err_set(e, UB_EFAIL, "probe-error", "the debug probe refused %s (%.16s)", what,
			  r->reply);
}

static int is_error(const struct ub_rsp *r)
{
	return r->reply_len >= 1 && r->reply[0] == 'E' &&
	       (r->reply_len == 3 || (r->reply_len > 1 && r->reply[1] == '.'));
}

int ub_rsp_open(struct ub_rsp *r, struct ub_stream *s, struct ub_err *e)
{
	int one = 1, rc;
	size_t size;

	memset(r, 0, sizeof *r);
	r->s = s;
	r->acks = 1;
	r->timeout_ms = REPLY_MS;
	r->packet_size = DEFAULT_PACKET;
	ub_rsp_parser_init(&r->p, UB_RSP_MAX_PACKET);
	/* a request and its reply are one small packet each: no waiting for
	 * more to fill a segment (not a socket: nothing to set) */
	(void)setsockopt(ub_stream_fd(s), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* as gdb starts: an ack for anything the stub sent before us */
	if ((rc = send_raw(r, "+", 1, e)) ||
	    (rc = ub_rsp_commandf(r, e, "qSupported:swbreak+;hwbreak+;vContSupported+")))
		return rc;
	ub_rsp_parse_supported(r->reply, r->reply_len, &r->features, &size);
	if (size >= 64)
		r->packet_size = size < UB_RSP_MAX_PACKET ? size : UB_RSP_MAX_PACKET;
	if (r->features & UB_RSP_F_NOACK) {
		if ((rc = ub_rsp_commandf(r, e, "QStartNoAckMode")))
			return rc;
		if (strcmp(r->reply, "OK") == 0)
			r->acks = 0;
	}
	if ((rc = ub_rsp_commandf(r, e, "vCont?")))
		return rc;
	r->vcont = strncmp(r->reply, "vCont", 5) == 0 && strstr(r->reply, ";c") != NULL;
	return 0;
}

void ub_rsp_close(struct ub_rsp *r)
{
	if (!r->s)
		return;
	ub_stream_close(r->s);
	ub_rsp_parser_free(&r->p);
	free(r->tx);
	free(r->reply);
	free(r->out);
	memset(r, 0, sizeof *r);
}

int ub_rsp_stop_reason(struct ub_rsp *r, struct ub_rsp_stop *st, struct ub_err *e)
{
	int rc = ub_rsp_commandf(r, e, "?");

	if (rc)
		return rc;
	if (ub_rsp_parse_stop(r->reply, r->reply_len, st))
		return ub_err_set(e, UB_EFAIL, "probe-garbled",
				  "the debug probe's answer to '?' is no stop reply (%.32s)", r->reply);
	return 0;
}

int ub_rsp_wait_stop(struct ub_rsp *r, int timeout_ms, struct ub_rsp_stop *st,
		     struct ub_err *e)
{
	double end = ub_now() + timeout_ms / 1000.0;

	for (;;) {
		double left = end - ub_now();
		int rc = recv_packet(r, left > 0 ? (int)(left * 1000) + 1 : 0, 0, 1, e);

		if (rc)
			return rc;
		if (ub_rsp_parse_stop(r->reply, r->reply_len, st) == 0) {
			r->running = 0;
			return 0;
		}
		/* anything else while running is not ours to answer */
	}
}

int ub_rsp_interrupt(struct ub_rsp *r, int timeout_ms, struct ub_rsp_stop *st,
		     struct ub_err *e)
{
	int rc;

	if (!r->running)
		return ub_rsp_stop_reason(r, st, e);
	if ((rc = send_raw(r, "\003", 1, e)))
		return rc;
	rc = ub_rsp_wait_stop(r, timeout_ms, st, e);
	if (rc == 1)
		return ub_err_set(e, UB_ETIMEOUT, "probe-no-halt",
				  "the CPU did not halt within %d s of the debug probe's interrupt",
				  timeout_ms / 1000);
	return rc;
}

int ub_rsp_continue(struct ub_rsp *r, struct ub_err *e)
{
	const char *cmd = r->vcont ? "vCont;c" : "c";
	int rc;

	if (r->running)
		return 0;
	r->out_len = 0;
	if ((rc = send_packet(r, cmd, strlen(cmd), e)))
		return rc;
	r->running = 1;
	return 0;
}

int ub_rsp_read_mem(struct ub_rsp *r, uint64_t addr, uint8_t *buf, size_t len,
		    struct ub_progress *p, struct ub_err *e)
{
	size_t done = 0, chunk = r->packet_size / 2;
	int rc = 0;

	r->batch = 1;
	while (!rc && done < len) {
		size_t n = len - done < chunk ? len - done : chunk;
		long got;

		if ((rc = ub_rsp_commandf(r, e, "m%llx,%zx", (unsigned long long)(addr + done), n)))
			break;
		if (is_error(r)) {
			rc = ub_err_set(e, UB_EFAIL, "probe-error",
					"the debug probe could not read 0x%zx bytes at 0x%llx (%.16s): is the address mapped?",
					n, (unsigned long long)(addr + done), r->reply);
			break;
		}
		got = ub_rsp_unhex(r->reply, r->reply_len, buf + done, n);
		if (got <= 0) {
			rc = ub_err_set(e, UB_EFAIL, "probe-garbled",
					"the debug probe's memory read at 0x%llx came back %s",
					(unsigned long long)(addr + done),
					r->reply_len ? "as no hex" : "empty (it does not read memory)");
			break;
		}
		/* a stub may give less than asked (a page boundary): go on
		 * from where it stopped */
		done += (size_t)got;
		r->stats.bytes_read += (uint64_t)got;
		ub_progress_update(p, done);
	}
	return flush_ack(r, rc, e);
}

/* Binary X packets where the stub takes them (as gdb finds out: an empty
 * X first), M and hex otherwise. */
static int probe_x(struct ub_rsp *r, uint64_t addr, struct ub_err *e)
{
	int rc;

	if (r->x_state)
		return 0;
	if ((rc = ub_rsp_commandf(r, e, "X%llx,0:", (unsigned long long)addr)))
		return rc;
	r->x_state = strcmp(r->reply, "OK") == 0 ? 1 : -1;
	return 0;
}

int ub_rsp_write_mem(struct ub_rsp *r, uint64_t addr, const uint8_t *buf, size_t len,
		     struct ub_progress *p, struct ub_err *e)
{
	/* the header's longest: X, 16 address digits, ',', 8 length digits, ':' */
	size_t room = r->packet_size > 40 ? r->packet_size - 32 : 8, done = 0;
	uint8_t *pkt = malloc(r->packet_size + 8);
	int rc = 0;

	if (!pkt)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if (len && (rc = probe_x(r, addr, e))) {
		free(pkt);
		return rc;
	}
	r->batch = 1;
	while (!rc && done < len) {
		size_t h, n = 0, body = 0;

		if (r->x_state > 0) {
			/* as many bytes as fit escaped */
			while (done + n < len && body + 2 <= room) {
				uint8_t c = buf[done + n];

				body += c == '}' || c == '#' || c == '$' || c == '*' ? 2 : 1;
				n++;
			}
			h = (size_t)snprintf((char *)pkt, 40, "X%llx,%zx:", (unsigned long long)(addr + done), n);
			h += ub_rsp_escape(buf + done, n, pkt + h);
		} else {
			n = len - done < room / 2 ? len - done : room / 2;
			h = (size_t)snprintf((char *)pkt, 40, "M%llx,%zx:", (unsigned long long)(addr + done), n);
			h += tohex(buf + done, n, (char *)pkt + h);
		}
		if ((rc = ub_rsp_command(r, pkt, h, e)))
			break;
		if (strcmp(r->reply, "OK") != 0)
			rc = ub_err_set(e, UB_EFAIL, "probe-error",
					"the debug probe could not write 0x%zx bytes at 0x%llx (%.16s): is the address RAM?",
					n, (unsigned long long)(addr + done), r->reply_len ? r->reply : "no answer");
		done += n;
		r->stats.bytes_written += n;
		ub_progress_update(p, done);
	}
	free(pkt);
	return flush_ack(r, rc, e);
}

int ub_rsp_read_reg(struct ub_rsp *r, unsigned regnum, uint8_t *val, size_t cap,
		    size_t *len, struct ub_err *e)
{
	long n;
	int rc;

	*len = 0;
	if ((rc = ub_rsp_commandf(r, e, "p%x", regnum)))
		return rc;
	if (r->reply_len == 0)
		return 1;
	if (is_error(r))
		return ub_err_set(e, UB_EFAIL, "probe-error", "the debug probe could not read register %u (%.16s)",
				  regnum, r->reply);
	n = ub_rsp_unhex(r->reply, r->reply_len, val, cap);
	if (n <= 0)
		return ub_err_set(e, UB_EFAIL, "probe-error",
				  "register %u is not available through the debug probe (%.32s)", regnum, r->reply);
	*len = (size_t)n;
	return 0;
}

int ub_rsp_write_reg(struct ub_rsp *r, unsigned regnum, const uint8_t *val, size_t len,
		     struct ub_err *e)
{
	char cmd[300];
	size_t h;
	int rc;

	if (len > 128)
		return ub_err_set(e, UB_EUSAGE, NULL, "register %u: %zu bytes is no register", regnum, len);
	h = (size_t)snprintf(cmd, sizeof cmd, "P%x=", regnum);
	h += tohex(val, len, cmd + h);
	if ((rc = ub_rsp_command(r, cmd, h, e)))
		return rc;
	if (r->reply_len == 0)
		return 1;
	if (strcmp(r->reply, "OK") != 0)
		return stub_error(r, "to set a register", e);
	return 0;
}

int ub_rsp_read_regs(struct ub_rsp *r, uint8_t *buf, size_t cap, size_t *len,
		     struct ub_err *e)
{
	long n;
	int rc;

	*len = 0;
	if ((rc = ub_rsp_commandf(r, e, "g")))
		return rc;
	if (is_error(r))
		return stub_error(r, "to read the registers", e);
	/* registers it cannot read come as xx: zero them, they are not ours */
	for (size_t i = 0; i < r->reply_len; i++)
		if (r->reply[i] == 'x')
			r->reply[i] = '0';
	n = ub_rsp_unhex(r->reply, r->reply_len, buf, cap);
	if (n <= 0)
		return ub_err_set(e, UB_EFAIL, "probe-garbled", "the debug probe's registers came back %s",
				  r->reply_len > cap * 2 ? "longer than expected" : "as no hex");
	*len = (size_t)n;
	return 0;
}

int ub_rsp_write_regs(struct ub_rsp *r, const uint8_t *buf, size_t len, struct ub_err *e)
{
	char *cmd = malloc(2 * len + 2);
	int rc;

	if (!cmd)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	cmd[0] = 'G';
	rc = ub_rsp_command(r, cmd, 1 + tohex(buf, len, cmd + 1), e);
	free(cmd);
	if (!rc && strcmp(r->reply, "OK") != 0)
		rc = stub_error(r, "to set the registers", e);
	return rc;
}

int ub_rsp_monitor(struct ub_rsp *r, const char *cmd, char **out, size_t *len,
		   struct ub_err *e)
{
	size_t n = strlen(cmd), h;
	char *pkt;
	int rc;

	*out = NULL;
	*len = 0;
	if (r->running)
		return ub_err_set(e, UB_EUSAGE, NULL, "the target runs: halt it before asking the debug probe");
	if (n > 1000 || !(pkt = malloc(2 * n + 8)))
		return ub_err_set(e, UB_EUSAGE, NULL, "monitor command too long");
	h = (size_t)sprintf(pkt, "qRcmd,");
	h += tohex((const uint8_t *)cmd, n, pkt + h);
	r->out_len = 0;
	rc = send_packet(r, pkt, h, e);
	free(pkt);
	if (!rc && (rc = recv_packet(r, 4 * r->timeout_ms, 0, 1, e)) == 1)
		rc = ub_err_set(e, UB_ETIMEOUT, "probe-silent",
				"the debug probe did not finish the monitor command '%s' within %d s", cmd,
				4 * r->timeout_ms / 1000);
	if (rc)
		return rc;
	/* some stubs answer with the output itself, hex, instead of O
	 * packets and OK */
	if (r->reply_len && strcmp(r->reply, "OK") != 0 && !is_error(r) &&
	    (rc = keep_output(r, r->reply, r->reply_len, e)))
		return rc;
	if (r->reply_len == 0)
		return ub_err_set(e, UB_EUSAGE, "probe-no-monitor",
				  "the debug probe has no monitor commands (qRcmd): '%s' cannot be run", cmd);
	*out = strdup(r->out_len ? r->out : "");
	*len = r->out_len;
	if (!*out)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if (is_error(r))
		return ub_err_set(e, UB_EFAIL, "probe-error", "the debug probe's monitor refused '%s' (%.16s)",
				  cmd, r->reply);
	return 0;
}

int ub_rsp_xfer(struct ub_rsp *r, const char *object, const char *annex, size_t max,
		char **out, size_t *len, struct ub_err *e)
{
	size_t got = 0, cap = 0, chunk = r->packet_size > 16 ? r->packet_size - 8 : 8;
	char *buf = NULL;
	int rc = 0;

	*out = NULL;
	*len = 0;
	for (;;) {
		char cmd[300];
		int n = snprintf(cmd, sizeof cmd, "qXfer:%s:read:%s:%zx,%zx", object, annex, got, chunk);

		if (n < 0 || (size_t)n >= sizeof cmd) {
			rc = ub_err_set(e, UB_EUSAGE, NULL, "qXfer name too long");
			break;
		}
		if ((rc = exchange(r, cmd, (size_t)n, 1, e)))
			break;
		if (r->reply_len == 0 || (r->reply[0] != 'm' && r->reply[0] != 'l')) {
			rc = r->reply_len == 0 ?
			     ub_err_set(e, UB_EUSAGE, "probe-error", "the debug probe does not give %s:%s", object, annex) :
			     stub_error(r, "a qXfer read", e);
			break;
		}
		if (got + r->reply_len > max) {
			rc = ub_err_set(e, UB_EFAIL, "probe-garbled",
					"the debug probe's %s:%s is larger than %zu bytes", object, annex, max);
			break;
		}
		if ((rc = grow(&buf, &cap, got + r->reply_len + 1, e)))
			break;
		memcpy(buf + got, r->reply + 1, r->reply_len - 1);
		got += r->reply_len - 1;
		buf[got] = '\0';
		if (r->reply[0] == 'l')
			break;
		if (r->reply_len == 1) {   /* 'm' and nothing: a stub that would loop */
			rc = ub_err_set(e, UB_EFAIL, "probe-garbled", "the debug probe's %s:%s does not end",
					object, annex);
			break;
		}
	}
	if (rc) {
		free(buf);
		return rc;
	}
	if (!buf && !(buf = strdup("")))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	*out = buf;
	*len = got;
	return 0;
}
