/* unbrick bundle CASE: the support bundle, for a colleague or a repair shop. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/bundle.h"
#include "core/journal.h"

enum { OPT_WITH_BACKUPS = 256, OPT_NO_REDACT };

static const struct cli_opt opts[] = {
	{ "with-backups", OPT_WITH_BACKUPS, NULL, "include the backup files" },
	{ "no-redact", OPT_NO_REDACT, NULL, "keep the secrets in the bundle" },
	{ "output", 'o', "FILE", "write the bundle here instead" },
	CLI_END,
};

static int run(int argc, char **argv);

const struct cli_cmd cli_cmd_bundle = {
	"bundle", "pack a case's journal rows, logs and report for a colleague or a repair shop",
	"CASE [--with-backups] [--no-redact] [-o FILE]",
	"Pack what a colleague or a repair shop needs to follow case CASE into one\n"
	"tar.gz: the journal's rows (case.json), the report, the console and boot logs,\n"
	"and the backup's manifest.  The backups themselves (the owner's data, and\n"
	"large) only with --with-backups.  Default file: bundle-DATE.tar.gz in the\n"
	"case folder; it is recorded in the journal, and its path printed on stdout.\n"
	"Secrets in the rows, the report, the logs and the manifest (passwords, Wi-Fi\n"
	"keys, password hashes, private keys: see REDACTION in unbrick(1)) become\n"
	"[redacted]; REDACTION.txt in the bundle says so.  The case's own files keep\n"
	"them, and backup files (--with-backups) are packed as they are.",
	opts,
	"Exit status: 0 written, 1 failed, 2 usage error (a case that does not exist too).",
	0, run, NULL,
};

static int run(int argc, char **argv)
{
	struct ub_journal *j = NULL;
	const char *out = NULL;
	char path[4200];
	struct ub_err e;
	long long id;
	unsigned flags = 0;
	int c, rc;

	ub_err_clear(&e);
	while ((c = cli_getopt(&cli_cmd_bundle, argc, argv)) != -1) {
		switch (c) {
		case OPT_WITH_BACKUPS: flags |= UB_BUNDLE_BACKUPS; break;
		case OPT_NO_REDACT: flags |= UB_BUNDLE_KEEP_SECRETS; break;
		case 'o': out = optarg; break;
		case 'h': return 0;
		default: return UB_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc || cli_parse_case_id(argv[optind], &id) != 0)
		return cli_usage_error("bundle", "give one case id (see 'unbrick cases')");
	if ((rc = ub_journal_open(&j, &e)) == 0)
		rc = ub_bundle_write(j, id, flags, out, path, &e);
	ub_journal_close(j);
	if (rc)
		return cli_fail(&e);
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:I, s:s, s:b, s:b}", "ok", 1, "case", (json_int_t)id,
					"bundle", path, "with_backups", (flags & UB_BUNDLE_BACKUPS) != 0,
					"redacted", !(flags & UB_BUNDLE_KEEP_SECRETS)));
	else
		printf("%s\n", path);
	fprintf(stderr, "support bundle of case %lld: %s%s\n", id, path,
		flags & UB_BUNDLE_BACKUPS ? " (with the backups)" : "");
	fprintf(stderr, flags & UB_BUNDLE_KEEP_SECRETS ?
		"--no-redact: the secrets in the logs and the journal are in the bundle; send it to no one\n" :
		"secrets in it are [redacted] (REDACTION.txt in the bundle; --no-redact keeps them)\n");
	return 0;
}
