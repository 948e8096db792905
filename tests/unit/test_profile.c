/* Device profiles: checked against profiles/schema.json, so a typo is an
 * error naming its place and its fix; critical regions protected by their
 * nature; found along a search path in a known order. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/profile.h"
#include "family/family.h"
#include "family/region.h"

/* A profile around one flash region (or any text for the map). */
static char *doc_with(const char *flash)
{
	static char buf[4096];

	snprintf(buf, sizeof buf,
		 "{\"name\":\"t\",\"family\":\"spi\",\"match\":{\"models\":[\"m\"]},\"flash\":[%s]}", flash);
	return buf;
}

static int parse(const char *text, struct ub_profile *p, struct ub_schema_issue *issue,
		 struct ub_err *e)
{
	ub_err_clear(e);
	return ub_profile_parse_checked(text, strlen(text), "typo.json", p, issue, e);
}

static void typo_key_refused(void **state)
{
	struct ub_schema_issue issue;
	struct ub_profile p;
	struct ub_err e;

	(void)state;
	/* the reported profile: its bootloader's flags misspelt */
	assert_int_equal(parse(doc_with(
		"{\"name\":\"firmware\",\"storage\":\"chip\",\"offset\":\"0x50000\",\"size\":\"0x10000\",\"flags\":[\"firmware\"]},"
		"{\"name\":\"env\",\"storage\":\"chip\",\"offset\":\"0x40000\",\"size\":\"0x10000\",\"flags\":[\"config\"]},"
		"{\"name\":\"u-boot\",\"storage\":\"chip\",\"offset\":\"0x0\",\"size\":\"0x40000\",\"flgs\":[\"protected\"]}"),
		&p, &issue, &e), UB_EUSAGE);
	assert_string_equal(e.advice_id, "profile-invalid");
	assert_string_equal(e.msg, "profile typo.json: flash[2].flgs: unknown key; did you mean 'flags'?");
	assert_string_equal(issue.where, "flash[2].flgs");
	assert_string_equal(issue.did_you_mean, "flags");
	assert_null(p.doc);
	/* exit status 2, as for any bad input on the command line */
	assert_int_equal(ub_exit_code(e.code), UB_EXIT_USAGE);
}

static void typo_flag_refused(void **state)
{
	struct ub_schema_issue issue;
	struct ub_profile p;
	struct ub_err e;

	(void)state;
	assert_int_equal(parse(doc_with(
		"{\"name\":\"u-boot\",\"storage\":\"chip\",\"offset\":0,\"size\":4096,\"flags\":[\"config\",\"protectd\"]}"),
		&p, &issue, &e), UB_EUSAGE);
	assert_string_equal(issue.where, "flash[0].flags[1]");
	assert_string_equal(issue.did_you_mean, "protected");
	assert_non_null(strstr(e.msg, "'protectd' is not one of protected, config, firmware, noread; did you mean 'protected'?"));
}

/* Unknown keys are refused at every level, each with its path. */
static void typos_everywhere(void **state)
{
	static const struct { const char *doc, *where, *near; } cases[] = {
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"familly\":\"spi\"}", "familly", "family" },
		{ "{\"name\":\"t\",\"match\":{\"model\":[\"m\"]}}", "match.model", "models" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"recovery\":{\"promt\":\"=> \"}}", "recovery.promt", "prompt" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"recovery\":{\"network\":{\"sever_ip\":\"10.0.0.1\"}}}",
		  "recovery.network.sever_ip", "server_ip" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"boot\":{\"timout\":5}}", "boot.timout", "timeout" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"identity\":{\"serial\":\"x\"}}", "identity.serial", NULL },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"guide\":{\"conect\":\"x\"}}", "guide.conect", "connect" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"chip\":{\"sise\":\"16M\"}}", "chip.sise", "size" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"diagnose\":[{\"id\":\"a\",\"pattern\":\"x\",\"path\":\"console\","
		  "\"finding\":\"f\",\"advice\":\"a\",\"min_cont\":2}]}", "diagnose[0].min_cont", "min_count" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"power_sensitve\":true}", "power_sensitve", "power_sensitive" },
	};
	struct ub_schema_issue issue;
	struct ub_profile p;
	struct ub_err e;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (parse(cases[i].doc, &p, &issue, &e) != UB_EUSAGE)
			fail_msg("accepted: %s", cases[i].doc);
		assert_string_equal(issue.where, cases[i].where);
		assert_string_equal(issue.did_you_mean, cases[i].near ? cases[i].near : "");
		assert_non_null(strstr(e.msg, "unknown key"));
	}
}

/* Values of the wrong kind are named too. */
static void bad_values(void **state)
{
	static const struct { const char *doc, *where, *says; } cases[] = {
		{ "{\"name\":\"t\",\"match\":{\"models\":\"m\"}}", "match.models", "must be a list, not a string" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[]}}", "match.models", "at least 1 entry" },
		{ "{\"name\":\"a b\",\"match\":{\"models\":[\"m\"]}}", "name", "does not have the form" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"family\":\"ubot\"}", "family", "did you mean 'uboot'?" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"boot\":{\"success\":\"(\"}}", "boot.success",
		  "not a valid extended regular expression" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"recovery\":{\"network\":{\"device_ip\":\"10.0.0\"}}}",
		  "recovery.network.device_ip", "not an IPv4 address" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"recovery\":{\"load_addr\":\"0400000\"}}", "recovery.load_addr",
		  "not a size" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"recovery\":{\"load_max\":\"0\"}}", "recovery.load_max",
		  "below the least allowed, 1" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"recovery\":{\"load_addr\":-1}}", "recovery.load_addr",
		  "below the least allowed" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"boot\":{\"timeout\":1.5}}", "boot.timeout",
		  "must be a whole number" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"power_sensitive\":1}", "power_sensitive",
		  "must be true or false or a string" },
		{ "{\"match\":{\"models\":[\"m\"]}}", "", "\"name\" is missing" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"flash\":[{\"name\":\"a\",\"storage\":\"nro\",\"offset\":0,\"size\":4096}]}",
		  "flash[0].storage", "did you mean 'nor'?" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"flash\":[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0}]}",
		  "flash[0]", "\"size\" is missing" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"flash\":[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":4096,"
		  "\"role\":\"calibrtion\"}]}", "flash[0].role", "did you mean 'calibration'?" },
		/* fastboot: how the device restarts between a set's writes */
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"recovery\":{\"restart\":\"reboot-bootlader\"}}",
		  "recovery.restart", "'reboot-bootlader' is not one of reboot-bootloader, reboot; did you mean 'reboot-bootloader'?" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"recovery\":{\"restart\":\"reset\"}}",
		  "recovery.restart", "'reset' is not one of reboot-bootloader, reboot" },
		{ "{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"recovery\":{\"restrat\":\"reboot\"}}",
		  "recovery.restrat", "unknown key; did you mean 'restart'?" },
	};
	struct ub_schema_issue issue;
	struct ub_profile p;
	struct ub_err e;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (parse(cases[i].doc, &p, &issue, &e) != UB_EUSAGE)
			fail_msg("accepted: %s", cases[i].doc);
		assert_string_equal(issue.where, cases[i].where);
		if (!strstr(e.msg, cases[i].says))
			fail_msg("'%s' not in: %s", cases[i].says, e.msg);
	}
	/* both ways of restarting are taken */
	assert_int_equal(parse("{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"recovery\":{\"restart\":\"reboot\"}}",
			       &p, &issue, &e), 0);
	ub_profile_free(&p);
	assert_int_equal(parse("{\"name\":\"t\",\"match\":{\"models\":[\"m\"]},\"recovery\":{\"restart\":\"reboot-bootloader\"}}",
			       &p, &issue, &e), 0);
	ub_profile_free(&p);
	/* what the schema cannot say, the flash map does: overlaps */
	assert_int_equal(parse(doc_with(
		"{\"name\":\"a\",\"storage\":\"chip\",\"offset\":0,\"size\":8192},"
		"{\"name\":\"b\",\"storage\":\"chip\",\"offset\":4096,\"size\":4096}"), &p, &issue, &e), UB_EUSAGE);
	assert_non_null(strstr(e.msg, "overlap"));
	assert_int_equal(parse(doc_with(
		"{\"name\":\"u-boot\",\"storage\":\"chip\",\"offset\":0,\"size\":4096,\"protected\":false,\"flags\":[\"protected\"]}"),
		&p, &issue, &e), UB_EUSAGE);
	assert_non_null(strstr(e.msg, "opposite"));
}

/* The map of a parsed profile. */
static void map_of(const char *text, struct ub_flash_map *m)
{
	struct ub_profile p;
	struct ub_err e;

	if (parse(text, &p, NULL, &e) != 0)
		fail_msg("refused: %s", e.msg);
	assert_int_equal(ub_flash_map_parse(json_object_get(p.doc, "flash"), p.path, m, &e), 0);
	ub_profile_free(&p);
}

static void bootloader_protected_by_nature(void **state)
{
	struct ub_flash_map m;
	const struct ub_region *r;

	(void)state;
	/* no flags at all, as the typo left it once the key was fixed away */
	map_of(doc_with(
		"{\"name\":\"u-boot\",\"storage\":\"chip\",\"offset\":0,\"size\":\"0x40000\"},"
		"{\"name\":\"firmware\",\"storage\":\"chip\",\"offset\":\"0x40000\",\"size\":\"0x40000\",\"flags\":[\"firmware\"]},"
		"{\"name\":\"stage1\",\"storage\":\"chip\",\"offset\":\"0x80000\",\"size\":\"0x1000\",\"role\":\"bootloader\"},"
		"{\"name\":\"art\",\"storage\":\"chip\",\"offset\":\"0xff0000\",\"size\":\"0x10000\"}"), &m);
	r = ub_flash_map_find(&m, "u-boot");
	assert_true(r->flags & UB_REGION_PROTECTED);
	assert_int_equal(r->protect_why, UB_PROTECT_ROLE);
	assert_true(ub_flash_map_find(&m, "stage1")->flags & UB_REGION_PROTECTED);
	assert_true(ub_flash_map_find(&m, "art")->flags & UB_REGION_PROTECTED);
	assert_false(ub_flash_map_find(&m, "firmware")->flags & UB_REGION_PROTECTED);
	ub_flash_map_free(&m);
}

static void protected_false_honoured(void **state)
{
	struct ub_flash_map m;
	const struct ub_region *r;

	(void)state;
	map_of(doc_with(
		"{\"name\":\"u-boot\",\"storage\":\"chip\",\"offset\":0,\"size\":\"0x40000\",\"protected\":false},"
		"{\"name\":\"spl\",\"storage\":\"chip\",\"offset\":\"0x40000\",\"size\":\"0x1000\",\"role\":\"bootloader\",\"protected\":false}"),
	       &m);
	r = ub_flash_map_find(&m, "u-boot");
	assert_false(r->flags & UB_REGION_PROTECTED);
	assert_int_equal(r->protect_why, UB_PROTECT_WAIVED);
	assert_false(ub_flash_map_find(&m, "spl")->flags & UB_REGION_PROTECTED);
	ub_flash_map_free(&m);
}

static const char *srcdir(void)
{
	const char *s = getenv("UB_SRCDIR");

	if (!s)
		fail_msg("UB_SRCDIR is not set (meson test sets it)");
	return s;
}

/* Every shipped profile is valid and keeps its meaning. */
static void shipped_profiles_valid(void **state)
{
	static const struct { const char *profile, *region; int protect; } meaning[] = {
		{ "spi-router-16m", "u-boot", 1 }, { "spi-router-16m", "art", 1 },
		{ "spi-router-16m", "u-boot-env", 0 }, { "spi-router-16m", "firmware", 0 },
		{ "qemu-virt-arm", "u-boot", 1 }, { "qemu-virt-arm", "boot", 1 },
		{ "qemu-virt-arm", "env", 0 }, { "qemu-virt-arm", "firmware", 0 },
		{ "qemu-virt-arm-usb", "u-boot", 1 }, { "qemu-virt-arm-usb", "firmware", 0 },
		{ "coreboot-fmap-8m", "RO_SECTION", 1 }, { "coreboot-fmap-8m", "RW_NVRAM", 0 },
		{ "coreboot-fmap-8m", "RW_SECTION_A", 0 },
		{ "qemu-virt-arm-fastboot", "bootloader", 1 }, { "qemu-virt-arm-fastboot", "radio", 1 },
		{ "qemu-virt-arm-fastboot", "boot", 0 },
	};
	char dir[PATH_MAX], path[PATH_MAX + 300];
	struct dirent *de;
	struct ub_profile p;
	struct ub_flash_map m;
	struct ub_err e;
	size_t n = 0, i;
	DIR *d;

	(void)state;
	snprintf(dir, sizeof dir, "%s/profiles", srcdir());
	assert_non_null(d = opendir(dir));
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".json") || !strcmp(de->d_name, "schema.json"))
			continue;
		snprintf(path, sizeof path, "%s/%s", dir, de->d_name);
		ub_err_clear(&e);
		if (ub_profile_load(path, NULL, &p, &e) != 0)
			fail_msg("%s: %s", de->d_name, e.msg);
		/* its name is its file's, so --profile NAME finds it */
		assert_int_equal(strncmp(de->d_name, p.name, len - 5), 0);
		assert_int_equal(strlen(p.name), len - 5);
		ub_profile_free(&p);
		n++;
	}
	closedir(d);
	assert_true(n >= 5);
	for (i = 0; i < sizeof meaning / sizeof meaning[0]; i++) {
		snprintf(path, sizeof path, "%s/%s.json", dir, meaning[i].profile);
		assert_int_equal(ub_profile_load(path, NULL, &p, &e), 0);
		assert_int_equal(ub_flash_map_parse(json_object_get(p.doc, "flash"), p.path, &m, &e), 0);
		assert_non_null(ub_flash_map_find(&m, meaning[i].region));
		if (!!(ub_flash_map_find(&m, meaning[i].region)->flags & UB_REGION_PROTECTED) != meaning[i].protect)
			fail_msg("%s: region %s changed its protection", meaning[i].profile, meaning[i].region);
		ub_flash_map_free(&m);
		ub_profile_free(&p);
	}
}

/* Whether a .B or .BR line of the man page has word w (keys are set in
 * bold where they are described). */
static int man_bold(const char *man, const char *w)
{
	const char *line;

	for (line = man; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		const char *end = strchr(line, '\n'), *p;
		size_t n = strlen(w);

		if (strncmp(line, ".B ", 3) && strncmp(line, ".BR ", 4))
			continue;
		for (p = line; (p = strstr(p, w)) && (!end || p < end); p += n)
			if (strchr(" \"", p[-1]) && strchr(" \",\n", p[n]))
				return 1;
	}
	return 0;
}

/* The schema: only keywords the validator knows; the families and the
 * region keys it names are the code's; the man page documents every key. */
static void schema_agrees(void **state)
{
	const json_t *s = ub_profile_schema(), *fam, *region, *x;
	char path[PATH_MAX], *man;
	const char *key;
	size_t i, k, n;
	struct ub_err e;
	json_t *bad;
	FILE *f;
	long len;

	(void)state;
	assert_non_null(s);
	assert_int_equal(ub_schema_self_check(s, &e), 0);
	fam = json_object_get(json_object_get(json_object_get(s, "properties"), "family"), "enum");
	/* every family built in is one a profile may name (a build may
	 * leave a family out: the schema names all of them) */
	for (i = 0; ub_families[i]; i++) {
		n = 0;
		json_array_foreach(fam, k, x)
			n += strcmp(json_string_value(x), ub_families[i]->name) == 0;
		if (n != 1)
			fail_msg("family %s is not in the schema's family enum", ub_families[i]->name);
	}
	region = json_object_get(json_object_get(json_object_get(json_object_get(s, "properties"), "flash"), "items"),
				 "properties");
	assert_int_equal(json_object_size(region), ub_region_nkeys);
	for (i = 0; i < ub_region_nkeys; i++)
		assert_non_null(json_object_get(region, ub_region_keys[i]));
	/* a misspelt keyword in a schema is refused, not ignored */
	bad = json_loads("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"maxLenght\":3}}}", 0, NULL);
	assert_int_equal(ub_schema_self_check(bad, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "maxLenght"));
	json_decref(bad);

	snprintf(path, sizeof path, "%s/man/unbrick-profile.5", srcdir());
	assert_non_null(f = fopen(path, "rb"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	man = calloc(1, (size_t)len + 1);
	assert_int_equal(fread(man, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	/* every key at every level, by name */
	{
		const json_t *stack[32];
		size_t top = 0;

		stack[top++] = s;
		while (top) {
			const json_t *o = stack[--top], *sub;

			json_object_foreach((json_t *)json_object_get(o, "properties"), key, sub) {
				if (!man_bold(man, key))
					fail_msg("man/unbrick-profile.5 has no .B or .BR entry for '%s'", key);
				if (top < 31)
					stack[top++] = sub;
			}
			if (json_object_get(o, "items") && top < 31)
				stack[top++] = json_object_get(o, "items");
		}
	}
	/* the man page's example is a valid profile, and means what it says */
	{
		char *at = strstr(man, ".SH EXAMPLE\n.nf\n"), *end;
		struct ub_profile p;
		struct ub_flash_map m;

		assert_non_null(at);
		at += strlen(".SH EXAMPLE\n.nf\n");
		assert_non_null(end = strstr(at, "\n.fi\n"));
		if (ub_profile_parse(at, (size_t)(end - at), "unbrick-profile.5", &p, &e) != 0)
			fail_msg("the example: %s", e.msg);
		assert_int_equal(ub_flash_map_parse(json_object_get(p.doc, "flash"), p.path, &m, &e), 0);
		assert_int_equal(ub_flash_map_find(&m, "art")->protect_why, UB_PROTECT_ROLE);
		assert_int_equal(ub_flash_map_find(&m, "u-boot")->protect_why, UB_PROTECT_FLAG);
		ub_flash_map_free(&m);
		ub_profile_free(&p);
	}
	free(man);
}

/* Writes a profile file; returns its path in a static buffer. */
static const char *put(const char *dir, const char *name, const char *desc)
{
	static char path[PATH_MAX + 200];
	FILE *f;

	mkdir(dir, 0700);
	snprintf(path, sizeof path, "%s/%s.json", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fprintf(f, "{\"name\":\"%s\",\"description\":\"%s\",\"match\":{\"models\":[\"m\"]}}\n", name, desc);
	fclose(f);
	return path;
}

static void mkdirs(const char *path)
{
	char p[PATH_MAX];
	char *s;

	snprintf(p, sizeof p, "%s", path);
	for (s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			mkdir(p, 0700);
			*s = '/';
		}
	mkdir(p, 0700);
}

static void search_path_order(void **state)
{
	char t[] = "/tmp/ub-profile-test.XXXXXX", a[64], b[64], cfg[64], home[64];
	char exe[128], share[128], bt[64], info[128], want[PATH_MAX];
	struct ub_profile_env env;
	struct ub_profile_dirs d;
	struct ub_profile p;
	struct ub_err e;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(t));
	snprintf(a, sizeof a, "%s/a", t);
	snprintf(b, sizeof b, "%s/b", t);
	snprintf(cfg, sizeof cfg, "%s/cfg", t);
	snprintf(home, sizeof home, "%s/uhome", t);
	/* an installed binary: T/inst/bin/unbrick with T/inst/share/unbrick/profiles */
	snprintf(exe, sizeof exe, "%s/inst/bin/unbrick", t);
	snprintf(share, sizeof share, "%s/inst/share/unbrick/profiles", t);
	mkdirs(share);
	snprintf(want, sizeof want, "%s/inst/bin", t);
	mkdirs(want);
	snprintf(want, sizeof want, "%s:%s::%s", a, b, a);   /* an empty entry and a repeat */

	memset(&env, 0, sizeof env);
	env.profile_path = want;
	env.xdg_config_home = cfg;
	env.home = "/home/someone";
	env.unbrick_home = home;
	env.exe = exe;
	assert_int_equal(ub_profile_dirs(&env, &d, &e), 0);
	assert_int_equal(d.n, 5);
	assert_string_equal(d.v[0].path, a);
	assert_int_equal(d.v[0].source, UB_PROFILES_ENV);
	assert_string_equal(d.v[1].path, b);
	snprintf(want, sizeof want, "%s/unbrick/profiles", cfg);
	assert_string_equal(d.v[2].path, want);
	assert_int_equal(d.v[2].source, UB_PROFILES_USER);
	snprintf(want, sizeof want, "%s/profiles", home);
	assert_string_equal(d.v[3].path, want);
	assert_int_equal(d.v[3].source, UB_PROFILES_HOME);
	assert_string_equal(d.v[4].path, share);
	assert_int_equal(d.v[4].source, UB_PROFILES_INSTALLED);
	ub_profile_dirs_free(&d);

	/* the defaults under HOME, and no XDG_CONFIG_HOME that is relative */
	memset(&env, 0, sizeof env);
	env.xdg_config_home = "relative/cfg";
	env.home = "/home/someone";
	env.exe = exe;
	assert_int_equal(ub_profile_dirs(&env, &d, &e), 0);
	assert_int_equal(d.n, 3);
	assert_string_equal(d.v[0].path, "/home/someone/.config/unbrick/profiles");
	assert_string_equal(d.v[1].path, "/home/someone/.local/share/unbrick/profiles");
	assert_int_equal(d.v[2].source, UB_PROFILES_INSTALLED);
	ub_profile_dirs_free(&d);

	/* a binary in its build tree: the source tree meson-info names, and
	 * not the installed folder beside it */
	snprintf(bt, sizeof bt, "%s/build", t);
	snprintf(info, sizeof info, "%s/meson-info", bt);
	mkdirs(info);
	snprintf(info, sizeof info, "%s/meson-info/meson-info.json", bt);
	assert_non_null(f = fopen(info, "w"));
	fprintf(f, "{\"directories\":{\"source\":\"%s/src\",\"build\":\"%s\"}}\n", t, bt);
	fclose(f);
	memset(&env, 0, sizeof env);
	snprintf(exe, sizeof exe, "%s/unbrick", bt);
	env.exe = exe;
	assert_int_equal(ub_profile_dirs(&env, &d, &e), 0);
	assert_int_equal(d.n, 1);
	snprintf(want, sizeof want, "%s/src/profiles", t);
	assert_string_equal(d.v[0].path, want);
	assert_int_equal(d.v[0].source, UB_PROFILES_BUILD_TREE);
	ub_profile_dirs_free(&d);
	/* a build tree whose source cannot be told: no shipped profiles, rather than another version's */
	assert_non_null(f = fopen(info, "w"));
	fclose(f);
	assert_int_equal(ub_profile_dirs(&env, &d, &e), 0);
	assert_int_equal(d.n, 0);
	ub_profile_dirs_free(&d);

	/* loading by name: the first folder that has it wins */
	put(cfg, "board", "user's");
	snprintf(want, sizeof want, "%s/unbrick/profiles", cfg);
	mkdirs(want);
	put(want, "board", "user's");
	put(b, "board", "from b");
	put(home, "x", "");
	snprintf(want, sizeof want, "%s/profiles", home);
	put(want, "board", "from UNBRICK_HOME");
	put(want, "other", "only in UNBRICK_HOME");
	snprintf(want, sizeof want, "%s:%s", a, b);
	setenv("UNBRICK_PROFILE_PATH", want, 1);
	setenv("XDG_CONFIG_HOME", cfg, 1);
	setenv("UNBRICK_HOME", home, 1);
	assert_int_equal(ub_profile_load("board", NULL, &p, &e), 0);
	assert_string_equal(p.description, "from b");
	ub_profile_free(&p);
	unsetenv("UNBRICK_PROFILE_PATH");
	assert_int_equal(ub_profile_load("board", NULL, &p, &e), 0);
	assert_string_equal(p.description, "user's");
	ub_profile_free(&p);
	assert_int_equal(ub_profile_load("other", NULL, &p, &e), 0);
	ub_profile_free(&p);
	/* the home argument stands for $UNBRICK_HOME */
	assert_int_equal(ub_profile_load("other", "/nonexistent", &p, &e), UB_EUSAGE);
	/* not found: every folder is named, and the closest name */
	ub_err_clear(&e);
	assert_int_equal(ub_profile_load("bord", NULL, &p, &e), UB_EUSAGE);
	assert_string_equal(e.advice_id, "profile-missing");
	assert_non_null(strstr(e.msg, "did you mean 'board'?"));
	snprintf(want, sizeof want, "%s/unbrick/profiles", cfg);
	assert_non_null(strstr(e.msg, want));
	snprintf(want, sizeof want, "%s/profiles", home);
	assert_non_null(strstr(e.msg, want));
	/* the schema is never taken for a profile */
	assert_int_equal(ub_profile_load("schema", NULL, &p, &e), UB_EUSAGE);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("UNBRICK_HOME");
	{
		char cmd[PATH_MAX + 16];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", t);
		assert_int_equal(system(cmd), 0);
	}
}

/* The list --profiles shows: search order, names sorted, hidden ones said. */
static void find_all(void **state)
{
	char t[] = "/tmp/ub-profile-test.XXXXXX", a[64], b[64], cmd[128];
	struct ub_profile_dir dv[3];
	struct ub_profile_dirs d = { dv, 3 };
	struct ub_profile_found *v;
	struct ub_err e;
	size_t n;

	(void)state;
	assert_non_null(mkdtemp(t));
	snprintf(a, sizeof a, "%s/a", t);
	snprintf(b, sizeof b, "%s/b", t);
	put(a, "zeta", "");
	put(a, "alpha", "");
	put(b, "alpha", "");
	put(b, "schema", "");
	put(b, "bad name", "");
	dv[0] = (struct ub_profile_dir){ a, UB_PROFILES_ENV };
	dv[1] = (struct ub_profile_dir){ b, UB_PROFILES_USER };
	dv[2] = (struct ub_profile_dir){ (char *)"/nonexistent/profiles", UB_PROFILES_HOME };
	assert_int_equal(ub_profile_find_all(&d, &v, &n, &e), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0].name, "alpha");
	assert_string_equal(v[1].name, "zeta");
	assert_string_equal(v[2].name, "alpha");
	assert_int_equal(v[2].source, UB_PROFILES_USER);
	assert_false(v[0].shadowed);
	assert_true(v[2].shadowed);
	ub_profile_found_free(v, n);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", t);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(typo_key_refused),
		cmocka_unit_test(typo_flag_refused),
		cmocka_unit_test(typos_everywhere),
		cmocka_unit_test(bad_values),
		cmocka_unit_test(bootloader_protected_by_nature),
		cmocka_unit_test(protected_false_honoured),
		cmocka_unit_test(shipped_profiles_valid),
		cmocka_unit_test(schema_agrees),
		cmocka_unit_test(search_path_order),
		cmocka_unit_test(find_all),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
