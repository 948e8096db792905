/* Byte streams to devices, with timeouts: unix sockets, TCP (ser2net in
 * raw mode), telnet console servers (RFC 2217), serial ports
 * (libserialport) and pseudo-terminals.
 * Everything above this layer sees only read/write with a deadline. */
#ifndef UB_STREAM_H
#define UB_STREAM_H

#include <stddef.h>

#include "../base/err.h"

struct ub_stream;

/* A serial port's rate when its spec gives no baud=. */
#define UB_STREAM_DEFAULT_BAUD 115200

/* transport: "unix" (address = socket path), "tcp" (host:port, raw
 * bytes), "telnet" (host:port of a console server; params "baud=115200,
 * dtr=on,rts=off" go to its serial port through RFC 2217), "serial"
 * (device path; params "baud=115200,dtr=on,rts=off"), "pty" (a terminal
 * device without a UART: /dev/pts/N), "udp" (IP:PORT of this machine to
 * receive datagrams on, params "from=IP" for the one sender heard; a read
 * returns whole datagrams' bytes, and the stream cannot write),
 * "netconsole" (a board whose console is U-Boot's netconsole:
 * BOARD_IP[:PORT], 6666 by default; params "server_ip=IP" for the local
 * address to hear it on), "fd"
 * (address = an already open descriptor number; the stream owns it).
 * params may be NULL.
 * Fails with UB_ENODEV and advice naming what to check. */
int ub_stream_open(struct ub_stream **out, const char *transport,
		   const char *address, const char *params, struct ub_err *e);

/* Reads what is available, up to len bytes, waiting at most timeout_ms for
 * the first byte.  Returns the count (> 0), 0 on timeout, or a negative
 * ub_code (UB_ENODEV when the peer closed the link). */
long ub_stream_read(struct ub_stream *s, void *buf, size_t len,
		    int timeout_ms, struct ub_err *e);

/* Writes all len bytes within timeout_ms; returns 0 or a negative code. */
int ub_stream_write(struct ub_stream *s, const void *buf, size_t len,
		    int timeout_ms, struct ub_err *e);

/* Collects what arrives for seconds, sending nothing: a boot log, a
 * soak.  The first max bytes are kept (NUL-terminated in *buf, which the
 * caller frees).  A link that closes after some bytes ends the collection
 * early without error. */
int ub_stream_collect(struct ub_stream *s, int seconds, size_t max, char **buf,
		      size_t *len, struct ub_err *e);

/* Discards input already waiting (noise, stale echoes). */
void ub_stream_drain(struct ub_stream *s);

/* The descriptor, for poll() by callers that multiplex.  Check
 * ub_stream_pending first: bytes may wait that the descriptor no longer
 * shows. */
int ub_stream_fd(const struct ub_stream *s);

/* 1 when bytes already received wait to be read. */
int ub_stream_pending(const struct ub_stream *s);

/* A copy of every byte read goes to this file descriptor (console log),
 * or nowhere with -1. */
void ub_stream_tee(struct ub_stream *s, int log_fd);

void ub_stream_close(struct ub_stream *s);

#endif
