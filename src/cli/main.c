/* unbrick: entry point and command dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "base/suggest.h"
#include "ub_config.h"

extern const struct cli_cmd cli_cmd_check, cli_cmd_diagnose, cli_cmd_recover, cli_cmd_flash,
	cli_cmd_verify, cli_cmd_restore, cli_cmd_backup, cli_cmd_identify, cli_cmd_devices,
	cli_cmd_cases, cli_cmd_case, cli_cmd_bundle, cli_cmd_report, cli_cmd_profile,
	cli_cmd_profiles, cli_cmd_completion;

/* The commands, in the order --help lists them; one line each. */
const struct cli_cmd *const cli_commands[] = {
	&cli_cmd_check,
	&cli_cmd_diagnose,
	&cli_cmd_recover,
	&cli_cmd_flash,
	&cli_cmd_verify,
	&cli_cmd_restore,
	&cli_cmd_backup,
	&cli_cmd_identify,
	&cli_cmd_devices,
	&cli_cmd_cases,
	&cli_cmd_case,
	&cli_cmd_bundle,
	&cli_cmd_report,
	&cli_cmd_profile,
	&cli_cmd_profiles,
	&cli_cmd_completion,
	NULL,
};

static void usage(FILE *f)
{
	const struct cli_cmd *const *c;

	fprintf(f,
		"Usage: unbrick COMMAND [options]\n"
		"Bring a device with broken firmware back to a known-good state, safely.\n"
		"\n"
		"Commands:\n");
	for (c = cli_commands; *c; c++) {
		int n = fprintf(f, "  %s", (*c)->name);

		fprintf(f, "%*s", n < 14 ? 14 - n : 1, "");
		cli_wrap(f, (*c)->summary, 14, 14);
	}
	fprintf(f,
		"\n"
		"Every command takes:\n"
		"      --json       print one JSON object on stdout instead of the text\n"
		"                   (errors too: {\"ok\": false, \"exit\": N, \"error\": {...}})\n"
		"  -h, --help       show the command's help and its own options\n"
		"\n"
		"  unbrick --version   show the version\n"
		"\n"
		"Results (lists, verdicts, case ids, reports, paths) go to stdout; progress,\n"
		"diagnostics and questions to stderr.\n"
		"Exit status: 0 success, 1 operation failed, 2 usage error (also a command,\n"
		"option, family, transport, parameter, programmer, profile or case that does\n"
		"not exist), 3 refused by a safety check, 4 device not found or not\n"
		"responding.  See unbrick(1).\n");
}

/* --json anywhere on the line (before a lone "--") asks for JSON from the
 * start, so that even a usage error found before it is one object. */
static void scan_json(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (strcmp(argv[i], "--json") == 0)
			cli_out.json = 1;
}

static int unknown_command(const char *name)
{
	const char *names[32], *near;
	size_t n;

	for (n = 0; cli_commands[n] && n < 32; n++)
		names[n] = cli_commands[n]->name;
	near = ub_suggest(name, names, n);
	if (cli_out.json) {
		struct ub_err e;

		ub_err_clear(&e);
		ub_err_set(&e, UB_EUSAGE, "usage", "unknown command '%s'%s%s%s", name,
			   near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
		cli_json_emit(json_pack("{s:b, s:i, s:o}", "ok", 0, "exit", UB_EXIT_USAGE,
					"error", cli_json_error(&e)));
	}
	if (near)
		fprintf(stderr, "unbrick: unknown command '%s'; did you mean '%s'?\n", name, near);
	else
		fprintf(stderr, "unbrick: unknown command '%s'\n", name);
	fprintf(stderr, "Try 'unbrick --help' for the list of commands.\n");
	return UB_EXIT_USAGE;
}

int main(int argc, char **argv)
{
	const struct cli_cmd *const *c;

	cli_out_init();
	scan_json(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return UB_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		const struct cli_cmd *cmd = argc > 2 && argv[1][0] == 'h' ? cli_find_cmd(argv[2]) : NULL;

		if (argc > 2 && argv[1][0] == 'h' && !cmd)
			return unknown_command(argv[2]);
		if (cmd)
			cli_help(cmd, stdout);
		else
			usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		if (cli_out.json)
			cli_json_emit(json_pack("{s:b, s:s}", "ok", 1, "version", UB_VERSION));
		else
			printf("unbrick %s\n", UB_VERSION);
		return 0;
	}
	for (c = cli_commands; *c; c++)
		if (strcmp(argv[1], (*c)->name) == 0)
			return (*c)->run(argc - 1, argv + 1);
	return unknown_command(argv[1]);
}
