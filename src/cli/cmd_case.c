/* unbrick cases / unbrick case new|show|rm|prune: the repair journal's
 * cases.  Removing one takes a typed confirmation (or --yes), and a case
 * that holds a backup (the owner's data) stays unless --with-backups. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base/suggest.h"
#include "core/journal.h"

enum { OPT_MODEL = 256, OPT_SERIAL, OPT_PROFILE, OPT_DEVICE, OPT_WITH_BACKUPS, OPT_OLDER,
       OPT_STATUS };

/* The statuses core/recover.c and `case new` give a case. */
static const char *const statuses[] = {
	"open", "repaired", "flashed", "verified", "restored", "refused", "failed", "handed-over",
};
#define STATUS_CHOICES "open|repaired|flashed|verified|restored|refused|failed|handed-over"

static int run_cases(int argc, char **argv);
static int run_case(int argc, char **argv);
static int run_new(int argc, char **argv);
static int run_show(int argc, char **argv);
static int run_rm(int argc, char **argv);
static int run_prune(int argc, char **argv);

const struct cli_cmd cli_cmd_cases = {
	"cases", "list the repair cases in the journal",
	"",
	"List the repair cases in the journal ($UNBRICK_HOME, default\n"
	"~/.local/share/unbrick), newest first, on stdout.",
	NULL,
	"Exit status: 0 listed, 1 the journal could not be read.",
	0, run_cases, NULL,
};

static const struct cli_opt new_opts[] = {
	{ "model", OPT_MODEL, "M", "the device's model" },
	{ "serial", OPT_SERIAL, "S", "its serial number" },
	{ "profile", OPT_PROFILE, "P", "its profile" },
	{ "device", OPT_DEVICE, "SPEC", "how it is reached" },
	CLI_END,
};

static const struct cli_opt rm_opts[] = {
	{ "with-backups", OPT_WITH_BACKUPS, NULL, "remove it even when it holds a backup (the owner's data)" },
	{ "yes", 'y', NULL, "do not ask (for scripts)" },
	CLI_END,
};

static const struct cli_opt prune_opts[] = {
	{ "older-than", OPT_OLDER, "DAYS", "only cases opened more than DAYS days ago (0 or more)" },
	{ "status", OPT_STATUS, STATUS_CHOICES, "only cases with this status" },
	{ "with-backups", OPT_WITH_BACKUPS, NULL, "remove cases that hold a backup (the owner's data) too" },
	{ "dry-run", 'n', NULL, "say which cases would go; remove nothing" },
	{ "yes", 'y', NULL, "do not ask (for scripts)" },
	CLI_END,
};

static const char case_exits[] =
	"Exit status: 0 done, 1 failed, 2 usage error (a case that does not exist too), "
	"3 refused (a case with a backup, or nobody said yes).";

static const struct cli_cmd cmd_new = {
	"case new", "open a new case: a folder with backup/, images/ and logs/, and its rows",
	"[--model M] [--serial S] [--profile P] [--device SPEC]",
	"Open a new repair case (a folder with backup/, images/ and logs/, and rows\n"
	"in the journal); its id and folder are printed on stdout.",
	new_opts, case_exits, 0, run_new, NULL,
};

static const struct cli_cmd cmd_show = {
	"case show", "show a case with its steps and artifacts",
	"ID",
	"Show case ID with its steps and artifacts, on stdout.",
	NULL, case_exits, 0, run_show, NULL,
};

static const struct cli_cmd cmd_rm = {
	"case rm", "remove a case: its rows and its folder, for good",
	"ID [--with-backups] [--yes]",
	"Remove case ID from the journal and delete its folder (backups, images,\n"
	"logs, reports).  On a terminal you type 'delete case ID' to go on; without\n"
	"one, --yes is needed.  A case holding a backup stays unless --with-backups.",
	rm_opts, case_exits, 0, run_rm, NULL,
};

static const struct cli_cmd cmd_prune = {
	"case prune", "remove the cases that match, the ones with a backup kept",
	"[--older-than DAYS] [--status S] [options]",
	"Remove the cases matching every filter given (at least one): their rows and\n"
	"folders.  Cases holding a backup are kept unless --with-backups, and cases\n"
	"with a step still running (at work, or interrupted) are always kept.  On a\n"
	"terminal you type 'delete N cases' to go on; without one, --yes is needed.",
	prune_opts, case_exits, 0, run_prune, NULL,
};

static const struct cli_cmd *const case_subs[] = { &cmd_new, &cmd_show, &cmd_rm, &cmd_prune, NULL };

const struct cli_cmd cli_cmd_case = {
	"case", "open a case, show one, or remove cases (new, show, rm, prune)",
	"new|show|rm|prune [options]",
	"The repair cases, one at a time.",
	NULL, case_exits, 0, run_case, case_subs,
};

int cli_parse_case_id(const char *s, long long *id)
{
	char *end;

	*id = strtoll(s, &end, 10);
	return *s && !*end && *id > 0 ? 0 : -1;
}

static int run_cases(int argc, char **argv)
{
	struct ub_journal *j;
	struct ub_err e;
	json_t *list, *c;
	size_t i;
	int opt;

	ub_err_clear(&e);
	while ((opt = cli_getopt(&cli_cmd_cases, argc, argv)) != -1)
		return opt == 'h' ? 0 : UB_EXIT_USAGE;
	if (optind != argc)
		return cli_usage_error("cases", "unexpected argument '%s'", argv[optind]);
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
		printf("%5s  %-24s  %-16s  %-12s  %-10s  %s\n", "ID", "OPENED", "MODEL", "SERIAL",
		       "STATUS", "STEPS OK");
	json_array_foreach(list, i, c)
		printf("%5lld  %-24s  %-16s  %-12s  %-10s  %lld/%lld\n",
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

static int run_case(int argc, char **argv)
{
	return cli_run_sub(&cli_cmd_case, argc, argv);
}

static void print_case(const json_t *c)
{
	json_t *v;
	size_t i;

	printf("case %lld: %s %s (%s), %s\n  folder: %s\n",
	       (long long)json_integer_value(json_object_get(c, "id")),
	       json_string_value(json_object_get(c, "model")),
	       json_string_value(json_object_get(c, "serial")),
	       json_string_value(json_object_get(c, "profile")),
	       json_string_value(json_object_get(c, "status")),
	       json_string_value(json_object_get(c, "folder")));
	json_array_foreach(json_object_get(c, "steps"), i, v) {
		const char *err = json_string_value(json_object_get(v, "error"));

		printf("  %2zu. %-12s %-8s %7.1f s%s%s\n", i + 1,
		       json_string_value(json_object_get(v, "name")),
		       json_string_value(json_object_get(v, "outcome")),
		       json_number_value(json_object_get(v, "seconds")),
		       err ? "  " : "", err ? err : "");
	}
	json_array_foreach(json_object_get(c, "artifacts"), i, v)
		printf("  %-7s %s  sha256 %s\n",
		       json_string_value(json_object_get(v, "kind")),
		       json_string_value(json_object_get(v, "path")),
		       json_string_value(json_object_get(v, "sha256")) ?
		       json_string_value(json_object_get(v, "sha256")) : "-");
}

static int run_new(int argc, char **argv)
{
	const char *model = NULL, *serial = NULL, *profile = NULL, *device = NULL;
	struct ub_journal *j = NULL;
	struct ub_case c;
	struct ub_err e;
	json_t *obj = NULL;
	int opt;

	ub_err_clear(&e);
	while ((opt = cli_getopt(&cmd_new, argc, argv)) != -1) {
		switch (opt) {
		case OPT_MODEL: model = optarg; break;
		case OPT_SERIAL: serial = optarg; break;
		case OPT_PROFILE: profile = optarg; break;
		case OPT_DEVICE: device = optarg; break;
		case 'h': return 0;
		default: return UB_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("case new", "unexpected argument '%s'", argv[optind]);
	if (ub_journal_open(&j, &e) || ub_case_new(j, model, serial, profile, device, &c, &e) ||
	    ub_case_json(j, c.id, &obj, &e)) {
		ub_journal_close(j);
		return cli_fail(&e);
	}
	ub_journal_close(j);
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:o}", "ok", 1, "case", obj));
	else {
		printf("case %lld opened: %s\n", c.id, c.folder);
		json_decref(obj);
	}
	return 0;
}

static int run_show(int argc, char **argv)
{
	struct ub_journal *j = NULL;
	struct ub_err e;
	json_t *obj = NULL;
	long long id;
	int opt;

	ub_err_clear(&e);
	while ((opt = cli_getopt(&cmd_show, argc, argv)) != -1)
		return opt == 'h' ? 0 : UB_EXIT_USAGE;
	if (optind + 1 != argc)
		return cli_usage_error("case show", "give one case id (see 'unbrick cases')");
	if (cli_parse_case_id(argv[optind], &id) != 0)
		return cli_usage_error("case show", "'%s' is not a case id (a number)", argv[optind]);
	if (ub_journal_open(&j, &e) || ub_case_json(j, id, &obj, &e)) {
		ub_journal_close(j);
		return cli_fail(&e);
	}
	ub_journal_close(j);
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:o}", "ok", 1, "case", obj));
	else {
		print_case(obj);
		json_decref(obj);
	}
	return 0;
}

static int refused(const char *advice_id, const char *fmt, const char *what)
{
	struct ub_err e;

	ub_err_clear(&e);
	ub_err_set(&e, UB_EREFUSED, advice_id, fmt, what);
	return cli_fail(&e);
}

static int run_rm(int argc, char **argv)
{
	struct ub_journal *j = NULL;
	struct ub_case c;
	struct ub_err e;
	char question[4400], want[64];
	long long id;
	int opt, yes = 0, with_backups = 0, rc;

	ub_err_clear(&e);
	while ((opt = cli_getopt(&cmd_rm, argc, argv)) != -1) {
		switch (opt) {
		case 'y': yes = 1; break;
		case OPT_WITH_BACKUPS: with_backups = 1; break;
		case 'h': return 0;
		default: return UB_EXIT_USAGE;
		}
	}
	if (optind + 1 != argc)
		return cli_usage_error("case rm", "give one case id (see 'unbrick cases')");
	if (cli_parse_case_id(argv[optind], &id) != 0)
		return cli_usage_error("case rm", "'%s' is not a case id (a number)", argv[optind]);
	if ((rc = ub_journal_open(&j, &e)) || (rc = ub_case_get(j, id, &c, &e)))
		goto fail;
	if (!with_backups && ub_case_has_backup(j, &c)) {
		ub_journal_close(j);
		return refused("case-has-backup", "case %s holds a backup (the owner's data); --with-backups removes it too",
			       argv[optind]);
	}
	snprintf(question, sizeof question, "About to delete case %lld (%s %s, %s) and its folder %s",
		 c.id, c.model[0] ? c.model : "no model", c.serial, c.status, c.folder);
	snprintf(want, sizeof want, "delete case %lld", c.id);
	if (!yes && !cli_confirm(question, want)) {
		ub_journal_close(j);
		return refused("not-confirmed", "case %s: not confirmed; nothing was deleted", argv[optind]);
	}
	if ((rc = ub_case_remove(j, id, &e)))
		goto fail;
	ub_journal_close(j);
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:[I]}", "ok", 1, "removed", (json_int_t)id));
	else
		printf("case %lld removed (%s)\n", id, c.folder);
	return 0;
fail:
	ub_journal_close(j);
	return cli_fail(&e);
}

static int parse_status(const char *s)
{
	const char *near = ub_suggest(s, statuses, sizeof statuses / sizeof statuses[0]);
	size_t i;

	for (i = 0; i < sizeof statuses / sizeof statuses[0]; i++)
		if (strcmp(s, statuses[i]) == 0)
			return 0;
	if (near)
		return cli_usage_error("case prune", "no case status '%s'; did you mean '%s'?", s, near);
	return cli_usage_error("case prune", "no case status '%s' (they are %s)", s,
			       STATUS_CHOICES);
}

static int run_prune(int argc, char **argv)
{
	struct ub_journal *j = NULL;
	struct ub_err e;
	const char *status = NULL;
	json_t *list = NULL, *c, *removed = json_array(), *kept = json_array(), *go = json_array();
	double days = -1;
	size_t i;
	int opt, yes = 0, with_backups = 0, dry = 0, rc = 0;
	char question[128], want[64];

	ub_err_clear(&e);
	while ((opt = cli_getopt(&cmd_prune, argc, argv)) != -1) {
		switch (opt) {
		case 'y': yes = 1; break;
		case 'n': dry = 1; break;
		case OPT_WITH_BACKUPS: with_backups = 1; break;
		case OPT_OLDER: {
			char *end;

			days = strtod(optarg, &end);
			if (*end || end == optarg || !(days >= 0 && days < 1e6))
				rc = cli_usage_error("case prune", "--older-than takes a number of days, not '%s'",
						     optarg);
			break;
		}
		case OPT_STATUS:
			status = optarg;
			rc = parse_status(optarg);
			break;
		case 'h': rc = -1; break;
		default: rc = UB_EXIT_USAGE; break;
		}
		if (rc)
			goto out;
	}
	if (optind != argc) {
		rc = cli_usage_error("case prune", "unexpected argument '%s'", argv[optind]);
		goto out;
	}
	if (days < 0 && !status) {
		rc = cli_usage_error("case prune", "say which cases: --older-than DAYS, --status S, or both");
		goto out;
	}
	if ((rc = ub_journal_open(&j, &e)) || (rc = ub_case_select(j, days, status, &list, &e))) {
		rc = cli_fail(&e);
		goto out;
	}
	json_array_foreach(list, i, c) {
		struct ub_case k;
		const char *why = NULL;

		memset(&k, 0, sizeof k);
		k.id = json_integer_value(json_object_get(c, "id"));
		snprintf(k.folder, sizeof k.folder, "%s", json_string_value(json_object_get(c, "folder")));
		if (json_integer_value(json_object_get(c, "running")))
			why = "a step is still running (at work, or interrupted: 'recover --resume' continues it)";
		else if (!with_backups && ub_case_has_backup(j, &k))
			why = "it holds a backup (--with-backups removes it too)";
		if (why)
			json_array_append_new(kept, json_pack("{s:I, s:s}", "id", (json_int_t)k.id, "why", why));
		else
			json_array_append(go, c);
		if (why && !cli_out.json)
			printf("kept case %lld: %s\n", (long long)k.id, why);
	}
	if (!dry && json_array_size(go)) {
		snprintf(question, sizeof question, "About to delete %zu case%s and their folders",
			 json_array_size(go), json_array_size(go) == 1 ? "" : "s");
		snprintf(want, sizeof want, "delete %zu case%s", json_array_size(go),
			 json_array_size(go) == 1 ? "" : "s");
		if (!yes && !cli_confirm(question, want)) {
			rc = refused("not-confirmed", "%s: not confirmed; nothing was deleted", "prune");
			goto out;
		}
	}
	json_array_foreach(go, i, c) {
		long long id = json_integer_value(json_object_get(c, "id"));

		if (!dry && ub_case_remove(j, id, &e)) {
			rc = cli_fail(&e);
			goto out;
		}
		json_array_append_new(removed, json_integer(id));
		if (!cli_out.json)
			printf("%s case %lld (%s, %s)\n", dry ? "would remove" : "removed", id,
			       json_string_value(json_object_get(c, "status")),
			       json_string_value(json_object_get(c, "folder")));
	}
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:b, s:O, s:O}", "ok", 1, "dry_run", dry, "removed", removed,
					"kept", kept));
	else if (!json_array_size(list))
		fprintf(stderr, "no case matches\n");
out:
	ub_journal_close(j);
	json_decref(list);
	json_decref(removed);
	json_decref(kept);
	json_decref(go);
	return rc < 0 ? 0 : rc;
}
