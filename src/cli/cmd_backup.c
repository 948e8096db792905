/* unbrick backup: read everything that can be read off a device, verified. */
#include <string.h>

#include "cli.h"
#include "core/backup.h"

static const struct cli_opt opts[] = {
	{ "device", 'd', "SPEC", "how to reach the device: FAMILY:TRANSPORT:ADDRESS[,NAME=VALUE...] (the device specs below)" },
	{ "profile", 'p', "P", "the device profile (a name or a file)" },
	{ "output", 'o', "DIR", "where the backup goes (created if missing)" },
	{ "region", 'r', "R", "back up only region R" },
	{ "force", 'f', NULL, "replace an earlier backup in DIR (by default a folder holding one is refused)" },
	CLI_END,
};

static int run(int argc, char **argv);

const struct cli_cmd cli_cmd_backup = {
	"backup", "read every readable region off a device, verified",
	"--device SPEC --profile P -o DIR [--region R]",
	"Stop the device in its bootloader and read every readable region of its\n"
	"flash map into DIR: one file per region and manifest.json with each file's\n"
	"SHA-256.  Each block read is cross-checked with the device's own checksum.\n"
	"Nothing is written to the device.  The regions and their SHA-256 are printed\n"
	"on stdout.",
	opts,
	"Exit status: 0 backed up, 1 failed, 2 usage error, 3 DIR holds a backup (--force\n"
	"replaces it), 4 the device did not answer.",
	CLI_DEVICE | CLI_PROGRESS | CLI_READS, run, NULL,
};

json_t *cli_backup_json(const char *dir, const struct ub_backup *b)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < b->n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:I, s:s}",
			"region", b->v[i].region, "file", b->v[i].file,
			"size", (json_int_t)b->v[i].size, "sha256", b->v[i].sha256));
	return json_pack("{s:s, s:o}", "dir", dir, "regions", a);
}

static int run(int argc, char **argv)
{
	const char *device = NULL, *profile = NULL, *dir = NULL, *only = NULL;
	int force = 0;
	char spec[2200];
	struct ub_session s;
	struct ub_identity id;
	struct ub_backup b;
	json_t *bj = NULL;
	struct ub_progress root;
	struct ub_err e;
	char size[32];
	size_t i;
	int c, rc;

	ub_err_clear(&e);
	while ((c = cli_getopt(&cli_cmd_backup, argc, argv)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'p': profile = optarg; break;
		case 'f': force = 1; break;
		case 'o': dir = optarg; break;
		case 'r': only = optarg; break;
		case 'h': return 0;
		default: return UB_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("backup", "unexpected argument '%s'", argv[optind]);
	if (!device || !dir)
		return cli_usage_error("backup", "--device SPEC and -o DIR are needed");
	if ((rc = cli_device_spec("backup", device, spec, sizeof spec)))
		return rc;
	if ((rc = ub_session_open(&s, spec, profile, &e)))
		return cli_fail(&e);
	ub_session_say_reach(&s);
	rc = s.fam->enter_recovery(s.dev, &e);
	if (!rc)
		rc = s.fam->identify(s.dev, &id, &e);
	if (!rc) {
		fprintf(stderr, "backing up %s (%s) into %s\n", *id.model ? id.model : "the device",
			id.bootloader, dir);
		ub_progress_root(&root, "backup", cli_progress_sink, NULL);
		rc = ub_backup_run(&s, dir, only, force ? UB_BACKUP_REPLACE : UB_BACKUP_NEW, &id, &b, &root, &e);
		ub_progress_end(&root, rc);
	}
	if (!rc && cli_out.json) {
		bj = cli_backup_json(dir, &b);
		ub_backup_describe_reads(&s, bj);
	}
	ub_session_close(&s);
	if (rc)
		return cli_fail(&e);
	if (cli_out.json) {
		cli_json_emit(json_pack("{s:b, s:o}", "ok", 1, "backup", bj));
	} else {
		for (i = 0; i < b.n; i++)
			printf("%-12s %10s  sha256 %s  %s/%s\n", b.v[i].region,
			       cli_bytes((double)b.v[i].size, size, sizeof size), b.v[i].sha256, dir,
			       b.v[i].file);
		fprintf(stderr, "backup complete: %zu region%s in %s (manifest.json lists their sha256)\n",
			b.n, b.n == 1 ? "" : "s", dir);
	}
	ub_backup_free(&b);
	return 0;
}
