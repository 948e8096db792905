/* The loader stage: a bootloader built to run from RAM, put there through
 * the probe and started, as a technician does by hand in gdb (restore,
 * set $pc, continue), with the checks done by hand skipped no more:
 *   the loader is for this CPU (the target description's architecture),
 *   it goes to RAM (the memory map's, when the probe has one; never over
 *   the profile's memory-mapped flash), every byte is read back, the PC
 *   reads back as the entry, and it must say on the console what the
 *   profile says it prints, in time.
 * A loader that does not start is halted and reported with the CPU's
 * state; nothing is written to flash.  One that starts hands the console
 * to the U-Boot family, whose ops do the rest; images then reach RAM
 * through the probe (halt, write, resume) and the board's crc32 checks
 * them. */
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/say.h"
#include "family/gdb/gdb.h"
#include "family/uboot/uboot.h"
#include "io/stream.h"

#define CHUNK (64u * 1024)
#define TAIL 2048                /* console bytes kept to show what the board said */

const struct ub_region *ub_gdb_flash_overlap(const struct ub_device *d, uint64_t addr,
					     uint64_t len)
{
	size_t i;

	for (i = 0; d->map && i < d->map->n; i++) {
		const struct ub_region *g = &d->map->v[i];

		if (strcmp(g->storage, "nor") == 0 && addr < g->offset + g->size && g->offset < addr + len)
			return g;
	}
	return NULL;
}

/* Where a range may be written through the probe: RAM, by the memory map
 * when there is one, and never the profile's flash. */
static int ram_only(struct ub_device *d, uint64_t addr, uint64_t len, const char *what,
		    struct ub_err *e)
{
	const struct ub_region *g = ub_gdb_flash_overlap(d, addr, len);
	int t = ub_probe_mem_type(&d->pr, addr, len);

	if (addr + len < addr)
		return ub_err_set(e, UB_EUSAGE, "profile-invalid", "%s: 0x%llx bytes at 0x%llx run past the address space",
				  what, (unsigned long long)len, (unsigned long long)addr);
	if (g)
		return ub_err_set(e, UB_EREFUSED, "profile-invalid",
				  "%s would go to 0x%llx..0x%llx, over region %s (flash at 0x%llx): the probe writes RAM only; fix the address in the profile",
				  what, (unsigned long long)addr, (unsigned long long)(addr + len - 1), g->name,
				  (unsigned long long)g->offset);
	if (d->pr.have_map && t != UB_GDB_RAM)
		return ub_err_set(e, UB_EREFUSED, "profile-invalid",
				  "%s would go to 0x%llx..0x%llx, which the probe's memory map has %s: the probe writes RAM only",
				  what, (unsigned long long)addr, (unsigned long long)(addr + len - 1),
				  t < 0 ? "in no one RAM range" : ub_gdb_mem_type_name((enum ub_gdb_mem_type)t));
	return 0;
}

/* src into target memory at addr, in pieces; with check, read back and
 * compared.  p counts bytes written (and read back). */
static int put(struct ub_device *d, const struct ub_src *src, uint64_t addr, int check,
	       struct ub_progress *p, struct ub_err *e)
{
	uint8_t *buf = malloc(CHUNK), *back = check ? malloc(CHUNK) : NULL;
	uint64_t done = 0;
	int rc = 0;

	if (!buf || (check && !back)) {
		free(buf);
		free(back);
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	while (!rc && done < src->size) {
		size_t n = src->size - done < CHUNK ? (size_t)(src->size - done) : CHUNK;

		if ((rc = ub_src_read(src, done, buf, n, e)) ||
		    (rc = ub_rsp_write_mem(&d->pr.rsp, addr + done, buf, n, NULL, e)))
			break;
		if (check && !(rc = ub_rsp_read_mem(&d->pr.rsp, addr + done, back, n, NULL, e)) &&
		    memcmp(buf, back, n) != 0) {
			size_t k = 0;

			while (buf[k] == back[k])
				k++;
			rc = ub_err_set(e, UB_EFAIL, "loader-corrupt",
					"the loader read back from 0x%llx differs from its file (0x%02x, written 0x%02x): that address may not be RAM; nothing was started",
					(unsigned long long)(addr + done + k), back[k], buf[k]);
		}
		done += n;
		ub_progress_update(p, done);
	}
	free(buf);
	free(back);
	return rc;
}

/* The U-Boot family's way into RAM once the loader runs: halt the CPU
 * (idle at its prompt), write, let it go on. */
static int probe_ram_load(void *ctx, const struct ub_src *src, uint64_t addr,
			  struct ub_progress *p, struct ub_err *e)
{
	struct ub_device *d = ctx;
	int rc;

	if ((rc = ram_only(d, addr, src->size, "the image's load area (recovery.load_addr)", e)) ||
	    (rc = ub_probe_halt(&d->pr, e)))
		return rc;
	ub_probe_log(&d->pr, "gdb: %llu bytes into RAM at 0x%llx", (unsigned long long)src->size,
		     (unsigned long long)addr);
	rc = put(d, src, addr, 0, p, e);
	/* the bootloader runs on whatever happened: its prompt is the way on */
	if (ub_rsp_continue(&d->pr.rsp, rc ? NULL : e) && !rc)
		rc = e->code;
	return rc;
}

/* The architecture the loader is built for is the CPU's. */
static int same_arch(const struct ub_device *d, const struct ub_loader *l, struct ub_err *e)
{
	if (!d->pr.have_tdesc || !d->pr.pc)
		return ub_err_set(e, UB_EREFUSED, "probe-no-tdesc",
				  "the debug probe gives no target description%s: neither the CPU's architecture nor its program counter is known, so no loader is started",
				  d->pr.have_tdesc ? " naming a program counter" : "");
	if (!d->pr.td.arch[0])
		return ub_err_set(e, UB_EREFUSED, "probe-no-tdesc",
				  "the debug probe's target description names no architecture; the loader is for %s and nothing is started",
				  l->arch ? l->arch : "an architecture the profile does not say");
	if (!l->arch)
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "the profile's loader does not say its architecture (loader.arch); this CPU is %s",
				  d->pr.td.arch);
	if (strcasecmp(l->arch, d->pr.td.arch) != 0)
		return ub_err_set(e, UB_EREFUSED, "loader-arch",
				  "the loader is built for %s and this CPU is %s (the debug probe's target description); nothing was loaded",
				  l->arch, d->pr.td.arch);
	return 0;
}

/* The PC at the entry; on 32-bit ARM the state bit to match it (odd:
 * Thumb). */
static int set_entry(struct ub_device *d, uint64_t entry, struct ub_err *e)
{
	uint64_t pc = entry, got;
	int rc;

	if (strcmp(d->pr.td.arch, "arm") == 0) {
		const struct ub_gdb_reg *cpsr = ub_gdb_tdesc_reg(&d->pr.td, "cpsr");
		uint64_t v;

		pc &= ~(uint64_t)1;
		if (cpsr && !(rc = ub_probe_reg(&d->pr, cpsr, &v, e)) &&
		    (v & 0x20) != (entry & 1 ? 0x20 : 0))
			rc = ub_probe_set_reg(&d->pr, cpsr, (v & ~(uint64_t)0x20) | (entry & 1 ? 0x20 : 0), e);
		if (cpsr && rc)
			return rc;
	}
	if ((rc = ub_probe_set_reg(&d->pr, d->pr.pc, pc, e)) ||
	    (rc = ub_probe_reg(&d->pr, d->pr.pc, &got, e)))
		return rc;
	if (got != pc)
		return ub_err_set(e, UB_EFAIL, "probe-error",
				  "the program counter reads 0x%llx after being set to 0x%llx; nothing was started",
				  (unsigned long long)got, (unsigned long long)pc);
	return 0;
}

/* Listens on the console until re matches what it printed, the CPU stops,
 * or timeout_s pass.  0: heard; 1: not in time; 2: the CPU stopped. */
static int hear(struct ub_device *d, regex_t *re, int timeout_s, char *tail, size_t *tlen,
		  struct ub_err *e)
{
	struct ub_stream *s = ub_uboot_stream(d->con);
	double end = ub_now() + timeout_s;
	struct ub_rsp_stop st;
	int rc;

	*tlen = 0;
	tail[0] = '\0';
	while (ub_now() < end) {
		char buf[1024];
		long n = ub_stream_read(s, buf, sizeof buf, 100, e);
		size_t k;

		if (n < 0)
			return (int)n;
		for (k = 0; k < (size_t)n; k++) {
			if (*tlen == TAIL - 1) {
				/* keep the last half: the line being printed is there */
				memmove(tail, tail + TAIL / 2, TAIL / 2 - 1);
				*tlen = TAIL / 2 - 1;
			}
			tail[(*tlen)++] = buf[k] ? buf[k] : ' ';
		}
		tail[*tlen] = '\0';
		if (n > 0 && regexec(re, tail, 0, NULL, 0) == 0)
			return 0;
		/* a loader that crashed into the debugger says so at once */
		rc = ub_rsp_wait_stop(&d->pr.rsp, 0, &st, e);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			d->pr.stop = st;
			return 2;
		}
	}
	return 1;
}

/* The default: the U-Boot family's banner or prompt. */
static int compile_wait(const struct ub_loader *l, regex_t *re, struct ub_err *e)
{
	char pat[512];

	if (l->wait_for)
		snprintf(pat, sizeof pat, "%s", l->wait_for);
	else
		snprintf(pat, sizeof pat, "(%s)|(%s)", ub_uboot_banners[0], ub_uboot_prompts[0]);
	if (regcomp(re, pat, REG_EXTENDED | REG_NEWLINE | REG_NOSUB) != 0)
		return ub_err_set(e, UB_EUSAGE, "profile-invalid", "loader.wait_for '%.100s' is no regular expression", pat);
	return 0;
}

/* What the console showed, for a message: its last line or two. */
static const char *last_words(const char *tail, size_t len)
{
	size_t at = len, lines = 0;

	while (at > 0 && len - at < 160) {
		if (tail[at - 1] == '\n' && at < len && ++lines == 2)
			break;
		at--;
	}
	while (tail[at] == '\n' || tail[at] == '\r')
		at++;
	return tail + at;
}

int ub_gdb_load_stage(struct ub_device *d, const struct ub_loader *l, struct ub_progress *p,
		      struct ub_err *e)
{
	char state[160], tail[TAIL], *mon = NULL, shown[200];
	struct ub_progress step;
	size_t tlen = 0, mlen;
	regex_t re;
	int rc, heard;

	if (!d->con)
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "the loader's console is needed to hear it start: add console=TRANSPORT:ADDRESS to the device spec (console=unix:/path, console=serial:/dev/ttyUSB0)");
	if ((rc = same_arch(d, l, e)) ||
	    (rc = ram_only(d, l->load_addr, l->src->size, "the loader (loader.load_addr)", e)) ||
	    (rc = compile_wait(l, &re, e)))
		return rc;
	if (l->entry < l->load_addr || l->entry - l->load_addr >= l->src->size) {
		regfree(&re);
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "the loader's entry 0x%llx is not inside it (0x%llx bytes at 0x%llx)",
				  (unsigned long long)l->entry, (unsigned long long)l->src->size,
				  (unsigned long long)l->load_addr);
	}
	if ((rc = ub_probe_halt(&d->pr, e)))
		goto out;
	if (d->reset_cmd[0]) {
		/* the probe's own reset: the CPU as after power-on, halted
		 * before its first instruction */
		rc = ub_rsp_monitor(&d->pr.rsp, d->reset_cmd, &mon, &mlen, e);
		ub_probe_log(&d->pr, "gdb: monitor %s: %s", d->reset_cmd, mon ? mon : "");
		free(mon);
		if (rc || (rc = ub_probe_halt(&d->pr, e)))
			goto out;
	}
	ub_probe_state(&d->pr, state, sizeof state);
	ub_say("  CPU %s: %s; loading through the debug probe\n", d->pr.td.arch, state);
	ub_probe_log(&d->pr, "gdb: loading %llu bytes at 0x%llx, entry 0x%llx; CPU %s",
		     (unsigned long long)l->src->size, (unsigned long long)l->load_addr,
		     (unsigned long long)l->entry, state);
	ub_progress_plan(p, 100);
	ub_progress_begin(&step, p, "write and read back", 90, l->src->size);
	rc = put(d, l->src, l->load_addr, 1, &step, e);
	ub_progress_end(&step, rc);
	if (rc || (rc = set_entry(d, l->entry, e)))
		goto out;
	/* what the console said before this start is not this start's */
	ub_stream_drain(ub_uboot_stream(d->con));
	if ((rc = ub_rsp_continue(&d->pr.rsp, e)))
		goto out;
	ub_probe_log(&d->pr, "gdb: started at 0x%llx", (unsigned long long)l->entry);
	ub_progress_begin(&step, p, "wait for the loader", 10, 0);
	heard = hear(d, &re, l->timeout_s, tail, &tlen, e);
	ub_progress_end(&step, heard < 0 ? heard : 0);
	if (heard < 0) {
		rc = heard;
		goto out;
	}
	if (heard == 0) {
		/* the rest goes through the console: the U-Boot family stops
		 * the loader's autoboot and proves its prompt */
		if ((rc = d->con_fam->enter_recovery(d->con, e)))
			goto stuck;
		ub_uboot_set_ram_loader(d->con, "probe", probe_ram_load, d);
		d->loaded = 1;
		ub_say("  the loader answers on the console\n");
		goto out;
	}
	ub_err_clear(e);
	if (heard == 2)
		rc = ub_err_set(e, UB_EFAIL, "loader-silent",
				"the loader stopped the CPU (%s) before it printed what the profile waits for; nothing was written to flash",
				ub_rsp_signal_name(d->pr.stop.signal));
	else
		rc = ub_err_set(e, UB_EFAIL, "loader-silent", "the loader printed nothing the profile waits for (/%.80s/) within %d s; nothing was written to flash",
				l->wait_for ? l->wait_for : "a U-Boot banner or prompt", l->timeout_s);
stuck:
	{
		/* halted where it is, and said where that is */
		struct ub_err he;
		char msg[UB_ERR_MSG_MAX];
		const char *advice = e->advice_id;
		int code = e->code;

		snprintf(msg, sizeof msg, "%s", e->msg);
		ub_err_clear(&he);
		if (ub_probe_halt(&d->pr, &he) == 0)
			ub_probe_state(&d->pr, state, sizeof state);
		else
			snprintf(state, sizeof state, "not halted (%.100s)", he.msg);
		snprintf(shown, sizeof shown, "%s", tlen ? last_words(tail, tlen) : "");
		ub_probe_log(&d->pr, "gdb: the loader did not answer; CPU %s", state);
		ub_err_set(e, code, advice, "%.300s. The CPU is %s; the console showed %s%.120s%s", msg, state,
			   tlen ? "\"" : "nothing", shown, tlen ? "\"" : "");
		rc = code;
	}
out:
	regfree(&re);
	return rc;
}
