/* Shared pieces of the command-line front end: the command and option
 * tables, output conventions and the exit status.
 *
 * Results (lists, verdicts, case ids, reports, paths of what was written)
 * go to stdout, so they pipe; progress, diagnostics and prompts go to
 * stderr.  With --json, stdout carries one JSON object instead of the
 * text, usage errors included. */
#ifndef UB_CLI_H
#define UB_CLI_H

#include <getopt.h>   /* optarg and optind after cli_getopt */
#include <stdio.h>

#include <jansson.h>

#include "base/err.h"
#include "base/progress.h"

/* One option of a command.  key is what cli_getopt returns for it: a
 * letter when the option has a short form (-d), else a value of 256 and
 * up.  arg names its value (NULL: a flag); "a|b|c" means one of these
 * words, which completion offers.  A row with name NULL and help set is a
 * heading in --help; a row of NULLs ends the table. */
struct cli_opt {
	const char *name;
	int key;
	const char *arg;
	const char *help;
};
#define CLI_HEADING(text) { NULL, 0, NULL, text }
#define CLI_END { NULL, 0, NULL, NULL }

enum cli_cmd_flags {
	/* takes --device: the families' options and device specs too */
	CLI_DEVICE = 1u << 0,
	/* reports progress: --json-progress */
	CLI_PROGRESS = 1u << 1,
	/* writes data to the device, reads its flash back: the families'
	 * options for those (UB_PARAM_USE_WRITE, UB_PARAM_USE_READ) */
	CLI_WRITES = 1u << 2,
	CLI_READS = 1u << 3,
};

/* A command: one table drives its parsing, its --help, the man page check
 * and bash completion. */
struct cli_cmd {
	const char *name;       /* "recover", or "case new" for a subcommand */
	const char *summary;    /* one line for `unbrick --help` */
	const char *synopsis;   /* after "unbrick NAME "; '\n' starts another form */
	const char *about;      /* what it does, in lines of at most 78 */
	const struct cli_opt *opts;
	const char *exits;      /* the exit status paragraph */
	unsigned flags;         /* enum cli_cmd_flags */
	int (*run)(int argc, char **argv);   /* returns an exit status */
	/* subcommands ("case new", ...), NULL-terminated, or NULL */
	const struct cli_cmd *const *subs;
};

/* Every command, in the order --help lists them, NULL-terminated. */
extern const struct cli_cmd *const cli_commands[];

/* Options every command has; the engine handles them itself. */
enum {
	CLI_O_JSON = 0x4000,
	CLI_O_JSON_PROGRESS,
	CLI_O_FAMILY = 0x5000,   /* + index: the families' options */
};

/* getopt_long over cmd's table: returns the next option's key, -1 at the
 * end (optind is then the first operand), 'h' after printing the help
 * (exit 0), or '?' after printing a usage error (exit 2): an unknown or
 * abbreviated option (with the near one, or the commands that have it),
 * a missing value.  --json, --json-progress and the families' options
 * are taken care of here and not returned. */
int cli_getopt(const struct cli_cmd *cmd, int argc, char **argv);

/* Prints cmd's help: usage, about, its options, the families' options
 * and device specs when it takes --device, output options, exit status. */
void cli_help(const struct cli_cmd *cmd, FILE *f);

/* The command or subcommand named, or NULL. */
const struct cli_cmd *cli_find_cmd(const char *name);

/* Runs the subcommand argv[1] of parent (case new|show|...). */
int cli_run_sub(const struct cli_cmd *parent, int argc, char **argv);

/* Prints text wrapped at 79 columns: the first line goes on from column
 * col0 (where the cursor is), the others start at column indent. */
void cli_wrap(FILE *f, const char *text, int col0, int indent);

/* --- the families' options and device specs (family_opts.c) --- */

/* An option some family declares for one of its spec parameters (--via
 * for via=): the first family's definition, and the value given. */
struct ub_param_def;
struct ub_family;
struct cli_famopt {
	const char *option;               /* "via" */
	const struct ub_param_def *def;
	const struct ub_family *fam;      /* the first family declaring it */
	const char *value;                /* from the command line, or NULL */
};

/* The families' options, built once from every registered family. */
size_t cli_famopts(struct cli_famopt **v);
/* Whether cmd takes the family option d (a --device command, and one
 * that writes or reads when the option is only for those). */
int cli_famopt_for(const struct cli_cmd *cmd, const struct ub_param_def *d);

/* The value's name in --help: the choices, N, IP, PATH or TEXT. */
const char *cli_param_arg(const struct ub_param_def *d);

/* device with the families' options given on the command line appended
 * as its parameters, checked against its family (transport, parameter
 * names, values) before anything else happens.  An option the device's
 * family does not declare is a usage error naming the family that does.
 * Returns 0, or the exit status after saying what is wrong. */
int cli_device_spec(const char *cmd, const char *device, char *out, size_t len);

/* Help sections: the families' options (the lines of a --help), and the
 * device specs (FAMILY:TRANSPORT:ADDRESS with each family's transports;
 * with params, each family's parameters too). */
void cli_help_famopts(FILE *f, const struct cli_cmd *cmd);
void cli_help_devices(FILE *f, int params);

/* --- output --- */

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

/* Prints "unbrick: error: MSG" and "  what to do: ADVICE" on stderr (and,
 * with --json, an {"ok":false,"exit":N,"error":{...}} object on stdout)
 * and returns the exit status for the error.  A name that does not exist
 * (a case id) is a usage error: exit 2. */
int cli_fail(const struct ub_err *e);

/* Usage error for a command: message, then "Try 'unbrick CMD --help'."
 * on stderr, and the JSON error object with --json. */
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

/* Asks the person at the terminal to type want; 1 when they did.  Without
 * a terminal on stdin nobody can answer: 0, after saying which option
 * (--yes) goes on without asking. */
int cli_confirm(const char *question, const char *want);
/* check_set.c: the image set IMAGE is (its images in order, requirements,
 * what it leaves out), said on stderr when human; NULL when it is none. */
json_t *cli_check_set(const char *path, int human);

/* A case id from the command line: 0, or -1 when not a positive number. */
int cli_parse_case_id(const char *s, long long *id);

/* Shared JSON forms. */
struct ub_identity;
json_t *cli_identity_json(const struct ub_identity *id);
struct ub_backup;
json_t *cli_backup_json(const char *dir, const struct ub_backup *b);

#endif
