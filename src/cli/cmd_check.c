/* unbrick check IMAGE: is this image safe to flash? */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/check.h"
#include "core/journal.h"
#include "core/profile.h"

enum {
	OPT_SHA256 = 256, OPT_SHA512, OPT_MD5, OPT_SUMS, OPT_SIG, OPT_KEY,
	OPT_PROFILE, OPT_MODEL, OPT_REVISION, OPT_REGION, OPT_INSTALLED,
	OPT_ALLOW_OLDER, OPT_MANIFEST, OPT_CASE,
};

static const struct cli_opt opts[] = {
	CLI_HEADING("Checksums"),
	{ "sha256", OPT_SHA256, "HEX", "expected SHA-256 (from the vendor's page)" },
	{ "sha512", OPT_SHA512, "HEX", "expected SHA-512" },
	{ "md5", OPT_MD5, "HEX", "expected MD5 (weak; better than nothing)" },
	{ "sums", OPT_SUMS, "FILE", "a checksum list (sha256sum/sha512sum/md5sum output, or BSD 'SHA256 (file) = hex' lines)" },
	CLI_HEADING("Signature"),
	{ "sig", OPT_SIG, "FILE", "detached signature (signify/usign .sig, minisign .minisig, or an openssl signature)" },
	{ "key", OPT_KEY, "FILE", "the vendor's public key (.pub, minisign .pub or PEM); alone, it also verifies IMAGE.sig / IMAGE.minisig or a signature embedded in the image" },
	CLI_HEADING("Device"),
	{ "profile", OPT_PROFILE, "NAME|FILE", "the device profile (see profiles/)" },
	{ "model", OPT_MODEL, "M", "the device's model (overrides the profile's)" },
	{ "revision", OPT_REVISION, "R", "the hardware revision from the label" },
	{ "region", OPT_REGION, "G", "the region" },
	{ "installed-version", OPT_INSTALLED, "V", "the firmware now on the device" },
	{ "allow-older", OPT_ALLOW_OLDER, NULL, "allow an image older than the installed version" },
	CLI_HEADING("Other"),
	{ "manifest", OPT_MANIFEST, "FILE", "sidecar manifest (default IMAGE.manifest.json if present)" },
	{ "case", OPT_CASE, "ID", "record the result as a step of repair case ID" },
	{ "quiet", 'q', NULL, "print only the verdict" },
	CLI_END,
};

static int run(int argc, char **argv);

const struct cli_cmd cli_cmd_check = {
	"check", "is this image safe to flash? checksums, signature, model, version",
	"IMAGE [options]",
	"Decide whether IMAGE is safe to flash: checksums, the image's own CRCs and\n"
	"hashes, signature, model/revision/region, and version.\n"
	"\n"
	"Verdicts: \"safe to flash\" needs no failed check, nothing left uninspected,\n"
	"and a check that vouches for every byte: a checksum or signature given (or\n"
	"the manifest's sha256), or the format's own CRC or hash over all it holds.\n"
	"Without one the image is \"unverified\": give --sha256/--sums/--sig (or the\n"
	"vendor's manifest); flash and recover take it only with --allow-unverified,\n"
	"which the journal records.",
	opts,
	"Exit status: 0 safe to flash, 1 the image could not be read, 2 usage error, "
	"3 refused (at least one check failed; the failing checks say why) or "
	"unverified (nothing vouches for every byte; the verdict says what would).",
	CLI_PROGRESS, run, NULL,
};

static json_t *strlist_json(const struct ub_strlist *l)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; a && i < l->n; i++)
		json_array_append_new(a, json_string(l->v[i]));
	return a;
}

static json_t *result_json(const char *path, const struct ub_check_result *r,
			   int status)
{
	json_t *checks = json_array(), *image;
	size_t i;

	for (i = 0; checks && i < r->checks.n; i++) {
		const struct ub_check *c = &r->checks.v[i];
		const char *adv = c->verdict == UB_FAIL || c->verdict == UB_WARN ?
			ub_advice(c->advice_id) : NULL;

		json_array_append_new(checks,
			json_pack("{s:s, s:s, s:s, s:s?}", "name", c->name,
				  "verdict", ub_verdict_name(c->verdict),
				  "why", c->why, "advice", adv));
	}
	image = json_pack("{s:s, s:I, s:s, s:s, s:s?, s:s?, s:o, s:o, s:o, s:s}",
			  "path", path,
			  "size", (json_int_t)r->size,
			  "layers", r->meta.layers,
			  "format", r->format_what ? r->format_what : "",
			  "name", r->meta.name,
			  "version", r->meta.version,
			  "models", strlist_json(&r->meta.models),
			  "revisions", strlist_json(&r->meta.revisions),
			  "regions", strlist_json(&r->meta.regions),
			  "sha256", r->sha256);
	return json_pack("{s:b, s:i, s:s, s:s, s:o, s:o}", "ok", status == 0,
			 "exit", status, "verdict", ub_image_verdict_name(r->verdict),
			 "why", r->why, "image", image, "checks", checks);
}

static void print_human(const char *path, const struct ub_check_result *r,
			int status)
{
	char size[32];
	size_t i, failed = 0, warned = 0;

	for (i = 0; i < r->checks.n; i++) {
		failed += r->checks.v[i].verdict == UB_FAIL;
		warned += r->checks.v[i].verdict == UB_WARN;
	}
	if (!cli_out.quiet) {
		fprintf(stderr, "%s%s%s: %s, %s\n", cli_color("bold"), path,
			cli_reset(), cli_bytes((double)r->size, size, sizeof size),
			r->meta.layers);
		if (r->meta.name || r->meta.version || r->meta.models.n) {
			fprintf(stderr, "  claims:");
			if (r->meta.name)
				fprintf(stderr, " name \"%s\"", r->meta.name);
			if (r->meta.version)
				fprintf(stderr, " version %s", r->meta.version);
			for (i = 0; i < r->meta.models.n && i < 8; i++)
				fprintf(stderr, "%s%s", i ? ", " : " for ",
					r->meta.models.v[i]);
			if (r->meta.models.n > 8)
				fprintf(stderr, " and %zu more", r->meta.models.n - 8);
			fputc('\n', stderr);
		}
		for (i = 0; i < r->checks.n; i++) {
			const struct ub_check *c = &r->checks.v[i];
			const char *col = c->verdict == UB_FAIL ? "red" :
				c->verdict == UB_WARN ? "yellow" :
				c->verdict == UB_PASS ? "green" : "dim";
			const char *adv = ub_advice(c->advice_id);

			fprintf(stderr, "  %s%-4s%s  %-22s %s\n", cli_color(col),
				c->verdict == UB_FAIL ? "FAIL" : ub_verdict_name(c->verdict),
				cli_reset(), c->name, c->why);
			if (adv && (c->verdict == UB_FAIL || c->verdict == UB_WARN))
				fprintf(stderr, "        what to do: %s\n", adv);
		}
	}
	if (r->verdict == UB_VERDICT_SAFE)
		fprintf(stderr, "%sverdict: safe to flash%s (%zu checks, %zu warnings): %s\n",
			cli_color("green"), cli_reset(), r->checks.n, warned, r->why);
	else if (r->verdict == UB_VERDICT_UNVERIFIED)
		fprintf(stderr, "%sverdict: UNVERIFIED, not safe to flash as it is%s: %s\n",
			cli_color("yellow"), cli_reset(), r->why);
	else
		fprintf(stderr, "%sverdict: DO NOT FLASH%s: %zu check%s failed\n",
			cli_color("red"), cli_reset(), failed, failed == 1 ? "" : "s");
}

static int record_begin(struct ub_journal **j, long long case_id,
			long long *step, struct ub_err *e)
{
	struct ub_case c;
	int rc;

	if ((rc = ub_journal_open(j, e)) || (rc = ub_case_get(*j, case_id, &c, e)) ||
	    (rc = ub_step_begin(*j, case_id, "check", step, e))) {
		ub_journal_close(*j);
		*j = NULL;
	}
	return rc;
}

/* The verdict goes into the journal as the step's outcome and detail; a
 * journal that cannot be written is reported, the verdict still stands. */
static void record_end(struct ub_journal *j, long long case_id, long long step,
		       const char *image, int rc, const struct ub_check_result *r,
		       struct ub_err *e)
{
	json_t *failed = json_array(), *detail;
	struct ub_err why, je;
	size_t i;

	ub_err_clear(&why);
	ub_err_clear(&je);
	if (rc) {
		why = *e;
	} else {
		for (i = 0; i < r->checks.n; i++)
			if (r->checks.v[i].verdict == UB_FAIL)
				json_array_append_new(failed, json_string(r->checks.v[i].name));
	}
	if (json_array_size(failed)) {
		char list[400] = "";

		for (i = 0; i < json_array_size(failed); i++)
			snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
				 i ? ", " : "", json_string_value(json_array_get(failed, i)));
		ub_err_set(&why, UB_EREFUSED, "refused", "checks failed: %s", list);
	} else if (!rc && r->verdict == UB_VERDICT_UNVERIFIED) {
		ub_err_set(&why, UB_EREFUSED, "image-unverified", "unverified: %s", r->why);
	}
	detail = json_pack("{s:s, s:s, s:s, s:s?, s:s, s:o}", "image", image,
			   "sha256", rc ? "" : r->sha256, "layers", r->meta.layers,
			   "version", r->meta.version,
			   "verdict", rc ? "error" : ub_image_verdict_name(r->verdict), "failed", failed);
	if (ub_step_end(j, step, why.code, 0, &why, r->size, detail, &je) ||
	    (!rc && ub_artifact_add(j, case_id, step, "image", image, r->sha256, r->size, &je)))
		fprintf(stderr, "unbrick: warning: the journal did not record this check: %s\n", je.msg);
	json_decref(detail);
}

static int run(int argc, char **argv)
{
	struct ub_check_opts o;
	struct ub_check_result r;
	struct ub_profile profile;
	struct ub_progress root;
	struct ub_err e;
	const char *profile_name = NULL;
	struct ub_journal *j = NULL;
	long long case_id = 0, step = 0;
	int c, rc, status, have_profile = 0;

	memset(&o, 0, sizeof o);
	ub_err_clear(&e);
	while ((c = cli_getopt(&cli_cmd_check, argc, argv)) != -1) {
		switch (c) {
		case OPT_SHA256: o.sha256 = optarg; break;
		case OPT_SHA512: o.sha512 = optarg; break;
		case OPT_MD5: o.md5 = optarg; break;
		case OPT_SUMS: o.sums = optarg; break;
		case OPT_SIG: o.sig = optarg; break;
		case OPT_KEY: o.key = optarg; break;
		case OPT_PROFILE: profile_name = optarg; break;
		case OPT_MODEL: o.target.model = optarg; break;
		case OPT_REVISION: o.target.revision = optarg; break;
		case OPT_REGION: o.target.region = optarg; break;
		case OPT_INSTALLED: o.target.installed_version = optarg; break;
		case OPT_ALLOW_OLDER: o.target.allow_older = 1; break;
		case OPT_MANIFEST: o.manifest = optarg; break;
		case OPT_CASE:
			if (cli_parse_case_id(optarg, &case_id) != 0)
				return cli_usage_error("check", "--case takes a case id, not '%s'", optarg);
			break;
		case 'q': cli_out.quiet = 1; break;
		case 'h': return 0;
		default: return UB_EXIT_USAGE;
		}
	}
	if (optind != argc - 1)
		return cli_usage_error("check", "give exactly one IMAGE (got %d)",
				       argc - optind);
	o.image = argv[optind];
	if (profile_name) {
		rc = ub_profile_load(profile_name, NULL, &profile, &e);
		if (rc)
			return cli_fail(&e);
		o.target.profile = &profile;
		have_profile = 1;
	}

	if (case_id && (rc = record_begin(&j, case_id, &step, &e))) {
		if (have_profile)
			ub_profile_free(&profile);
		return cli_fail(&e);
	}
	ub_progress_root(&root, "check", cli_progress_sink, NULL);
	rc = ub_check_image(&o, &r, &root, &e);
	ub_progress_end(&root, rc);
	if (j)
		record_end(j, case_id, step, o.image, rc, &r, &e);
	if (rc) {
		status = cli_fail(&e);
	} else {
		/* unverified exits as refused: a script must not flash it */
		json_t *set;

		status = r.verdict == UB_VERDICT_SAFE ? 0 : UB_EXIT_REFUSED;
		print_human(o.image, &r, status);
		/* an image set: what it holds, in the order it is written */
		set = cli_check_set(o.image, !cli_out.json && !cli_out.quiet);
		if (cli_out.json) {
			json_t *res = result_json(o.image, &r, status);

			if (set)
				json_object_set(res, "set", set);
			cli_json_emit(res);
		}
		json_decref(set);
	}
	ub_check_result_free(&r);
	ub_journal_close(j);
	if (have_profile)
		ub_profile_free(&profile);
	return status;
}
