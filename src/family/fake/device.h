/* The fake device itself: storage that is a file, with NOR semantics (an
 * erased block reads 0xff, programming only clears bits), and the faults a
 * test asks for.  Every function here that takes an op is one exchange
 * with the device: it is counted per op, written to the trace when one is
 * asked for, and may be where the link drops (drop_at) or the process
 * dies (kill_at).  The family (fake.c) is the host side and reaches the
 * storage only through these. */
#ifndef UB_FAKE_DEVICE_H
#define UB_FAKE_DEVICE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

enum ub_fake_op {
	UB_FAKE_IDENTIFY,
	UB_FAKE_ENTER,     /* enter_recovery */
	UB_FAKE_LINK,      /* link_check */
	UB_FAKE_LOAD,      /* load_stage */
	UB_FAKE_READ,      /* one transfer of a read */
	UB_FAKE_DIGEST,    /* one digest request (of a range, or of a run of blocks) */
	UB_FAKE_WRITE,     /* one block: erase, then program */
	UB_FAKE_ERASE,     /* inside a block's write: counted once its erase is done */
	UB_FAKE_REBOOT,
	UB_FAKE_BOOT,      /* boot_check */
	UB_FAKE_NOPS,
};

/* "read", "erase", ...; and back (-1 when unknown). */
const char *ub_fake_op_name(enum ub_fake_op op);
int ub_fake_op_parse(const char *name);
/* Every op's name, for messages: "identify, enter, ..." */
const char *ub_fake_op_names(void);

struct ub_fake_faults {
	unsigned long flaky_read;   /* every Nth read transfer has a bit flipped; 0: none */
	int stuck;                  /* writes to the block holding stuck_at do not stick */
	uint64_t stuck_at;          /* a byte offset of the device */
	unsigned long drop_at;      /* the Nth call and every later one fail; 0: never */
	int kill_op;                /* -1: none; else SIGKILL at the kill_n-th call of it */
	unsigned long kill_n;
	const char *trace;          /* append "CALL OP N" per call to this file; NULL: none */
};

struct ub_fakedev;

/* Opens the device's file (read-write; its size is the device's). */
int ub_fakedev_open(struct ub_fakedev **out, const char *path,
		    const struct ub_fake_faults *f, struct ub_err *e);
void ub_fakedev_close(struct ub_fakedev *d);
uint64_t ub_fakedev_size(const struct ub_fakedev *d);
/* Each call is also written to fd (the case's console log); -1: none. */
void ub_fakedev_set_log(struct ub_fakedev *d, int fd);

/* An exchange with no data of its own (identify, enter, link, load,
 * reboot, boot): counted, and where faults strike. */
int ub_fakedev_call(struct ub_fakedev *d, enum ub_fake_op op, struct ub_err *e);

/* What the device's own firmware sees of its storage (identify, boot):
 * no exchange with the host, so nothing is counted and nothing flips. */
int ub_fakedev_peek(const struct ub_fakedev *d, uint64_t off, void *buf, size_t len,
		    struct ub_err *e);

/* A read transfer: the bytes as they arrive at the host (flaky_read). */
int ub_fakedev_read(struct ub_fakedev *d, uint64_t off, void *buf, size_t len,
		    struct ub_err *e);

/* The device's digest of a range, computed on the device: alg is one
 * UB_CAP_DIGEST_* bit; out gets 4 (crc32, big-endian), 16 or 32 bytes. */
int ub_fakedev_digest(struct ub_fakedev *d, unsigned alg, uint64_t off, uint64_t len,
		      uint8_t *out, struct ub_err *e);

/* The crc32 of n blocks of len bytes from off, in one exchange. */
int ub_fakedev_crc_blocks(struct ub_fakedev *d, uint64_t off, uint64_t len, unsigned n,
			  uint32_t *out, struct ub_err *e);

/* Writes one erase block: erases len bytes at off (0xff), then programs
 * data (which must cover the whole block).  A kill at this op strikes
 * before the erase; one at "erase" between the erase and the program. */
int ub_fakedev_write_block(struct ub_fakedev *d, uint64_t off, uint64_t len,
			   const uint8_t *data, struct ub_err *e);

/* The digest of a buffer as the device computes it (for the host to
 * compare with). */
void ub_fake_digest_buf(unsigned alg, const uint8_t *buf, size_t len, uint8_t *out);
size_t ub_fake_digest_len(unsigned alg);

#endif
