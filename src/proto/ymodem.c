#include "ymodem.h"

#include <stdio.h>
#include <string.h>

#define SOH 0x01
#define STX 0x02
#define EOT 0x04
#define ACK 0x06
#define NAK 0x15
#define CAN 0x18
#define CPMEOF 0x1a
#define RETRIES 10
#define REPLY_MS 10000
#define DATA_ASK_MS 300   /* how long to wait for the 'C' after block 0 */

uint16_t ub_crc16_xmodem(const uint8_t *buf, size_t len)
{
	uint16_t crc = 0;
	size_t i;
	int b;

	for (i = 0; i < len; i++) {
		crc ^= (uint16_t)(buf[i] << 8);
		for (b = 0; b < 8; b++)
			crc = crc & 0x8000 ? (uint16_t)(crc << 1 ^ 0x1021) : (uint16_t)(crc << 1);
	}
	return crc;
}

/* Waits for one of the bytes in want; returns it, 0 on timeout, CAN when
 * the receiver cancelled twice, or < 0. */
static int wait_for(struct ub_stream *s, const char *want, int ms, struct ub_err *e)
{
	double end = ub_now() + ms / 1000.0;
	int cans = 0;

	for (;;) {
		uint8_t c;
		double left = end - ub_now();
		long n;

		if (left <= 0)
			return 0;
		n = ub_stream_read(s, &c, 1, (int)(left * 1000) + 1, e);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return 0;
		if (c == CAN && ++cans >= 2)
			return CAN;
		if (c != CAN)
			cans = 0;
		if (memchr(want, c, strlen(want)))
			return c;
	}
}

/* Sends one block until it is ACKed. */
static int send_block(struct ub_stream *s, uint8_t seq, const uint8_t *data,
		      size_t size, struct ub_ymodem_stats *st, struct ub_err *e)
{
	uint8_t frame[3 + 1024 + 2];
	uint16_t crc = ub_crc16_xmodem(data, size);
	int tries, r;

	frame[0] = size == 1024 ? STX : SOH;
	frame[1] = seq;
	frame[2] = (uint8_t)~seq;
	memcpy(frame + 3, data, size);
	frame[3 + size] = (uint8_t)(crc >> 8);
	frame[4 + size] = (uint8_t)crc;
	for (tries = 0; tries < RETRIES; tries++) {
		if ((r = ub_stream_write(s, frame, size + 5, REPLY_MS, e)))
			return r;
		r = wait_for(s, "\x06\x15", REPLY_MS, e);
		if (r == ACK)
			return 0;
		if (r < 0)
			return r;
		if (r == CAN)
			return ub_err_set(e, UB_EFAIL, "transfer-cancelled",
					  "the receiver cancelled the YMODEM transfer at block %u", seq);
		st->resends++;
	}
	return ub_err_set(e, UB_ETIMEOUT, "transfer-stalled",
			  "block %u was not acknowledged after %d tries", seq, RETRIES);
}

int ub_ymodem_send(struct ub_stream *s, const char *name,
		   const struct ub_src *src, int start_ms,
		   struct ub_progress *p, struct ub_ymodem_stats *stats,
		   struct ub_err *e)
{
	struct ub_ymodem_stats st = { 0 };
	uint8_t block[1024];
	uint64_t off = 0;
	uint8_t seq = 1;
	int r, n, tries;

	r = wait_for(s, "C", start_ms, e);
	if (r <= 0 || r == CAN)
		return r < 0 ? r : ub_err_set(e, UB_ETIMEOUT, "transfer-stalled",
					       "the receiver never asked for a YMODEM transfer");
	/* block 0: "name\0size\0", padded with zeros */
	memset(block, 0, 128);
	n = snprintf((char *)block, 100, "%s", name);
	snprintf((char *)block + n + 1, 128 - (size_t)n - 1, "%llu", (unsigned long long)src->size);
	if ((r = send_block(s, 0, block, 128, &st, e)))
		return r;
	/* The receiver asks for the data with another 'C'.  U-Boot's loady
	 * does not: it waits for block 1 and asks only when its own timeout
	 * runs out, about 4 s later.  Receivers that ask (lrzsz's rb) ask at
	 * once, so a short wait and then the data serves both and saves
	 * those seconds on every transfer into U-Boot. */
	if ((r = wait_for(s, "C", DATA_ASK_MS, e)) < 0)
		return r;
	if (r == CAN)
		return ub_err_set(e, UB_EFAIL, "transfer-cancelled",
				  "the receiver cancelled the YMODEM transfer after the file name");
	while (off < src->size) {
		size_t len = src->size - off < 1024 ? (size_t)(src->size - off) : 1024;
		size_t size = len <= 128 ? 128 : 1024;

		if ((r = ub_src_read(src, off, block, len, e)))
			return r;
		memset(block + len, CPMEOF, size - len);
		if ((r = send_block(s, seq++, block, size, &st, e)))
			return r;
		off += len;
		st.blocks++;
		ub_progress_update(p, off);
	}
	for (tries = 0; tries < RETRIES; tries++) {
		if ((r = ub_stream_write(s, "\x04", 1, REPLY_MS, e)))
			return r;
		r = wait_for(s, "\x06\x15", REPLY_MS, e);
		if (r == ACK)
			break;
		if (r < 0)
			return r;
	}
	if (tries == RETRIES)
		return ub_err_set(e, UB_ETIMEOUT, "transfer-stalled", "the end of the file was not acknowledged");
	/* The receiver asks for the next file: an empty block 0 ends the batch. */
	if (wait_for(s, "C", 3000, e) == 'C') {
		memset(block, 0, 128);
		if ((r = send_block(s, 0, block, 128, &st, e)))
			return r;
	}
	st.bytes = off;
	if (stats)
		*stats = st;
	return 0;
}
