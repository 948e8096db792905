#include "family/gdb/probe.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"
#include "io/stream.h"

#define HALT_MS 5000
#define TDESC_MAX (1u << 20)   /* QEMU's arm with its system registers: ~40 KiB */
#define READS 5                /* reads of one range before it is called unstable */

/* The names gdb gives the program counter and the status register on the
 * architectures probes serve; the first one the description has wins. */
static const char *const pc_names[] = { "pc", "rip", "eip", NULL };
static const char *const status_names[] = { "cpsr", "xpsr", "pstate", "sr", "eflags", NULL };

void ub_probe_log(struct ub_probe *pr, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	ub_log_vline(&pr->log_fd, fmt, ap);
	va_end(ap);
}

static int fetch(void *ctx, const char *href, char **xml, size_t *len, struct ub_err *e)
{
	struct ub_probe *pr = ctx;

	return ub_rsp_xfer(&pr->rsp, "features", href, TDESC_MAX, xml, len, e);
}

static const struct ub_gdb_reg *first_reg(const struct ub_gdb_tdesc *td, const char *const *names)
{
	const struct ub_gdb_reg *g = NULL;

	for (; *names && !g; names++)
		g = ub_gdb_tdesc_reg(td, *names);
	return g;
}

static int learn(struct ub_probe *pr, struct ub_err *e)
{
	char *xml = NULL;
	size_t len = 0;
	int rc = 0;

	if (pr->rsp.features & UB_RSP_F_FEATURES) {
		if (!(rc = ub_rsp_xfer(&pr->rsp, "features", "target.xml", TDESC_MAX, &xml, &len, e)))
			rc = ub_gdb_tdesc_parse(&pr->td, xml, len, fetch, pr, e);
		free(xml);
		xml = NULL;
		if (rc)
			return rc;
		pr->have_tdesc = 1;
		pr->pc = first_reg(&pr->td, pc_names);
		pr->status = first_reg(&pr->td, status_names);
	}
	if (pr->rsp.features & UB_RSP_F_MEMORY_MAP) {
		if (!(rc = ub_rsp_xfer(&pr->rsp, "memory-map", "", TDESC_MAX, &xml, &len, e)))
			rc = ub_gdb_memmap_parse(&pr->map, xml, len, e);
		free(xml);
		if (rc)
			return rc;
		pr->have_map = 1;
	}
	return 0;
}

int ub_probe_open(struct ub_probe *pr, const char *transport, const char *address,
		  int big_endian, struct ub_err *e)
{
	struct ub_stream *s;
	int rc;

	memset(pr, 0, sizeof *pr);
	pr->log_fd = -1;
	pr->big_endian = big_endian;
	if ((rc = ub_stream_open(&s, transport, address, NULL, e))) {
		if (rc == UB_ENODEV)
			e->advice_id = "probe-connect";
		return rc;
	}
	if ((rc = ub_rsp_open(&pr->rsp, s, e))) {
		if (pr->rsp.s)
			ub_rsp_close(&pr->rsp);
		else
			ub_stream_close(s);
		return rc;
	}
	if ((rc = learn(pr, e)) || (rc = ub_probe_halt(pr, e)))
		ub_probe_close(pr);
	return rc;
}

void ub_probe_close(struct ub_probe *pr)
{
	ub_rsp_close(&pr->rsp);
	ub_gdb_tdesc_free(&pr->td);
	ub_gdb_memmap_free(&pr->map);
	pr->pc = pr->status = NULL;
}

int ub_probe_halt(struct ub_probe *pr, struct ub_err *e)
{
	int was = pr->rsp.running, rc;

	if ((rc = ub_rsp_interrupt(&pr->rsp, HALT_MS, &pr->stop, e)))
		return rc;
	if (pr->stop.kind == 'W' || pr->stop.kind == 'X')
		return ub_err_set(e, UB_ENODEV, "probe-lost",
				  "the debug probe says its target %s (%s %02x): there is no CPU to halt",
				  pr->stop.kind == 'W' ? "exited" : "was killed", pr->stop.kind == 'W' ? "status" : "signal",
				  (unsigned)pr->stop.signal);
	if (was)
		ub_probe_log(pr, "gdb: halted (%s)", ub_rsp_signal_name(pr->stop.signal));
	return 0;
}

static uint64_t from_bytes(const uint8_t *b, size_t n, int big)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n && i < 8; i++)
		v |= (uint64_t)b[big ? n - 1 - i : i] << (8 * i);
	return v;
}

static void to_bytes(uint64_t v, uint8_t *b, size_t n, int big)
{
	size_t i;

	for (i = 0; i < n; i++)
		b[big ? n - 1 - i : i] = i < 8 ? (uint8_t)(v >> (8 * i)) : 0;
}

/* All registers (g), and where reg sits in them. */
static int by_g(struct ub_probe *pr, const struct ub_gdb_reg *reg, uint8_t **all, size_t *len,
		size_t *at, struct ub_err *e)
{
	long off = ub_gdb_tdesc_g_offset(&pr->td, reg->regnum);
	size_t cap = 64 * 1024;
	int rc;

	*all = malloc(cap);
	if (!*all)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if (!(rc = ub_rsp_read_regs(&pr->rsp, *all, cap, len, e)) &&
	    (off < 0 || (size_t)off + reg->bitsize / 8 > *len))
		rc = ub_err_set(e, UB_EFAIL, "probe-garbled",
				"register %s is not among the %zu bytes the debug probe gives for all registers",
				reg->name, *len);
	if (rc) {
		free(*all);
		*all = NULL;
		return rc;
	}
	*at = (size_t)off;
	return 0;
}

int ub_probe_reg(struct ub_probe *pr, const struct ub_gdb_reg *reg, uint64_t *val,
		 struct ub_err *e)
{
	uint8_t b[64], *all;
	size_t n, len, at;
	int rc;

	rc = ub_rsp_read_reg(&pr->rsp, reg->regnum, b, sizeof b, &n, e);
	if (rc < 0)
		return rc;
	if (rc == 0) {
		*val = from_bytes(b, n, pr->big_endian);
		return 0;
	}
	if ((rc = by_g(pr, reg, &all, &len, &at, e)))
		return rc;
	*val = from_bytes(all + at, reg->bitsize / 8, pr->big_endian);
	free(all);
	return 0;
}

int ub_probe_set_reg(struct ub_probe *pr, const struct ub_gdb_reg *reg, uint64_t val,
		     struct ub_err *e)
{
	uint8_t b[64], *all;
	size_t n = reg->bitsize / 8 < sizeof b ? reg->bitsize / 8 : sizeof b, len, at;
	int rc;

	to_bytes(val, b, n, pr->big_endian);
	rc = ub_rsp_write_reg(&pr->rsp, reg->regnum, b, n, e);
	if (rc <= 0)
		return rc;
	/* no P: all registers read, the one changed, all written back */
	if ((rc = by_g(pr, reg, &all, &len, &at, e)))
		return rc;
	memcpy(all + at, b, n);
	rc = ub_rsp_write_regs(&pr->rsp, all, len, e);
	free(all);
	return rc;
}

void ub_probe_state(struct ub_probe *pr, char *out, size_t len)
{
	struct ub_err ignore;
	uint64_t pc = 0, st = 0;
	int have_pc, have_st;
	size_t at;

	if (pr->rsp.running) {
		snprintf(out, len, "running");
		return;
	}
	have_pc = pr->pc && ub_probe_reg(pr, pr->pc, &pc, &ignore) == 0;
	have_st = pr->status && ub_probe_reg(pr, pr->status, &st, &ignore) == 0;
	snprintf(out, len, "halted (%s)", ub_rsp_signal_name(pr->stop.signal));
	at = strlen(out);
	if (have_pc && at < len)
		at += (size_t)snprintf(out + at, len - at, " at %s 0x%llx", pr->pc->name, (unsigned long long)pc);
	if (have_st && at < len)
		snprintf(out + at, len - at, ", %s 0x%llx", pr->status->name, (unsigned long long)st);
}

int ub_probe_read_agreed(struct ub_probe *pr, uint64_t addr, uint8_t *buf, size_t len,
			 struct ub_err *e)
{
	uint8_t *v[READS] = { 0 };
	int i, j, rc = 0, agreed = -1;

	for (i = 0; i < READS && agreed < 0 && !rc; i++) {
		if (!(v[i] = malloc(len ? len : 1))) {
			rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
			break;
		}
		if ((rc = ub_rsp_read_mem(&pr->rsp, addr, v[i], len, NULL, e)))
			break;
		for (j = 0; j < i && agreed < 0; j++)
			if (memcmp(v[i], v[j], len) == 0)
				agreed = i;
		if (i >= 2)
			pr->reads_again += len;
	}
	if (!rc && agreed < 0)
		rc = ub_err_set(e, UB_EFAIL, "read-unstable",
				"%d reads of 0x%zx bytes at 0x%llx through the debug probe all differ: the link or the flash is unreliable",
				READS, len, (unsigned long long)addr);
	if (!rc)
		memcpy(buf, v[agreed], len);
	for (i = 0; i < READS; i++)
		free(v[i]);
	return rc;
}

int ub_probe_mem_type(const struct ub_probe *pr, uint64_t addr, uint64_t len)
{
	const struct ub_gdb_mem *m;

	if (!pr->have_map || !(m = ub_gdb_memmap_find(&pr->map, addr, len)))
		return -1;
	return (int)m->type;
}
