/* YMODEM sender (batch mode, 1K blocks, CRC-16), as U-Boot's `loady` and
 * lrzsz's `rb` receive it:
 *   the receiver asks with 'C'; block 0 carries the name and size; 1024-byte
 *   STX blocks follow (the last padded with 0x1a), each ACKed; EOT is
 *   answered with NAK then ACK (or ACK at once); an empty block 0 ends the
 *   batch.  NAK or silence resends a block; two CANs abort. */
#ifndef UB_YMODEM_H
#define UB_YMODEM_H

#include <stdint.h>

#include "base/err.h"
#include "base/progress.h"
#include "image/src.h"
#include "io/stream.h"

struct ub_ymodem_stats {
	uint64_t bytes;
	unsigned blocks, resends;
};

/* Sends src under name; waits up to start_ms for the receiver's first 'C'
 * (other bytes before it, like the board's banner, are skipped). */
int ub_ymodem_send(struct ub_stream *s, const char *name,
		   const struct ub_src *src, int start_ms,
		   struct ub_progress *p, struct ub_ymodem_stats *stats,
		   struct ub_err *e);

/* CRC-16/XMODEM (poly 0x1021, init 0), exposed for tests. */
uint16_t ub_crc16_xmodem(const uint8_t *buf, size_t len);

#endif
