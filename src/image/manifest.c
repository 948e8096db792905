/* The sidecar manifest.  Strict about the shape of the fields it knows (a
 * model list that is a string is an error, not a guess), silent about the
 * fields it does not, so vendors can add their own. */
#include "manifest.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "../base/file.h"
#include "digest.h"

#define MANIFEST_MAX (1u << 20)

static int bad(struct ub_err *e, const char *field, const char *what)
{
	return ub_err_set(e, UB_EFORMAT, "manifest-invalid",
			  "manifest field \"%s\" %s", field, what);
}

static int str_list(json_t *root, const char *field, struct ub_strlist *out,
		    struct ub_err *e)
{
	json_t *a = json_object_get(root, field), *v;
	size_t i;

	if (!a)
		return 0;
	if (!json_is_array(a))
		return bad(e, field, "must be a list of strings");
	json_array_foreach(a, i, v) {
		const char *s = json_string_value(v);

		if (!s || !*s || strlen(s) > 128)
			return bad(e, field, "must hold non-empty strings of at most 128 characters");
		if (ub_strlist_add(out, s))
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	return 0;
}

int ub_manifest_parse(const char *buf, size_t len, struct ub_manifest *m,
		      struct ub_err *e)
{
	json_error_t je;
	json_t *root, *v;
	int rc;

	memset(m, 0, sizeof *m);
	if (len > MANIFEST_MAX)
		return ub_err_set(e, UB_EFORMAT, "manifest-invalid",
				  "the manifest is %zu bytes; more than 1 MiB is not a manifest", len);
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return ub_err_set(e, UB_EFORMAT, "manifest-invalid",
				  "the manifest is not valid JSON: %s (line %d, column %d)",
				  je.text, je.line, je.column);
	if (!json_is_object(root)) {
		json_decref(root);
		return ub_err_set(e, UB_EFORMAT, "manifest-invalid",
				  "the manifest must be a JSON object");
	}
	rc = str_list(root, "models", &m->models, e);
	if (!rc)
		rc = str_list(root, "revisions", &m->revisions, e);
	if (!rc)
		rc = str_list(root, "regions", &m->regions, e);
	if (!rc && (v = json_object_get(root, "version"))) {
		const char *s = json_string_value(v);

		if (!s || !*s || strlen(s) > 64)
			rc = bad(e, "version", "must be a non-empty string of at most 64 characters");
		else if (!(m->version = strdup(s)))
			rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	if (!rc && (v = json_object_get(root, "sha256"))) {
		const char *s = json_string_value(v);
		uint8_t md[32];
		size_t i;

		if (!s || strlen(s) != 64 || ub_unhex(s, md, sizeof md) != 0)
			rc = bad(e, "sha256", "must be 64 hex digits");
		else if (!(m->sha256 = malloc(65)))
			rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		else
			for (i = 0; i < 65; i++)
				m->sha256[i] = (char)(s[i] >= 'A' && s[i] <= 'F' ? s[i] + 32 : s[i]);
	}
	json_decref(root);
	if (rc)
		ub_manifest_free(m);
	return rc;
}

int ub_manifest_load(const char *path, struct ub_manifest *m,
		     struct ub_err *e)
{
	char *buf;
	size_t len;
	int rc;

	memset(m, 0, sizeof *m);
	rc = ub_read_small(path, MANIFEST_MAX, "manifest", "manifest-invalid",
			   &buf, &len, e);
	if (rc)
		return rc;
	rc = ub_manifest_parse(buf, len, m, e);
	if (rc == UB_EFORMAT)
		ub_err_prefix(e, path);
	free(buf);
	return rc;
}

void ub_manifest_free(struct ub_manifest *m)
{
	ub_strlist_free(&m->models);
	ub_strlist_free(&m->revisions);
	ub_strlist_free(&m->regions);
	free(m->version);
	free(m->sha256);
	memset(m, 0, sizeof *m);
}
