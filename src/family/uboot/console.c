#include "family/uboot/console.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define LINE_MAX_LEN 4096   /* a longer line is noise, not U-Boot output */
#define SIDE_TAIL_MS 1000   /* the side's last datagrams, after the console's marker */

/* Messages with which U-Boot commands report failure, whatever $? says
 * (some commands print an error and still return 0). */
static const char *const failures[] = {
	"Unknown command",
	"Error",
	"ERROR",
	"Timeout",
	"Bad CRC",
	"Bad Data CRC",
	"Bad data CRC",
	"Bad Header Checksum",
	"Wrong Image Format",
	"Flash buffer write timeout",
	"Flash not Erased",
	"Can't write to protected Flash sectors",
	"Verify failed",
	"Abort",
	"Retry count exceeded",
	"not defined",
	"Usage:",
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void ub_console_init(struct ub_console *c, struct ub_stream *s,
		     const char *prompt)
{
	memset(c, 0, sizeof c[0]);
	c->s = s;
	snprintf(c->prompt, sizeof c->prompt, "%s", prompt ? prompt : "=> ");
}

void ub_console_free(struct ub_console *c)
{
	free(c->in);
	c->in = NULL;
	c->in_len = c->in_cap = 0;
}

void ub_console_out_free(struct ub_console_out *out)
{
	if (!out)
		return;
	free(out->text);
	memset(out, 0, sizeof *out);
}

/* Makes room for at least want more bytes after len in *buf. */
static int room(char **buf, size_t *cap, size_t len, size_t want, struct ub_err *e)
{
	size_t n = *cap ? *cap : 16384;
	char *p;

	if (*cap - len >= want)
		return 0;
	while (n - len < want)
		n *= 2;
	if (!(p = realloc(*buf, n)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	*buf = p;
	*cap = n;
	return 0;
}

/* Reads what arrives within timeout_ms into c->in.  Returns bytes added,
 * 0 on silence, < 0 on failure. */
static long fill(struct ub_console *c, int timeout_ms, struct ub_err *e)
{
	long n;
	int rc;

	if ((rc = room(&c->in, &c->in_cap, c->in_len, 4096, e)))
		return rc;
	n = ub_stream_read(c->s, c->in + c->in_len, c->in_cap - c->in_len - 1,
			   timeout_ms, e);
	if (n > 0) {
		c->in_len += (size_t)n;
		c->in[c->in_len] = '\0';
		c->rx_bytes += (unsigned long long)n;
	}
	return n;
}

static void consume(struct ub_console *c, size_t n)
{
	if (!c->in)
		return;
	memmove(c->in, c->in + n, c->in_len - n);
	c->in_len -= n;
	c->in[c->in_len] = '\0';
}

static int send_str(struct ub_console *c, const char *s, struct ub_err *e)
{
	return ub_stream_write(c->s, s, strlen(s), 5000, e);
}

/* Sees whether the marker line "__UB<n>_RC=<status>__" is in line. */
static int marker_status(const char *line, size_t len, const char *mark,
			 int *status)
{
	size_t mlen = strlen(mark);
	const char *p;
	char num[16];
	size_t i = 0;

	if (len < mlen + 3 || memcmp(line, mark, mlen) != 0)
		return 0;
	p = line + mlen;
	while (i < sizeof num - 1 && p + i < line + len && p[i] >= '0' && p[i] <= '9') {
		num[i] = p[i];
		i++;
	}
	num[i] = '\0';
	if (i == 0 || p + i + 2 != line + len || memcmp(p + i, "__", 2) != 0)
		return 0;
	*status = atoi(num);
	return 1;
}

static int append(struct ub_console_out *out, const char *line, size_t len,
		  struct ub_err *e)
{
	char *p = realloc(out->text, out->len + len + 2);

	if (!p)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	out->text = p;
	memcpy(out->text + out->len, line, len);
	out->len += len;
	out->text[out->len++] = '\n';
	out->text[out->len] = '\0';
	return 0;
}

/* Output that a command sends somewhere other than the console (the
 * board's stdout moved to netconsole for it): datagrams holding pieces of
 * lines, gathered here into whole lines. */
struct side {
	struct ub_stream *s;
	char mark[32];          /* the line that ends it: "__UB<n>_END=" and a status */
	char *buf;
	size_t len, cap;
	int status;             /* the command's status; -1 until the marker came */
	unsigned long long bytes;
};

/* Hands over the side's complete lines: to on_line, until the end marker. */
static int side_lines(struct side *sd,
		      int (*on_line)(void *ctx, const char *line, size_t len),
		      void *ctx)
{
	char *nl;
	int rc;

	while (sd->status < 0 && sd->len && (nl = memchr(sd->buf, '\n', sd->len))) {
		size_t len = (size_t)(nl - sd->buf), used = len + 1;

		while (len > 0 && sd->buf[len - 1] == '\r')
			len--;
		if (marker_status(sd->buf, len, sd->mark, &sd->status))
			used = sd->len;   /* what follows belongs to no dump */
		else if ((rc = on_line(ctx, sd->buf, len)))
			return rc;
		memmove(sd->buf, sd->buf + used, sd->len - used);
		sd->len -= used;
	}
	if (sd->len > LINE_MAX_LEN)
		sd->len = 0;   /* noise without line ends */
	return 0;
}

/* Reads every datagram already waiting on the side (the first within
 * timeout_ms): a socket buffer holds only milliseconds of a fast board's
 * output, so it is emptied before anything else is done.  Returns the
 * bytes read, 0 on silence, < 0 on failure. */
static long side_fill(struct side *sd, int timeout_ms, struct ub_err *e)
{
	long total = 0, n;
	int rc;

	for (;;) {
		/* room for the largest datagram: a shorter buffer would cut it */
		if ((rc = room(&sd->buf, &sd->cap, sd->len, 65536, e)))
			return rc;
		n = ub_stream_read(sd->s, sd->buf + sd->len, sd->cap - sd->len,
				   total ? 0 : timeout_ms, e);
		if (n < 0)
			return n;
		if (n == 0)
			return total;
		sd->len += (size_t)n;
		sd->bytes += (unsigned long long)n;
		total += n;
		if (total > 256 * 1024)
			return total;   /* hand over lines before the buffer grows on */
	}
}

/* Waits up to timeout_ms for either the console or the side to have
 * bytes: 1 console, 2 side, 3 both, 0 silence, < 0 failure. */
static int wait_either(struct ub_console *c, struct side *sd, int timeout_ms,
		       struct ub_err *e)
{
	struct pollfd p[2] = {
		{ .fd = ub_stream_fd(c->s), .events = POLLIN },
		{ .fd = ub_stream_fd(sd->s), .events = POLLIN },
	};
	int r;

	if (ub_stream_pending(c->s))
		return 1;
	do
		r = poll(p, 2, timeout_ms);
	while (r < 0 && errno == EINTR);
	if (r < 0)
		return ub_err_errno(e, UB_EIO, "io", errno, "waiting for the board");
	return (p[0].revents ? 1 : 0) | (p[1].revents ? 2 : 0);
}

static int run_cmd(struct ub_console *c, const char *cmd, const char *after,
		   struct side *sd, int idle_ms,
		   int (*on_line)(void *ctx, const char *line, size_t len),
		   void *ctx, struct ub_console_out *out, struct ub_err *e)
{
	char mark[32], echo_tail[48], line_buf[1100];
	int echo_seen = 0, console_done = 0, rc;
	long got = 0;

	memset(out, 0, sizeof *out);
	if (strlen(cmd) + (after ? strlen(after) : 0) > 900)
		return ub_err_set(e, UB_EUSAGE, NULL, "console command too long (%zu bytes)", strlen(cmd));
	c->seq++;
	snprintf(mark, sizeof mark, "__UB%u_RC=", c->seq);
	snprintf(echo_tail, sizeof echo_tail, "echo %s$?__", mark);
	if (sd) {
		/* The side's marker carries cmd's status; the console's, that
		 * of after (which brings the output back). */
		snprintf(sd->mark, sizeof sd->mark, "__UB%u_END=", c->seq);
		snprintf(line_buf, sizeof line_buf, "%s; echo %s$?__; %s; %s\n", cmd, sd->mark, after, echo_tail);
	} else {
		snprintf(line_buf, sizeof line_buf, "%s; %s\n", cmd, echo_tail);
	}
	if ((rc = send_str(c, line_buf, e)))
		return rc;
	for (;;) {
		char *nl = c->in_len ? memchr(c->in, '\n', c->in_len) : NULL;
		long n;

		if (nl) {
			size_t len = (size_t)(nl - c->in);
			const char *line = c->in;
			int status;

			while (len > 0 && line[len - 1] == '\r')
				len--;
			/* The prompt may stick to the start of the echoed line. */
			if (!echo_seen) {
				if (len >= strlen(echo_tail) &&
				    memcmp(line + len - strlen(echo_tail), echo_tail, strlen(echo_tail)) == 0)
					echo_seen = 1;
			} else if (!console_done && marker_status(line, len, mark, &status)) {
				out->status = status;
				consume(c, (size_t)(nl - c->in) + 1);
				if (!sd || sd->status >= 0)
					return 0;
				console_done = 1;
				continue;
			} else if (on_line && !sd) {
				if ((rc = on_line(ctx, line, len)))
					return rc;
			} else if (!console_done && (rc = append(out, line, len, e))) {
				return rc;
			}
			consume(c, (size_t)(nl - c->in) + 1);
			continue;
		}
		if (c->in_len > LINE_MAX_LEN)
			consume(c, c->in_len);   /* noise without line ends */
		if (sd) {
			/* The console's marker may overtake the side's last
			 * datagrams (two paths through the machine): a moment
			 * more for them, then the side's output is short. */
			int ready = console_done ? 2 : wait_either(c, sd, idle_ms, e);

			if (ready < 0)
				return ready;
			if (ready == 0)
				return ub_err_set(e, UB_ETIMEOUT, "console-silent",
						  "the board said nothing for %d ms while running '%s'",
						  idle_ms, cmd);
			if ((ready & 1) && (n = fill(c, 0, e)) < 0)
				return (int)n;
			if (ready & 2) {
				n = side_fill(sd, console_done ? (idle_ms < SIDE_TAIL_MS ? idle_ms : SIDE_TAIL_MS) : 0, e);
				if (n < 0)
					return (int)n;
				if ((rc = side_lines(sd, on_line, ctx)))
					return rc;
				if (console_done && (n == 0 || sd->status >= 0))
					return 0;
			}
			continue;
		}
		n = fill(c, idle_ms, e);
		if (n < 0)
			return (int)n;
		if (n == 0)
			return ub_err_set(e, UB_ETIMEOUT, "console-silent",
					  "the board said nothing for %d ms while running '%s'",
					  idle_ms, cmd);
		/* A long output (a dump) comes a few bytes per read from a UART,
		 * QEMU's included: a read per handful of bytes cost more CPU
		 * than the board's own emulation on the same cores.  Once the
		 * output is long, a short read naps 1 ms to let it gather. */
		got += n;
		if (got > 4096 && n < 256)
			nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
}

int ub_console_run(struct ub_console *c, const char *cmd, int idle_ms,
		   int (*on_line)(void *ctx, const char *line, size_t len),
		   void *ctx, struct ub_console_out *out, struct ub_err *e)
{
	int rc = run_cmd(c, cmd, NULL, NULL, idle_ms, on_line, ctx, out, e);

	/* what came before the link failed is not an answer: callers that
	 * return at once must not leak it */
	if (rc)
		ub_console_out_free(out);
	return rc;
}

int ub_console_run_split(struct ub_console *c, struct ub_stream *side,
			 const char *cmd, const char *after, int idle_ms,
			 int (*on_line)(void *ctx, const char *line, size_t len),
			 void *ctx, struct ub_console_out *out,
			 struct ub_console_side *res, struct ub_err *e)
{
	struct side sd = { .s = side, .status = -1 };
	int rc;

	rc = run_cmd(c, cmd, after, &sd, idle_ms, on_line, ctx, out, e);
	res->status = sd.status;
	res->bytes = sd.bytes;
	free(sd.buf);
	if (rc && rc != UB_ETIMEOUT)
		ub_console_out_free(out);
	return rc;
}

const char *ub_console_failure(const struct ub_console_out *out,
			       size_t *line_len)
{
	const char *p = out->text;
	size_t i;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		for (i = 0; i < sizeof failures / sizeof failures[0]; i++) {
			size_t fl = strlen(failures[i]);
			size_t k;

			for (k = 0; k + fl <= len; k++)
				if (memcmp(p + k, failures[i], fl) == 0) {
					*line_len = len;
					return p;
				}
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

void ub_console_last_line(const struct ub_console_out *out, char *buf, size_t len)
{
	const char *p = out->text ? out->text : "";
	size_t n = strlen(p);

	while (n > 0 && (p[n - 1] == '\n' || p[n - 1] == ' '))
		n--;
	buf[0] = '\0';
	if (n > 0) {
		const char *start = p + n;

		while (start > p && start[-1] != '\n')
			start--;
		while (*start == ' ')
			start++;
		snprintf(buf, len, "%.*s", (int)(p + n - start), start);
	}
}

int ub_console_check(struct ub_console *c, const char *cmd, int idle_ms,
		     struct ub_console_out *out, struct ub_err *e)
{
	const char *bad;
	size_t len = 0;
	int rc = ub_console_run(c, cmd, idle_ms, NULL, NULL, out, e);

	if (rc)
		return rc;
	bad = ub_console_failure(out, &len);
	if (bad || out->status != 0) {
		if (!bad) {
			bad = out->text ? out->text : "";
			len = strcspn(bad, "\n");
		}
		return ub_err_set(e, UB_EFAIL, "board-command",
				  "the board refused '%s' (status %d): %.*s", cmd,
				  out->status, (int)(len > 300 ? 300 : len), bad);
	}
	return 0;
}

int ub_console_sync(struct ub_console *c, const char *stop_keys,
		    int timeout_ms, struct ub_err *e)
{
	long long deadline = now_ms() + timeout_ms, next_key = 0;
	struct ub_console_out out;
	size_t plen = strlen(c->prompt);
	int rc, proved, quiet_ms = 20;

	/* Wait for a prompt at the end of what the board sent, poking it
	 * with the stop keys: during the countdown any key stops autoboot. */
	for (;;) {
		long n;

		if (c->in_len >= plen &&
		    memcmp(c->in + c->in_len - plen, c->prompt, plen) == 0) {
			/* and nothing more follows for a moment */
			n = fill(c, quiet_ms, e);
			if (n < 0)
				return (int)n;
			if (n > 0)
				continue;
			/* Prove the round trip with a marker: a shell that runs
			 * `true` and says 0 is ours.  A board still busy (a prompt
			 * printed mid-boot, our line eaten by a countdown) fails
			 * this; then wait longer for quiet and try again. */
			consume(c, c->in_len);
			rc = ub_console_run(c, "true", 3000, NULL, NULL, &out, e);
			proved = !rc && out.status == 0;
			ub_console_out_free(&out);
			if (rc && rc != UB_ETIMEOUT)
				return rc;   /* the link itself is gone */
			if (proved) {
				consume(c, c->in_len);
				return 0;
			}
			ub_err_clear(e);
			quiet_ms = 150;
			next_key = 0;
		}
		if (now_ms() >= deadline)
			return ub_err_set(e, UB_ETIMEOUT, "console-no-prompt",
					  "no U-Boot prompt ('%s') within %d s", c->prompt,
					  timeout_ms / 1000);
		if (now_ms() >= next_key) {
			/* The keys stop the countdown; Ctrl-C then clears whatever
			 * they typed at a prompt and makes U-Boot print a fresh one
			 * (a bare newline would repeat the last command). */
			if ((stop_keys && *stop_keys && (rc = send_str(c, stop_keys, e))) ||
			    (rc = send_str(c, "\003", e)))
				return rc;
			next_key = now_ms() + 300;
		}
		n = fill(c, 100, e);
		if (n < 0)
			return (int)n;
		if (c->in_len > 65536)
			consume(c, c->in_len - 1024);   /* keep the tail: the prompt is there */
	}
}

int ub_console_getenv(struct ub_console *c, const char *name, char *val,
		      size_t len, struct ub_err *e)
{
	struct ub_console_out out;
	char cmd[160];
	size_t nlen = strlen(name);
	const char *p;
	int rc;

	if (nlen == 0 || nlen > 100 || strpbrk(name, " ;$'\"\\"))
		return ub_err_set(e, UB_EUSAGE, NULL, "bad variable name '%s'", name);
	snprintf(cmd, sizeof cmd, "printenv %s", name);
	rc = ub_console_run(c, cmd, 3000, NULL, NULL, &out, e);
	if (rc)
		return rc;
	rc = 1;
	for (p = out.text; p && *p; ) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);

		if (out.status == 0 && l > nlen && memcmp(p, name, nlen) == 0 && p[nlen] == '=') {
			snprintf(val, len, "%.*s", (int)(l - nlen - 1), p + nlen + 1);
			rc = 0;
			break;
		}
		p = nl ? nl + 1 : NULL;
	}
	ub_console_out_free(&out);
	return rc;
}

int ub_console_do(struct ub_console *c, const char *cmd, int idle_ms, struct ub_err *e)
{
	struct ub_console_out out;
	int rc = ub_console_check(c, cmd, idle_ms, &out, e);

	ub_console_out_free(&out);
	return rc;
}
