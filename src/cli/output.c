/* Output conventions shared by every command: results on stdout (one
 * JSON object with --json), what goes on on stderr.
 *
 * Everything the front end prints on stdout and stderr passes through
 * ub_sanitize (base/sanitize.h): the streams themselves are wrapped, so a
 * model name, a console line, an image's metadata or an error message
 * quoting a network peer cannot move the cursor, clear the screen or set
 * the terminal's title, whichever printf put it there.  Filtering the
 * stream rather than each argument means no call site can forget.
 *
 * unbrick's own escape sequences (colours, the progress bar's line
 * clearing) are tagged: ESC, a tag drawn at random for this process, the
 * length, then the sequence.  The filter lets exactly those through; an
 * ESC from anywhere else cannot carry the tag.  JSON does not pass the
 * filter: jansson escapes its strings already (and a filtered DEL would
 * not be JSON). */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "cli.h"
#include "base/sanitize.h"
#include "base/say.h"
#include "base/strbuf.h"

struct cli_out cli_out;

#define TAG_LEN 16

static char tag[TAG_LEN + 1];
static FILE *raw_stdout;   /* the process's own stdout, for JSON */

/* A filtered stream: what it was given, made safe, goes to fd.  A UTF-8
 * sequence or a tagged sequence cut between two writes waits in hold. */
struct filter {
	int fd;
	char hold[32];
	size_t nhold;
};

static struct filter out_filter = { 1, { 0 }, 0 }, err_filter = { 2, { 0 }, 0 };

/* Our own sequences, tagged; built once the tag is known. */
static char seq_green[40], seq_red[40], seq_yellow[40], seq_bold[40], seq_dim[40],
	seq_reset[40], seq_clear_line[40];

static void tagged(char *out, size_t len, const char *seq)
{
	snprintf(out, len, "\033%s%c%s", tag, (char)('0' + strlen(seq)), seq);
}

/* How long the tagged sequence at p is; 0: not one of ours; -1: p may
 * be the start of one, cut by the end of the write. */
static long tagged_len(const char *p, size_t n)
{
	size_t L;

	if (!tag[0])
		return 0;
	if (n < 2 + TAG_LEN)
		return memcmp(p + 1, tag, n - 1) == 0 ? -1 : 0;
	if (memcmp(p + 1, tag, TAG_LEN) != 0)
		return 0;
	L = (size_t)(p[1 + TAG_LEN] - '0');
	if (L < 1 || L > 9)
		return 0;
	return n < 2 + TAG_LEN + L ? -1 : (long)(2 + TAG_LEN + L);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);

		if (w <= 0)
			return;   /* a closed pipe: the output has nowhere to go */
		p += w;
		n -= (size_t)w;
	}
}

static ssize_t filter_write(void *cookie, const char *buf, size_t n)
{
	struct filter *f = cookie;
	struct ub_strbuf out = { 0 };
	char *joined = NULL;
	const char *p = buf;
	size_t len = n, i = 0;

	if (f->nhold) {
		if (!(joined = malloc(f->nhold + n)))
			return -1;
		memcpy(joined, f->hold, f->nhold);
		memcpy(joined + f->nhold, buf, n);
		p = joined;
		len = f->nhold + n;
		f->nhold = 0;
	}
	while (i < len) {
		const char *esc = memchr(p + i, '\033', len - i);
		long t;

		if (!esc) {
			i += ub_sanitize_put_some(&out, p + i, len - i);
			break;
		}
		/* an ESC ends any UTF-8 sequence before it */
		ub_sanitize_put(&out, p + i, (size_t)(esc - (p + i)));
		i = (size_t)(esc - p);
		if ((t = tagged_len(p + i, len - i)) < 0)
			break;
		if (t > 0) {
			ub_sb_put(&out, p + i + 2 + TAG_LEN, (size_t)t - 2 - TAG_LEN);
			i += (size_t)t;
		} else {
			ub_sanitize_put(&out, p + i, 1);
			i++;
		}
	}
	/* what is left is shorter than hold: a cut sequence */
	memcpy(f->hold, p + i, len - i);
	f->nhold = len - i;
	if (out.p)
		write_all(f->fd, out.p, out.len);
	free(out.p);
	free(joined);
	return (ssize_t)n;
}

/* At exit: what still waits in hold was never completed. */
static void filters_end(void)
{
	struct filter *fs[] = { &out_filter, &err_filter };
	size_t i;

	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < 2; i++)
		if (fs[i]->nhold) {
			struct ub_strbuf b = { 0 };

			ub_sanitize_put(&b, fs[i]->hold, fs[i]->nhold);
			if (b.p)
				write_all(fs[i]->fd, b.p, b.len);
			free(b.p);
			fs[i]->nhold = 0;
		}
}

static FILE *filtered(struct filter *f, int mode)
{
	cookie_io_functions_t io = { NULL, filter_write, NULL, NULL };
	FILE *s = fopencookie(f, "w", io);

	if (s)
		setvbuf(s, NULL, mode, BUFSIZ);
	return s;
}

static void filters_start(void)
{
	unsigned char r[TAG_LEN / 2];
	FILE *o, *e;
	size_t i;

	if (getrandom(r, sizeof r, 0) == (ssize_t)sizeof r)
		for (i = 0; i < sizeof r; i++)
			snprintf(tag + 2 * i, 3, "%02x", r[i]);
	tagged(seq_green, sizeof seq_green, "\033[32m");
	tagged(seq_red, sizeof seq_red, "\033[31m");
	tagged(seq_yellow, sizeof seq_yellow, "\033[33m");
	tagged(seq_bold, sizeof seq_bold, "\033[1m");
	tagged(seq_dim, sizeof seq_dim, "\033[2m");
	tagged(seq_reset, sizeof seq_reset, "\033[0m");
	tagged(seq_clear_line, sizeof seq_clear_line, "\r\033[K");
	fflush(stdout);
	fflush(stderr);
	o = filtered(&out_filter, isatty(STDOUT_FILENO) ? _IOLBF : _IOFBF);
	e = filtered(&err_filter, _IONBF);
	if (!o || !e) {   /* no memory at start: plain streams, no colours */
		if (o)
			fclose(o);
		if (e)
			fclose(e);
		tag[0] = '\0';
		return;
	}
	raw_stdout = stdout;
	stdout = o;
	stderr = e;
	atexit(filters_end);
}

void cli_out_init(void)
{
	const char *nc = getenv("NO_COLOR");

	memset(&cli_out, 0, sizeof cli_out);
	filters_start();
	cli_out.tty = isatty(STDERR_FILENO) && tag[0];
	cli_out.color = cli_out.tty && !(nc && *nc);
	ub_say_set_hook(cli_progress_clear);
}

const char *cli_color(const char *name)
{
	if (!cli_out.color)
		return "";
	if (strcmp(name, "green") == 0) return seq_green;
	if (strcmp(name, "red") == 0) return seq_red;
	if (strcmp(name, "yellow") == 0) return seq_yellow;
	if (strcmp(name, "bold") == 0) return seq_bold;
	if (strcmp(name, "dim") == 0) return seq_dim;
	return "";
}

const char *cli_reset(void)
{
	return cli_out.color ? seq_reset : "";
}

const char *cli_clear_line(void)
{
	return cli_out.tty ? seq_clear_line : "";
}

json_t *cli_json_error(const struct ub_err *e)
{
	const char *advice = ub_err_advice(e);

	return json_pack("{s:s, s:s, s:s?, s:s?}",
			 "code", ub_code_name(e->code),
			 "message", e->msg,
			 "advice_id", e->advice_id,
			 "advice", advice);
}

void cli_json_emit(json_t *obj)
{
	FILE *o = raw_stdout ? raw_stdout : stdout;

	if (!obj)
		return;
	fflush(stdout);   /* text before it stays before it */
	json_dumpf(obj, o, JSON_COMPACT | JSON_ENSURE_ASCII);
	fputc('\n', o);
	fflush(o);
	json_decref(obj);
}

void cli_json_text(const char *text)
{
	FILE *o = raw_stdout ? raw_stdout : stdout;

	fflush(stdout);
	fputs(text, o);
	fflush(o);
}

int cli_fail(const struct ub_err *err)
{
	struct ub_err copy = *err, *e = &copy;
	const char *advice = ub_err_advice(e);
	int status;

	/* a case id that names no case is a usage error, like any name that
	 * does not exist */
	if (e->advice_id && strcmp(e->advice_id, "case-missing") == 0)
		e->code = UB_EUSAGE;
	status = ub_exit_code(e->code ? e->code : UB_EFAIL);
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:i, s:o}", "ok", 0,
					"exit", status, "error",
					cli_json_error(e)));
	fprintf(stderr, "%sunbrick: error:%s %s\n", cli_color("red"),
		cli_reset(), e->msg[0] ? e->msg : ub_code_name(e->code));
	if (advice)
		fprintf(stderr, "  what to do: %s\n", advice);
	return status;
}

int cli_usage_error(const char *cmd, const char *fmt, ...)
{
	struct ub_err e;
	va_list ap;

	ub_err_clear(&e);
	va_start(ap, fmt);
	vsnprintf(e.msg, sizeof e.msg, fmt, ap);
	va_end(ap);
	e.code = UB_EUSAGE;
	e.advice_id = "usage";
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:i, s:o}", "ok", 0, "exit", UB_EXIT_USAGE,
					"error", cli_json_error(&e)));
	fprintf(stderr, "unbrick %s: %s\nTry 'unbrick %s --help'.\n", cmd, e.msg, cmd);
	return UB_EXIT_USAGE;
}

int cli_confirm(const char *question, const char *want)
{
	char line[128];

	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "unbrick: %s, but there is nobody to ask: pass --yes to go on without asking\n",
			question);
		return 0;
	}
	cli_progress_clear();
	fprintf(stderr, "%s.\nType '%s' to go on: ", question, want);
	if (!fgets(line, sizeof line, stdin))
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, want) == 0;
}

const char *cli_bytes(double n, char *buf, size_t len)
{
	static const char *const units[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	int u = 0;

	while (n >= 1024 && u < 4) {
		n /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%.0f %s", n, units[u]);
	else
		snprintf(buf, len, "%.1f %s", n, units[u]);
	return buf;
}
