/* unbrick: entry point and command dispatch. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "ub_config.h"

static const struct cli_cmd commands[] = {
	{ "check", "is this image safe to flash? checksums, signature, model, version", cmd_check },
	{ "diagnose", "name the recovery path from symptoms and the console's boot log", cmd_diagnose },
	{ "recover", "the whole repair: identify, back up, check, write, verify, boot", cmd_recover },
	{ "flash", "write an image into a region, with backup and checks first", cmd_flash },
	{ "verify", "compare an image with what the device holds, without writing", cmd_verify },
	{ "restore", "put regions back from a backup (the owner's settings by default)", cmd_restore },
	{ "backup", "read every readable region off a device, verified", cmd_backup },
	{ "identify", "reach a device and report its model, serial and firmware", cmd_identify },
	{ "cases", "list the repair cases in the journal", cmd_cases },
	{ "case", "open a new case, or show one with its steps and artifacts", cmd_case },
	{ "bundle", "pack a case's journal rows, logs and report for a colleague or a repair shop", cmd_bundle },
	{ "report", "write a case's report (markdown or JSON)", cmd_report },
	{ "profile", "check a device profile: valid keys, regions, what is protected", cmd_profile },
	{ "profiles", "list the device profiles --profile finds, and where", cmd_profiles },
	/* new commands go here, one line each */
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	const struct cli_cmd *c;

	fprintf(f,
		"Usage: unbrick COMMAND [options]\n"
		"Bring a device with broken firmware back to a known-good state, safely.\n"
		"\n"
		"Commands:\n");
	for (c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f,
		"\n"
		"Options for every command:\n"
		"  --json           print one machine-readable result object on stdout\n"
		"  --json-progress  print progress events on stdout, one JSON object per line\n"
		"  -h, --help       show the command's help\n"
		"\n"
		"  unbrick --version   show the version\n"
		"\n"
		"Exit status: 0 success, 1 operation failed, 2 usage error, 3 refused by a\n"
		"safety check, 4 device not found or not responding.  See unbrick(1).\n");
}

int main(int argc, char **argv)
{
	const struct cli_cmd *c;

	cli_out_init();
	if (argc < 2) {
		usage(stderr);
		return UB_EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("unbrick %s\n", UB_VERSION);
		return 0;
	}
	for (c = commands; c->name; c++)
		if (strcmp(argv[1], c->name) == 0)
			return c->run(argc - 1, argv + 1);
	fprintf(stderr, "unbrick: unknown command '%s'\n", argv[1]);
	fprintf(stderr, "Try 'unbrick --help' for the list of commands.\n");
	return UB_EXIT_USAGE;
}
