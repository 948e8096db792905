#include "profile.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"
#include "base/suggest.h"
#include "family/region.h"
#include "ub_config.h"

/* profiles/schema.json, as built in (scripts/embed-text). */
extern const char ub_profile_schema_text[];
extern const size_t ub_profile_schema_text_len;

static json_t *schema;
static pthread_once_t schema_once = PTHREAD_ONCE_INIT;

static void schema_load(void)
{
	schema = json_loadb(ub_profile_schema_text, ub_profile_schema_text_len, JSON_REJECT_DUPLICATES, NULL);
	if (schema && ub_schema_self_check(schema, NULL) != 0) {
		json_decref(schema);
		schema = NULL;
	}
}

const json_t *ub_profile_schema(void)
{
	pthread_once(&schema_once, schema_load);
	return schema;
}

static int invalid(struct ub_err *e, const char *path, const char *what)
{
	return ub_err_set(e, UB_EUSAGE, "profile-invalid", "profile %s: %s", path, what);
}

/* The schema has checked types; these only copy. */
static int take_str(json_t *doc, const char *key, char **out, struct ub_err *e)
{
	const char *v = json_string_value(json_object_get(doc, key));

	if (!v)
		return 0;
	*out = strdup(v);
	return *out ? 0 : ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
}

static int take_list(json_t *match, const char *key, struct ub_strlist *out,
		     struct ub_err *e)
{
	json_t *item;
	size_t i;

	json_array_foreach(json_object_get(match, key), i, item)
		if (json_is_string(item) && ub_strlist_add(out, json_string_value(item)) != 0)
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	return 0;
}

const char *ub_profile_guide(const struct ub_profile *p, const char *key)
{
	return json_string_value(json_object_get(json_object_get(p->doc, "guide"), key));
}

int ub_profile_parse_checked(const char *buf, size_t len, const char *path,
			     struct ub_profile *p, struct ub_schema_issue *issue,
			     struct ub_err *e)
{
	const json_t *sch = ub_profile_schema();
	struct ub_flash_map map;
	json_error_t jerr;
	json_t *match, *flash;
	char doc_name[4200];
	int rc;

	memset(p, 0, sizeof *p);
	if (issue)
		memset(issue, 0, sizeof *issue);
	if (!sch)
		return ub_err_set(e, UB_EFAIL, NULL,
				  "the profile schema built into unbrick does not load; the build is broken");
	p->doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!p->doc)
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "profile %s: line %d, column %d: %s", path, jerr.line,
				  jerr.column, jerr.text);
	snprintf(doc_name, sizeof doc_name, "profile %.4000s", path);
	if ((rc = ub_schema_validate(sch, p->doc, doc_name, "profile-invalid", issue, e)))
		goto fail;
	p->path = strdup(path);
	if (!p->path) {
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		goto fail;
	}
	match = json_object_get(p->doc, "match");
	if ((rc = take_str(p->doc, "name", &p->name, e)) ||
	    (rc = take_str(p->doc, "description", &p->description, e)) ||
	    (rc = take_str(p->doc, "family", &p->family, e)) ||
	    (rc = take_list(match, "models", &p->models, e)) ||
	    (rc = take_list(match, "revisions", &p->revisions, e)) ||
	    (rc = take_list(match, "regions", &p->regions, e)))
		goto fail;
	/* What the schema cannot say (overlaps, alignment, names used twice,
	 * "protected": false beside the flag) is the flash map's to check;
	 * checked here too, so every loaded profile is whole. */
	if ((flash = json_object_get(p->doc, "flash"))) {
		if ((rc = ub_flash_map_parse(flash, path, &map, e)))
			goto fail;
		ub_flash_map_free(&map);
	}
	if (!p->name || p->models.n == 0) {   /* the schema requires both */
		rc = invalid(e, path, "\"name\" and \"match.models\" are required");
		goto fail;
	}
	return 0;
fail:
	ub_profile_free(p);
	return rc;
}

int ub_profile_parse(const char *buf, size_t len, const char *path,
		     struct ub_profile *p, struct ub_err *e)
{
	return ub_profile_parse_checked(buf, len, path, p, NULL, e);
}

static int load_file(const char *path, struct ub_profile *p,
		     struct ub_schema_issue *issue, struct ub_err *e)
{
	char *buf;
	size_t len;
	int rc;

	if (access(path, F_OK) != 0 && errno == ENOENT)
		return ub_err_set(e, UB_EUSAGE, "profile-missing", "no profile file %s", path);
	/* profiles are small; a huge file is a mistake */
	if ((rc = ub_read_small(path, 1u << 20, "profile", "profile-invalid", &buf, &len, e))) {
		if (rc == UB_EFORMAT)
			e->code = rc = UB_EUSAGE;
		return rc;
	}
	rc = ub_profile_parse_checked(buf, len, path, p, issue, e);
	free(buf);
	return rc;
}

static int is_path(const char *s)
{
	size_t n = strlen(s);

	return strchr(s, '/') || (n > 5 && strcmp(s + n - 5, ".json") == 0);
}

static int valid_name(const char *s)
{
	if (!*s || strlen(s) > 100)
		return 0;
	for (; *s; s++)
		if (!(*s == '-' || *s == '_' || *s == '.' ||
		      (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9')))
			return 0;
	return 1;
}

/* The search path. */

const char *ub_profile_source_name(unsigned source)
{
	static const char *const names[] = {
		[UB_PROFILES_ENV] = "UNBRICK_PROFILE_PATH",
		[UB_PROFILES_USER] = "user",
		[UB_PROFILES_HOME] = "UNBRICK_HOME",
		[UB_PROFILES_INSTALLED] = "installed",
		[UB_PROFILES_BUILD_TREE] = "build tree",
	};

	return source < sizeof names / sizeof names[0] ? names[source] : "?";
}

void ub_profile_env_get(struct ub_profile_env *env, char *exe_buf, size_t len)
{
	ssize_t n = len ? readlink("/proc/self/exe", exe_buf, len - 1) : -1;

	memset(env, 0, sizeof *env);
	env->profile_path = getenv("UNBRICK_PROFILE_PATH");
	env->xdg_config_home = getenv("XDG_CONFIG_HOME");
	env->xdg_data_home = getenv("XDG_DATA_HOME");
	env->home = getenv("HOME");
	env->unbrick_home = getenv("UNBRICK_HOME");
	if (n > 0) {
		exe_buf[n] = '\0';
		env->exe = exe_buf;
	}
}

static int add_dir(struct ub_profile_dirs *d, unsigned source, const char *a, const char *b,
		   struct ub_err *e)
{
	struct ub_profile_dir *nv;
	size_t i, n = strlen(a) + strlen(b) + 1;
	char *path = malloc(n);

	if (!path)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	snprintf(path, n, "%s%s", a, b);
	for (i = 0; i < d->n; i++)
		if (strcmp(d->v[i].path, path) == 0) {
			free(path);
			return 0;
		}
	nv = realloc(d->v, (d->n + 1) * sizeof *nv);
	if (!nv) {
		free(path);
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	d->v = nv;
	d->v[d->n].path = path;
	d->v[d->n++].source = source;
	return 0;
}

static int given(const char *s)
{
	return s && *s;
}

/* The source tree a build tree was configured from: meson writes
 * meson-info/meson-info.json (its documented introspection entry point)
 * into every build folder, beside the binaries built at its top, and
 * `meson install` never copies it.  1 with src filled, 0 when exe_dir is
 * no build tree, -1 when it is one whose source cannot be told. */
static int build_tree_source(const char *exe_dir, char *src, size_t len)
{
	char path[PATH_MAX + 32], *buf = NULL;
	const char *dir;
	size_t n;
	json_t *info;
	int rc = -1;

	snprintf(path, sizeof path, "%s/meson-info/meson-info.json", exe_dir);
	if (access(path, F_OK) != 0)
		return 0;
	if (ub_read_small(path, 1u << 20, "meson info", NULL, &buf, &n, NULL) != 0)
		return -1;
	info = json_loadb(buf, n, 0, NULL);
	dir = json_string_value(json_object_get(json_object_get(info, "directories"), "source"));
	if (dir && *dir == '/' && strlen(dir) < len) {
		snprintf(src, len, "%s", dir);
		rc = 1;
	}
	json_decref(info);
	free(buf);
	return rc;
}

static int shipped_dirs(const struct ub_profile_env *env, struct ub_profile_dirs *d,
			struct ub_err *e)
{
	char dir[PATH_MAX], src[PATH_MAX + 64];
	const char *slash;
	int bt;

	if (!env->exe || !(slash = strrchr(env->exe, '/')) || (size_t)(slash - env->exe) >= sizeof dir)
		return add_dir(d, UB_PROFILES_INSTALLED, UB_PROFILES_DIR, "", e);
	snprintf(dir, sizeof dir, "%.*s", (int)(slash - env->exe), env->exe);
	bt = build_tree_source(dir, src, sizeof src);
	if (bt > 0)
		return add_dir(d, UB_PROFILES_BUILD_TREE, src, "/profiles", e);
	if (bt < 0)   /* a build tree, but whose? no profiles rather than another version's */
		return 0;
	snprintf(src, sizeof src, "%s/%s", dir, UB_PROFILES_FROM_BINDIR);
	if (realpath(src, dir))
		return add_dir(d, UB_PROFILES_INSTALLED, dir, "", e);
	/* a binary copied away from its data folder: the one configured */
	if (add_dir(d, UB_PROFILES_INSTALLED, src, "", e))
		return UB_ENOMEM;
	return add_dir(d, UB_PROFILES_INSTALLED, UB_PROFILES_DIR, "", e);
}

int ub_profile_dirs(const struct ub_profile_env *env, struct ub_profile_dirs *out,
		    struct ub_err *e)
{
	const char *p;
	int rc = 0;

	memset(out, 0, sizeof *out);
	for (p = env->profile_path; !rc && given(p); p += strcspn(p, ":") + (p[strcspn(p, ":")] == ':')) {
		char one[PATH_MAX];
		size_t n = strcspn(p, ":");

		if (n == 0 || n >= sizeof one)
			continue;
		snprintf(one, sizeof one, "%.*s", (int)n, p);
		rc = add_dir(out, UB_PROFILES_ENV, one, "", e);
	}
	/* XDG: a relative XDG_CONFIG_HOME is to be ignored */
	if (!rc && given(env->xdg_config_home) && env->xdg_config_home[0] == '/')
		rc = add_dir(out, UB_PROFILES_USER, env->xdg_config_home, "/unbrick/profiles", e);
	else if (!rc && given(env->home))
		rc = add_dir(out, UB_PROFILES_USER, env->home, "/.config/unbrick/profiles", e);
	/* $UNBRICK_HOME as the journal finds it (core/journal.c) */
	if (!rc && given(env->unbrick_home))
		rc = add_dir(out, UB_PROFILES_HOME, env->unbrick_home, "/profiles", e);
	else if (!rc && given(env->xdg_data_home))
		rc = add_dir(out, UB_PROFILES_HOME, env->xdg_data_home, "/unbrick/profiles", e);
	else if (!rc && given(env->home))
		rc = add_dir(out, UB_PROFILES_HOME, env->home, "/.local/share/unbrick/profiles", e);
	if (!rc)
		rc = shipped_dirs(env, out, e);
	if (rc)
		ub_profile_dirs_free(out);
	return rc;
}

void ub_profile_dirs_free(struct ub_profile_dirs *d)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		free(d->v[i].path);
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct ub_profile_found *)a)->name,
		      ((const struct ub_profile_found *)b)->name);
}

/* One folder's profiles, appended to *v. */
static int find_in(const struct ub_profile_dir *d, struct ub_profile_found **v, size_t *n,
		   struct ub_err *e)
{
	DIR *dir = opendir(d->path);
	struct dirent *de;
	size_t first = *n, i;

	if (!dir)
		return 0;
	while ((de = readdir(dir)) && *n < 4096) {
		size_t len = strlen(de->d_name);
		struct ub_profile_found *nv, *f;
		char name[128];

		if (len <= 5 || len > 105 || strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		snprintf(name, sizeof name, "%.*s", (int)(len - 5), de->d_name);
		if (!valid_name(name) || strcmp(name, "schema") == 0)
			continue;
		if (!(nv = realloc(*v, (*n + 1) * sizeof *nv))) {
			closedir(dir);
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		}
		*v = nv;
		f = &nv[*n];
		memset(f, 0, sizeof *f);
		snprintf(f->name, sizeof f->name, "%.100s", name);
		f->source = d->source;
		if (!(f->file = malloc(strlen(d->path) + len + 2))) {
			closedir(dir);
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		}
		sprintf(f->file, "%s/%s", d->path, de->d_name);
		for (i = 0; i < first; i++)
			if (strcmp((*v)[i].name, name) == 0)
				f->shadowed = 1;
		(*n)++;
	}
	closedir(dir);
	qsort(*v + first, *n - first, sizeof **v, by_name);
	return 0;
}

int ub_profile_find_all(const struct ub_profile_dirs *dirs, struct ub_profile_found **out,
			size_t *n, struct ub_err *e)
{
	size_t i;
	int rc;

	*out = NULL;
	*n = 0;
	for (i = 0; i < dirs->n; i++)
		if ((rc = find_in(&dirs->v[i], out, n, e))) {
			ub_profile_found_free(*out, *n);
			*out = NULL;
			*n = 0;
			return rc;
		}
	return 0;
}

void ub_profile_found_free(struct ub_profile_found *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i].file);
	free(v);
}

/* The closest profile name in the search path to a missing one. */
static void near_name(const struct ub_profile_dirs *dirs, const char *name, char *out, size_t len)
{
	struct ub_profile_found *v;
	const char *names[256], *near;
	size_t n, i, k = 0;

	out[0] = '\0';
	if (ub_profile_find_all(dirs, &v, &n, NULL) != 0)
		return;
	for (i = 0; i < n && k < sizeof names / sizeof names[0]; i++)
		names[k++] = v[i].name;
	if ((near = ub_suggest(name, names, k)))
		snprintf(out, len, "%s", near);
	ub_profile_found_free(v, n);
}

int ub_profile_load_checked(const char *name_or_path, const char *home,
			    struct ub_profile *p, struct ub_schema_issue *issue,
			    struct ub_err *e)
{
	struct ub_profile_env env;
	struct ub_profile_dirs dirs;
	char exe[PATH_MAX], path[PATH_MAX + 112], looked[400] = "", near[101];
	size_t i;
	int rc;

	memset(p, 0, sizeof *p);
	if (issue)
		memset(issue, 0, sizeof *issue);
	if (is_path(name_or_path))
		return load_file(name_or_path, p, issue, e);
	if (!valid_name(name_or_path))
		return ub_err_set(e, UB_EUSAGE, "profile-missing",
				  "'%s' is neither a profile name (letters, digits, '-', '_', '.') nor a path",
				  name_or_path);
	ub_profile_env_get(&env, exe, sizeof exe);
	if (home)
		env.unbrick_home = home;
	if ((rc = ub_profile_dirs(&env, &dirs, e)))
		return rc;
	for (i = 0; i < dirs.n; i++) {
		snprintf(path, sizeof path, "%.*s/%.100s.json", PATH_MAX - 1, dirs.v[i].path,
			 name_or_path);
		/* the schema ships beside the profiles and is none */
		if (strcmp(name_or_path, "schema") != 0 && access(path, F_OK) == 0) {
			ub_profile_dirs_free(&dirs);
			return load_file(path, p, issue, e);
		}
		snprintf(looked + strlen(looked), sizeof looked - strlen(looked), "%s%s",
			 i ? ", " : "", dirs.v[i].path);
	}
	near_name(&dirs, name_or_path, near, sizeof near);
	ub_profile_dirs_free(&dirs);
	return ub_err_set(e, UB_EUSAGE, "profile-missing",
			  "no profile named '%s'%s%s%s (looked in %s)", name_or_path,
			  *near ? "; did you mean '" : "", near, *near ? "'?" : "",
			  *looked ? looked : "no folder: set UNBRICK_PROFILE_PATH or HOME");
}

int ub_profile_load(const char *name_or_path, const char *home,
		    struct ub_profile *p, struct ub_err *e)
{
	return ub_profile_load_checked(name_or_path, home, p, NULL, e);
}

void ub_profile_free(struct ub_profile *p)
{
	free(p->name);
	free(p->description);
	free(p->family);
	free(p->path);
	ub_strlist_free(&p->models);
	ub_strlist_free(&p->revisions);
	ub_strlist_free(&p->regions);
	json_decref(p->doc);
	memset(p, 0, sizeof *p);
}
