/* AOSP's fastboot over UDP (its fastboot/udp.cpp and docs): each packet
 * starts with an id (0 error, 1 query, 2 init, 3 fastboot), flags (bit 0:
 * continuation, more of this message follows) and a big-endian 16-bit
 * sequence number.  The host sends, the device answers every packet with
 * the same id and sequence number; an unanswered packet is sent again
 * (the device answers a repeat of its last one with its last answer).
 *
 *   query   seq 0 -> the sequence number the device expects next
 *   init    version 1 and the host's largest packet -> the device's
 *           version and its largest packet (at least 512 bytes)
 *   fastboot a message split into packets (continuation on all but the
 *           last), each answered by an empty packet; a reply is fetched by
 *           an empty packet, and comes in packets the host keeps asking
 *           for while they carry the continuation flag.
 *
 * There is no window: one packet in flight, so a round trip per packet,
 * and the packets are as large as the device allows. */
#ifndef UB_PROTO_FASTBOOT_UDP_H
#define UB_PROTO_FASTBOOT_UDP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "proto/fastboot.h"

#define UB_FBUDP_PORT 5554
#define UB_FBUDP_HEADER 4

enum ub_fbudp_id { UB_FBUDP_ERROR = 0, UB_FBUDP_QUERY = 1, UB_FBUDP_INIT = 2, UB_FBUDP_FASTBOOT = 3 };
#define UB_FBUDP_CONTINUATION 0x01

struct ub_fbudp_header {
	uint8_t id, flags;
	uint16_t seq;
};

/* The header of a packet; -1 for one shorter than a header. */
int ub_fbudp_header(const uint8_t *p, size_t n, struct ub_fbudp_header *h);
void ub_fbudp_put_header(uint8_t *p, const struct ub_fbudp_header *h);

/* The data of a query's answer (the next sequence number) and of an
 * init's answer (the device's version and largest packet).  0, or
 * UB_EFORMAT ("fastboot-protocol") naming what is wrong. */
int ub_fbudp_query_answer(const uint8_t *d, size_t n, uint16_t *next_seq, struct ub_err *e);
int ub_fbudp_init_answer(const uint8_t *d, size_t n, unsigned *version, unsigned *max_packet,
			 struct ub_err *e);

struct ub_fbudp_opts {
	int wait_ms;          /* how long query asks before the device counts as absent (default 10000) */
	int retransmit_ms;    /* an unanswered packet is sent again after this (default 500) */
	int attempts;         /* sends of a packet before the device counts as gone (default 4) */
	unsigned host_max;    /* the largest packet we take (default 65000; at least 512) */
};

/* Opens udp HOST[:PORT] (5554 when not given; [v6]:port), and runs query
 * and init.  UB_ENODEV when nothing answers within wait_ms. */
int ub_fbudp_open(struct ub_fb_transport **out, const char *address,
		  const struct ub_fbudp_opts *o, struct ub_err *e);

/* The same over a connected datagram descriptor (tests, fuzzing); the
 * transport owns fd. */
int ub_fbudp_open_fd(struct ub_fb_transport **out, int fd, const char *where,
		     const struct ub_fbudp_opts *o, struct ub_err *e);

/* What the transport saw: packets sent again, and the packet size agreed. */
void ub_fbudp_stats(const struct ub_fb_transport *t, uint64_t *resent, unsigned *packet);

/* Splits "HOST[:PORT]" or "[V6]:PORT" (port 0: not given).  0 or UB_EUSAGE. */
int ub_fb_host_port(const char *address, char *host, size_t len, unsigned *port,
		    struct ub_err *e);

#endif
