/* Shared pieces of the command-line front end: the command table, output
 * conventions (human text on stderr, one JSON object on stdout), colours
 * and the exit status. */
#ifndef UB_CLI_H
#define UB_CLI_H

#include <stdio.h>

#include <jansson.h>

#include "base/err.h"
#include "base/progress.h"

struct cli_cmd {
	const char *name;
	const char *summary;   /* one line for `unbrick --help` */
	int (*run)(int argc, char **argv);   /* returns an exit status */
};

/* Global output settings, from the environment and common options.
 * cli_out_init also wraps stdout and stderr so that what they print is
 * safe for a terminal (see output.c); colours come from cli_color. */
struct cli_out {
	int json;            /* --json: one result object on stdout */
	int json_progress;   /* --json-progress: events on stdout, one per line */
	int color;           /* stderr is a TTY and NO_COLOR is unset */
	int tty;             /* stderr is a TTY: progress bars allowed */
	int quiet;
};
extern struct cli_out cli_out;

void cli_out_init(void);

/* Prints "unbrick: error: MSG" and "  what to do: ADVICE" on stderr (or,
 * with --json, an {"ok":false,"error":{...}} object on stdout) and returns
 * the exit status for the error. */
int cli_fail(const struct ub_err *e);

/* Usage error for a command: message, then "Try 'unbrick CMD --help'." */
int cli_usage_error(const char *cmd, const char *fmt, ...) UB_PRINTF(2, 3);

/* Prints obj as one line of JSON on stdout and frees it. */
void cli_json_emit(json_t *obj);

/* The JSON form of an error: {"code":..., "message":..., "advice":...}. */
json_t *cli_json_error(const struct ub_err *e);

/* ANSI colour around text when colours are on ("green", "red", "yellow",
 * "bold", "dim"); returns "" otherwise. */
const char *cli_color(const char *name);
const char *cli_reset(void);

/* Back to the start of the terminal line, erasing it (for the progress
 * bar); "" when stderr is no terminal. */
const char *cli_clear_line(void);

/* Prints text, a JSON document, on stdout as it is (JSON is escaped
 * already; the filter on stdout would spoil a DEL in it). */
void cli_json_text(const char *text);

/* A progress sink drawing a bar on a TTY and/or JSON events, per cli_out.
 * Pass as the sink of a ub_progress root, with NULL ctx. */
void cli_progress_sink(void *ctx, const struct ub_progress_event *ev);

/* Clears a progress bar from the terminal line (before other output). */
void cli_progress_clear(void);

/* Human byte counts: "1.5 MiB". */
const char *cli_bytes(double n, char *buf, size_t len);

/* Commands, each in its own file. */
int cmd_check(int argc, char **argv);
int cmd_identify(int argc, char **argv);
int cmd_diagnose(int argc, char **argv);
int cmd_bundle(int argc, char **argv);
int cmd_backup(int argc, char **argv);
int cmd_case(int argc, char **argv);
int cmd_cases(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_recover(int argc, char **argv);
int cmd_flash(int argc, char **argv);
int cmd_verify(int argc, char **argv);
int cmd_restore(int argc, char **argv);
int cmd_profile(int argc, char **argv);
int cmd_profiles(int argc, char **argv);

/* A case id from the command line: 0, or -1 when not a positive number. */
/* device with the options that travel in the spec appended as its
 * parameters: kv holds key, value pairs in the spec's spelling
 * ("server_ip", "10.0.0.1"), ending with NULL; a NULL value is left out.
 * Returns 0, or the usage error's exit status (a value with a comma, a
 * spec longer than len). */
int cli_spec_params(char *out, size_t len, const char *device, const char *cmd,
		    const char *const *kv);

int cli_parse_case_id(const char *s, long long *id);

/* Shared JSON forms. */
struct ub_identity;
json_t *cli_identity_json(const struct ub_identity *id);
struct ub_backup;
json_t *cli_backup_json(const char *dir, const struct ub_backup *b);

#endif
