/* Device profiles: what a board is.  A JSON file per board (profiles/ ships
 * some; users add their own, see the search path below):
 *   { "name": "...", "description": "...", "family": "uboot",
 *     "match": { "models": [...], "revisions": [...], "regions": [...] },
 *     "flash": [...], "recovery": {...}, "boot": {...}, ... }
 * Every document is checked against profiles/schema.json (built into the
 * binary) before anything reads it: an unknown key, a misspelt flag word, a
 * value of the wrong type is an error naming the file, the JSON path and
 * the closest known word, never silently ignored.  The flash map is parsed
 * too (family/region.h), so a loaded profile's regions are known good.
 * Only the match rules are kept here; later layers read the rest of doc
 * by name, and the schema lists every key they read. */
#ifndef UB_PROFILE_H
#define UB_PROFILE_H

#include <jansson.h>

#include "base/err.h"
#include "core/schema.h"
#include "image/meta.h"

struct ub_profile {
	char *name;
	char *description;
	char *family;
	char *path;                   /* the file it came from */
	struct ub_strlist models;     /* model strings this board answers to */
	struct ub_strlist revisions;  /* hardware revisions covered (empty: any) */
	struct ub_strlist regions;    /* regions covered (empty: any) */
	json_t *doc;                  /* the whole document */
};

/* The profile's words for the person at the bench ("connect",
 * "enter_recovery", "wait_for"), or NULL when it has none. */
const char *ub_profile_guide(const struct ub_profile *p, const char *key);

/* The schema every profile is checked against (profiles/schema.json as
 * built in), or NULL if it does not parse or uses keywords the validator
 * does not know (a unit test keeps that from shipping). */
const json_t *ub_profile_schema(void);

/* Where profiles are looked for by name, first found wins:
 *   1. each folder of $UNBRICK_PROFILE_PATH (colon-separated)
 *   2. the user's: $XDG_CONFIG_HOME/unbrick/profiles (~/.config/...)
 *   3. $UNBRICK_HOME/profiles (default ~/.local/share/unbrick/profiles)
 *   4. the shipped ones: for a binary in its meson build tree (a
 *      meson-info/meson-info.json beside it), the source tree's profiles/
 *      that file names; else the installed data folder found from the
 *      binary's own path (BIN/../share/unbrick/profiles), else the one
 *      configured at build time.  Never both: a binary reads the shipped
 *      profiles of its own version. */
enum ub_profile_source {
	UB_PROFILES_ENV = 0,     /* $UNBRICK_PROFILE_PATH */
	UB_PROFILES_USER,        /* $XDG_CONFIG_HOME/unbrick/profiles */
	UB_PROFILES_HOME,        /* $UNBRICK_HOME/profiles */
	UB_PROFILES_INSTALLED,
	UB_PROFILES_BUILD_TREE,
};

/* The inputs of the search path, apart so tests can give their own. */
struct ub_profile_env {
	const char *profile_path;     /* $UNBRICK_PROFILE_PATH, or NULL */
	const char *xdg_config_home;  /* $XDG_CONFIG_HOME, or NULL */
	const char *xdg_data_home;    /* $XDG_DATA_HOME, or NULL */
	const char *home;             /* $HOME, or NULL */
	const char *unbrick_home;     /* $UNBRICK_HOME, or NULL */
	const char *exe;              /* the running binary's absolute path, or NULL */
};

struct ub_profile_dir {
	char *path;
	unsigned source;              /* enum ub_profile_source */
};

struct ub_profile_dirs {
	struct ub_profile_dir *v;
	size_t n;
};

/* Fills env from the environment and /proc/self/exe (into exe_buf). */
void ub_profile_env_get(struct ub_profile_env *env, char *exe_buf, size_t len);

/* The folders to search, in order (whether or not they exist; a folder
 * named twice is listed once).  0 or UB_ENOMEM. */
int ub_profile_dirs(const struct ub_profile_env *env, struct ub_profile_dirs *out,
		    struct ub_err *e);
void ub_profile_dirs_free(struct ub_profile_dirs *d);

/* "UNBRICK_PROFILE_PATH", "user", "UNBRICK_HOME", "installed", "build tree". */
const char *ub_profile_source_name(unsigned source);

/* A profile file in the search path. */
struct ub_profile_found {
	char name[101];         /* NAME of NAME.json, as --profile takes it */
	char *file;             /* its path */
	unsigned source;        /* its folder's enum ub_profile_source */
	int shadowed;           /* an earlier folder has a profile of that name */
};

/* Every NAME.json in the folders (schema.json and names --profile cannot
 * take left out), in search order, sorted by name within a folder.
 * Folders that do not exist are skipped.  0 or UB_ENOMEM. */
int ub_profile_find_all(const struct ub_profile_dirs *dirs, struct ub_profile_found **out,
			size_t *n, struct ub_err *e);
void ub_profile_found_free(struct ub_profile_found *v, size_t n);

/* Loads a profile by path (anything with a '/' or ending in .json) or by
 * name (NAME.json in the search path; home, when not NULL, stands for
 * $UNBRICK_HOME).  Errors (UB_EUSAGE, exit 2): "profile-missing" (listing
 * every folder it looked in, and the closest name found there),
 * "profile-invalid" (naming the file, the JSON path and the closest known
 * word).  issue may be NULL. */
int ub_profile_load(const char *name_or_path, const char *home,
		    struct ub_profile *p, struct ub_err *e);
int ub_profile_load_checked(const char *name_or_path, const char *home,
			    struct ub_profile *p, struct ub_schema_issue *issue,
			    struct ub_err *e);

/* Parses and checks a profile document from memory (path is only for
 * messages). */
int ub_profile_parse(const char *buf, size_t len, const char *path,
		     struct ub_profile *p, struct ub_err *e);
int ub_profile_parse_checked(const char *buf, size_t len, const char *path,
			     struct ub_profile *p, struct ub_schema_issue *issue,
			     struct ub_err *e);

void ub_profile_free(struct ub_profile *p);

#endif
