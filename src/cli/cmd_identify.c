/* unbrick identify: who is this device, and what runs on it? */
#include <getopt.h>
#include <string.h>

#include "cli.h"
#include "core/session.h"

static const char help[] =
	"Usage: unbrick identify --device SPEC --profile P [--json]\n"
	"Reach the device, stop it in its bootloader, and report its model, serial,\n"
	"firmware version and bootloader.  Nothing is written.\n"
	"\n"
	"  -d, --device SPEC   how to reach it, e.g. uboot:serial:/dev/ttyUSB0,baud=115200\n"
	"                      or uboot:unix:/path/console.sock, or a console server:\n"
	"                      uboot:telnet:HOST:PORT,baud=115200 (man unbrick: DEVICE SPECS)\n"
	"  -p, --profile P     the device profile (name or file)\n"
	"      --json          print the identity as JSON on stdout\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 identified, 1 failed, 2 usage error, 4 device not answering.\n";

enum { OPT_JSON = 256 };

static const struct option longopts[] = {
	{ "device", required_argument, NULL, 'd' },
	{ "profile", required_argument, NULL, 'p' },
	{ "json", no_argument, NULL, OPT_JSON },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
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

int cmd_identify(int argc, char **argv)
{
	const char *device = NULL, *profile = NULL;
	struct ub_session s;
	struct ub_identity id;
	struct ub_err e;
	int c, rc;

	ub_err_clear(&e);
	optind = 1;
	while ((c = getopt_long(argc, argv, "d:p:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd': device = optarg; break;
		case 'p': profile = optarg; break;
		case OPT_JSON: cli_out.json = 1; break;
		case 'h': fputs(help, stdout); return 0;
		default: return cli_usage_error("identify", "unknown option");
		}
	}
	if (!device || optind != argc)
		return cli_usage_error("identify", "--device SPEC is needed, and nothing else");
	if ((rc = ub_session_open(&s, device, profile, &e)))
		return cli_fail(&e);
	ub_session_say_reach(&s);
	rc = s.fam->enter_recovery(s.dev, &e);
	if (!rc)
		rc = s.fam->identify(s.dev, &id, &e);
	ub_session_close(&s);
	if (rc)
		return cli_fail(&e);
	if (cli_out.json)
		cli_json_emit(json_pack("{s:b, s:o}", "ok", 1, "identity", cli_identity_json(&id)));
	if (*id.hardware)
		fprintf(stderr, "hardware:   %s\n", id.hardware);
	fprintf(stderr, "model:      %s\nserial:     %s\nfirmware:   %s\nbootloader: %s\nmode:       %s\n",
		*id.model ? id.model : "(unknown)", *id.serial ? id.serial : "(unknown)",
		*id.firmware_version ? id.firmware_version : "(unknown)",
		*id.bootloader ? id.bootloader : "(none found)", id.mode);
	return 0;
}
