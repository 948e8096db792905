/* unbrick cases / unbrick case new|show: the repair journal's cases. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/journal.h"

static const char cases_help[] =
	"Usage: unbrick cases [--json]\n"
	"List the repair cases in the journal ($UNBRICK_HOME, default\n"
	"~/.local/share/unbrick), newest first.\n";

static const char case_help[] =
	"Usage: unbrick case new [--model M] [--serial S] [--profile P] [--device SPEC] [--json]\n"
	"       unbrick case show ID [--json]\n"
	"Open a new repair case (a folder with backup/, images/ and logs/, and rows\n"
	"in the journal), or show one case with its steps and artifacts.\n"
	"\n"
	"Exit status: 0 done, 1 failed (no such case: 1), 2 usage error.\n";

enum { OPT_JSON = 256, OPT_MODEL, OPT_SERIAL, OPT_PROFILE, OPT_DEVICE };

static const struct option longopts[] = {
	{ "json", no_argument, NULL, OPT_JSON },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "serial", required_argument, NULL, OPT_SERIAL },
	{ "profile", required_argument, NULL, OPT_PROFILE },
	{ "device", required_argument, NULL, OPT_DEVICE },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

int cli_parse_case_id(const char *s, long long *id)
{
	char *end;

	*id = strtoll(s, &end, 10);
	return *s && !*end && *id > 0 ? 0 : -1;
}

int cmd_cases(int argc, char **argv)
{
	struct ub_journal *j;
	struct ub_err e;
	json_t *list, *c;
	size_t i;
	int opt;

	ub_err_clear(&e);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (opt == OPT_JSON)
			cli_out.json = 1;
		else if (opt == 'h')
			return fputs(cases_help, stdout), 0;
		else
			return cli_usage_error("cases", "unknown option");
	}
	if (optind != argc)
		return cli_usage_error("cases", "no arguments expected");
	if (ub_journal_open(&j, &e) || ub_case_list(j, &list, &e)) {
		ub_journal_close(j);
		return cli_fail(&e);
	}
	ub_journal_close(j);
	if (cli_out.json) {
		cli_json_emit(json_pack("{s:b, s:o}", "ok", 1, "cases", list));
		return 0;
	}
	if (json_array_size(list) == 0)
		fprintf(stderr, "no cases yet; 'unbrick recover' or 'unbrick case new' opens one\n");
	else
		fprintf(stderr, "%5s  %-24s  %-16s  %-12s  %-10s  %s\n", "ID", "OPENED", "MODEL",
			"SERIAL", "STATUS", "STEPS OK");
	json_array_foreach(list, i, c)
		fprintf(stderr, "%5lld  %-24s  %-16s  %-12s  %-10s  %lld/%lld\n",
			(long long)json_integer_value(json_object_get(c, "id")),
			json_string_value(json_object_get(c, "created")),
			json_string_value(json_object_get(c, "model")),
			json_string_value(json_object_get(c, "serial")),
			json_string_value(json_object_get(c, "status")),
			(long long)json_integer_value(json_object_get(c, "steps_ok")),
			(long long)json_integer_value(json_object_get(c, "steps")));
	json_decref(list);
	return 0;
}

static void print_case(const json_t *c)
{
	json_t *v;
	size_t i;

	fprintf(stderr, "case %lld: %s %s (%s), %s\n  folder: %s\n",
		(long long)json_integer_value(json_object_get(c, "id")),
		json_string_value(json_object_get(c, "model")),
		json_string_value(json_object_get(c, "serial")),
		json_string_value(json_object_get(c, "profile")),
		json_string_value(json_object_get(c, "status")),
		json_string_value(json_object_get(c, "folder")));
	json_array_foreach(json_object_get(c, "steps"), i, v) {
		const char *err = json_string_value(json_object_get(v, "error"));

		fprintf(stderr, "  %2zu. %-12s %-8s %7.1f s%s%s\n", i + 1,
			json_string_value(json_object_get(v, "name")),
			json_string_value(json_object_get(v, "outcome")),
			json_number_value(json_object_get(v, "seconds")),
			err ? "  " : "", err ? err : "");
	}
	json_array_foreach(json_object_get(c, "artifacts"), i, v)
		fprintf(stderr, "  %-7s %s  sha256 %s\n",
			json_string_value(json_object_get(v, "kind")),
			json_string_value(json_object_get(v, "path")),
			json_string_value(json_object_get(v, "sha256")) ?
			json_string_value(json_object_get(v, "sha256")) : "-");
}

int cmd_case(int argc, char **argv)
{
	const char *model = NULL, *serial = NULL, *profile = NULL, *device = NULL;
	struct ub_journal *j = NULL;
	struct ub_case c;
	struct ub_err e;
	json_t *obj = NULL;
	long long id;
	int opt, rc;

	ub_err_clear(&e);
	optind = 1;
	while ((opt = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (opt) {
		case OPT_JSON: cli_out.json = 1; break;
		case OPT_MODEL: model = optarg; break;
		case OPT_SERIAL: serial = optarg; break;
		case OPT_PROFILE: profile = optarg; break;
		case OPT_DEVICE: device = optarg; break;
		case 'h': fputs(case_help, stdout); return 0;
		default: return cli_usage_error("case", "unknown option");
		}
	}
	if (optind < argc && strcmp(argv[optind], "new") == 0 && optind + 1 == argc) {
		if ((rc = ub_journal_open(&j, &e)) ||
		    (rc = ub_case_new(j, model, serial, profile, device, &c, &e)) ||
		    (rc = ub_case_json(j, c.id, &obj, &e))) {
			ub_journal_close(j);
			return cli_fail(&e);
		}
		fprintf(stderr, "opened case %lld in %s\n", c.id, c.folder);
	} else if (optind + 2 == argc && strcmp(argv[optind], "show") == 0) {
		if (cli_parse_case_id(argv[optind + 1], &id) != 0)
			return cli_usage_error("case", "'%s' is not a case id (a number)", argv[optind + 1]);
		if ((rc = ub_journal_open(&j, &e)) || (rc = ub_case_json(j, id, &obj, &e))) {
			ub_journal_close(j);
			return cli_fail(&e);
		}
		print_case(obj);
	} else {
		return cli_usage_error("case", "expected 'case new' or 'case show ID'");
	}
	ub_journal_close(j);
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:o}", "ok", 1, "case", obj));
	else
		json_decref(obj);
	return 0;
}
