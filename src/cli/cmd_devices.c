/* unbrick devices: what could be reached now, as each family finds it
 * (its list op): a --device SPEC for each, what it is, and notes on what
 * could not be looked for. */
#include <string.h>

#include "cli.h"
#include "family/family.h"

static int run(int argc, char **argv);

const struct cli_cmd cli_cmd_devices = {
	"devices", "list the devices that could be reached now, with their --device SPEC",
	"",
	"List what each device family finds attached now (serial ports, programmers,\n"
	"...), each with the SPEC that --device takes, on stdout.  Nothing is opened:\n"
	"whether a device answers is for 'unbrick identify' to find out.  Device specs\n"
	"and every family's parameters are below.",
	NULL,
	"Exit status: 0 listed (also when nothing was found), 1 a family could not look.",
	0, run, NULL,
};

struct listing {
	const struct ub_family *fam;
	json_t *devices, *notes;
	size_t shown;
};

static void on_found(void *ctx, const struct ub_found *f)
{
	struct listing *l = ctx;

	if (!f->spec[0]) {
		json_array_append_new(l->notes, json_pack("{s:s, s:s}", "family", l->fam->name,
							  "note", f->what));
		if (!cli_out.json)
			fprintf(stderr, "note: %s\n", f->what);
		return;
	}
	json_array_append_new(l->devices, json_pack("{s:s, s:s, s:s, s:s}", "family", l->fam->name,
						    "spec", f->spec, "what", f->what, "state", f->state));
	if (!cli_out.json) {
		printf("%s\n    %s%s%s%s\n", f->spec, f->what, f->state[0] ? " (" : "", f->state,
		       f->state[0] ? ")" : "");
		l->shown++;
	}
}

static int run(int argc, char **argv)
{
	struct listing l;
	struct ub_err e;
	json_t *failed;
	size_t i;
	int c, status = 0;

	while ((c = cli_getopt(&cli_cmd_devices, argc, argv)) != -1) {
		if (c == 'h') {
			cli_help_devices(stdout, 1);
			return 0;
		}
		return UB_EXIT_USAGE;
	}
	if (optind != argc)
		return cli_usage_error("devices", "unexpected argument '%s'", argv[optind]);
	memset(&l, 0, sizeof l);
	l.devices = json_array();
	l.notes = json_array();
	failed = json_array();
	for (i = 0; ub_families[i]; i++) {
		l.fam = ub_families[i];
		if (!l.fam->list)
			continue;
		ub_err_clear(&e);
		if (l.fam->list(on_found, &l, &e)) {
			json_array_append_new(failed, json_pack("{s:s, s:o}", "family", l.fam->name,
								"error", cli_json_error(&e)));
			fprintf(stderr, "unbrick: the %s family could not look: %s\n", l.fam->name, e.msg);
			status = UB_EXIT_FAIL;
		}
	}
	if (cli_out.json) {
		cli_json_emit(json_pack("{s:b, s:i, s:o, s:o, s:o}", "ok", status == 0, "exit", status,
					"devices", l.devices, "notes", l.notes, "failed", failed));
		return status;
	}
	if (!l.shown)
		fprintf(stderr, "nothing found\n");
	json_decref(l.devices);
	json_decref(l.notes);
	json_decref(failed);
	return status;
}
