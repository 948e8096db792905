/* unbrick backup: read everything that can be read off a device, verified. */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "core/backup.h"

static const char help[] =
	"Usage: unbrick backup --device SPEC --profile P -o DIR [--region R] [--json]\n"
	"                      [--server-ip A --device-ip A]\n"
	"                      [--read-via tftpput|netconsole|console]\n"
	"Stop the device in its bootloader and read every readable region of its\n"
	"flash map into DIR: one file per region and manifest.json with each file's\n"
	"SHA-256.  Each block read is cross-checked with the device's own checksum.\n"
	"Nothing is written to the device.\n"
	"\n"
	"  -d, --device SPEC   how to reach it, e.g. uboot:serial:/dev/ttyUSB0\n"
	"  -p, --profile P     the device profile (name or file)\n"
	"  -o, --output DIR    where the backup goes (created if missing)\n"
	"  -r, --region R      back up only region R\n"
	"      --read-via tftpput|netconsole|console  how a U-Boot board's flash comes\n"
	"                      back: uploaded by its tftpput, its dumps through its netconsole\n"
	"                      (UDP to this machine), or over the console; by default the\n"
	"                      fastest the board has, when the network addresses are known\n"
	"      --server-ip A   this machine's address on the board's network\n"
	"      --device-ip A   the address the board takes there\n"
	"      --json          print the result as JSON on stdout\n"
	"      --json-progress print progress events as JSON lines on stdout\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 backed up, 1 failed, 2 usage error, 4 device not answering.\n";

enum { OPT_JSON = 256, OPT_JSON_PROGRESS, OPT_READ_VIA, OPT_SERVER_IP, OPT_DEVICE_IP };

static const struct option longopts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "profile", required_argument, NULL, 'p' },
	{ "output", required_argument, NULL, 'o' },
	{ "region", required_argument, NULL, 'r' },
	{ "read-via", required_argument, NULL, OPT_READ_VIA },
	{ "server-ip", required_argument, NULL, OPT_SERVER_IP },
	{ "device-ip", required_argument, NULL, OPT_DEVICE_IP },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "json-progress", no_argument, NULL, OPT_JSON_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
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

int cmd_backup(int argc, char **argv)
{
	const char *device = NULL, *profile = NULL, *dir = NULL, *only = NULL;
	const char *kv[] = { "server_ip", NULL, "device_ip", NULL, "read_via", NULL, NULL };
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
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:p:o:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'p': profile = optarg; break;
		case 'o': dir = optarg; break;
		case 'r': only = optarg; break;
		case OPT_SERVER_IP: kv[1] = optarg; break;
		case OPT_DEVICE_IP: kv[3] = optarg; break;
		case OPT_READ_VIA: kv[5] = optarg; break;
		case OPT_JSON: cli_out.json = 1; break;
		case OPT_JSON_PROGRESS: cli_out.json_progress = 1; break;
		case 'h': fputs(help, stdout); return 0;
		default: return cli_usage_error("backup", "unknown option");
		}
	}
	if (!device || !dir || optind != argc)
		return cli_usage_error("backup", "--device SPEC and -o DIR are needed");
	if ((rc = cli_spec_params(spec, sizeof spec, device, "backup", kv)))
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
		rc = ub_backup_run(&s, dir, only, UB_BACKUP_NEW, &id, &b, &root, &e);
		ub_progress_end(&root, rc);
	}
	if (!rc && cli_out.json) {
		bj = cli_backup_json(dir, &b);
		ub_backup_describe_reads(&s, bj);
	}
	ub_session_close(&s);
	if (rc)
		return cli_fail(&e);
	for (i = 0; i < b.n; i++)
		fprintf(stderr, "  %-12s %10s  sha256 %s\n", b.v[i].region,
			cli_bytes((double)b.v[i].size, size, sizeof size), b.v[i].sha256);
	fprintf(stderr, "backup complete: %zu region%s in %s (manifest.json lists their sha256)\n",
		b.n, b.n == 1 ? "" : "s", dir);
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:o}", "ok", 1, "backup", bj));
	ub_backup_free(&b);
	return 0;
}
