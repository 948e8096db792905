/* Dumps when the console is U-Boot's netconsole.
 *
 * Speed.  With stdin on nc, U-Boot looks for input on the network before
 * every line it prints (md checks for Ctrl-C each line), and that costs
 * it milliseconds a line: 4.6 KiB/s of flash on QEMU's sabrelite.  So for
 * the length of a dump stdin rests on another input device the board
 * lists (nulldev, which never has input, else its serial port with no
 * cable on it) and comes back on the same command line:
 * "setenv stdin nulldev; md.l A N; setenv stdin nc".  The line is already
 * read when stdin moves, so its end still runs.  Measured on the same
 * board: 64 KiB in 0.16 s against 14 s.
 *
 * Loss.  The output is datagrams: lines come in any order or not at all,
 * so they go into a map by their address, and the lines missing are asked
 * for again, nearby ones in one command.  A command whose echo or end was
 * lost runs out its silence; Ctrl-C and the prompt again, and the rounds
 * go on. */
#include "family/uboot/nccon.h"

#include <stdio.h>
#include <string.h>

#include "base/say.h"
#include "family/uboot/coninfo.h"

#define ROUNDS 8          /* rounds of asking again, after the first dump */
#define MERGE_LINES 64    /* missing runs closer than this go in one md */

struct line_ctx {
	struct ub_dump_map *m;
	struct ub_progress *p;
	uint64_t base_done;
};

static int on_line(void *ctx, const char *line, size_t len)
{
	struct line_ctx *c = ctx;
	size_t had = c->m->lines_had;

	ub_dump_map_line(c->m, line, len);   /* a malformed line is one missing */
	if (c->m->lines_had != had && c->m->lines_had % 256 == 0)
		ub_progress_update(c->p, c->base_done + (uint64_t)c->m->lines_had * 16);
	return 0;
}

/* Once: the device stdin can rest on during dumps, and stdin as it is. */
static int probe(struct ub_uboot_nccon *nk, struct ub_console *con, struct ub_err *e)
{
	struct ub_console_out out;
	struct ub_coninfo ci;
	int rc;

	nk->probed = 1;
	if ((rc = ub_console_run(con, "coninfo", 3000, NULL, NULL, &out, e)))
		return rc;
	if (ub_coninfo_parse(out.text ? out.text : "", out.len, &ci) == 0)
		snprintf(nk->quiet_in, sizeof nk->quiet_in, "%s", ci.other_in);
	ub_console_out_free(&out);
	if (!nk->quiet_in[0])
		return 0;
	rc = ub_console_getenv(con, "stdin", nk->own_in, sizeof nk->own_in, e);
	if (rc < 0)
		return rc;
	/* a stdin that cannot be named back exactly stays where it is */
	if (rc > 0 || !*nk->own_in || strspn(nk->own_in, "abcdefghijklmnopqrstuvwxyz0123456789_@.,-") !=
	    strlen(nk->own_in))
		nk->quiet_in[0] = '\0';
	return 0;
}

static int md(struct ub_uboot_nccon *nk, struct ub_console *con, struct ub_dump_map *m,
	      uint64_t off, size_t n, int idle_ms, struct line_ctx *ctx, struct ub_err *e)
{
	struct ub_console_out out;
	char cmd[200], dump[64];
	int rc;

	if (m->width == 4)
		snprintf(dump, sizeof dump, "md.l %llx %zx", (unsigned long long)(m->base + off), n / 4);
	else
		snprintf(dump, sizeof dump, "md.b %llx %zx", (unsigned long long)(m->base + off), n);
	if (nk->quiet_in[0])
		snprintf(cmd, sizeof cmd, "setenv stdin %s; %s; setenv stdin %s", nk->quiet_in, dump,
			 nk->own_in);
	else
		snprintf(cmd, sizeof cmd, "%s", dump);
	rc = ub_console_run(con, cmd, idle_ms, on_line, ctx, &out, e);
	ub_console_out_free(&out);
	if (rc == UB_ETIMEOUT) {
		/* the command's echo or its end was lost: the lines that
		 * came are kept, the rest asked for again */
		ub_err_clear(e);
		rc = ub_console_sync(con, NULL, 10000, e);
	}
	return rc;
}

int ub_uboot_nccon_dump(struct ub_uboot_nccon *nk, struct ub_console *con,
			struct ub_dump_map *m, int idle_ms, struct ub_progress *p,
			uint64_t base_done, struct ub_err *e)
{
	struct line_ctx ctx = { m, p, base_done };
	size_t lines = ub_dump_map_lines(m), a, b, k;
	unsigned round;
	int rc;

	if (!nk->probed && (rc = probe(nk, con, e)))
		return rc;
	if ((rc = md(nk, con, m, 0, m->len, idle_ms, &ctx, e)))
		return rc;
	nk->lines += lines;
	nk->lost += lines - m->lines_had;
	for (round = 0; round < ROUNDS && m->lines_had < lines; round++)
		for (k = 0; !rc && ub_dump_map_next_run(m, k, MERGE_LINES, &a, &b); k = b) {
			size_t end = b * 16 < m->len ? b * 16 : m->len;

			if ((rc = md(nk, con, m, (uint64_t)a * 16, end - a * 16, idle_ms, &ctx, e)))
				return rc;
		}
	if (m->lines_had < lines)
		return ub_err_set(e, UB_EFAIL, "netconsole-lossy",
				  "%zu of %zu lines of the dump at %llx never came through the netconsole, asked %u times",
				  lines - m->lines_had, lines, (unsigned long long)m->base, ROUNDS + 1);
	return 0;
}

void ub_uboot_nccon_end(struct ub_uboot_nccon *nk)
{
	if (nk->lost)
		ub_say("  netconsole: %llu of %llu lines went missing on the network and were asked for again\n",
		       nk->lost, nk->lines);
	nk->lost_all += nk->lost;
	nk->lines = nk->lost = 0;
}
