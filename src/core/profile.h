/* Device profiles: what a board is.  A JSON file per board (profiles/ ships
 * some; users add their own under $UNBRICK_HOME/profiles/):
 *   { "name": "...", "description": "...", "family": "uboot",
 *     "match": { "models": [...], "revisions": [...], "regions": [...] },
 *     ... family-specific parts (flash map, recovery) read by later layers }
 * Only the match rules are interpreted here. */
#ifndef UB_PROFILE_H
#define UB_PROFILE_H

#include <jansson.h>

#include "base/err.h"
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

/* Loads a profile by path (anything with a '/' or ending in .json) or by
 * name, searched in HOME/profiles (home may be NULL), the source tree's
 * profiles/ and the installed profiles folder.  Errors: "profile-missing"
 * (listing where it looked), "profile-invalid" (naming the field). */
int ub_profile_load(const char *name_or_path, const char *home,
		    struct ub_profile *p, struct ub_err *e);

/* Parses a profile document from memory (path is only for messages). */
int ub_profile_parse(const char *buf, size_t len, const char *path,
		     struct ub_profile *p, struct ub_err *e);

void ub_profile_free(struct ub_profile *p);

#endif
