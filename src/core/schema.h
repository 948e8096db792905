/* A JSON Schema subset, enough to describe a device profile so that a typo
 * is an error and never a silently ignored key:
 *   type (a name or a list of names: object, array, string, integer,
 *   number, boolean, null), properties, additionalProperties (false or
 *   true), required, enum, items, minItems, maxItems, minLength, maxLength
 *   (bytes), pattern (POSIX extended), minimum, maximum (also on sizes
 *   written as strings), and format: "size" (a string ub_parse_size takes),
 *   "regex" (a POSIX extended regular expression), "ipv4".  Annotations ($schema, $id, $comment, title,
 *   description, default, examples) are allowed and not checked.
 * Any other keyword in a schema is refused (ub_schema_self_check), so a
 * typo in the schema cannot switch a check off either. */
#ifndef UB_SCHEMA_H
#define UB_SCHEMA_H

#include <jansson.h>

#include "base/err.h"

/* Where a document broke its schema, for callers that show it apart. */
struct ub_schema_issue {
	char where[192];        /* JSON path: "flash[2].flgs"; "" for the document */
	char did_you_mean[64];  /* the closest known key or word, or "" */
};

/* Checks doc against schema.  On the first problem returns UB_EUSAGE with
 * advice_id and the message "DOC_NAME: WHERE: what is wrong[; did you mean
 * 'X'?]"; issue (may be NULL) gets where and the suggestion.  Keys are
 * checked before values, unknown keys before missing ones, so a misspelt
 * key is named as such. */
int ub_schema_validate(const json_t *schema, const json_t *doc, const char *doc_name,
		       const char *advice_id, struct ub_schema_issue *issue,
		       struct ub_err *e);

/* 0 when the schema uses only the subset above (every keyword, type name
 * and format known, every keyword's value of the right kind); else
 * UB_EFORMAT naming the keyword and where it is. */
int ub_schema_self_check(const json_t *schema, struct ub_err *e);

#endif
