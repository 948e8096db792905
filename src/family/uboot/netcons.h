/* Reading a board through U-Boot's netconsole: for the length of one dump
 * command the board's stdout goes to UDP datagrams to this machine, and
 * comes back to the console on the same command line.  A dump over a
 * 115200-baud line is 2.7 KB/s; the same board sends its text over the
 * network at its own speed (2 MB/s of text from QEMU's sabrelite, against
 * 0.23 MB/s over its emulated serial port).  Only the reading moves:
 * commands, echoes and errors stay on the console, and every dump is still
 * checked against the board's crc32. */
#ifndef UB_FAMILY_UBOOT_NETCONS_H
#define UB_FAMILY_UBOOT_NETCONS_H

#include <jansson.h>

#include "family/family.h"
#include "family/uboot/net.h"
#include "base/progress.h"
#include "family/uboot/console.h"
#include "family/uboot/dump.h"

#define UB_UBOOT_NC_PORT 6666   /* U-Boot's default ncoutport */

struct ub_uboot_nc {
	int mode;                 /* read_via=: 0 when possible, 1 always, -1 never */
	int state;                /* 0 not yet tried, 1 in use, -1 not available */
	struct ub_uboot_net net;
	struct ub_stream *s;
	char back_to[64];         /* the stdout the console had */
	struct ub_uboot_env saved;
	int env_set;              /* the board's variables are set for reading */
	int warm;                 /* the board's network answered a ping */
	unsigned short_pieces;    /* dumps in a row left short after asking again */
	unsigned long long lines, lost, by_console;   /* in this read: lines dumped, lost on
							 * the way, read over the console at last */
	unsigned long long lines_all, lost_all;       /* the same since open */
	int log_fd;
};

/* From the spec's read_via= (netconsole, console, or absent: netconsole
 * when the board has it and the network addresses are known). */
int ub_uboot_nc_config(struct ub_uboot_nc *nc, const struct ub_device_spec *spec,
		       const json_t *profile, struct ub_err *e);

/* Before a read: the first time, finds out whether the board has a
 * netconsole and this machine can hear it; then sets the board's network
 * variables, saving them.  Returns < 0 when the console failed, or when
 * read_via=netconsole was asked for and cannot be had. */
int ub_uboot_nc_begin(struct ub_uboot_nc *nc, struct ub_console *con, struct ub_err *e);

/* Whether dumps go through the netconsole now. */
int ub_uboot_nc_on(const struct ub_uboot_nc *nc);

/* Reads m's range through the netconsole into m: one dump, then the
 * lines lost on the way asked for again, a few rounds.  Returns 0 with
 * m->have saying which lines came (the caller reads the rest over the
 * console); when nothing comes at all the netconsole is given up (a note,
 * or an error when it was asked for).  < 0 when the console failed. */
int ub_uboot_nc_read(struct ub_uboot_nc *nc, struct ub_console *con, struct ub_dump_map *m,
		     int idle_ms, struct ub_progress *p, uint64_t base_done, struct ub_err *e);

/* After a read: the board's variables as they were. */
int ub_uboot_nc_end(struct ub_uboot_nc *nc, struct ub_console *con, struct ub_err *e);

void ub_uboot_nc_set_log(struct ub_uboot_nc *nc, int fd);
void ub_uboot_nc_free(struct ub_uboot_nc *nc);

#endif
