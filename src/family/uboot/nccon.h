/* A board whose console is U-Boot's netconsole itself (uboot:netconsole:
 * BOARD_IP): NAS boxes and routers without a serial header, whose U-Boot
 * turns the netconsole on before autoboot.  Commands go as datagrams and
 * everything comes back as datagrams, so a dump's lines may be lost on the
 * way: dumps here are put together in any order and what is missing is
 * asked for again. */
#ifndef UB_UBOOT_NCCON_H
#define UB_UBOOT_NCCON_H

#include <stdint.h>

#include "base/err.h"
#include "base/progress.h"
#include "family/uboot/console.h"
#include "family/uboot/dump.h"

struct ub_uboot_nccon {
	int on;               /* the console is the netconsole */
	int probed;           /* coninfo and stdin were read */
	char quiet_in[32];    /* an input device to hold stdin during dumps ("" none) */
	char own_in[64];      /* stdin as the board had it */
	unsigned long long lines, lost;   /* this region's read: lines, and lost on the way */
	unsigned long long lost_all;      /* lines lost since open */
};

/* Fills m (have[] zeroed by the caller) from md dumps run on the console,
 * in rounds until every line came; fails naming how many never did. */
int ub_uboot_nccon_dump(struct ub_uboot_nccon *nk, struct ub_console *con,
			struct ub_dump_map *m, int idle_ms, struct ub_progress *p,
			uint64_t base_done, struct ub_err *e);

/* After a region's read: says how many lines were asked for again. */
void ub_uboot_nccon_end(struct ub_uboot_nccon *nk);

#endif
