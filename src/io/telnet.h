/* Telnet as console servers speak it (ser2net, terminal servers): the
 * byte codec under the "telnet" stream.  RFC 854 commands and option
 * negotiation, binary transmission both ways (RFC 856) so that YMODEM's
 * bytes pass untouched, and the client side of RFC 2217, which sets the
 * remote serial port's rate and its DTR and RTS lines.  No I/O here: the
 * stream feeds in what the server sent and sends what this queues. */
#ifndef UB_TELNET_H
#define UB_TELNET_H

#include <stddef.h>
#include <stdint.h>

#define UB_TN_IAC 255
#define UB_TN_OPT_BINARY 0
#define UB_TN_OPT_ECHO 1
#define UB_TN_OPT_SGA 3
#define UB_TN_OPT_COMPORT 44

/* RFC 2217 commands from client to server; the server answers each with
 * the same number plus 100. */
enum ub_tn_comport {
	UB_TN_CP_SET_BAUDRATE = 1,
	UB_TN_CP_SET_DATASIZE = 2,
	UB_TN_CP_SET_PARITY = 3,
	UB_TN_CP_SET_STOPSIZE = 4,
	UB_TN_CP_SET_CONTROL = 5,
};

/* SET-CONTROL values */
#define UB_TN_CTL_NO_FLOW 1
#define UB_TN_CTL_DTR_ON 8
#define UB_TN_CTL_DTR_OFF 9
#define UB_TN_CTL_RTS_ON 11
#define UB_TN_CTL_RTS_OFF 12

/* Where one side stands on an option (RFC 1143's states, without the
 * queue bit: a client that asks each thing once needs none). */
enum ub_tn_state { UB_TN_NO, UB_TN_YES, UB_TN_WANT_YES, UB_TN_WANT_NO };

struct ub_telnet {
	/* decoder */
	uint8_t state;           /* where in a command the last byte left off */
	uint8_t verb;            /* WILL, WONT, DO or DONT being read */
	uint8_t cr;              /* a CR came in NVT mode: a NUL after it is padding */
	uint8_t sb[64];          /* a subnegotiation's bytes (option first) */
	size_t sb_len;
	int sb_over;             /* longer than sb: ignored */
	/* options: us = this side (WILL/WONT), him = the server (DO/DONT) */
	uint8_t us[256], him[256];
	int want_comport;
	int negotiated;          /* the server sent any telnet command at all */
	/* RFC 2217 answers, -1 until the server gives them */
	long baud;               /* the rate the server says the port runs at */
	int controls[4];         /* SET-CONTROL answers, in the order they came */
	int control_answers;     /* how many came */
	/* bytes to send to the server, in order */
	uint8_t out[512];
	size_t out_len;
	int out_over;            /* out was full: something was not queued */
};

/* Starts a session: asks for binary both ways and no go-ahead, and, when
 * want_comport, offers RFC 2217.  The requests wait in t->out. */
void ub_telnet_init(struct ub_telnet *t, int want_comport);

/* Takes n bytes from the server and writes the data among them to out
 * (never more than n bytes; out may be in).  Answers to negotiation are
 * queued in t->out.  Returns the count of data bytes. */
size_t ub_telnet_decode(struct ub_telnet *t, const uint8_t *in, size_t n, uint8_t *out);

/* Encodes n data bytes for the server into out, which has room for 2n:
 * 0xff is doubled and, unless binary was agreed for what this side sends,
 * a CR not followed by LF gets a NUL.  Returns the count written. */
size_t ub_telnet_encode(const struct ub_telnet *t, const uint8_t *in, size_t n, uint8_t *out);

/* Queues an RFC 2217 command with a value of vlen bytes (network order). */
void ub_telnet_comport(struct ub_telnet *t, enum ub_tn_comport cmd, const uint8_t *value,
		       size_t vlen);

/* 1 when nothing this side asked for waits for an answer. */
int ub_telnet_settled(const struct ub_telnet *t);

/* Forgets the queued bytes once they are sent. */
void ub_telnet_sent(struct ub_telnet *t);

#endif
