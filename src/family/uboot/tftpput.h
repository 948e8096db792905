/* Reading a board through U-Boot's own tftpput: the range goes to this
 * machine as a TFTP upload, bytes as they are, at the network's speed,
 * where a dump is text at the console's (2.7 KB/s of flash at 115200
 * baud).  The fastest read a board can offer; few builds have the
 * command (none of Debian's), so the board is asked first.  Every piece
 * is still checked against the board's crc32 by the caller. */
#ifndef UB_FAMILY_UBOOT_TFTPPUT_H
#define UB_FAMILY_UBOOT_TFTPPUT_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "family/family.h"
#include "family/uboot/net.h"
#include "family/uboot/console.h"

struct ub_uboot_put {
	int mode;                  /* read_via=: 0 when possible, 1 always, -1 never */
	int state;                 /* 0 not yet asked, 1 in use, -1 not available */
	struct ub_uboot_net net;
	struct ub_uboot_env saved;
	int env_set;               /* the board's variables are set for uploads */
	int gave_up;               /* in use once, then given up: dumps since */
	unsigned long long bytes;  /* uploaded in this read, in seconds */
	double seconds;
	unsigned long long transfers;   /* since open */
};

/* From the spec's read_via= (tftpput, netconsole, console, or absent:
 * tftpput when the board has it and the network addresses are known). */
int ub_uboot_put_config(struct ub_uboot_put *put, const struct ub_device_spec *spec,
			const json_t *profile, struct ub_err *e);

/* Before a read: the first time, whether the board has tftpput; then its
 * network variables, saved and set.  < 0 when the console failed, or
 * when read_via=tftpput was asked for and cannot be had. */
int ub_uboot_put_begin(struct ub_uboot_put *put, struct ub_console *con, struct ub_err *e);

/* Whether reads go by tftpput now. */
int ub_uboot_put_on(const struct ub_uboot_put *put);

/* len bytes at the board's addr into buf by one upload.  0 with *got set
 * when they came; 0 with *got clear when the upload failed and the
 * caller is to dump instead (tftpput is given up, with a note); < 0 when
 * the console failed, or read_via=tftpput cannot go on. */
int ub_uboot_put_read(struct ub_uboot_put *put, struct ub_console *con, uint64_t addr,
		      uint8_t *buf, size_t len, int *got, struct ub_err *e);

/* Bytes that came but did not match the board's crc32: given up, with a
 * note (an error when it was asked for). */
int ub_uboot_put_mismatch(struct ub_uboot_put *put, uint64_t addr, struct ub_err *e);

/* After a read: the board's variables as they were. */
int ub_uboot_put_end(struct ub_uboot_put *put, struct ub_console *con, struct ub_err *e);

#endif
