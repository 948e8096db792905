/* AOSP's fastboot over TCP (its fastboot/tcp.cpp): the host sends "FB01",
 * the device answers "FB" and its two-digit version (01 or later); then
 * every message, either way, is an 8-byte big-endian length and that many
 * bytes.  Download data may go in several messages. */
#ifndef UB_PROTO_FASTBOOT_TCP_H
#define UB_PROTO_FASTBOOT_TCP_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "proto/fastboot.h"

#define UB_FBTCP_PORT 5554

/* The device's handshake answer (4 bytes): 0 and its version, or
 * UB_EFORMAT ("fastboot-protocol"). */
int ub_fbtcp_handshake_answer(const uint8_t *d, size_t n, unsigned *version, struct ub_err *e);

/* A message header: the length it announces. */
uint64_t ub_fbtcp_length(const uint8_t h[8]);
void ub_fbtcp_put_length(uint8_t h[8], uint64_t n);

/* Connects to HOST[:PORT] (5554 when not given) within timeout_ms and
 * shakes hands.  UB_ENODEV when nothing listens. */
int ub_fbtcp_open(struct ub_fb_transport **out, const char *address, int timeout_ms,
		  struct ub_err *e);

/* The same over a connected stream descriptor (tests, fuzzing); the
 * transport owns fd. */
int ub_fbtcp_open_fd(struct ub_fb_transport **out, int fd, const char *where, int timeout_ms,
		     struct ub_err *e);

#endif
