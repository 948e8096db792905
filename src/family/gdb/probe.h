/* The target as a debug probe shows it: the link (proto/gdb_rsp), what
 * the target description and memory map say, the CPU's state, and memory
 * read so that nothing unconfirmed is passed on.  The gdb family's private
 * header. */
#ifndef UB_FAMILY_GDB_PROBE_H
#define UB_FAMILY_GDB_PROBE_H

#include <stddef.h>
#include <stdint.h>

#include "base/err.h"
#include "family/family.h"
#include "proto/gdb_rsp.h"
#include "proto/gdb_xml.h"

struct ub_probe {
	struct ub_rsp rsp;
	int have_tdesc, have_map;
	struct ub_gdb_tdesc td;
	struct ub_gdb_memmap map;
	int big_endian;            /* the target's byte order (the spec's endian=) */
	const struct ub_gdb_reg *pc, *status;   /* from td; NULL when not there */
	struct ub_rsp_stop stop;   /* why it stopped, last seen */
	uint64_t reads_again;      /* bytes read more than twice to agree */
	int log_fd;
};

/* Connects (transport "tcp", "serial" or "pty"), learns the target,
 * halts it. */
int ub_probe_open(struct ub_probe *pr, const char *transport, const char *address,
		  int big_endian, struct ub_err *e);
void ub_probe_close(struct ub_probe *pr);

/* Halts the CPU when it runs (the stop reason is refreshed either way). */
int ub_probe_halt(struct ub_probe *pr, struct ub_err *e);

/* A register by name in the target description, as a number. */
int ub_probe_reg(struct ub_probe *pr, const struct ub_gdb_reg *reg, uint64_t *val,
		 struct ub_err *e);
int ub_probe_set_reg(struct ub_probe *pr, const struct ub_gdb_reg *reg, uint64_t val,
		     struct ub_err *e);

/* The CPU in words: "halted (SIGTRAP) at pc 0x60800000, cpsr 0x400001d3". */
void ub_probe_state(struct ub_probe *pr, char *out, size_t len);

/* Reads memory twice (more when the two differ, at most five reads) and
 * passes on only bytes two reads agree on; five that all differ are an
 * error ("read-unstable"). */
int ub_probe_read_agreed(struct ub_probe *pr, uint64_t addr, uint8_t *buf, size_t len,
			 struct ub_err *e);

/* What the memory map says of a range: its type, or -1 when the probe has
 * no map or the range is not in one entry. */
int ub_probe_mem_type(const struct ub_probe *pr, uint64_t addr, uint64_t len);

/* A line in the case's console log (when one is set). */
void ub_probe_log(struct ub_probe *pr, const char *fmt, ...) UB_PRINTF(2, 3);

#endif
