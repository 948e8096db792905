/* The gdb family: a board reached through a debug probe's GDB server,
 * and, once a bootloader runs from RAM, through that bootloader's console
 * (the U-Boot family's ops).  The registry needs only ub_family_gdb; the
 * rest is for this folder. */
#ifndef UB_FAMILY_GDB_H
#define UB_FAMILY_GDB_H

#include "family/family.h"
#include "family/gdb/probe.h"

extern const struct ub_family ub_family_gdb;

struct ub_device {
	struct ub_probe pr;
	const struct ub_flash_map *map;
	const json_t *profile;
	/* the board's console: the U-Boot family's device on it */
	const struct ub_family *con_fam;
	struct ub_device *con;
	int loaded;                 /* the loader answered: the console does the rest */
	char reset_cmd[128];        /* the spec's reset=: a monitor command */
	uint64_t read_bytes;        /* through the probe */
	int log_fd;
};

/* The loader stage (stage.c): into RAM, checked, started, heard on the
 * console, then the console handed to the U-Boot family. */
int ub_gdb_load_stage(struct ub_device *d, const struct ub_loader *l, struct ub_progress *p,
		      struct ub_err *e);

/* Whether len bytes at addr touch a region the profile keeps on
 * memory-mapped flash: the probe never writes there (a write through a
 * debugger may land in the flash's command interface). */
const struct ub_region *ub_gdb_flash_overlap(const struct ub_device *d, uint64_t addr,
					     uint64_t len);

#endif
