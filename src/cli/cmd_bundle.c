/* unbrick bundle CASE: the support bundle, for a colleague or a repair shop. */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "core/bundle.h"
#include "core/journal.h"

static const char help[] =
	"Usage: unbrick bundle CASE [--with-backups] [--no-redact] [-o FILE] [--json]\n"
	"Pack what a colleague or a repair shop needs to follow case CASE into one\n"
	"tar.gz: the journal's rows (case.json), the report, the console and boot logs,\n"
	"and the backup's manifest.  The backups themselves (the owner's data, and\n"
	"large) only with --with-backups.  Default file: bundle-DATE.tar.gz in the\n"
	"case folder; it is recorded in the journal.\n"
	"Secrets in the rows, the report, the logs and the manifest (passwords, Wi-Fi\n"
	"keys, password hashes, private keys: see REDACTION in unbrick(1)) become\n"
	"[redacted]; REDACTION.txt in the bundle says so.  The case's own files keep\n"
	"them, and backup files (--with-backups) are packed as they are.\n"
	"\n"
	"      --with-backups     include the backup files\n"
	"      --no-redact        keep the secrets in the bundle\n"
	"  -o, --output FILE      write the bundle here instead\n"
	"      --json             print the result as one JSON object on stdout\n"
	"  -h, --help             show this help\n";

enum { OPT_WITH_BACKUPS = 256, OPT_NO_REDACT, OPT_JSON };

static const struct option longopts[] = {
	{ "with-backups", no_argument, NULL, OPT_WITH_BACKUPS },
	{ "no-redact", no_argument, NULL, OPT_NO_REDACT },
	{ "output", required_argument, NULL, 'o' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cmd_bundle(int argc, char **argv)
{
	struct ub_journal *j = NULL;
	const char *out = NULL;
	char path[4200];
	struct ub_err e;
	long long id;
	unsigned flags = 0;
	int c, rc;

	ub_err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_WITH_BACKUPS: flags |= UB_BUNDLE_BACKUPS; break;
		case OPT_NO_REDACT: flags |= UB_BUNDLE_KEEP_SECRETS; break;
		case 'o': out = optarg; break;
		case OPT_JSON: cli_out.json = 1; break;
		case 'h': fputs(help, stdout); return 0;
		default: return cli_usage_error("bundle", "unknown option");
		}
	}
	if (optind + 1 != argc || cli_parse_case_id(argv[optind], &id) != 0)
		return cli_usage_error("bundle", "give one case id (see 'unbrick cases')");
	if ((rc = ub_journal_open(&j, &e)) == 0)
		rc = ub_bundle_write(j, id, flags, out, path, &e);
	ub_journal_close(j);
	if (rc)
		return cli_fail(&e);
	fprintf(stderr, "support bundle of case %lld: %s%s\n", id, path,
		flags & UB_BUNDLE_BACKUPS ? " (with the backups)" : "");
	fprintf(stderr, flags & UB_BUNDLE_KEEP_SECRETS ?
		"--no-redact: the secrets in the logs and the journal are in the bundle; send it to no one\n" :
		"secrets in it are [redacted] (REDACTION.txt in the bundle; --no-redact keeps them)\n");
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:I, s:s, s:b, s:b}", "ok", 1, "case", (json_int_t)id,
					"bundle", path, "with_backups", (flags & UB_BUNDLE_BACKUPS) != 0,
					"redacted", !(flags & UB_BUNDLE_KEEP_SECRETS)));
	return 0;
}
