/* unbrick diagnose: symptoms and a console log in, the recovery path out. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "base/file.h"
#include "base/outfile.h"
#include "core/diagnose.h"
#include "core/journal.h"
#include "core/profile.h"
#include "core/session.h"
#include "family/family.h"

#define MAX_LOG (16u << 20)   /* a boot log is kilobytes; more is a loop */
#define MAX_SYMPTOMS 16

enum { OPT_LOG = 256, OPT_LISTEN, OPT_SYMPTOM, OPT_CASE };

static const struct cli_opt opts[] = {
	{ "console-log", OPT_LOG, "FILE", "a captured console log to analyse" },
	{ "device", 'd', "SPEC", "listen to the device (FAMILY:TRANSPORT:ADDRESS; its family must be able to listen); nothing is sent to it" },
	{ "listen", OPT_LISTEN, "SECONDS", "how long to listen (1 to 3600, default 60); power-cycle the device while unbrick listens" },
	{ "symptom", OPT_SYMPTOM, "S", "what you saw, repeatable: no-boot, boot-loop, corrupt-message, erratic-after-update, stuck-in-recovery, no-output, led:TEXT (the lights in your words, e.g. 'led:power blinks fast', read with the profile's LED rules)" },
	{ "profile", 'p', "P", "the board's profile (adds its own diagnosis rules, for the console and for its lights)" },
	{ "case", OPT_CASE, "ID", "record the diagnosis (and the log) in case ID" },
	CLI_END,
};

static int run(int argc, char **argv);

const struct cli_cmd cli_cmd_diagnose = {
	"diagnose", "name the recovery path from symptoms and the console's boot log",
	"[--console-log FILE | --device SPEC] [--symptom S]... [--profile P] [--case ID]",
	"Name the recovery path from what the device shows: the symptoms you saw and\n"
	"its console output while it powers on.  Nothing is sent to the device.  The\n"
	"findings and the verdict go to stdout.\n"
	"\n"
	"Paths: console (the bootloader answers: unbrick recover through it),\n"
	"programmer (no bootloader: a clip on the flash chip), hardware (stop: a\n"
	"repair shop's job).",
	opts,
	"Exit status: 0 a diagnosis was made, 1 failed, 2 usage error (a device whose "
	"family cannot listen, too), 4 the device could not be reached.",
	0, run, NULL,
};

/* Listens to the device for seconds through its family, sending nothing:
 * a diagnosis must not change what the device does.  It holds the
 * device's lock meanwhile: a console's bytes go to one reader, and a
 * write in progress waits for them. */
static int listen_device(const char *device, long long case_id, int seconds, char **log,
			 size_t *len, struct ub_err *e)
{
	struct ub_device_spec spec;
	const struct ub_family *fam;
	struct ub_lock lock = { -1 };
	int rc;

	*log = NULL;
	*len = 0;
	if ((rc = ub_device_spec_parse(device, &spec, e)))
		return rc;
	if (!(fam = ub_family_find(spec.family)))
		return ub_err_set(e, UB_EUSAGE, "usage", "no device family '%.64s' ('unbrick devices --help' lists them)",
				  spec.family);
	if ((rc = ub_device_spec_check(&spec, fam, e)))
		return rc;
	if (!fam->capture)
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "a %s device cannot be listened to; capture its console with another program and give --console-log FILE",
				  fam->name);
	if ((rc = ub_lock_spec(&lock, &spec, case_id, e)))
		return rc;
	fprintf(stderr, "listening on %s for %d s: power-cycle the device now...\n", spec.address, seconds);
	rc = fam->capture(&spec, seconds, log, len, e);
	ub_unlock(&lock);
	return rc;
}

static void print_human(const struct ub_diagnosis *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct ub_finding *f = &d->v[i];

		printf("%s: %s\n", f->id, f->finding);
		if (f->evidence[0] && f->line)
			printf("  line %u%s: %s\n", f->line, f->count > 1 ? " (first of many)" : "",
				f->evidence);
		if (f->count > 1)
			printf("  seen %u times%s", f->count, f->interval >= 0 ? "" : "\n");
		if (f->count > 1 && f->interval >= 0)
			printf(", every %.1f s\n", f->interval);
		printf("  what to do: %s\n", f->advice);
	}
	printf("verdict (%s): %s\n", ub_path_name(d->path), d->verdict);
}

/* The diagnosis becomes a step of the case, the log one of its files. */
static void record(long long case_id, const char *log, size_t len, const struct ub_diagnosis *d)
{
	struct ub_journal *j = NULL;
	struct ub_case c;
	struct ub_err e;
	long long step = 0;
	json_t *detail = ub_diagnosis_json(d);
	char path[4200], sha[65];

	ub_err_clear(&e);
	if (ub_journal_open(&j, &e) || ub_case_get(j, case_id, &c, &e) ||
	    ub_step_begin(j, case_id, "diagnose", &step, &e))
		goto out;
	if (log) {
		snprintf(path, sizeof path, "%s/logs/diagnose-%lld.log", c.folder, step);
		if (ub_write_file_atomic(path, log, len, sha, &e) == 0)
			ub_artifact_add(j, case_id, step, "log", path, sha, len, &e);
	}
	ub_step_end(j, step, 0, 0, NULL, len, detail, &e);
out:
	if (e.code)
		fprintf(stderr, "unbrick: warning: the journal did not record the diagnosis: %s\n", e.msg);
	else
		fprintf(stderr, "recorded as a step of case %lld\n", case_id);
	json_decref(detail);
	ub_journal_close(j);
}

/* Before listening for a minute: the case to record in must exist. */
static int case_exists(long long id, struct ub_err *e)
{
	struct ub_journal *j = NULL;
	struct ub_case c;
	int rc;

	if ((rc = ub_journal_open(&j, e)) == 0)
		rc = ub_case_get(j, id, &c, e);
	ub_journal_close(j);
	return rc;
}

static int run(int argc, char **argv)
{
	const char *logfile = NULL, *device = NULL, *profile = NULL, *sym[MAX_SYMPTOMS];
	struct ub_profile prof;
	struct ub_diagnosis d;
	struct ub_err e;
	long long case_id = 0;
	size_t nsym = 0, len = 0;
	char *log = NULL;
	int c, rc, listen = 60, have_prof = 0;

	ub_err_clear(&e);
	while ((c = cli_getopt(&cli_cmd_diagnose, argc, argv)) != -1) {
		switch (c) {
		case OPT_LOG: logfile = optarg; break;
		case 'd': device = optarg; break;
		case 'p': profile = optarg; break;
		case OPT_LISTEN: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || end == optarg || v < 1 || v > 3600)
				return cli_usage_error("diagnose", "--listen takes 1 to 3600 seconds, not '%s'", optarg);
			listen = (int)v;
			break;
		}
		case OPT_SYMPTOM:
			if (nsym == MAX_SYMPTOMS)
				return cli_usage_error("diagnose", "at most %d symptoms", MAX_SYMPTOMS);
			sym[nsym++] = optarg;
			break;
		case OPT_CASE:
			if (cli_parse_case_id(optarg, &case_id) != 0)
				return cli_usage_error("diagnose", "--case takes a case id, not '%s'", optarg);
			break;
		case 'h': return 0;
		default: return UB_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("diagnose", "unexpected argument '%s'", argv[optind]);
	if (logfile && device)
		return cli_usage_error("diagnose", "give --console-log or --device, not both");
	if (!logfile && !device && !nsym)
		return cli_usage_error("diagnose", "give a console log, a device to listen to, or at least one --symptom");
	if (case_id && (rc = case_exists(case_id, &e)))
		return cli_fail(&e);
	if (profile) {
		if ((rc = ub_profile_load(profile, getenv("UNBRICK_HOME"), &prof, &e)))
			return cli_fail(&e);
		have_prof = 1;
	}
	if (logfile)
		rc = ub_read_small(logfile, MAX_LOG, "console log", "format", &log, &len, &e);
	else if (device)
		rc = listen_device(device, case_id, listen, &log, &len, &e);
	else
		rc = 0;
	if (!rc)
		rc = ub_diagnose(log ? log : (device ? "" : NULL), len, have_prof ? prof.doc : NULL,
				 sym, nsym, &d, &e);
	if (rc) {
		free(log);
		if (have_prof)
			ub_profile_free(&prof);
		return cli_fail(&e);
	}
	if (case_id)
		record(case_id, log, len, &d);
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:o}", "ok", 1, "diagnosis", ub_diagnosis_json(&d)));
	else
		print_human(&d);
	ub_diagnosis_free(&d);
	free(log);
	if (have_prof)
		ub_profile_free(&prof);
	return 0;
}
