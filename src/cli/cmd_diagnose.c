/* unbrick diagnose: symptoms and a console log in, the recovery path out. */
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base/file.h"
#include "base/outfile.h"
#include "core/diagnose.h"
#include "core/journal.h"
#include "core/profile.h"
#include "family/family.h"
#include "io/stream.h"

#define MAX_LOG (16u << 20)   /* a boot log is kilobytes; more is a loop */
#define MAX_SYMPTOMS 16

static const char help[] =
	"Usage: unbrick diagnose [--console-log FILE | --device SPEC] [--symptom S]...\n"
	"                        [--profile P] [--case ID] [--json]\n"
	"Name the recovery path from what the device shows: the symptoms you saw and\n"
	"its console output while it powers on.  Nothing is sent to the device.\n"
	"\n"
	"      --console-log FILE  a captured console log to analyse\n"
	"  -d, --device SPEC       listen to the console (uboot:serial:/dev/ttyUSB0,...)\n"
	"      --listen SECONDS    how long to listen (default 60); power-cycle the\n"
	"                          device while unbrick listens\n"
	"      --symptom S         what you saw, repeatable: no-boot, boot-loop,\n"
	"                          corrupt-message, erratic-after-update,\n"
	"                          stuck-in-recovery, no-output, led:TEXT (the\n"
	"                          lights in your words, e.g. 'led:power blinks fast',\n"
	"                          read with the profile's LED rules)\n"
	"  -p, --profile P         the board's profile (adds its own diagnosis rules,\n"
	"                          for the console and for its lights)\n"
	"      --case ID           record the diagnosis (and the log) in case ID\n"
	"      --json              print the result as one JSON object on stdout\n"
	"  -h, --help              show this help\n"
	"\n"
	"Paths: console (the bootloader answers: unbrick recover through it),\n"
	"programmer (no bootloader: a clip on the flash chip), hardware (stop: a\n"
	"repair shop's job).  Exit status 0 when a diagnosis was made.\n";

enum { OPT_LOG = 256, OPT_LISTEN, OPT_SYMPTOM, OPT_CASE, OPT_JSON };

static const struct option longopts[] = {
	{ "console-log", required_argument, NULL, OPT_LOG },
	{ "device", required_argument, NULL, 'd' },
	{ "listen", required_argument, NULL, OPT_LISTEN },
	{ "symptom", required_argument, NULL, OPT_SYMPTOM },
	{ "profile", required_argument, NULL, 'p' },
	{ "case", required_argument, NULL, OPT_CASE },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Reads the console for seconds, without sending anything: a diagnosis
 * must not change what the device does. */
static int listen_console(const char *device, int seconds, char **log, size_t *len,
			  struct ub_err *e)
{
	struct ub_device_spec spec;
	struct ub_stream *s;
	int rc;

	*log = NULL;
	*len = 0;
	if ((rc = ub_device_spec_parse(device, &spec, e)) ||
	    (rc = ub_stream_open(&s, spec.transport, spec.address, spec.params, e)))
		return rc;
	fprintf(stderr, "listening on %s for %d s: power-cycle the device now...\n", spec.address, seconds);
	rc = ub_stream_collect(s, seconds, MAX_LOG, log, len, e);
	ub_stream_close(s);
	return rc;
}

static void print_human(const struct ub_diagnosis *d)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct ub_finding *f = &d->v[i];

		fprintf(stderr, "%s%s%s: %s\n", cli_color("bold"), f->id, cli_reset(), f->finding);
		if (f->evidence[0] && f->line)
			fprintf(stderr, "  line %u%s: %s\n", f->line, f->count > 1 ? " (first of many)" : "",
				f->evidence);
		if (f->count > 1)
			fprintf(stderr, "  seen %u times%s", f->count, f->interval >= 0 ? "" : "\n");
		if (f->count > 1 && f->interval >= 0)
			fprintf(stderr, ", every %.1f s\n", f->interval);
		fprintf(stderr, "  what to do: %s\n", f->advice);
	}
	fprintf(stderr, "%sverdict (%s): %s%s\n", cli_color("bold"), ub_path_name(d->path), d->verdict,
		cli_reset());
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

int cmd_diagnose(int argc, char **argv)
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
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_LOG: logfile = optarg; break;
		case 'd': device = optarg; break;
		case 'p': profile = optarg; break;
		case OPT_LISTEN:
			listen = atoi(optarg);
			if (listen < 1 || listen > 3600)
				return cli_usage_error("diagnose", "--listen takes 1 to 3600 seconds");
			break;
		case OPT_SYMPTOM:
			if (nsym == MAX_SYMPTOMS)
				return cli_usage_error("diagnose", "at most %d symptoms", MAX_SYMPTOMS);
			sym[nsym++] = optarg;
			break;
		case OPT_CASE:
			if (cli_parse_case_id(optarg, &case_id) != 0)
				return cli_usage_error("diagnose", "--case takes a case id, not '%s'", optarg);
			break;
		case OPT_JSON: cli_out.json = 1; break;
		case 'h': fputs(help, stdout); return 0;
		default: return cli_usage_error("diagnose", "unknown option");
		}
	}
	if (optind != argc)
		return cli_usage_error("diagnose", "unexpected argument '%s'", argv[optind]);
	if (logfile && device)
		return cli_usage_error("diagnose", "give --console-log or --device, not both");
	if (!logfile && !device && !nsym)
		return cli_usage_error("diagnose", "give a console log, a device to listen to, or at least one --symptom");
	if (profile) {
		if ((rc = ub_profile_load(profile, getenv("UNBRICK_HOME"), &prof, &e)))
			return cli_fail(&e);
		have_prof = 1;
	}
	if (logfile)
		rc = ub_read_small(logfile, MAX_LOG, "console log", "format", &log, &len, &e);
	else if (device)
		rc = listen_console(device, listen, &log, &len, &e);
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
	print_human(&d);
	if (case_id)
		record(case_id, log, len, &d);
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:o}", "ok", 1, "diagnosis", ub_diagnosis_json(&d)));
	ub_diagnosis_free(&d);
	free(log);
	if (have_prof)
		ub_profile_free(&prof);
	return 0;
}
