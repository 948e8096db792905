/* unbrick report ID: the case's report, written into its folder. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base/outfile.h"
#include "core/journal.h"
#include "core/report.h"

enum { OPT_NO_REDACT = 256 };

static const struct cli_opt opts[] = {
	{ "format", 'f', "md|html|json", "the report's form (default md)" },
	{ "output", 'o', "FILE", "write it here instead of the case folder ('-': print it on stdout)" },
	{ "no-redact", OPT_NO_REDACT, NULL, "keep the secrets in (for your own records only)" },
	CLI_END,
};

static int run(int argc, char **argv);

const struct cli_cmd cli_cmd_report = {
	"report", "write a case's report (markdown, HTML or JSON)",
	"ID [--format md|html|json] [-o FILE] [--no-redact]",
	"Write the report of case ID: the device, every step with its timing and\n"
	"outcome, and every artifact with its SHA-256.  It goes into the case folder\n"
	"(report.md, report.html or report.json) unless -o says otherwise, and is\n"
	"recorded in the journal.  The HTML report is one file with the console logs\n"
	"attached, for a browser or for paper.  The path is printed on stdout ('-o -'\n"
	"prints the report itself).\n"
	"Secrets (passwords, Wi-Fi keys, password hashes, private keys: see REDACTION\n"
	"in unbrick(1)) become [redacted], in the journal's text and in the logs.",
	opts,
	"Exit status: 0 written, 1 failed, 2 usage error (a case that does not exist too).",
	0, run, NULL,
};

static int run(int argc, char **argv)
{
	const char *format = "md", *out = NULL;
	struct ub_journal *j = NULL;
	struct ub_err e;
	json_t *c = NULL;
	char path[4200], sha[65], *text = NULL;
	enum ub_report_format f;
	unsigned flags = 0, redacted = 0;
	long long id;
	int opt, rc;

	ub_err_clear(&e);
	while ((opt = cli_getopt(&cli_cmd_report, argc, argv)) != -1) {
		switch (opt) {
		case 'f': format = optarg; break;
		case 'o': out = optarg; break;
		case OPT_NO_REDACT: flags |= UB_REPORT_KEEP_SECRETS; break;
		case 'h': return 0;
		default: return UB_EXIT_USAGE;
		}
	}
	if (strcmp(format, "md") && strcmp(format, "html") && strcmp(format, "json"))
		return cli_usage_error("report", "--format is md, html or json, not '%s'", format);
	if (optind + 1 != argc || cli_parse_case_id(argv[optind], &id) != 0)
		return cli_usage_error("report", "give one case id (see 'unbrick cases')");
	if ((rc = ub_journal_open(&j, &e)) || (rc = ub_case_json(j, id, &c, &e)))
		goto fail;
	f = strcmp(format, "md") == 0 ? UB_REPORT_MD : strcmp(format, "html") == 0 ? UB_REPORT_HTML :
		UB_REPORT_JSON;
	if (!(text = ub_report(c, f, flags, &redacted))) {
		rc = ub_err_set(&e, UB_ENOMEM, NULL, "out of memory");
		goto fail;
	}
	if (flags & UB_REPORT_KEEP_SECRETS)
		fprintf(stderr, "--no-redact: secrets are kept in this report; keep it to yourself\n");
	else if (redacted)
		fprintf(stderr, "%u secret value%s redacted (--no-redact keeps them)\n", redacted,
			redacted == 1 ? "" : "s");
	if (out && strcmp(out, "-") == 0) {
		if (cli_out.json)
			cli_json_emit(json_pack("{s:b, s:I, s:s, s:s}", "ok", 1, "case", (json_int_t)id,
						"format", format, "text", text));
		else if (f == UB_REPORT_JSON)
			cli_json_text(text);   /* escaped by JSON already */
		else
			fputs(text, stdout);
		goto done;
	}
	if (out)
		snprintf(path, sizeof path, "%s", out);
	else
		snprintf(path, sizeof path, "%s/report.%s",
			 json_string_value(json_object_get(c, "folder")), format);
	if ((rc = ub_write_file_atomic(path, text, strlen(text), sha, &e)) ||
	    (rc = ub_artifact_add(j, id, 0, "report", path, sha, strlen(text), &e)))
		goto fail;
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:I, s:s, s:s}", "ok", 1, "case", (json_int_t)id,
					"format", format, "report", path));
	else
		printf("%s\n", path);
	fprintf(stderr, "report of case %lld written to %s\n", id, path);
done:
	free(text);
	json_decref(c);
	ub_journal_close(j);
	return 0;
fail:
	free(text);
	json_decref(c);
	ub_journal_close(j);
	return cli_fail(&e);
}
