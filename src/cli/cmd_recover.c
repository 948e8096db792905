/* unbrick recover / flash / verify / restore: the whole repair, its write
 * part, the comparison alone, and putting a backup back.  Each has its own
 * table: an option a command does not use is refused, not ignored. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "base/say.h"
#include "core/recover.h"

enum {
	OPT_UNLOCK = 256, OPT_BACKUP, OPT_NO_BACKUP, OPT_RESUME, OPT_SHA256,
	OPT_SUMS, OPT_SIG, OPT_KEY, OPT_MODEL, OPT_REVISION, OPT_REGION_CODE,
	OPT_INSTALLED, OPT_ALLOW_OLDER, OPT_FROM, OPT_FULL_VERIFY, OPT_TRUST_BACKUP,
	OPT_FORCE_ATTEMPT, OPT_SOAK, OPT_KEEP_SETTINGS, OPT_ALLOW_UNVERIFIED,
	OPT_UNLOCK_BOOTLOADER, OPT_ERASE_USER_DATA,
};

#define O_DEVICE { "device", 'd', "SPEC", "how to reach the device: FAMILY:TRANSPORT:ADDRESS[,NAME=VALUE...] (the device specs below)" }
#define O_PROFILE { "profile", 'p', "P", "the device profile (a name or a file)" }
#define O_UNLOCK { "unlock", OPT_UNLOCK, "R", "allow writing the protected region R (bootloader, calibration), named in full; several split by commas (an image set's bootloader,radio)" }
#define O_UNLOCK_BOOTLOADER \
	{ "unlock-bootloader", OPT_UNLOCK_BOOTLOADER, NULL, "unlock the device's bootloader before writing: the device ERASES ALL USER DATA on it; you type 'erase user data' to go on (--yes is not enough)" }, \
	{ "erase-user-data", OPT_ERASE_USER_DATA, NULL, "for scripts, with --unlock-bootloader: the owner agreed that the device erases all user data; unlock without asking (recorded in the journal)" }
#define O_YES { "yes", 'y', NULL, "do not ask before writing (for scripts and stations)" }
#define O_DRY_RUN { "dry-run", 'n', NULL, "print the plan (steps, bytes, estimated times, gates that would refuse) from the profile and the image; the device is not opened and no case is made" }
#define O_BACKUP_OPTS \
	{ "backup", OPT_BACKUP, "DIR", "use this verified backup (from 'unbrick backup') instead of reading the device again" }, \
	{ "trust-backup", OPT_TRUST_BACKUP, NULL, "the device has not changed since --backup DIR was made: compare with it instead of reading the device (for families that write by comparing)" }, \
	{ "no-backup", OPT_NO_BACKUP, NULL, "write without a backup (recorded in the journal; not advised)" }
#define O_WRITE_OPTS \
	{ "full-verify", OPT_FULL_VERIFY, NULL, "read the whole region back after writing, even when the write already read back every block it wrote" }, \
	{ "keep-settings", OPT_KEEP_SETTINGS, NULL, "after the write, leave config regions (the owner's settings) as they are; by default a config region the write changed is put back from the backup when the profile's rule says the new firmware reads it" }, \
	{ "resume", OPT_RESUME, "CASE", "continue case CASE; a backup that still verifies is reused" }, \
	{ "force-attempt", OPT_FORCE_ATTEMPT, NULL, "try again although the case already failed the profile's number of attempts (default 3); recorded in the journal" }, \
	{ "allow-unverified", OPT_ALLOW_UNVERIFIED, NULL, "write an image `check` calls unverified (no checksum or signature vouches for it); recorded in the journal" }
#define O_CHECKS \
	CLI_HEADING("Image checks (as 'unbrick check' does them)"), \
	{ "sha256", OPT_SHA256, "HEX", "the image's expected SHA-256 (from the vendor's page)" }, \
	{ "sums", OPT_SUMS, "FILE", "a checksum list (sha256sum output or BSD tags) naming the image" }, \
	{ "sig", OPT_SIG, "FILE", "the image's detached signature" }, \
	{ "key", OPT_KEY, "FILE", "the vendor's public key" }, \
	{ "model", OPT_MODEL, "M", "the device's model (over what identify found)" }, \
	{ "revision", OPT_REVISION, "R", "the hardware revision from the label" }, \
	{ "region-code", OPT_REGION_CODE, "G", "the device's region (market)" }, \
	{ "installed-version", OPT_INSTALLED, "V", "the firmware now on the device" }, \
	{ "allow-older", OPT_ALLOW_OLDER, NULL, "allow an image older than the installed version" }

static const struct cli_opt recover_opts[] = {
	O_DEVICE, O_PROFILE,
	{ "region", 'r', "R", "the region to write (default: the profile's firmware region)" },
	O_UNLOCK,
	O_UNLOCK_BOOTLOADER,
	O_BACKUP_OPTS,
	O_WRITE_OPTS,
	O_YES,
	{ "soak", OPT_SOAK, "SECONDS", "after the boot, watch the console this long (1 to 86400); a restart, a panic or an error fails the repair (log kept)" },
	O_DRY_RUN,
	O_CHECKS,
	CLI_END,
};

static const struct cli_opt flash_opts[] = {
	O_DEVICE, O_PROFILE,
	{ "region", 'r', "R", "the region to write (default: the profile's firmware region)" },
	O_UNLOCK,
	O_UNLOCK_BOOTLOADER,
	O_BACKUP_OPTS,
	O_WRITE_OPTS,
	O_YES,
	O_DRY_RUN,
	O_CHECKS,
	CLI_END,
};

static const struct cli_opt verify_opts[] = {
	O_DEVICE, O_PROFILE,
	{ "region", 'r', "R", "the region to compare (default: the profile's firmware region)" },
	CLI_END,
};

static const struct cli_opt restore_opts[] = {
	{ "from", OPT_FROM, "DIR", "the backup: a case's backup/ folder, or 'unbrick backup' output" },
	O_DEVICE, O_PROFILE,
	{ "region", 'r', "R", "put back region R only (default: every region the profile marks as config)" },
	O_UNLOCK,
	O_YES,
	O_DRY_RUN,
	CLI_END,
};

static const char device_exits[] =
	"Exit status: 0 done, 1 a step failed, 2 usage error (a name that does not exist), "
	"3 refused by a safety check (nothing was written), 4 the device did not answer.";

static int run(int argc, char **argv, const struct cli_cmd *cmd);

/* The plan of a --dry-run is its result: on stdout, refused or not. */
static void print_plan(const json_t *res, const char *device, const char *profile)
{
	const json_t *steps = json_object_get(res, "plan"), *st;
	char t[32];
	size_t i;

	if (!json_array_size(steps))
		return;
	printf("plan for %s with profile %s (nothing is touched; times from %s):\n", device, profile,
	       json_string_value(json_object_get(res, "times_from")) ?
	       json_string_value(json_object_get(res, "times_from")) : "typical speeds");
	json_array_foreach(steps, i, st) {
		double secs = json_number_value(json_object_get(st, "seconds"));
		const char *note = json_string_value(json_object_get(st, "note"));

		ub_say_secs(secs, t, sizeof t);
		printf("  %zu. %-8s %-62s %s\n", i + 1, json_string_value(json_object_get(st, "step")),
		       json_string_value(json_object_get(st, "what")), secs > 0 ? t : "");
		if (note)
			printf("     %s\n", note);
	}
	fflush(stdout);
}

static int run_recover(int argc, char **argv);
static int run_flash(int argc, char **argv);
static int run_verify(int argc, char **argv);
static int run_restore(int argc, char **argv);

const struct cli_cmd cli_cmd_recover = {
	"recover", "the whole repair: identify, back up, check, write, verify, boot",
	"IMAGE --device SPEC --profile P [options]",
	"Bring a bricked device back: identify it, back up every readable region\n"
	"(verified), check the image, write it (only the blocks that differ), verify,\n"
	"reset and watch the first boot, and write the case report.",
	recover_opts, device_exits, CLI_DEVICE | CLI_PROGRESS | CLI_WRITES | CLI_READS, run_recover, NULL,
};

const struct cli_cmd cli_cmd_flash = {
	"flash", "write an image into a region, with backup and checks first",
	"IMAGE --device SPEC --profile P [options]",
	"Write IMAGE into a region of the device, with the same gates as recover:\n"
	"identify, a verified backup first (made now, or --backup DIR from an earlier\n"
	"'unbrick backup'), the image check, then write and verify.  No reset.",
	flash_opts, device_exits, CLI_DEVICE | CLI_PROGRESS | CLI_WRITES | CLI_READS, run_flash, NULL,
};

const struct cli_cmd cli_cmd_verify = {
	"verify", "compare an image with what the device holds, without writing",
	"IMAGE --device SPEC --profile P [--region R]",
	"Compare IMAGE with what the device holds in the region, block by block, with\n"
	"the device's own checksums.  Nothing is written.",
	verify_opts,
	"Exit status: 0 the device holds the image, 1 it does not (or a step failed), "
	"2 usage error, 4 the device did not answer.",
	CLI_DEVICE | CLI_PROGRESS | CLI_READS, run_verify, NULL,
};

const struct cli_cmd cli_cmd_restore = {
	"restore", "put regions back from a backup (the owner's settings by default)",
	"--from DIR --device SPEC --profile P [--region R]",
	"Put regions back from a backup (a case's backup/ folder, or 'unbrick backup'\n"
	"output): the named region, or every region the profile marks as config (the\n"
	"owner's settings).  The backup must still match its manifest and belong to\n"
	"this unit; only blocks that differ are written, then verified.",
	restore_opts, device_exits, CLI_DEVICE | CLI_PROGRESS | CLI_WRITES | CLI_READS, run_restore, NULL,
};

/* The user types "write REGION" to go on; anything else stops. */
static int ask(void *ctx, const char *region, const char *summary)
{
	char want[64], question[512];

	(void)ctx;
	snprintf(want, sizeof want, "write %s", region);
	snprintf(question, sizeof question, "About to %s", summary);
	return cli_confirm(question, want);
}

/* The unlock's question: the user types the words that name the loss. */
static int ask_phrase(void *ctx, const char *question, const char *phrase)
{
	(void)ctx;
	return cli_confirm(question, phrase);
}

static int run(int argc, char **argv, const struct cli_cmd *cmd)
{
	const char *name = cmd->name;
	int restore = cmd == &cli_cmd_restore;
	struct ub_recover_opts o;
	struct ub_progress root;
	struct ub_err e;
	json_t *res = NULL;
	char spec[2200];
	int c, rc, yes = 0;

	memset(&o, 0, sizeof o);
	ub_err_clear(&e);
	o.boot = cmd == &cli_cmd_recover;
	o.command = name;
	while ((c = cli_getopt(cmd, argc, argv)) != -1) {
		switch (c) {
		case 'd': o.device = optarg; break;
		case 'p': o.profile = optarg; break;
		case 'r': o.region = optarg; break;
		case 'y': yes = 1; break;
		case OPT_UNLOCK: o.unlock = optarg; break;
		case OPT_UNLOCK_BOOTLOADER: o.unlock_bootloader = 1; break;
		case OPT_ERASE_USER_DATA: o.erase_user_data = 1; break;
		case OPT_SOAK: {
			char *end;
			long v = strtol(optarg, &end, 10);

			if (*end || end == optarg || v < 1 || v > 86400)
				return cli_usage_error(name, "--soak takes 1 to 86400 seconds, not '%s'", optarg);
			o.soak = (int)v;
			break;
		}
		case OPT_BACKUP: o.backup_dir = optarg; break;
		case OPT_NO_BACKUP: o.no_backup = 1; break;
		case OPT_FULL_VERIFY: o.full_verify = 1; break;
		case OPT_KEEP_SETTINGS: o.keep_settings = 1; break;
		case OPT_TRUST_BACKUP: o.trust_backup = 1; break;
		case OPT_FORCE_ATTEMPT: o.force_attempt = 1; break;
		case OPT_ALLOW_UNVERIFIED: o.allow_unverified = 1; break;
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
		case 'h': return 0;
		default: return UB_EXIT_USAGE;
		}
	}
	if (restore && optind != argc)
		return cli_usage_error(name, "no IMAGE: the regions come from the backup (--from DIR)");
	if (restore && !o.restore_dir)
		return cli_usage_error(name, "--from DIR (a backup folder) is needed");
	if (!restore && optind != argc - 1)
		return cli_usage_error(name, "give exactly one IMAGE (got %d)", argc - optind);
	if (!o.device || !o.profile)
		return cli_usage_error(name, "--device SPEC and --profile P are needed");
	if (o.erase_user_data && !o.unlock_bootloader)
		return cli_usage_error(name, "--erase-user-data goes with --unlock-bootloader (it accepts the loss that unlocking brings)");
	if (o.no_backup && o.backup_dir)
		return cli_usage_error(name, "--no-backup and --backup contradict each other");
	if (o.trust_backup && !o.backup_dir)
		return cli_usage_error(name, "--trust-backup needs --backup DIR (the backup to trust)");
	o.image = restore ? NULL : argv[optind];
	o.verify_only = cmd == &cli_cmd_verify;
	/* the families' options travel in the device spec, as parameters */
	if ((rc = cli_device_spec(name, o.device, spec, sizeof spec)))
		return rc;
	o.device = spec;
	if (!yes)
		o.confirm = ask;
	/* --yes never answers this one */
	o.confirm_phrase = ask_phrase;
	o.guide = isatty(STDERR_FILENO) && !cli_out.json;
	ub_progress_root(&root, name, cli_progress_sink, NULL);
	rc = ub_recover_run(&o, &root, &res, &e);
	ub_progress_end(&root, rc);
	if (o.dry_run && !cli_out.json)
		print_plan(res, o.device, o.profile);
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
	if (cli_out.json) {
		json_object_set_new(res, "ok", json_true());
		json_object_set_new(res, "exit", json_integer(0));
		cli_json_emit(res);
		return 0;
	}
	if (o.dry_run) {
		printf("%s --dry-run: the plan passes every gate; run again without --dry-run to do it\n", name);
	} else {
		const char *report = json_string_value(json_object_get(res, "report"));
		const char *summary = json_string_value(json_object_get(res, "summary"));

		printf("%s: %s: case %lld, report %s\n", name, summary ? summary : "done",
		       (long long)json_integer_value(json_object_get(res, "case")), report ? report : "-");
	}
	json_decref(res);
	return 0;
}

static int run_recover(int argc, char **argv)
{
	return run(argc, argv, &cli_cmd_recover);
}

static int run_flash(int argc, char **argv)
{
	return run(argc, argv, &cli_cmd_flash);
}

static int run_verify(int argc, char **argv)
{
	return run(argc, argv, &cli_cmd_verify);
}

static int run_restore(int argc, char **argv)
{
	return run(argc, argv, &cli_cmd_restore);
}
