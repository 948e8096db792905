/* What a debug probe says about its target in XML, through qXfer:
 *   the target description (features:target.xml and the files it
 *   includes): the architecture, and the registers with gdb's numbers
 *   (a register without regnum is one after the one before it, across
 *   files, in document order);
 *   the memory map (memory-map): RAM, ROM and flash ranges, flash with
 *   its erase block size.
 * Both come from the probe: anything malformed is an error, never a
 * guess, and entity declarations are refused. */
#ifndef UB_GDB_XML_H
#define UB_GDB_XML_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"

struct ub_gdb_reg {
	char name[32];
	unsigned regnum;
	unsigned bitsize;
};

struct ub_gdb_tdesc {
	char arch[48];          /* <architecture>: "arm", "aarch64", "riscv:rv32" */
	char features[256];     /* feature names, ", " between them (cut when long) */
	struct ub_gdb_reg *regs;
	size_t n, cap;
	unsigned next_regnum;
	int depth;              /* includes being followed */
	size_t files;           /* documents read */
};

/* Fetches an included file (the probe's qXfer:features:read:HREF). */
typedef int (*ub_gdb_fetch)(void *ctx, const char *href, char **xml, size_t *len,
			    struct ub_err *e);

/* Adds what xml describes to t (zeroed first by the caller), following
 * xi:include through fetch (NULL: includes are left out). */
int ub_gdb_tdesc_parse(struct ub_gdb_tdesc *t, const char *xml, size_t len,
		       ub_gdb_fetch fetch, void *ctx, struct ub_err *e);
void ub_gdb_tdesc_free(struct ub_gdb_tdesc *t);

/* The register called name, or NULL. */
const struct ub_gdb_reg *ub_gdb_tdesc_reg(const struct ub_gdb_tdesc *t, const char *name);

/* Where register regnum sits in the g packet (registers in number order,
 * each bitsize / 8 bytes); -1 when the description has no such register. */
long ub_gdb_tdesc_g_offset(const struct ub_gdb_tdesc *t, unsigned regnum);

enum ub_gdb_mem_type { UB_GDB_RAM, UB_GDB_ROM, UB_GDB_FLASH };

struct ub_gdb_mem {
	enum ub_gdb_mem_type type;
	uint64_t start, length;
	uint64_t blocksize;      /* flash: its erase block; else 0 */
};

struct ub_gdb_memmap {
	struct ub_gdb_mem *v;
	size_t n, cap;
};

int ub_gdb_memmap_parse(struct ub_gdb_memmap *m, const char *xml, size_t len,
			struct ub_err *e);
void ub_gdb_memmap_free(struct ub_gdb_memmap *m);

/* The range holding [addr, addr + len) whole, or NULL. */
const struct ub_gdb_mem *ub_gdb_memmap_find(const struct ub_gdb_memmap *m, uint64_t addr,
					    uint64_t len);

const char *ub_gdb_mem_type_name(enum ub_gdb_mem_type t);

#endif
