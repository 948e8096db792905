/* Options from the command tables: getopt_long driven by a command's own
 * table (and the families' options when it takes --device), with errors
 * that name the fix, and --help printed from the same rows. */
#include <ctype.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base/suggest.h"

#define MAX_OPTS 96

/* The parse in progress: the command's options as getopt wants them. */
static struct {
	const struct cli_cmd *cmd;
	struct option lo[MAX_OPTS + 1];
	const char *arg[MAX_OPTS];   /* each option's value name, NULL: a flag */
	char shorts[3 * MAX_OPTS + 2];
	size_t n;
} P;

static void add(const char *name, int key, const char *arg)
{
	if (P.n == MAX_OPTS)
		return;   /* the tables are ours, and far below MAX_OPTS */
	P.lo[P.n] = (struct option){ name, arg ? required_argument : no_argument, NULL, key };
	P.arg[P.n] = arg;
	P.n++;
	if (key > 0 && key < 128 && isalnum(key)) {
		size_t l = strlen(P.shorts);

		P.shorts[l++] = (char)key;
		if (arg)
			P.shorts[l++] = ':';
		P.shorts[l] = '\0';
	}
}

static void build(const struct cli_cmd *cmd)
{
	const struct cli_opt *o;
	struct cli_famopt *fo;
	size_t i, nf;

	memset(&P, 0, sizeof P);
	P.cmd = cmd;
	/* ':' first: a missing value comes back as ':', not as '?' */
	strcpy(P.shorts, ":");
	for (o = cmd->opts; o && (o->name || o->help); o++)
		if (o->name)
			add(o->name, o->key, o->arg);
	nf = cli_famopts(&fo);
	for (i = 0; i < nf; i++) {
		fo[i].value = NULL;
		if (cli_famopt_for(cmd, fo[i].def))
			add(fo[i].option, CLI_O_FAMILY + (int)i, cli_param_arg(fo[i].def));
	}
	add("json", CLI_O_JSON, NULL);
	if (cmd->flags & CLI_PROGRESS)
		add("json-progress", CLI_O_JSON_PROGRESS, NULL);
	add("help", 'h', NULL);
}

/* Whether cmd takes the long option name. */
static int has_option(const struct cli_cmd *cmd, const char *name)
{
	const struct cli_opt *o;
	struct cli_famopt *fo;
	size_t i, nf;

	for (o = cmd->opts; o && (o->name || o->help); o++)
		if (o->name && strcmp(o->name, name) == 0)
			return 1;
	nf = cli_famopts(&fo);
	for (i = 0; i < nf; i++)
		if (strcmp(fo[i].option, name) == 0 && cli_famopt_for(cmd, fo[i].def))
			return 1;
	return (cmd->flags & CLI_PROGRESS) && strcmp(name, "json-progress") == 0;
}

/* "recover, flash": the other commands that have --name. */
static void owners(const char *name, char *out, size_t len)
{
	const struct cli_cmd *const *c, *const *s;

	out[0] = '\0';
	for (c = cli_commands; *c; c++) {
		if ((*c)->subs) {
			for (s = (*c)->subs; *s; s++)
				if (*s != P.cmd && has_option(*s, name))
					snprintf(out + strlen(out), len - strlen(out), "%s%s",
						 out[0] ? ", " : "", (*s)->name);
		} else if (*c != P.cmd && has_option(*c, name)) {
			snprintf(out + strlen(out), len - strlen(out), "%s%s", out[0] ? ", " : "",
				 (*c)->name);
		}
	}
}

/* What typo may have meant: the one long option it is a typo or an
 * abbreviation of ("--device"), those it abbreviates when several
 * ("--device or --device-ip"), or "" when none is near.  Returns 1 when
 * typo was a shortened name. */
static int near_options(const char *typo, char *out, size_t len)
{
	const char *names[MAX_OPTS], *near;
	size_t i, nprefix = 0, tl = strlen(typo);

	out[0] = '\0';
	for (i = 0; i < P.n; i++) {
		names[i] = P.lo[i].name;
		if (tl && strncmp(P.lo[i].name, typo, tl) == 0 && nprefix++ < 4)
			snprintf(out + strlen(out), len - strlen(out), "%s'--%s'", out[0] ? " or " : "",
				 P.lo[i].name);
	}
	if (nprefix)
		return 1;
	if ((near = ub_suggest(typo, names, P.n)) != NULL)
		snprintf(out, len, "'--%s'", near);
	return 0;
}

static int unknown_long(const char *text)
{
	char name[64], others[256], near[160];
	int shortened;

	snprintf(name, sizeof name, "%.*s", (int)strcspn(text + 2, "="), text + 2);
	shortened = near_options(name, near, sizeof near);
	owners(name, others, sizeof others);
	if (near[0])
		return cli_usage_error(P.cmd->name, "unknown option '--%s'; did you mean %s?%s", name, near,
				       shortened ? " (options are spelled out in full)" : "");
	if (others[0])
		return cli_usage_error(P.cmd->name, "unknown option '--%s': it is an option of %s, not of %s",
				       name, others, P.cmd->name);
	return cli_usage_error(P.cmd->name, "unknown option '--%s'", name);
}

static const char *name_of(int key)
{
	static char s[4];
	size_t i;

	for (i = 0; i < P.n; i++)
		if (P.lo[i].val == key)
			return P.lo[i].name;
	snprintf(s, sizeof s, "%c", key > 32 && key < 127 ? key : '?');
	return s;
}

static const char *arg_of(int key)
{
	size_t i;

	for (i = 0; i < P.n; i++)
		if (P.lo[i].val == key)
			return P.arg[i] ? P.arg[i] : "";
	return "";
}

int cli_getopt(const struct cli_cmd *cmd, int argc, char **argv)
{
	struct cli_famopt *fo;
	int c, li;

	if (P.cmd != cmd) {
		build(cmd);
		optind = 0;   /* GNU getopt: start afresh */
	}
	opterr = 0;
	for (;;) {
		li = -1;
		c = getopt_long(argc, argv, P.shorts, P.lo, &li);
		if (c == -1) {
			P.cmd = NULL;
			return -1;
		}
		if (c == '?') {
			if (optopt == 0 && optind > 0 && strncmp(argv[optind - 1], "--", 2) == 0)
				unknown_long(argv[optind - 1]);
			else if (optopt)
				cli_usage_error(cmd->name, "unknown option '-%c'", optopt);
			else
				cli_usage_error(cmd->name, "unknown option '%s'", argv[optind - 1]);
			P.cmd = NULL;
			return '?';
		}
		if (c == ':') {
			cli_usage_error(cmd->name, "--%s needs a value (%s)", name_of(optopt),
					arg_of(optopt));
			P.cmd = NULL;
			return '?';
		}
		if (li >= 0) {
			/* GNU getopt takes an unambiguous prefix for the whole name;
			 * a gate must not open on a shortened word */
			const char *text = P.lo[li].has_arg && optarg == argv[optind - 1] ?
				argv[optind - 2] : argv[optind - 1];
			size_t nl = strlen(P.lo[li].name);

			if (strncmp(text + 2, P.lo[li].name, nl) != 0 ||
			    (text[2 + nl] != '\0' && text[2 + nl] != '=')) {
				unknown_long(text);
				P.cmd = NULL;
				return '?';
			}
		}
		if (c == 'h') {
			cli_help(cmd, stdout);
			P.cmd = NULL;
			return 'h';
		}
		if (c == CLI_O_JSON) {
			cli_out.json = 1;
			continue;
		}
		if (c == CLI_O_JSON_PROGRESS) {
			cli_out.json_progress = 1;
			continue;
		}
		if (c >= CLI_O_FAMILY && (size_t)(c - CLI_O_FAMILY) < cli_famopts(&fo)) {
			struct cli_famopt *f = &fo[c - CLI_O_FAMILY];

			if (f->value && strcmp(f->value, optarg) != 0) {
				cli_usage_error(cmd->name, "--%s is given twice ('%s', '%s')", f->option,
						f->value, optarg);
				P.cmd = NULL;
				return '?';
			}
			f->value = optarg;
			continue;
		}
		return c;
	}
}

void cli_wrap(FILE *f, const char *text, int col0, int indent)
{
	const char *p = text;
	int col = col0, fresh = 1;   /* no word yet on this line */

	while (*p) {
		size_t w;

		if (*p == '\n' || *p == ' ') {
			if (*p == '\n') {
				fprintf(f, "\n%*s", indent, "");
				col = indent;
				fresh = 1;
			}
			p++;
			continue;
		}
		w = strcspn(p, " \n");
		if (!fresh && col + 1 + (int)w > 79) {
			fprintf(f, "\n%*s", indent, "");
			col = indent;
			fresh = 1;
		}
		if (!fresh) {
			fputc(' ', f);
			col++;
		}
		fprintf(f, "%.*s", (int)w, p);
		col += (int)w;
		fresh = 0;
		p += w;
	}
	fputc('\n', f);
}

#define HELP_COL 26

static void opt_line(FILE *f, int key, const char *name, const char *arg, const char *help)
{
	int n;

	if (key > 0 && key < 128 && isalnum(key))
		n = fprintf(f, "  -%c, --%s%s%s", key, name, arg ? " " : "", arg ? arg : "");
	else
		n = fprintf(f, "      --%s%s%s", name, arg ? " " : "", arg ? arg : "");
	if (n >= HELP_COL - 1) {
		fprintf(f, "\n%*s", HELP_COL, "");
		n = HELP_COL;
	} else {
		fprintf(f, "%*s", HELP_COL - n, "");
		n = HELP_COL;
	}
	cli_wrap(f, help, n, HELP_COL);
}

void cli_help(const struct cli_cmd *cmd, FILE *f)
{
	const struct cli_opt *o;
	const char *s = cmd->synopsis ? cmd->synopsis : "";
	int first = 1;

	while (first || *s) {
		size_t l = strcspn(s, "\n");

		fprintf(f, "%s unbrick %s%s%.*s\n", first ? "Usage:" : "      ", cmd->name, l ? " " : "",
			(int)l, s);
		s += l;
		if (*s)
			s++;
		first = 0;
	}
	if (cmd->about)
		fprintf(f, "%s\n", cmd->about);
	if (cmd->subs) {
		const struct cli_cmd *const *c;

		fputs("\nSubcommands:\n", f);
		for (c = cmd->subs; *c; c++) {
			int n = fprintf(f, "  %s", (*c)->name + strlen(cmd->name) + 1);

			fprintf(f, "%*s", n < HELP_COL ? HELP_COL - n : 1, "");
			cli_wrap(f, (*c)->summary, HELP_COL, HELP_COL);
		}
		fprintf(f, "Each has its own options: 'unbrick %s SUBCOMMAND --help'.\n", cmd->name);
	}
	fputc('\n', f);
	for (o = cmd->opts; o && (o->name || o->help); o++) {
		if (!o->name)
			fprintf(f, "%s:\n", o->help);
		else
			opt_line(f, o->key, o->name, o->arg, o->help);
	}
	cli_help_famopts(f, cmd);
	fputs("Output:\n", f);
	opt_line(f, 0, "json", NULL, "print the result as one JSON object on stdout (errors too)");
	if (cmd->flags & CLI_PROGRESS)
		opt_line(f, 0, "json-progress", NULL, "print progress events as JSON lines on stdout");
	opt_line(f, 'h', "help", NULL, "show this help");
	if (cmd->flags & CLI_DEVICE)
		cli_help_devices(f, 0);
	if (cmd->exits) {
		fputc('\n', f);
		cli_wrap(f, cmd->exits, 0, 0);
	}
}

const struct cli_cmd *cli_find_cmd(const char *name)
{
	const struct cli_cmd *const *c, *const *s;

	for (c = cli_commands; *c; c++) {
		if (strcmp((*c)->name, name) == 0)
			return *c;
		for (s = (*c)->subs; s && *s; s++)
			if (strcmp((*s)->name, name) == 0)
				return *s;
	}
	return NULL;
}

int cli_run_sub(const struct cli_cmd *parent, int argc, char **argv)
{
	const struct cli_cmd *const *s;
	const char *names[16], *near;
	char list[256] = "";
	size_t n = 0, pl = strlen(parent->name);

	if (argc < 2 || argv[1][0] == '-') {
		/* no subcommand: the parent's own options (--help, --json) */
		int c;

		while ((c = cli_getopt(parent, argc, argv)) != -1)
			if (c == 'h')
				return 0;
			else
				return UB_EXIT_USAGE;
		return cli_usage_error(parent->name, "which one? %s SUBCOMMAND", parent->name);
	}
	for (s = parent->subs; *s; s++) {
		const char *word = (*s)->name + pl + 1;

		if (strcmp(word, argv[1]) == 0)
			return (*s)->run(argc - 1, argv + 1);
		if (n < 16)
			names[n++] = word;
		snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", list[0] ? ", " : "", word);
	}
	near = ub_suggest(argv[1], names, n);
	if (near)
		return cli_usage_error(parent->name, "no subcommand '%s'; did you mean '%s'?", argv[1], near);
	return cli_usage_error(parent->name, "no subcommand '%s' (there are %s)", argv[1], list);
}
