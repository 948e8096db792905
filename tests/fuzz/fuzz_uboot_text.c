/* A U-Boot console is whatever the serial line delivers: a wrong baud
 * rate, a board that reboots mid-command, lines of any length.  The bytes
 * are the board's side of a real socket the console reads, then the text
 * the family's parsers see: `sf probe` lines, flinfo's banks and sectors
 * (and the check of a region against them), md.b and md.l dumps, failure
 * lines, coninfo's device list, and a dump's output as netconsole
 * datagrams. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "io/stream.h"
#include "family/uboot/coninfo.h"
#include "family/uboot/console.h"
#include "family/uboot/dump.h"
#include "family/uboot/flinfo.h"
#include "family/uboot/sf_probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_line(void *ctx, const char *line, size_t len)
{
	ub_dump_line(ctx, line, len);
	return 0;
}

/* The console runs a dump and reads a variable from the bytes, sent as
 * the board would, the link closing after them. */
static void console(const uint8_t *data, size_t size)
{
	struct ub_stream *s;
	struct ub_console c;
	struct ub_console_out out;
	struct ub_err e;
	uint8_t buf[256];
	struct ub_dump d = { 0x1000, buf, sizeof buf, 0, 0, size % 2 ? 4 : 1 };
	char fd[16], val[64];
	int sv[2];

	if (size > 65536 || socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return;
	if (write(sv[1], data, size) != (ssize_t)size) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	shutdown(sv[1], SHUT_WR);
	snprintf(fd, sizeof fd, "%d", sv[0]);
	if (ub_stream_open(&s, "fd", fd, NULL, &e) != 0) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	ub_console_init(&c, s, "=> ");
	if (ub_console_run(&c, d.width == 4 ? "md.l 1000 40" : "md.b 1000 100", 50, on_line, &d, &out, &e) == 0)
		ub_console_out_free(&out);
	ub_console_getenv(&c, "board_name", val, sizeof val, &e);
	ub_console_free(&c);
	ub_stream_close(s);
	close(sv[1]);
}

/* The bytes as netconsole datagrams (cut every few bytes, as U-Boot sends
 * a printf's worth at a time) during a split dump whose console side says
 * only the echo and the marker.  Everything is sent before the run, so it
 * waits for nothing (idle 0): silence ends it at once. */
static void side(const uint8_t *data, size_t size)
{
	static const char con_text[] =
		"=> setenv stdout nc; md.l 1000 40; echo __UB1_END=$?__; setenv stdout serial; echo __UB1_RC=$?__\r\n"
		"__UB1_RC=0__\r\n=> ";
	struct ub_console_side res;
	struct ub_stream *cs = NULL, *ss = NULL;
	struct ub_console c;
	struct ub_console_out out;
	struct ub_err e;
	uint8_t buf[256];
	struct ub_dump d = { 0x1000, buf, sizeof buf, 0, 0, 4 };
	size_t piece = size / 8 + 1 + (size ? data[0] % 32 : 0), at, n;
	int con[2], dg[2];
	char fd[16];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, con) != 0)
		return;
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, dg) != 0) {
		close(con[0]);
		close(con[1]);
		return;
	}
	if (write(con[1], con_text, sizeof con_text - 1) == (ssize_t)(sizeof con_text - 1)) {
		for (at = 0; at < size; at += n) {
			n = size - at < piece ? size - at : piece;
			if (send(dg[1], data + at, n, 0) != (ssize_t)n)
				break;   /* the queue is full: the rest is lost, as on a network */
		}
		snprintf(fd, sizeof fd, "%d", con[0]);
		if (ub_stream_open(&cs, "fd", fd, NULL, &e) == 0) {
			con[0] = -1;
			snprintf(fd, sizeof fd, "%d", dg[0]);
			if (ub_stream_open(&ss, "fd", fd, NULL, &e) == 0) {
				dg[0] = -1;
				ub_console_init(&c, cs, "=> ");
				if (ub_console_run_split(&c, ss, "setenv stdout nc; md.l 1000 40", "setenv stdout serial",
							 0, on_line, &d, &out, &res, &e) == 0)
					ub_console_out_free(&out);
				ub_console_free(&c);
			}
		}
	}
	ub_stream_close(cs);
	ub_stream_close(ss);
	if (con[0] >= 0)
		close(con[0]);
	if (dg[0] >= 0)
		close(dg[0]);
	close(con[1]);
	close(dg[1]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_coninfo ci;
	struct ub_console_out out;
	struct ub_sf_chip chip;
	struct ub_flinfo fl;
	uint8_t buf[64];
	struct ub_dump d = { 0, buf, sizeof buf, 0, 0, 0 };
	struct ub_dump w = { 0, buf, sizeof buf, 0, 0, 4 };
	uint8_t have[4] = { 0 };
	struct ub_dump_map m = { 0x1000, buf, 60, size % 2 ? 4 : 1, have, 0 };
	char *text = malloc(size + 1), last[128];
	const char *p, *nl;
	size_t len;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	ub_sf_parse_probe((const char *)data, size, &chip);
	ub_coninfo_parse((const char *)data, size, &ci);
	if (ub_flinfo_parse((const char *)data, size, &fl) == 0) {
		uint64_t bad, sec, base = fl.bank[0].base;

		/* regions at and around the first bank, in its first sector's
		 * size and in odd blocks */
		ub_flinfo_fits(&fl, base, fl.bank[0].size, fl.bank[0].n > 1 ?
			       fl.bank[0].start[1] - base : fl.bank[0].size, &bad, &sec);
		ub_flinfo_fits(&fl, base + 0x1000, 0x30000, 0x10000, &bad, &sec);
		ub_flinfo_fits(&fl, UINT64_MAX - 0x1000, 0x2000, 0x1000, &bad, &sec);
		ub_flinfo_fits(&fl, base, UINT64_MAX, 1u << 30, &bad, &sec);
		ub_flinfo_free(&fl);
	}
	out = (struct ub_console_out){ text, strlen(text), 0 };
	ub_console_failure(&out, &len);
	ub_console_last_line(&out, last, sizeof last);
	for (p = (const char *)data; p < (const char *)data + size; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)((const char *)data + size - p));
		if (!nl)
			nl = (const char *)data + size;
		ub_dump_line(&d, p, (size_t)(nl - p));
		ub_dump_line(&w, p, (size_t)(nl - p));
		ub_dump_map_line(&m, p, (size_t)(nl - p));
	}
	/* the runs still missing must lie inside the map, and end */
	for (size_t k = 0, a, b, merge = size % 3; ub_dump_map_next_run(&m, k, merge, &a, &b); k = b)
		if (a >= b || b > ub_dump_map_lines(&m) || m.have[a])
			abort();
	if (strlen(ci.other_in) >= sizeof ci.other_in)
		abort();
	free(text);
	console(data, size);
	side(data, size);
	return 0;
}
