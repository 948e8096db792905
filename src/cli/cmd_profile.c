/* unbrick profile check FILE / unbrick profiles: is this profile valid, and
 * what does it protect; which profiles can --profile find, and where. */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "core/profile.h"
#include "family/region.h"

static int run_profile(int argc, char **argv);
static int run_check(int argc, char **argv);
static int run_profiles(int argc, char **argv);

static const struct cli_cmd cmd_check = {
	"profile check", "check a device profile: valid keys, regions, what is protected",
	"FILE|NAME",
	"Check a device profile against the profile schema (man unbrick-profile(5)):\n"
	"unknown keys, misspelt flag words and values of the wrong kind are errors\n"
	"naming the JSON path and the closest known word.  A valid profile's flash\n"
	"regions are listed with their role, flags and whether they are protected\n"
	"(never written without --unlock NAME), and why.",
	NULL,
	"Exit status: 0 valid, 2 invalid or not found (or a usage error).",
	0, run_check, NULL,
};

static const struct cli_cmd *const profile_subs[] = { &cmd_check, NULL };

const struct cli_cmd cli_cmd_profile = {
	"profile", "check a device profile: valid keys, regions, what is protected",
	"check FILE|NAME",
	"Device profiles, one at a time.",
	NULL,
	"Exit status: 0 valid, 2 invalid or not found (or a usage error).",
	0, run_profile, profile_subs,
};

const struct cli_cmd cli_cmd_profiles = {
	"profiles", "list the device profiles --profile finds, and where",
	"",
	"List the profiles --profile NAME can find: name, family, description and\n"
	"where each is.  Searched in order, the first of a name wins:\n"
	"  $UNBRICK_PROFILE_PATH (folders separated by ':'),\n"
	"  $XDG_CONFIG_HOME/unbrick/profiles (default ~/.config/unbrick/profiles),\n"
	"  $UNBRICK_HOME/profiles (default ~/.local/share/unbrick/profiles),\n"
	"  the shipped profiles (installed beside the binary, ../share/unbrick/profiles;\n"
	"  the source tree's profiles/ for a binary in its build tree).",
	NULL,
	"Exit status: 0 listed (invalid profiles are listed as such), 2 usage error.",
	0, run_profiles, NULL,
};

static const char *protection_id(unsigned why)
{
	static const char *const ids[] = {
		[UB_PROTECT_NO] = "none", [UB_PROTECT_FLAG] = "flag",
		[UB_PROTECT_KEY] = "protected-key", [UB_PROTECT_ROLE] = "role",
		[UB_PROTECT_WAIVED] = "waived",
	};

	return why < sizeof ids / sizeof ids[0] ? ids[why] : "?";
}

static const char *protection_words(const struct ub_region *r, char *buf, size_t len)
{
	switch (r->protect_why) {
	case UB_PROTECT_FLAG: return "yes (flag)";
	case UB_PROTECT_KEY: return "yes (\"protected\": true)";
	case UB_PROTECT_ROLE:
		snprintf(buf, len, "yes (%s, by nature)", ub_region_role_name(r->role));
		return buf;
	case UB_PROTECT_WAIVED: return "no (\"protected\": false)";
	default: return "no";
	}
}

static void flag_words(unsigned flags, char *buf, size_t len)
{
	static const struct { unsigned bit; const char *name; } f[] = {
		{ UB_REGION_PROTECTED, "protected" }, { UB_REGION_CONFIG, "config" },
		{ UB_REGION_FIRMWARE, "firmware" }, { UB_REGION_NOREAD, "noread" },
	};
	size_t i;

	buf[0] = '\0';
	for (i = 0; i < sizeof f / sizeof f[0]; i++)
		if (flags & f[i].bit)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "," : "", f[i].name);
	if (!buf[0])
		snprintf(buf, len, "-");
}

/* The flags the profile wrote: protection by role or "protected": true
 * is in r->flags too, and shown apart. */
static unsigned written_flags(const struct ub_region *r)
{
	return r->protect_why == UB_PROTECT_FLAG ? r->flags : r->flags & ~(unsigned)UB_REGION_PROTECTED;
}

/* What a reader of the profile should know that is not an error. */
static json_t *region_notes(const struct ub_flash_map *m, const json_t *flash)
{
	json_t *notes = json_array();
	char s[400];
	size_t i, fw = 0;

	for (i = 0; i < m->n; i++) {
		const struct ub_region *r = &m->v[i];
		unsigned by_name = ub_region_role_of_name(r->name);

		fw += !!(r->flags & UB_REGION_FIRMWARE);
		s[0] = '\0';
		if ((r->flags & UB_REGION_FIRMWARE) && (r->flags & UB_REGION_PROTECTED))
			snprintf(s, sizeof s, "region %s is where images go by default (firmware) and is protected: a flash there needs --unlock %s",
				 r->name, r->name);
		else if (r->protect_why == UB_PROTECT_WAIVED)
			snprintf(s, sizeof s, "region %s holds the %s and \"protected\": false lets it be written without --unlock",
				 r->name, ub_region_role_name(r->role));
		else if (json_is_false(json_object_get(json_array_get(flash, i), "protected")))
			snprintf(s, sizeof s, "region %s: \"protected\": false changes nothing, the region is not critical",
				 r->name);
		else if (r->role_from == UB_ROLE_FROM_KEY && ub_region_role_critical(by_name) &&
			 !ub_region_role_critical(r->role))
			snprintf(s, sizeof s, "region %s is named like a %s region, and its role says %s: %s",
				 r->name, ub_region_role_name(by_name), ub_region_role_name(r->role),
				 r->flags & UB_REGION_PROTECTED ? "still protected by its flag" : "not protected");
		if (s[0])
			json_array_append_new(notes, json_string(s));
	}
	if (m->n && !fw)
		json_array_append_new(notes, json_string("no region is flagged firmware: flash and recover need --region"));
	return notes;
}

static json_t *region_json(const struct ub_region *r)
{
	static const char *const from[] = { NULL, "role", "name" };
	unsigned fl = written_flags(r);
	json_t *flags = json_array();

	if (fl & UB_REGION_PROTECTED)
		json_array_append_new(flags, json_string("protected"));
	if (fl & UB_REGION_CONFIG)
		json_array_append_new(flags, json_string("config"));
	if (fl & UB_REGION_FIRMWARE)
		json_array_append_new(flags, json_string("firmware"));
	if (fl & UB_REGION_NOREAD)
		json_array_append_new(flags, json_string("noread"));
	return json_pack("{s:s, s:s, s:i, s:I, s:I, s:I, s:s?, s:s?, s:o, s:b, s:s}",
			 "name", r->name, "storage", r->storage, "dev", (int)r->dev,
			 "offset", (json_int_t)r->offset, "size", (json_int_t)r->size,
			 "erase_block", (json_int_t)r->erase_block,
			 "role", r->role ? ub_region_role_name(r->role) : NULL,
			 "role_from", r->role_from < 3 ? from[r->role_from] : NULL,
			 "flags", flags, "protected", !!(r->flags & UB_REGION_PROTECTED),
			 "protection", protection_id(r->protect_why));
}

static void print_regions(const struct ub_flash_map *m)
{
	char flags[64], role[48], why[64];
	size_t i;

	printf("  %-16s %-7s %-3s %-12s %-12s %-26s %-18s %s\n", "REGION", "STORAGE", "DEV",
	       "OFFSET", "SIZE", "ROLE", "FLAGS", "PROTECTED");
	for (i = 0; i < m->n; i++) {
		const struct ub_region *r = &m->v[i];

		flag_words(written_flags(r), flags, sizeof flags);
		snprintf(role, sizeof role, "%s%s", r->role ? ub_region_role_name(r->role) : "-",
			 r->role_from == UB_ROLE_FROM_NAME ? " (from its name)" : "");
		printf("  %-16s %-7s %-3u 0x%-10llx 0x%-10llx %-26s %-18s %s\n", r->name, r->storage,
		       r->dev, (unsigned long long)r->offset, (unsigned long long)r->size, role, flags,
		       protection_words(r, why, sizeof why));
	}
}

static int check_invalid(const struct ub_err *e, const struct ub_schema_issue *issue)
{
	const char *advice = ub_err_advice(e);
	int status = ub_exit_code(e->code ? e->code : UB_EFAIL);

	if (cli_out.json) {
		json_t *o = json_pack("{s:b, s:b, s:i, s:o}", "ok", 0, "valid", 0, "exit", status,
				      "error", cli_json_error(e));

		if (issue->where[0])
			json_object_set_new(o, "where", json_string(issue->where));
		if (issue->did_you_mean[0])
			json_object_set_new(o, "did_you_mean", json_string(issue->did_you_mean));
		cli_json_emit(o);
	}
	fprintf(stderr, "%sunbrick: error:%s %s\n", cli_color("red"), cli_reset(), e->msg);
	if (advice)
		fprintf(stderr, "  what to do: %s\n", advice);
	return status;
}

static int profile_check(const char *what)
{
	struct ub_schema_issue issue;
	struct ub_flash_map map;
	struct ub_profile p;
	struct ub_err e;
	json_t *flash, *regions, *notes, *models;
	size_t i;
	int rc;

	ub_err_clear(&e);
	if ((rc = ub_profile_load_checked(what, NULL, &p, &issue, &e)))
		return check_invalid(&e, &issue);
	memset(&map, 0, sizeof map);
	flash = json_object_get(p.doc, "flash");
	/* ub_profile_load has parsed this map already: it cannot fail now */
	if (flash && (rc = ub_flash_map_parse(flash, p.path, &map, &e))) {
		ub_profile_free(&p);
		return cli_fail(&e);
	}
	notes = region_notes(&map, flash);
	if (cli_out.json) {
		regions = json_array();
		models = json_array();
		for (i = 0; i < map.n; i++)
			json_array_append_new(regions, region_json(&map.v[i]));
		for (i = 0; i < p.models.n; i++)
			json_array_append_new(models, json_string(p.models.v[i]));
		cli_json_emit(json_pack("{s:b, s:b, s:{s:s, s:s, s:s?, s:s?, s:o}, s:o, s:o}",
					"ok", 1, "valid", 1, "profile", "name", p.name, "path", p.path,
					"family", p.family, "description", p.description,
					"models", models, "regions", regions, "notes", notes));
	} else {
		printf("profile %s: valid (%s)\n", p.name, p.path);
		printf("  family %s; models", p.family ? p.family : "-");
		for (i = 0; i < p.models.n; i++)
			printf("%s %s", i ? "," : "", p.models.v[i]);
		printf("\n");
		if (map.n)
			print_regions(&map);
		else
			printf("  no flash map: the device is what its family sees (a bare chip is one region)\n");
		for (i = 0; i < json_array_size(notes); i++)
			printf("  note: %s\n", json_string_value(json_array_get(notes, i)));
		json_decref(notes);
	}
	ub_flash_map_free(&map);
	ub_profile_free(&p);
	return 0;
}

static int run_profile(int argc, char **argv)
{
	return cli_run_sub(&cli_cmd_profile, argc, argv);
}

static int run_check(int argc, char **argv)
{
	int c;

	while ((c = cli_getopt(&cmd_check, argc, argv)) != -1)
		return c == 'h' ? 0 : UB_EXIT_USAGE;
	if (optind + 1 != argc)
		return cli_usage_error("profile check", "check takes one profile, a file or a name");
	return profile_check(argv[optind]);
}

static int run_profiles(int argc, char **argv)
{
	struct ub_profile_env env;
	struct ub_profile_dirs dirs;
	struct ub_profile_found *v = NULL;
	char exe[PATH_MAX];
	struct ub_err e;
	json_t *list, *path;
	size_t i, n = 0;
	int c;

	while ((c = cli_getopt(&cli_cmd_profiles, argc, argv)) != -1)
		return c == 'h' ? 0 : UB_EXIT_USAGE;
	if (optind != argc)
		return cli_usage_error("profiles", "no arguments expected");
	ub_err_clear(&e);
	ub_profile_env_get(&env, exe, sizeof exe);
	if (ub_profile_dirs(&env, &dirs, &e) || ub_profile_find_all(&dirs, &v, &n, &e)) {
		ub_profile_dirs_free(&dirs);
		return cli_fail(&e);
	}
	list = json_array();
	path = json_array();
	for (i = 0; i < dirs.n; i++)
		json_array_append_new(path, json_pack("{s:s, s:s}", "dir", dirs.v[i].path,
						      "source", ub_profile_source_name(dirs.v[i].source)));
	if (!cli_out.json)
		printf("%-24s %-6s %-12s %s\n", "NAME", "FAMILY", "WHERE", "DESCRIPTION");
	for (i = 0; i < n; i++) {
		struct ub_profile p;
		struct ub_err pe;
		int bad = ub_profile_load(v[i].file, NULL, &p, &pe);
		json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "name", v[i].name, "file", v[i].file,
				      "where", ub_profile_source_name(v[i].source), "valid", !bad);

		if (!bad) {
			json_object_set_new(o, "family", p.family ? json_string(p.family) : json_null());
			json_object_set_new(o, "description", json_string(p.description ? p.description : ""));
		} else {
			json_object_set_new(o, "error", json_string(pe.msg));
		}
		if (v[i].shadowed)
			json_object_set_new(o, "shadowed", json_true());
		if (!cli_out.json)
			printf("%-24s %-6s %-12s %.*s%s\n", v[i].name, bad ? "?" : p.family ? p.family : "-",
			       ub_profile_source_name(v[i].source),
			       bad ? 200 : 60, bad ? pe.msg : p.description ? p.description : "",
			       v[i].shadowed ? " (hidden by the one above of the same name)" :
			       !bad && p.description && strlen(p.description) > 60 ? "..." : "");
		json_array_append_new(list, o);
		if (!bad)
			ub_profile_free(&p);
	}
	if (cli_out.json) {
		cli_json_emit(json_pack("{s:b, s:o, s:o}", "ok", 1, "profiles", list, "search_path", path));
	} else {
		json_decref(list);
		json_decref(path);
		fprintf(stderr, "searched, in order:");
		for (i = 0; i < dirs.n; i++)
			fprintf(stderr, "\n  %s (%s)", dirs.v[i].path, ub_profile_source_name(dirs.v[i].source));
		fprintf(stderr, "\n");
	}
	ub_profile_found_free(v, n);
	ub_profile_dirs_free(&dirs);
	return 0;
}
