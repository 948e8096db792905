#include "profile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ub_config.h"

static int invalid(struct ub_err *e, const char *path, const char *what)
{
	return ub_err_set(e, UB_EFORMAT, "profile-invalid", "profile %s: %s",
			  path, what);
}

static int take_str(json_t *doc, const char *key, char **out, int required,
		    const char *path, struct ub_err *e)
{
	json_t *v = json_object_get(doc, key);

	if (!v) {
		if (required)
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "profile %s: \"%s\" is missing", path, key);
		return 0;
	}
	if (!json_is_string(v))
		return ub_err_set(e, UB_EFORMAT, "profile-invalid",
				  "profile %s: \"%s\" must be a string", path, key);
	*out = strdup(json_string_value(v));
	return *out ? 0 : ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
}

static int take_list(json_t *match, const char *key, struct ub_strlist *out,
		     const char *path, struct ub_err *e)
{
	json_t *v = json_object_get(match, key), *item;
	size_t i;

	if (!v)
		return 0;
	if (!json_is_array(v))
		return ub_err_set(e, UB_EFORMAT, "profile-invalid",
				  "profile %s: \"match.%s\" must be a list of strings",
				  path, key);
	json_array_foreach(v, i, item) {
		if (!json_is_string(item) || !*json_string_value(item))
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "profile %s: \"match.%s\"[%zu] must be a non-empty string",
					  path, key, i);
		if (ub_strlist_add(out, json_string_value(item)) != 0)
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	return 0;
}

/* What the person at the bench must do, in the profile's words: which
 * header to wire, how to make the board enter its recovery mode, what they
 * will see when it does.  Only these keys, so a typo is named. */
static const char *const guide_keys[] = { "connect", "enter_recovery", "wait_for", NULL };

static int check_guide(const json_t *g, const char *path, struct ub_err *e)
{
	const char *key;
	const json_t *v;
	size_t k;

	if (!g)
		return 0;
	if (!json_is_object(g))
		return invalid(e, path, "\"guide\" must be an object of sentences (connect, enter_recovery, wait_for)");
	json_object_foreach((json_t *)g, key, v) {
		for (k = 0; guide_keys[k] && strcmp(guide_keys[k], key) != 0; k++)
			;
		if (!guide_keys[k] || !json_is_string(v))
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "profile %s: guide.%.40s: the guide has connect, enter_recovery and wait_for, each a sentence",
					  path, key);
	}
	return 0;
}

const char *ub_profile_guide(const struct ub_profile *p, const char *key)
{
	return json_string_value(json_object_get(json_object_get(p->doc, "guide"), key));
}

int ub_profile_parse(const char *buf, size_t len, const char *path,
		     struct ub_profile *p, struct ub_err *e)
{
	json_error_t jerr;
	json_t *match;
	int rc;

	memset(p, 0, sizeof *p);
	p->doc = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!p->doc)
		return ub_err_set(e, UB_EFORMAT, "profile-invalid",
				  "profile %s: line %d: %s", path, jerr.line,
				  jerr.text);
	if (!json_is_object(p->doc)) {
		rc = invalid(e, path, "the document must be a JSON object");
		goto fail;
	}
	p->path = strdup(path);
	if (!p->path) {
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		goto fail;
	}
	if ((rc = take_str(p->doc, "name", &p->name, 1, path, e)) ||
	    (rc = take_str(p->doc, "description", &p->description, 0, path, e)) ||
	    (rc = take_str(p->doc, "family", &p->family, 0, path, e)))
		goto fail;
	match = json_object_get(p->doc, "match");
	if (match && !json_is_object(match)) {
		rc = invalid(e, path, "\"match\" must be an object");
		goto fail;
	}
	if ((rc = take_list(match, "models", &p->models, path, e)) ||
	    (rc = take_list(match, "revisions", &p->revisions, path, e)) ||
	    (rc = take_list(match, "regions", &p->regions, path, e)))
		goto fail;
	if (p->models.n == 0) {
		rc = invalid(e, path, "\"match.models\" must name at least one model");
		goto fail;
	}
	if ((rc = check_guide(json_object_get(p->doc, "guide"), path, e)))
		goto fail;
	return 0;
fail:
	ub_profile_free(p);
	return rc;
}

static int load_file(const char *path, struct ub_profile *p, struct ub_err *e)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0;
	int rc;

	if (!f)
		return ub_err_errno(e, UB_EIO, "profile-missing", errno,
				    "cannot open profile %s", path);
	for (;;) {
		size_t n;

		if (len == cap) {
			char *nb;

			/* profiles are small; a huge file is a mistake */
			if (cap >= (1u << 20)) {
				fclose(f);
				free(buf);
				return invalid(e, path, "larger than 1 MiB");
			}
			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				fclose(f);
				free(buf);
				return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
			}
			buf = nb;
		}
		n = fread(buf + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		fclose(f);
		free(buf);
		return ub_err_set(e, UB_EIO, "io", "cannot read profile %s", path);
	}
	fclose(f);
	rc = ub_profile_parse(buf, len, path, p, e);
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

int ub_profile_load(const char *name_or_path, const char *home,
		    struct ub_profile *p, struct ub_err *e)
{
	char dirs[3][4096], path[4096 + 112];
	int i, n = 0;

	memset(p, 0, sizeof *p);
	if (is_path(name_or_path))
		return load_file(name_or_path, p, e);
	if (!valid_name(name_or_path))
		return ub_err_set(e, UB_EUSAGE, "profile-missing",
				  "'%s' is neither a profile name (letters, digits, '-', '_', '.') nor a path",
				  name_or_path);
	if (home)
		snprintf(dirs[n++], sizeof dirs[0], "%s/profiles", home);
	snprintf(dirs[n++], sizeof dirs[0], "%s", UB_SOURCE_PROFILES_DIR);
	snprintf(dirs[n++], sizeof dirs[0], "%s", UB_PROFILES_DIR);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof path, "%.4000s/%.100s.json", dirs[i], name_or_path);
		if (access(path, F_OK) == 0)
			return load_file(path, p, e);
	}
	return ub_err_set(e, UB_EUSAGE, "profile-missing",
			  "no profile named '%s' (looked in %s, %s%s%s)",
			  name_or_path, dirs[0], dirs[1], n > 2 ? " and " : "",
			  n > 2 ? dirs[2] : "");
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
