/* Output conventions shared by every command. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base/say.h"

struct cli_out cli_out;

void cli_out_init(void)
{
	const char *nc = getenv("NO_COLOR");

	memset(&cli_out, 0, sizeof cli_out);
	cli_out.tty = isatty(STDERR_FILENO);
	cli_out.color = cli_out.tty && !(nc && *nc);
	ub_say_set_hook(cli_progress_clear);
}

const char *cli_color(const char *name)
{
	if (!cli_out.color)
		return "";
	if (strcmp(name, "green") == 0) return "\033[32m";
	if (strcmp(name, "red") == 0) return "\033[31m";
	if (strcmp(name, "yellow") == 0) return "\033[33m";
	if (strcmp(name, "bold") == 0) return "\033[1m";
	if (strcmp(name, "dim") == 0) return "\033[2m";
	return "";
}

const char *cli_reset(void)
{
	return cli_out.color ? "\033[0m" : "";
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
	if (!obj)
		return;
	json_dumpf(obj, stdout, JSON_COMPACT | JSON_ENSURE_ASCII);
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(obj);
}

int cli_fail(const struct ub_err *e)
{
	const char *advice = ub_err_advice(e);
	int status = ub_exit_code(e->code ? e->code : UB_EFAIL);

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
	va_list ap;

	fprintf(stderr, "unbrick %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry 'unbrick %s --help'.\n", cmd);
	return UB_EXIT_USAGE;
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
