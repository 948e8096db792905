/* unbrick identify: who is this device, and what runs on it? */
#include <string.h>

#include "cli.h"
#include "core/session.h"

static const struct cli_opt opts[] = {
	{ "device", 'd', "SPEC", "how to reach the device: FAMILY:TRANSPORT:ADDRESS[,NAME=VALUE...] (the device specs below)" },
	{ "profile", 'p', "P", "the device profile (a name or a file)" },
	CLI_END,
};

static int run(int argc, char **argv);

const struct cli_cmd cli_cmd_identify = {
	"identify", "reach a device and report its model, serial and firmware",
	"--device SPEC --profile P",
	"Reach the device, stop it in its bootloader, and report its model, serial,\n"
	"firmware version and bootloader on stdout.  Nothing is written.",
	opts,
	"Exit status: 0 identified, 1 failed, 2 usage error, 4 the device did not answer.",
	CLI_DEVICE, run, NULL,
};

json_t *cli_identity_json(const struct ub_identity *id)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
			 "model", id->model, "revision", id->revision,
			 "serial", id->serial, "region", id->region,
			 "firmware_version", id->firmware_version,
			 "bootloader", id->bootloader, "mode", id->mode,
			 "hardware", id->hardware);
}

static int run(int argc, char **argv)
{
	const char *device = NULL, *profile = NULL;
	struct ub_session s;
	struct ub_identity id;
	struct ub_err e;
	char spec[2200];
	int c, rc;

	ub_err_clear(&e);
	while ((c = cli_getopt(&cli_cmd_identify, argc, argv)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'p': profile = optarg; break;
		case 'h': return 0;
		default: return UB_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("identify", "unexpected argument '%s'", argv[optind]);
	if (!device)
		return cli_usage_error("identify", "--device SPEC is needed");
	if ((rc = cli_device_spec("identify", device, spec, sizeof spec)))
		return rc;
	if ((rc = ub_session_open(&s, spec, profile, &e)))
		return cli_fail(&e);
	ub_session_say_reach(&s);
	rc = s.fam->enter_recovery(s.dev, &e);
	if (!rc)
		rc = s.fam->identify(s.dev, &id, &e);
	ub_session_close(&s);
	if (rc)
		return cli_fail(&e);
	if (cli_out.json) {
		cli_json_emit(json_pack("{s:b, s:o}", "ok", 1, "identity", cli_identity_json(&id)));
		return 0;
	}
	if (*id.hardware)
		printf("hardware:   %s\n", id.hardware);
	printf("model:      %s\nserial:     %s\nfirmware:   %s\nbootloader: %s\nmode:       %s\n",
	       *id.model ? id.model : "(unknown)", *id.serial ? id.serial : "(unknown)",
	       *id.firmware_version ? id.firmware_version : "(unknown)",
	       *id.bootloader ? id.bootloader : "(none found)", id.mode);
	return 0;
}
