/* The GDB remote serial protocol, client side, as debug probes speak it
 * (OpenOCD, J-Link's GDB server, pyOCD, a Black Magic Probe, QEMU's
 * gdbstub):
 *   packets are $DATA#CS, CS the sum of DATA's bytes mod 256 in two hex
 *   digits, each answered + (or - to have it again) until both sides
 *   agree to QStartNoAckMode; replies may be run-length encoded (X*N:
 *   N - 29 more X); binary data is escaped with } (the byte xor 0x20).
 *   qSupported says the largest packet the stub takes (PacketSize) and what
 *   it offers (binary X writes, qXfer objects, vCont).  While the target
 *   runs, the stub answers nothing but the interrupt byte (0x03), with a
 *   stop reply.
 * The parser below is pure (bytes in, events out) so it can be fed byte
 * streams by tests and fuzzers; the client drives it over an io/ stream. */
#ifndef UB_GDB_RSP_H
#define UB_GDB_RSP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/progress.h"
#include "io/stream.h"

/* The largest packet this side accepts or sends, whatever a stub offers:
 * it bounds memory, not speed (probes offer 0x400 to 0x4000). */
#define UB_RSP_MAX_PACKET (64u * 1024)

/* --- the packet parser ---------------------------------------------------- */

enum ub_rsp_event {
	UB_RSP_EV_NONE = 0,   /* byte taken, nothing complete yet */
	UB_RSP_EV_ACK,        /* '+' outside a packet */
	UB_RSP_EV_NAK,        /* '-': send that again */
	UB_RSP_EV_PACKET,     /* $...#cs with a good checksum: data/len hold it */
	UB_RSP_EV_NOTIFY,     /* %...#cs: an asynchronous notification */
	UB_RSP_EV_BADSUM,     /* a packet whose checksum is wrong */
	UB_RSP_EV_TOOBIG,     /* a packet longer than the parser's limit */
	UB_RSP_EV_INTERRUPT,  /* 0x03 outside a packet (a stub's side hears it) */
};

struct ub_rsp_parser {
	int state;            /* outside, data, first and second checksum digit */
	int notify;           /* the packet began with '%' */
	int overflow;         /* the packet outgrew max */
	uint8_t sum, want;    /* running and received checksum */
	uint8_t *data;        /* the packet's raw data (still encoded) */
	size_t len, cap, max;
};

void ub_rsp_parser_init(struct ub_rsp_parser *p, size_t max);
void ub_rsp_parser_free(struct ub_rsp_parser *p);
/* Takes one byte; for UB_RSP_EV_PACKET and _NOTIFY, p->data and p->len
 * hold the raw data until the next call. */
enum ub_rsp_event ub_rsp_parser_feed(struct ub_rsp_parser *p, uint8_t byte);

/* Expands run-length encoding in place of out (raw -> out, at most cap
 * bytes); with binary, also undoes the } escapes.  *n gets the length.
 * Returns 0, or -1 for an encoding that makes no sense (a run with nothing
 * before it, a count out of range, an escape at the end) or does not fit. */
int ub_rsp_decode(const uint8_t *raw, size_t len, int binary, uint8_t *out, size_t cap,
		  size_t *n);

/* Escapes binary data for X packets and the like: } # $ * become } and the
 * byte xor 0x20.  out needs room for 2 * len bytes; returns its length. */
size_t ub_rsp_escape(const uint8_t *in, size_t len, uint8_t *out);

/* $data#cs into out (room for len + 4); returns its length. */
size_t ub_rsp_frame(const uint8_t *data, size_t len, uint8_t *out);

/* --- what replies mean ------------------------------------------------------ */

enum ub_rsp_feature {
	UB_RSP_F_NOACK = 1u << 0,         /* QStartNoAckMode+ */
	UB_RSP_F_FEATURES = 1u << 1,      /* qXfer:features:read+ (target description) */
	UB_RSP_F_MEMORY_MAP = 1u << 2,    /* qXfer:memory-map:read+ */
	UB_RSP_F_VCONT = 1u << 3,         /* vContSupported+ (vCont? says more) */
};

/* The qSupported reply: features and PacketSize (0 when not said). */
void ub_rsp_parse_supported(const char *reply, size_t len, unsigned *features,
			    size_t *packet_size);

/* A stop reply: S AA, T AA n:r;..., W AA (exited), X AA (killed). */
struct ub_rsp_stop {
	char kind;              /* 'S', 'T', 'W', 'X'; 0 when not a stop reply */
	int signal;             /* or the exit status for W */
	char thread[32];        /* T's thread:, when given */
};
/* Returns 0, or -1 when reply is no stop reply. */
int ub_rsp_parse_stop(const char *reply, size_t len, struct ub_rsp_stop *out);

/* A signal number as gdb numbers them, in words ("SIGTRAP"). */
const char *ub_rsp_signal_name(int signal);

/* Hex text to bytes (pairs); returns the count, or -1 for a bad digit or
 * an odd length. */
long ub_rsp_unhex(const char *hex, size_t len, uint8_t *out, size_t cap);

/* --- the client --------------------------------------------------------------- */

struct ub_rsp_stats {
	uint64_t packets;        /* sent */
	uint64_t resends;        /* asked again (NAK, bad checksum) */
	uint64_t bytes_read, bytes_written;   /* target memory moved */
};

struct ub_rsp {
	struct ub_stream *s;
	struct ub_rsp_parser p;
	uint8_t rx[16384];       /* bytes read from the stream, not yet parsed */
	size_t rx_len, rx_off;
	uint8_t *tx;             /* one framed packet */
	size_t tx_cap;
	char *reply;             /* the last reply, decoded, NUL-terminated */
	size_t reply_len, reply_cap;
	int acks;                /* '+' and '-' still exchanged */
	int batch, ack_pending;  /* a run of packets: acks go with the next one */
	unsigned features;       /* UB_RSP_F_* */
	size_t packet_size;      /* the largest packet the stub takes */
	int x_state;             /* binary X writes: 1 work, 0 not tried, -1 refused (M) */
	int vcont;               /* vCont;c is understood */
	int running;             /* resumed, no stop reply since */
	int timeout_ms;          /* for one reply */
	char *out;               /* console output (O packets) while running, or */
	size_t out_len, out_cap; /* from a monitor command; NUL-terminated */
	struct ub_rsp_stats stats;
};

/* Takes over s (closed by ub_rsp_close) and talks the stub into its
 * fastest mode: qSupported, then QStartNoAckMode where offered. */
int ub_rsp_open(struct ub_rsp *r, struct ub_stream *s, struct ub_err *e);
void ub_rsp_close(struct ub_rsp *r);

/* Sends cmd (len bytes, any content: escaped by the caller) and waits for
 * the reply, in r->reply.  An empty reply means the stub does not know
 * the command; E NN is returned as it is (callers decide). */
int ub_rsp_command(struct ub_rsp *r, const void *cmd, size_t len, struct ub_err *e);
/* Same for a text command. */
int ub_rsp_commandf(struct ub_rsp *r, struct ub_err *e, const char *fmt, ...) UB_PRINTF(3, 4);

/* Why the target is stopped ('?'). */
int ub_rsp_stop_reason(struct ub_rsp *r, struct ub_rsp_stop *st, struct ub_err *e);
/* Halts a running target: the interrupt byte, then its stop reply within
 * timeout_ms.  A halted target is left as it is. */
int ub_rsp_interrupt(struct ub_rsp *r, int timeout_ms, struct ub_rsp_stop *st,
		     struct ub_err *e);
/* Resumes the target (vCont;c where understood, else c); no reply comes
 * until it stops. */
int ub_rsp_continue(struct ub_rsp *r, struct ub_err *e);
/* While running: waits up to timeout_ms for a stop reply; 1 when none came
 * (still running), 0 when it stopped (st filled). */
int ub_rsp_wait_stop(struct ub_rsp *r, int timeout_ms, struct ub_rsp_stop *st,
		     struct ub_err *e);

/* Target memory, in packets as large as the stub takes (m; X when the
 * stub takes binary writes, else M).  p may be NULL; its units are bytes. */
int ub_rsp_read_mem(struct ub_rsp *r, uint64_t addr, uint8_t *buf, size_t len,
		    struct ub_progress *p, struct ub_err *e);
int ub_rsp_write_mem(struct ub_rsp *r, uint64_t addr, const uint8_t *buf, size_t len,
		     struct ub_progress *p, struct ub_err *e);

/* One register by gdb's number, its bytes in target order (p and P). *len
 * gets its size.  1 when the stub has no p/P (the caller uses g/G). */
int ub_rsp_read_reg(struct ub_rsp *r, unsigned regnum, uint8_t *val, size_t cap,
		    size_t *len, struct ub_err *e);
int ub_rsp_write_reg(struct ub_rsp *r, unsigned regnum, const uint8_t *val, size_t len,
		     struct ub_err *e);
/* All registers (g and G), in the target description's order. */
int ub_rsp_read_regs(struct ub_rsp *r, uint8_t *buf, size_t cap, size_t *len,
		     struct ub_err *e);
int ub_rsp_write_regs(struct ub_rsp *r, const uint8_t *buf, size_t len, struct ub_err *e);

/* A monitor command (qRcmd: OpenOCD's "reset halt"); what it printed in
 * *out (NUL-terminated, the caller frees).  UB_EUSAGE when the stub has
 * no monitor, UB_EFAIL when the command failed. */
int ub_rsp_monitor(struct ub_rsp *r, const char *cmd, char **out, size_t *len,
		   struct ub_err *e);

/* A qXfer object read whole (features and target.xml, memory-map and "");
 * *out is NUL-terminated, the caller frees.  At most max bytes. */
int ub_rsp_xfer(struct ub_rsp *r, const char *object, const char *annex, size_t max,
		char **out, size_t *len, struct ub_err *e);

#endif
