#include "family/uboot/netcons.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/say.h"
#include "io/stream.h"
#include "family/uboot/coninfo.h"

#define MAX_ROUNDS 10      /* of asking again for lines lost on the way */
#define MAX_RUNS 64        /* commands in a round */
#define MERGE_LINES 256    /* missing runs closer than this go in one command, at first: a
			    * command costs a round trip (10-20 ms), a line 32 us */
#define WARM_UP_MS 30000   /* a ping's silence: PHY negotiation, ARP retries */
#define SHORT_IN_A_ROW 3   /* dumps left short, in a row, before the netconsole is given up */

/* What the board's netconsole needs; U-Boot reads them each time its
 * stdout moves to nc.  ncoutport is set too: a board whose environment
 * names another port would send where nobody listens. */
static const char *const vars[] = { "ipaddr", "netmask", "ncip", "ncoutport" };

int ub_uboot_nc_config(struct ub_uboot_nc *nc, const struct ub_device_spec *spec,
		       const json_t *profile, struct ub_err *e)
{
	char v[32];

	memset(nc, 0, sizeof *nc);
	nc->log_fd = -1;
	if (ub_device_spec_param(spec, "read_via", v, sizeof v)) {
		if (strcmp(v, "netconsole") == 0)
			nc->mode = 1;
		else if (strcmp(v, "console") == 0 || strcmp(v, "tftpput") == 0)
			nc->mode = -1;
		else
			return ub_err_set(e, UB_EUSAGE, "usage",
					  "read_via=%s: use tftpput, netconsole or console", v);
	}
	/* The console is the netconsole already: its dumps come that way */
	if (strcmp(spec->transport, "netconsole") == 0) {
		nc->state = -1;
		return 0;
	}
	if (ub_uboot_net_addrs(spec, profile, "read_via=netconsole", &nc->net, e)) {
		if (nc->mode == 1)
			return e->code;
		ub_err_clear(e);
		nc->state = -1;   /* no network to hear it on */
	}
	if (nc->mode < 0)
		nc->state = -1;
	return 0;
}

/* The netconsole cannot be used: an error when it was asked for and
 * cannot be had at all (hard), else a note and the console from here on. */
static int give_up(struct ub_uboot_nc *nc, int hard, struct ub_err *e, const char *fmt, ...)
	UB_PRINTF(4, 5);

static int give_up(struct ub_uboot_nc *nc, int hard, struct ub_err *e, const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	nc->state = -1;
	ub_stream_close(nc->s);
	nc->s = NULL;
	if (nc->mode == 1 && hard)
		return ub_err_set(e, UB_ENODEV, "netconsole", "netconsole: %s", why);
	ub_say("  netconsole: %s; reading over the console\n", why);
	return 0;
}

/* A device list as a value to put back: names U-Boot registers, and the
 * commas of a console mux, nothing a shell would read differently. */
static int plain_devices(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
		      strchr("_-.@,", *s)))
			return 0;
	return 1;
}

/* Whether the board has a netconsole, where its stdout is to go back to,
 * and whether this machine can hear it. */
static int probe(struct ub_uboot_nc *nc, struct ub_console *con, struct ub_err *e)
{
	struct ub_console_out out;
	struct ub_coninfo ci;
	char addr[80], from[80];
	int rc, parsed;

	if ((rc = ub_console_run(con, "coninfo", 3000, NULL, NULL, &out, e)))
		return rc;
	parsed = ub_coninfo_parse(out.text ? out.text : "", out.len, &ci);
	ub_console_out_free(&out);
	if (parsed != 0 || !ci.has_nc) {
		/* most boards have none: nothing to say unless it was asked for */
		if (nc->mode != 1) {
			nc->state = -1;
			return 0;
		}
		return give_up(nc, 1, e, "this U-Boot has none (coninfo lists no nc device)");
	}
	/* stdout as the environment names it (a mux: "serial,vidconsole"),
	 * else the device coninfo marks.  U-Boot will not unset stdout, so
	 * where it was unset it ends up naming the device it already was. */
	rc = ub_console_getenv(con, "stdout", nc->back_to, sizeof nc->back_to, e);
	if (rc < 0)
		return rc;
	if (rc == 1)
		snprintf(nc->back_to, sizeof nc->back_to, "%s", ci.stdout_dev);
	if (!plain_devices(nc->back_to))
		return give_up(nc, 1, e, "cannot tell which device the console writes to (stdout '%s')",
			       nc->back_to);
	snprintf(addr, sizeof addr, "%s:%d", nc->net.server_ip, UB_UBOOT_NC_PORT);
	snprintf(from, sizeof from, "from=%s", nc->net.device_ip);
	if (ub_stream_open(&nc->s, "udp", addr, from, e) != 0) {
		struct ub_err why = *e;

		ub_err_clear(e);
		return give_up(nc, 1, e, "%s", why.msg);
	}
	ub_stream_tee(nc->s, nc->log_fd);
	nc->state = 1;
	return 0;
}

/* The board's network brought up before the first dump, with a ping of
 * this machine on the console: a PHY can take seconds to negotiate, which
 * a dump's output would spend in silence, and what stops the network
 * (no MAC address, nobody answering ARP) is said here in the board's own
 * words.  A ping that only went unanswered proves nothing (a firewall may
 * drop it), and a U-Boot without ping is tried as it is. */
static int warm_up(struct ub_uboot_nc *nc, struct ub_console *con, struct ub_err *e)
{
	struct ub_console_out out;
	const char *bad;
	char cmd[96];
	size_t len = 0;
	int rc;

	snprintf(cmd, sizeof cmd, "ping %s", nc->net.server_ip);
	rc = ub_console_run(con, cmd, WARM_UP_MS, NULL, NULL, &out, e);
	if (rc == UB_ETIMEOUT) {
		/* a ping that never ends: Ctrl-C, and the console as it was */
		struct ub_err why = *e;

		ub_err_clear(e);
		if ((rc = ub_console_sync(con, NULL, 10000, e)))
			return rc;
		return give_up(nc, 1, e, "the board's ping of %s never ended (%s)", nc->net.server_ip, why.msg);
	}
	if (rc)
		return rc;
	bad = ub_console_failure(&out, &len);
	if (bad && !memmem(bad, len, "Unknown command", 15)) {
		char said[200];

		snprintf(said, sizeof said, "%.*s", (int)len, bad);
		ub_console_out_free(&out);
		return give_up(nc, 1, e, "the board cannot reach %s; it said: %s", nc->net.server_ip, said);
	}
	ub_console_out_free(&out);
	nc->warm = 1;
	ub_say("  reading through the netconsole: %s sends to %s:%d\n", nc->net.device_ip,
	       nc->net.server_ip, UB_UBOOT_NC_PORT);
	return 0;
}

int ub_uboot_nc_begin(struct ub_uboot_nc *nc, struct ub_console *con, struct ub_err *e)
{
	char cmd[320];
	int rc;

	if (nc->state == 0 && (rc = probe(nc, con, e)))
		return rc;
	if (nc->state != 1 || nc->env_set)
		return 0;
	if ((rc = ub_uboot_env_save(con, &nc->saved, vars, sizeof vars / sizeof vars[0], e)))
		return rc;
	nc->env_set = 1;
	snprintf(cmd, sizeof cmd, "setenv ipaddr %s; setenv netmask %s; setenv ncip %s; setenv ncoutport %d",
		 nc->net.device_ip, nc->net.netmask, nc->net.server_ip, UB_UBOOT_NC_PORT);
	if ((rc = ub_console_do(con, cmd, 5000, e)))
		return rc;
	return nc->warm ? 0 : warm_up(nc, con, e);
}

int ub_uboot_nc_on(const struct ub_uboot_nc *nc)
{
	return nc->state == 1 && nc->env_set;
}

struct map_ctx {
	struct ub_dump_map *m;
	struct ub_progress *p;
	uint64_t base_done;
};

static int on_map_line(void *ctx, const char *line, size_t len)
{
	struct map_ctx *c = ctx;
	size_t had = c->m->lines_had;

	/* a malformed line is a line missing: asked for again */
	ub_dump_map_line(c->m, line, len);
	if (c->m->lines_had != had && c->m->lines_had % 256 == 0)
		ub_progress_update(c->p, c->base_done + (uint64_t)c->m->lines_had * 16);
	return 0;
}

/* One md command for [off, off + n) of m, its output on the netconsole. */
static int nc_md(struct ub_uboot_nc *nc, struct ub_console *con, struct ub_dump_map *m,
		 uint64_t off, size_t n, int idle_ms, struct map_ctx *ctx, struct ub_err *e)
{
	struct ub_console_out out;
	struct ub_console_side side;
	char line[200], after[100], said[160];
	int rc;

	if (m->width == 4)
		snprintf(line, sizeof line, "setenv stdout nc; md.l %llx %zx",
			 (unsigned long long)(m->base + off), n / 4);
	else
		snprintf(line, sizeof line, "setenv stdout nc; md.b %llx %zx",
			 (unsigned long long)(m->base + off), n);
	snprintf(after, sizeof after, "setenv stdout %s", nc->back_to);
	ub_stream_drain(nc->s);   /* what a dump cut short left behind */
	rc = ub_console_run_split(con, nc->s, line, after, idle_ms, on_map_line, ctx, &out, &side, e);
	/* What the board printed on the console meanwhile is its own word on
	 * why nothing came ("Error: ethernet@2188000 address not set."). */
	ub_console_last_line(&out, said, sizeof said);
	ub_console_out_free(&out);
	if (rc == UB_ETIMEOUT && side.bytes == 0) {
		/* Silent on both: a board that retries its Ethernet for every
		 * line, or asks again and again who has the server's address.
		 * Ctrl-C ends what runs, and the rest of the line still brings
		 * stdout back. */
		ub_err_clear(e);
		if ((rc = ub_console_sync(con, NULL, 10000, e)))
			return rc;
	} else if (rc) {
		return rc;
	}
	if (side.bytes == 0)
		return give_up(nc, 1, e, "nothing came from %s to %s:%d%s%s", nc->net.device_ip,
			       nc->net.server_ip, UB_UBOOT_NC_PORT, *said ? "; the board said: " : "", said);
	return 0;
}

int ub_uboot_nc_read(struct ub_uboot_nc *nc, struct ub_console *con, struct ub_dump_map *m,
		     int idle_ms, struct ub_progress *p, uint64_t base_done, struct ub_err *e)
{
	struct map_ctx ctx = { m, p, base_done };
	size_t lines = ub_dump_map_lines(m), merge = MERGE_LINES, before, a, b, k;
	unsigned round, runs;
	int rc;

	if ((rc = nc_md(nc, con, m, 0, m->len, idle_ms, &ctx, e)) || nc->state != 1)
		return rc;
	nc->lines += lines;
	nc->lost += lines - m->lines_had;
	/* Lines lost on the way are asked for again, in rounds of at most
	 * MAX_RUNS commands.  Nearby runs go in one command; but a loss that
	 * comes at a steady pace (every Nth datagram) can hit the same lines
	 * of the same span again, so a round that brings nothing asks for
	 * shorter spans, down to the missing lines alone. */
	for (round = 0; round < MAX_ROUNDS && m->lines_had < lines && nc->state == 1; round++) {
		before = m->lines_had;
		for (k = 0, runs = 0; !rc && runs < MAX_RUNS && nc->state == 1 &&
		     ub_dump_map_next_run(m, k, merge, &a, &b); k = b, runs++) {
			size_t end = b * 16 < m->len ? b * 16 : m->len;

			rc = nc_md(nc, con, m, (uint64_t)a * 16, end - a * 16, idle_ms, &ctx, e);
		}
		if (rc || (m->lines_had == before && !merge))
			break;
		if (m->lines_had == before)
			merge /= 4;
	}
	if (rc)
		return rc;
	nc->by_console += lines - m->lines_had;   /* what the console must still bring */
	if (m->lines_had == lines) {
		nc->short_pieces = 0;
		return 0;
	}
	if (++nc->short_pieces >= SHORT_IN_A_ROW)
		return give_up(nc, 0, e, "lines went missing on the network and did not come when asked again, %d dumps in a row",
			       SHORT_IN_A_ROW);
	return 0;
}

int ub_uboot_nc_end(struct ub_uboot_nc *nc, struct ub_console *con, struct ub_err *e)
{
	if (nc->lost)
		ub_say("  netconsole: %llu of %llu lines went missing on the network and were asked for again (%llu of them over the console)\n",
		       nc->lost, nc->lines, nc->by_console);
	nc->lines_all += nc->lines - nc->by_console;
	nc->lost_all += nc->lost;
	nc->lines = nc->lost = nc->by_console = 0;
	if (!nc->env_set)
		return 0;
	nc->env_set = 0;
	return ub_uboot_env_restore(con, &nc->saved, e);
}

void ub_uboot_nc_set_log(struct ub_uboot_nc *nc, int fd)
{
	nc->log_fd = fd;
	if (nc->s)
		ub_stream_tee(nc->s, fd);
}

void ub_uboot_nc_free(struct ub_uboot_nc *nc)
{
	ub_stream_close(nc->s);
	nc->s = NULL;
}
