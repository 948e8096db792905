/* The telnet codec.  A console server opens with its own requests (ser2net:
 * WILL and DO for SGA and BINARY, WILL ECHO, and DO COM-PORT-OPTION on an
 * RFC 2217 port) while this side sends its own: each side answers only
 * what changes an option's state, so crossed requests end without a loop
 * (RFC 854's rule, kept with RFC 1143's states). */
#include "telnet.h"

#include <string.h>

enum {
	SE = 240, SB = 250, WILL = 251, WONT = 252, DO = 253, DONT = 254,
};

enum { S_DATA, S_IAC, S_VERB, S_SB, S_SB_IAC };

static void queue(struct ub_telnet *t, const uint8_t *b, size_t n)
{
	if (t->out_len + n > sizeof t->out) {
		t->out_over = 1;   /* only a server flooding requests gets here */
		return;
	}
	memcpy(t->out + t->out_len, b, n);
	t->out_len += n;
}

static void queue3(struct ub_telnet *t, uint8_t verb, uint8_t opt)
{
	uint8_t b[3] = { UB_TN_IAC, verb, opt };

	queue(t, b, 3);
}

/* What the server may do: send binary, echo (the board's echo passes
 * through it), not wait for go-ahead. */
static int his_ok(uint8_t opt)
{
	return opt == UB_TN_OPT_BINARY || opt == UB_TN_OPT_SGA || opt == UB_TN_OPT_ECHO;
}

static int ours_ok(const struct ub_telnet *t, uint8_t opt)
{
	return opt == UB_TN_OPT_BINARY || opt == UB_TN_OPT_SGA ||
	       (opt == UB_TN_OPT_COMPORT && t->want_comport);
}

/* One side's option after a WILL/DO (yes) or WONT/DONT (no) for it:
 * agree, refuse, or take the answer to a request of ours. */
static void negotiate(struct ub_telnet *t, uint8_t *st, int yes, int ok, uint8_t ack,
		      uint8_t nak, uint8_t opt)
{
	switch (*st) {
	case UB_TN_NO:
		if (yes) {
			if (ok)
				*st = UB_TN_YES;
			queue3(t, ok ? ack : nak, opt);
		}
		break;
	case UB_TN_YES:
		if (!yes) {
			*st = UB_TN_NO;
			queue3(t, nak, opt);
		}
		break;
	default:   /* the answer to our own request */
		*st = yes && *st == UB_TN_WANT_YES ? UB_TN_YES : UB_TN_NO;
		break;
	}
}

static void verb(struct ub_telnet *t, uint8_t v, uint8_t opt)
{
	t->negotiated = 1;
	if (v == WILL || v == WONT)
		negotiate(t, &t->him[opt], v == WILL, his_ok(opt), DO, DONT, opt);
	else
		negotiate(t, &t->us[opt], v == DO, ours_ok(t, opt), WILL, WONT, opt);
}

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A whole subnegotiation: only RFC 2217's answers matter here.  Its
 * notifications (line and modem state) and anything else are ignored. */
static void subneg(struct ub_telnet *t)
{
	const uint8_t *v = t->sb + 2;
	size_t vlen = t->sb_len >= 2 ? t->sb_len - 2 : 0;

	t->negotiated = 1;
	if (t->sb_over || t->sb_len < 2 || t->sb[0] != UB_TN_OPT_COMPORT)
		return;
	if (t->sb[1] == 100 + UB_TN_CP_SET_BAUDRATE && vlen >= 4) {
		t->baud = (long)be32(v);
	} else if (t->sb[1] == 100 + UB_TN_CP_SET_CONTROL && vlen >= 1) {
		if (t->control_answers < (int)(sizeof t->controls / sizeof t->controls[0]))
			t->controls[t->control_answers] = v[0];
		t->control_answers++;
	}
}

static void sb_byte(struct ub_telnet *t, uint8_t c)
{
	if (t->sb_len < sizeof t->sb)
		t->sb[t->sb_len++] = c;
	else
		t->sb_over = 1;
}

void ub_telnet_init(struct ub_telnet *t, int want_comport)
{
	memset(t, 0, sizeof *t);
	t->want_comport = want_comport;
	t->baud = -1;
	t->us[UB_TN_OPT_BINARY] = t->him[UB_TN_OPT_BINARY] = UB_TN_WANT_YES;
	t->us[UB_TN_OPT_SGA] = t->him[UB_TN_OPT_SGA] = UB_TN_WANT_YES;
	queue3(t, DO, UB_TN_OPT_BINARY);
	queue3(t, WILL, UB_TN_OPT_BINARY);
	queue3(t, DO, UB_TN_OPT_SGA);
	queue3(t, WILL, UB_TN_OPT_SGA);
	if (want_comport) {
		t->us[UB_TN_OPT_COMPORT] = UB_TN_WANT_YES;
		queue3(t, WILL, UB_TN_OPT_COMPORT);
	}
}

size_t ub_telnet_decode(struct ub_telnet *t, const uint8_t *in, size_t n, uint8_t *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		uint8_t c = in[i];

		switch (t->state) {
		case S_DATA:
			if (c == UB_TN_IAC) {
				t->state = S_IAC;
				break;
			}
			/* NVT: CR NUL is a bare CR (binary has no such rule) */
			if (c == 0 && t->cr && t->him[UB_TN_OPT_BINARY] != UB_TN_YES) {
				t->cr = 0;
				break;
			}
			t->cr = c == '\r';
			out[o++] = c;
			break;
		case S_IAC:
			t->state = S_DATA;
			if (c == UB_TN_IAC) {
				t->cr = 0;
				out[o++] = c;
			} else if (c >= WILL) {
				t->verb = c;
				t->state = S_VERB;
			} else if (c == SB) {
				t->sb_len = 0;
				t->sb_over = 0;
				t->state = S_SB;
			}
			/* NOP, GA, DM, BRK and the rest carry nothing for us */
			break;
		case S_VERB:
			verb(t, t->verb, c);
			t->state = S_DATA;
			break;
		case S_SB:
			if (c == UB_TN_IAC)
				t->state = S_SB_IAC;
			else
				sb_byte(t, c);
			break;
		case S_SB_IAC:
			if (c == UB_TN_IAC) {
				sb_byte(t, c);
				t->state = S_SB;
			} else if (c == SE) {
				subneg(t);
				t->state = S_DATA;
			} else {
				/* a command inside a subnegotiation: the server
				 * broke off; drop it and take the command */
				t->state = S_IAC;
				i--;
			}
			break;
		}
	}
	return o;
}

size_t ub_telnet_encode(const struct ub_telnet *t, const uint8_t *in, size_t n, uint8_t *out)
{
	int nvt = t->us[UB_TN_OPT_BINARY] != UB_TN_YES;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		out[o++] = in[i];
		if (in[i] == UB_TN_IAC)
			out[o++] = UB_TN_IAC;
		else if (nvt && in[i] == '\r' && (i + 1 == n || in[i + 1] != '\n'))
			out[o++] = 0;
	}
	return o;
}

void ub_telnet_comport(struct ub_telnet *t, enum ub_tn_comport cmd, const uint8_t *value,
		       size_t vlen)
{
	uint8_t b[32];
	size_t n = 0;

	b[n++] = UB_TN_IAC;
	b[n++] = SB;
	b[n++] = UB_TN_OPT_COMPORT;
	b[n++] = (uint8_t)cmd;
	for (size_t i = 0; i < vlen && n + 4 <= sizeof b; i++) {
		b[n++] = value[i];
		if (value[i] == UB_TN_IAC)
			b[n++] = UB_TN_IAC;
	}
	b[n++] = UB_TN_IAC;
	b[n++] = SE;
	queue(t, b, n);
}

int ub_telnet_settled(const struct ub_telnet *t)
{
	for (int i = 0; i < 256; i++)
		if (t->us[i] >= UB_TN_WANT_YES || t->him[i] >= UB_TN_WANT_YES)
			return 0;
	return 1;
}

void ub_telnet_sent(struct ub_telnet *t)
{
	t->out_len = 0;
}
