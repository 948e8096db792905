/* A TFTP server for one file and one transfer: what a board's bootloader
 * (U-Boot's tftpboot) pulls an image from, or, turned around, where its
 * tftpput sends a backup.  RFC 1350, with option negotiation (RFC 2347),
 * blksize (2348), timeout and tsize (2349) and windowsize (7440, reads
 * only).  One direction per server: a serving one refuses writes, a
 * receiving one reads; other names get TFTP errors.  Each transfer runs
 * from its own port, as RFC 1350 says; a lost block is resent with the
 * rest of its window (go back N), duplicate ACKs are ignored. */
#ifndef UB_TFTP_SERVER_H
#define UB_TFTP_SERVER_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "base/progress.h"
#include "image/src.h"

enum ub_tftp_op { UB_TFTP_RRQ = 1, UB_TFTP_WRQ, UB_TFTP_DATA, UB_TFTP_ACK, UB_TFTP_ERROR,
		  UB_TFTP_OACK };

/* A parsed packet.  Strings point into the packet. */
struct ub_tftp_pkt {
	enum ub_tftp_op op;
	const char *file, *mode;   /* RRQ/WRQ */
	long blksize, timeout, windowsize;   /* options asked for; -1 when absent */
	int tsize_asked;           /* "tsize" was among the options */
	long tsize;                /* its value (a write's size); -1 absent, -2 not a number */
	unsigned block;            /* ACK/DATA */
	unsigned error_code;       /* ERROR */
	const char *error_msg;
};

/* Parses one packet from the network.  Returns 0, or UB_EFORMAT for a
 * malformed one (truncated, strings without their NUL, an option without
 * a value).  Unknown options are ignored, as RFC 2347 says. */
int ub_tftp_parse(const uint8_t *p, size_t n, struct ub_tftp_pkt *out);

/* A port number no one can ask for, meaning "let the system choose" (0
 * already means the standard port 69). */
#define UB_TFTP_ANY_PORT 0x10000u

struct ub_tftp_opts {
	const char *bind_addr;     /* IPv4 address to listen on */
	unsigned port;             /* 69 unless given; UB_TFTP_ANY_PORT: a free one */
	const char *name;          /* the only file name served */
	const struct ub_src *src;  /* its contents */
	/* Or, instead of src: receive a write of name (U-Boot's tftpput),
	 * exactly sink_len bytes into sink; a client sending more, or saying
	 * in tsize that it will send another size, is stopped with an error. */
	uint8_t *sink;
	size_t sink_len;
	/* Set: the board's address.  A request from any other address gets
	 * ERROR 2 (access violation), is counted and said on stderr, and the
	 * server goes on waiting for the board's: a neighbour that asks first
	 * never takes the one transfer.  Set it whenever the board's address
	 * is known. */
	const char *client_addr;
	unsigned max_blksize;      /* cap on what a client may ask (default 1468) */
	unsigned max_window;       /* cap on windowsize (default 16) */
	int timeout_ms;            /* resend after this silence (default 1000) */
	int retries;               /* resends of one window before giving up (default 8) */
	int wait_ms;               /* how long to wait for the request (default 60000) */
};

struct ub_tftp_stats {
	uint64_t bytes;            /* sent, or received into sink */
	uint64_t blocks;
	unsigned retransmits;      /* windows (or a receiver's ACKs) sent again */
	unsigned blksize, windowsize;
	char client[64];           /* address:port of the transfer's peer */
	double seconds;
	/* The transfer timed out with its last block sent: the client may have
	 * every byte and only its final ACK was lost (a client need not linger
	 * after it, and U-Boot does not).  A caller that can check what
	 * arrived, as unbrick does with the board's crc32, may go on. */
	int unconfirmed;
	unsigned refused;          /* requests from other addresses than client_addr */
	char refused_from[64];     /* the first of them */
};

/* A name for the file served that no one on the network can guess:
 * "unbrick-" and 16 hex digits from getrandom(2), ".bin" (the board is
 * told it on its console).  out holds 32 bytes. */
int ub_tftp_random_name(char *out, size_t len, struct ub_err *e);

struct ub_tftp_server;

/* Binds the listening socket now (so the caller knows the port is ours
 * before telling the board) and serves one transfer in a thread.  That
 * thread updates p: leave p and its parents alone until finish or cancel
 * returns (struct ub_progress has no lock). */
int ub_tftp_server_start(struct ub_tftp_server **out, const struct ub_tftp_opts *o,
			 struct ub_progress *p, struct ub_err *e);

/* The port actually bound (the one the system chose for UB_TFTP_ANY_PORT). */
unsigned ub_tftp_server_port(const struct ub_tftp_server *s);

/* Waits for the transfer to end and frees the server.  Returns the
 * transfer's outcome.  The wait is bounded by the options: wait_ms for
 * the request, then (retries + 1) timeouts at most without progress.
 * A receiving server that has every byte lingers (RFC 1350's dally) to
 * answer a repeat of the last block, whose ACK may have been lost, until
 * this is called, or for two timeouts of silence: call it once the
 * client is known to be done (a caller that cannot know just waits). */
int ub_tftp_server_finish(struct ub_tftp_server *s, struct ub_tftp_stats *st,
			  struct ub_err *e);

/* Stops waiting (the board failed on its side) and frees the server. */
void ub_tftp_server_cancel(struct ub_tftp_server *s);

#endif
