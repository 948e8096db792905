/* The JSON sidecar manifest shipped next to an image (IMAGE.manifest.json):
 *   { "models": ["..."], "revisions": ["..."], "regions": ["..."],
 *     "version": "1.2.3", "sha256": "hex" }
 * Every field is optional; unknown fields are ignored. */
#ifndef UB_MANIFEST_H
#define UB_MANIFEST_H

#include <stddef.h>

#include "../base/err.h"
#include "meta.h"

struct ub_manifest {
	struct ub_strlist models, revisions, regions;
	char *version;
	char *sha256;   /* lowercase hex, validated, or NULL */
};

/* Loads path.  Returns 0, UB_EIO, or UB_EFORMAT ("manifest-invalid") with
 * the field that is wrong. */
int ub_manifest_load(const char *path, struct ub_manifest *m,
		     struct ub_err *e);
int ub_manifest_parse(const char *buf, size_t len, struct ub_manifest *m,
		      struct ub_err *e);
void ub_manifest_free(struct ub_manifest *m);

#endif
