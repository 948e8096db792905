/* unbrick recover / unbrick flash: the whole repair, or its write part. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "core/recover.h"

static const char recover_help[] =
	"Usage: unbrick recover IMAGE --device SPEC --profile P [options]\n"
	"Bring a bricked device back: identify it, back up every readable region\n"
	"(verified), check the image, write it (only the blocks that differ), verify,\n"
	"reset and watch the first boot, and write the case report.\n";

static const char flash_help[] =
	"Usage: unbrick flash IMAGE --device SPEC --profile P [options]\n"
	"Write IMAGE into a region of the device, with the same gates as recover:\n"
	"identify, a verified backup first (made now, or --backup DIR from an earlier\n"
	"'unbrick backup'), the image check, then write and verify.  No reset.\n";

static const char verify_help[] =
	"Usage: unbrick verify IMAGE --device SPEC --profile P [--region R]\n"
	"Compare IMAGE with what the device holds in the region, block by block, with\n"
	"the device's own checksums.  Nothing is written.\n";

static const char restore_help[] =
	"Usage: unbrick restore --from DIR --device SPEC --profile P [--region R]\n"
	"Put regions back from a backup (a case's backup/ folder, or 'unbrick backup'\n"
	"output): the named region, or every region the profile marks as config (the\n"
	"owner's settings).  The backup must still match its manifest; only blocks that\n"
	"differ are written, then verified.\n";

static const char common_help[] =
	"\n"
	"  -d, --device SPEC      how to reach it, e.g. uboot:serial:/dev/ttyUSB0,baud=115200\n"
	"                         or uboot:telnet:HOST:PORT (a console server, RFC 2217),\n"
	"                         or uboot:netconsole:BOARD_IP (no serial; images by TFTP),\n"
	"                         or spi:flashrom:ch341a_spi (a chip on a programmer clip)\n"
	"  -p, --profile P        the device profile (name or file)\n"
	"  -r, --region R         the region to write (default: the profile's firmware region)\n"
	"      --unlock R         allow writing the protected region R (bootloader, calibration)\n"
	"      --via tftp|ymodem  how the image reaches a U-Boot board: TFTP from unbrick's own\n"
	"                         server (default when the profile gives network addresses and\n"
	"                         this machine can serve on them), or YMODEM over the console\n"
	"      --server-ip A      this machine's address on the board's network\n"
	"      --device-ip A      the address the board takes there\n"
	"      --read-via tftpput|netconsole|console  how a U-Boot board's flash comes\n"
	"                         back: uploaded by its tftpput, its dumps through its netconsole\n"
	"                         (UDP to this machine), or over the console; by default the\n"
	"                         fastest the board has, when the network addresses are known\n"
	"      --backup DIR       use this verified backup instead of reading the device again\n"
	"      --trust-backup     the device has not changed since --backup DIR was made:\n"
	"                         compare with it instead of reading the device (SPI chips)\n"
	"      --no-backup        write without a backup (recorded in the journal; not advised)\n"
	"      --full-verify      read the whole region back after writing, even when the\n"
	"                         write already read back every block it wrote (SPI chips)\n"
	"      --keep-settings    after the write, leave config regions (the owner's settings)\n"
	"                         as they are; by default a config region the write changed\n"
	"                         is put back from the backup when the profile's rule says\n"
	"                         the new firmware reads it\n"
	"      --resume CASE      continue case CASE; a backup that still verifies is reused\n"
	"      --force-attempt    try again although the case already failed the profile's\n"
	"                         number of attempts (default 3); recorded in the journal\n"
	"  -y, --yes              do not ask before writing (for scripts and stations)\n"
	"      --soak SECONDS     after the boot, watch the console this long; a restart,\n"
	"                         a panic or an error fails the repair (log kept)\n"
	"  -n, --dry-run          print the plan (steps, bytes, estimated times, gates that\n"
	"                         would refuse) from the profile and the image; the device\n"
	"                         is not opened and no case is made\n"
	"Image checks (see 'unbrick check --help'):\n"
	"      --sha256 HEX, --sums FILE, --sig FILE, --key FILE, --model M, --revision R,\n"
	"      --region-code G, --installed-version V, --allow-older\n"
	"Output:\n"
	"      --json             print the result as one JSON object on stdout\n"
	"      --json-progress    print progress events as JSON lines on stdout\n"
	"  -h, --help             show this help\n"
	"\n"
	"Exit status: 0 done, 1 a step failed, 2 usage error, 3 refused by a safety\n"
	"check (nothing was written), 4 the device did not answer.\n";

enum {
	OPT_UNLOCK = 256, OPT_VIA, OPT_BACKUP, OPT_NO_BACKUP, OPT_RESUME, OPT_SHA256,
	OPT_SUMS, OPT_SIG, OPT_KEY, OPT_MODEL, OPT_REVISION, OPT_REGION_CODE,
	OPT_INSTALLED, OPT_ALLOW_OLDER, OPT_JSON, OPT_JSON_PROGRESS, OPT_FROM,
	OPT_FULL_VERIFY, OPT_TRUST_BACKUP, OPT_FORCE_ATTEMPT, OPT_SERVER_IP, OPT_DEVICE_IP, OPT_SOAK,
	OPT_KEEP_SETTINGS, OPT_READ_VIA,
};

static const struct option longopts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "profile", required_argument, NULL, 'p' },
	{ "region", required_argument, NULL, 'r' },
	{ "unlock", required_argument, NULL, OPT_UNLOCK },
	{ "via", required_argument, NULL, OPT_VIA },
	{ "server-ip", required_argument, NULL, OPT_SERVER_IP },
	{ "soak", required_argument, NULL, OPT_SOAK },
	{ "device-ip", required_argument, NULL, OPT_DEVICE_IP },
	{ "read-via", required_argument, NULL, OPT_READ_VIA },
	{ "backup", required_argument, NULL, OPT_BACKUP },
	{ "no-backup", no_argument, NULL, OPT_NO_BACKUP },
	{ "full-verify", no_argument, NULL, OPT_FULL_VERIFY },
	{ "keep-settings", no_argument, NULL, OPT_KEEP_SETTINGS },
	{ "trust-backup", no_argument, NULL, OPT_TRUST_BACKUP },
	{ "force-attempt", no_argument, NULL, OPT_FORCE_ATTEMPT },
	{ "dry-run", no_argument, NULL, 'n' },
	{ "resume", required_argument, NULL, OPT_RESUME },
	{ "from", required_argument, NULL, OPT_FROM },
	{ "yes", no_argument, NULL, 'y' },
	{ "sha256", required_argument, NULL, OPT_SHA256 },
	{ "sums", required_argument, NULL, OPT_SUMS },
	{ "sig", required_argument, NULL, OPT_SIG },
	{ "key", required_argument, NULL, OPT_KEY },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "revision", required_argument, NULL, OPT_REVISION },
	{ "region-code", required_argument, NULL, OPT_REGION_CODE },
	{ "installed-version", required_argument, NULL, OPT_INSTALLED },
	{ "allow-older", no_argument, NULL, OPT_ALLOW_OLDER },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "json-progress", no_argument, NULL, OPT_JSON_PROGRESS },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* The user types "write REGION" to go on; anything else stops. */
static int ask(void *ctx, const char *region, const char *summary)
{
	char want[64], line[128];

	(void)ctx;
	if (!isatty(STDIN_FILENO)) {
		fprintf(stderr, "unbrick: about to %s, but there is nobody to ask: pass --yes to write without asking\n",
			summary);
		return 0;
	}
	snprintf(want, sizeof want, "write %s", region);
	cli_progress_clear();
	fprintf(stderr, "About to %s.\nType '%s' to go on: ", summary, want);
	if (!fgets(line, sizeof line, stdin))
		return 0;
	line[strcspn(line, "\r\n")] = '\0';
	return strcmp(line, want) == 0;
}

static int run(int argc, char **argv, const char *name, int boot)
{
	int restore = strcmp(name, "restore") == 0;
	struct ub_recover_opts o;
	struct ub_progress root;
	struct ub_err e;
	json_t *res = NULL;
	const char *via = NULL, *server_ip = NULL, *device_ip = NULL, *read_via = NULL;
	char spec[2200];
	int c, rc, yes = 0;

	memset(&o, 0, sizeof o);
	ub_err_clear(&e);
	o.boot = boot;
	o.command = name;
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:p:r:ynh", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': o.device = optarg; break;
		case 'p': o.profile = optarg; break;
		case 'r': o.region = optarg; break;
		case 'y': yes = 1; break;
		case OPT_UNLOCK: o.unlock = optarg; break;
		case OPT_VIA: via = optarg; break;
		case OPT_SERVER_IP: server_ip = optarg; break;
		case OPT_SOAK:
			o.soak = atoi(optarg);
			if (o.soak < 1 || o.soak > 86400)
				return cli_usage_error(name, "--soak takes 1 to 86400 seconds");
			break;
		case OPT_DEVICE_IP: device_ip = optarg; break;
		case OPT_READ_VIA: read_via = optarg; break;
		case OPT_BACKUP: o.backup_dir = optarg; break;
		case OPT_NO_BACKUP: o.no_backup = 1; break;
		case OPT_FULL_VERIFY: o.full_verify = 1; break;
		case OPT_KEEP_SETTINGS: o.keep_settings = 1; break;
		case OPT_TRUST_BACKUP: o.trust_backup = 1; break;
		case OPT_FORCE_ATTEMPT: o.force_attempt = 1; break;
		case 'n': o.dry_run = 1; break;
		case OPT_FROM: o.restore_dir = optarg; break;
		case OPT_RESUME:
			if (cli_parse_case_id(optarg, &o.resume_case))
				return cli_usage_error(name, "--resume takes a case id, not '%s'", optarg);
			break;
		case OPT_SHA256: o.check.sha256 = optarg; break;
		case OPT_SUMS: o.check.sums = optarg; break;
		case OPT_SIG: o.check.sig = optarg; break;
		case OPT_KEY: o.check.key = optarg; break;
		case OPT_MODEL: o.check.target.model = optarg; break;
		case OPT_REVISION: o.check.target.revision = optarg; break;
		case OPT_REGION_CODE: o.check.target.region = optarg; break;
		case OPT_INSTALLED: o.check.target.installed_version = optarg; break;
		case OPT_ALLOW_OLDER: o.check.target.allow_older = 1; break;
		case OPT_JSON: cli_out.json = 1; break;
		case OPT_JSON_PROGRESS: cli_out.json_progress = 1; break;
		case 'h':
			fputs(boot ? recover_help : restore ? restore_help :
			      strcmp(name, "verify") == 0 ? verify_help : flash_help, stdout);
			fputs(common_help, stdout);
			return 0;
		default: return cli_usage_error(name, "unknown option");
		}
	}
	if (restore && (optind != argc || !o.restore_dir))
		return cli_usage_error(name, "--from DIR (a backup folder) is needed, and no IMAGE");
	if (!restore && optind != argc - 1)
		return cli_usage_error(name, "give exactly one IMAGE");
	if (!o.device || !o.profile)
		return cli_usage_error(name, "--device SPEC and --profile P are needed");
	if (o.no_backup && o.backup_dir)
		return cli_usage_error(name, "--no-backup and --backup contradict each other");
	if (o.trust_backup && !o.backup_dir)
		return cli_usage_error(name, "--trust-backup needs --backup DIR (the backup to trust)");
	o.image = restore ? NULL : argv[optind];
	o.verify_only = strcmp(name, "verify") == 0;
	/* the transfer options travel in the device spec, as parameters */
	{
		const char *kv[] = { "via", via, "server_ip", server_ip, "device_ip", device_ip,
				     "read_via", read_via, NULL };

		if ((rc = cli_spec_params(spec, sizeof spec, o.device, name, kv)))
			return rc;
		o.device = spec;
	}
	if (!yes) {
		o.confirm = ask;
	}
	o.guide = isatty(STDERR_FILENO) && !cli_out.json;
	ub_progress_root(&root, name, cli_progress_sink, NULL);
	rc = ub_recover_run(&o, &root, &res, &e);
	ub_progress_end(&root, rc);
	if (rc) {
		if (cli_out.json && res) {
			json_object_set_new(res, "ok", json_false());
			json_object_set_new(res, "exit", json_integer(ub_exit_code(rc)));
			json_object_set_new(res, "error", cli_json_error(&e));
			cli_json_emit(res);
			res = NULL;
			cli_out.json = 0;   /* the error object is already out */
		}
		json_decref(res);
		return cli_fail(&e);
	}
	if (o.dry_run)
		fprintf(stderr, "%s%s --dry-run: the plan passes every gate%s; run again without --dry-run to do it\n",
			cli_color("green"), name, cli_reset());
	else
		fprintf(stderr, "%s%s: %s%s (case %lld, report %s)\n",
			cli_color(json_is_true(json_object_get(res, "verified")) ? "green" : "yellow"), name,
			json_string_value(json_object_get(res, "summary")) ? json_string_value(json_object_get(res, "summary")) : "done",
			cli_reset(), (long long)json_integer_value(json_object_get(res, "case")),
			json_string_value(json_object_get(res, "report")) ? json_string_value(json_object_get(res, "report")) : "-");
	if (cli_out.json) {
		json_object_set_new(res, "ok", json_true());
		json_object_set_new(res, "exit", json_integer(0));
		cli_json_emit(res);
	} else {
		json_decref(res);
	}
	return 0;
}

int cmd_recover(int argc, char **argv)
{
	return run(argc, argv, "recover", 1);
}

int cmd_flash(int argc, char **argv)
{
	return run(argc, argv, "flash", 0);
}

int cmd_verify(int argc, char **argv)
{
	return run(argc, argv, "verify", 0);
}

int cmd_restore(int argc, char **argv)
{
	return run(argc, argv, "restore", 0);
}
