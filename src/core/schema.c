#include "core/schema.h"

#include <arpa/inet.h>
#include <regex.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/suggest.h"
#include "family/region.h"

struct ctx {
	char where[192];
	size_t len;
	const char *doc_name;
	const char *advice_id;
	struct ub_schema_issue *issue;
	struct ub_err *e;
};

/* A key or value from the document as it may be shown: printable ASCII
 * only, cut at 40 characters. */
static void shown(char *out, size_t cap, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < cap && i < 40; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'' ? s[i] : '?';
	out[i] = '\0';
	if (s[i] && i + 4 < cap)
		strcat(out, "...");
}

static size_t push_key(struct ctx *c, const char *key)
{
	size_t was = c->len;
	char k[48];

	shown(k, sizeof k, key);
	snprintf(c->where + c->len, sizeof c->where - c->len, "%s%s", c->len ? "." : "", k);
	c->len = strlen(c->where);
	return was;
}

static size_t push_index(struct ctx *c, size_t i)
{
	size_t was = c->len;

	snprintf(c->where + c->len, sizeof c->where - c->len, "[%zu]", i);
	c->len = strlen(c->where);
	return was;
}

static void pop(struct ctx *c, size_t was)
{
	c->len = was;
	c->where[was] = '\0';
}

static int fail(struct ctx *c, const char *suggestion, const char *fmt, ...) UB_PRINTF(3, 4);

static int fail(struct ctx *c, const char *suggestion, const char *fmt, ...)
{
	char what[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	if (c->issue) {
		snprintf(c->issue->where, sizeof c->issue->where, "%s", c->where);
		snprintf(c->issue->did_you_mean, sizeof c->issue->did_you_mean, "%s",
			 suggestion ? suggestion : "");
	}
	return ub_err_set(c->e, UB_EUSAGE, c->advice_id, "%s: %s: %s%s%s%s", c->doc_name,
			  c->len ? c->where : "the document", what,
			  suggestion ? "; did you mean '" : "", suggestion ? suggestion : "",
			  suggestion ? "'?" : "");
}

static int type_is(const json_t *v, const char *t)
{
	if (strcmp(t, "object") == 0)
		return json_is_object(v);
	if (strcmp(t, "array") == 0)
		return json_is_array(v);
	if (strcmp(t, "string") == 0)
		return json_is_string(v);
	if (strcmp(t, "integer") == 0)
		return json_is_integer(v);
	if (strcmp(t, "number") == 0)
		return json_is_number(v);
	if (strcmp(t, "boolean") == 0)
		return json_is_boolean(v);
	if (strcmp(t, "null") == 0)
		return json_is_null(v);
	return 0;
}

/* The type's name in an error, as a person reads it. */
static const char *type_words(const char *t)
{
	static const char *const words[][2] = {
		{ "object", "an object" }, { "array", "a list" }, { "string", "a string" },
		{ "integer", "a whole number" }, { "number", "a number" },
		{ "boolean", "true or false" }, { "null", "null" },
	};
	size_t i;

	for (i = 0; i < sizeof words / sizeof words[0]; i++)
		if (strcmp(words[i][0], t) == 0)
			return words[i][1];
	return t;
}

static const char *value_words(const json_t *v)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return "an object";
	case JSON_ARRAY: return "a list";
	case JSON_STRING: return "a string";
	case JSON_INTEGER: return "a whole number";
	case JSON_REAL: return "a number with a fraction";
	case JSON_TRUE: case JSON_FALSE: return json_is_true(v) ? "true" : "false";
	default: return "null";
	}
}

static int check_type(struct ctx *c, const json_t *s, const json_t *v)
{
	const json_t *t = json_object_get(s, "type"), *x;
	char want[120] = "";
	size_t i;

	if (!t)
		return 0;
	if (json_is_string(t)) {
		if (type_is(v, json_string_value(t)))
			return 0;
		return fail(c, NULL, "must be %s, not %s", type_words(json_string_value(t)),
			    value_words(v));
	}
	json_array_foreach(t, i, x) {
		if (type_is(v, json_string_value(x)))
			return 0;
		snprintf(want + strlen(want), sizeof want - strlen(want), "%s%s",
			 i == 0 ? "" : i + 1 == json_array_size(t) ? " or " : ", ",
			 type_words(json_string_value(x)));
	}
	return fail(c, NULL, "must be %s, not %s", want, value_words(v));
}

/* "a, b, c" from an enum or a properties object's keys. */
static void list_words(char *out, size_t cap, const char *const *w, size_t n)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		snprintf(out + strlen(out), cap - strlen(out), "%s%s", i ? ", " : "", w[i]);
}

static int check_enum(struct ctx *c, const json_t *s, const json_t *v)
{
	const json_t *en = json_object_get(s, "enum"), *x;
	const char *words[32];
	char list[256], val[48];
	size_t i, n = 0;

	if (!en)
		return 0;
	json_array_foreach(en, i, x) {
		if (json_equal(x, (json_t *)v))
			return 0;
		if (json_is_string(x) && n < sizeof words / sizeof words[0])
			words[n++] = json_string_value(x);
	}
	list_words(list, sizeof list, words, n);
	if (!json_is_string(v))
		return fail(c, NULL, "must be one of %s", list);
	shown(val, sizeof val, json_string_value(v));
	return fail(c, ub_suggest(json_string_value(v), words, n), "'%s' is not one of %s", val, list);
}

static int check_bounds(struct ctx *c, const json_t *s, double x, const char *as_text)
{
	const json_t *lo = json_object_get(s, "minimum"), *hi = json_object_get(s, "maximum");

	if (lo && x < json_number_value(lo))
		return fail(c, NULL, "%s is below the least allowed, %g", as_text, json_number_value(lo));
	if (hi && x > json_number_value(hi))
		return fail(c, NULL, "%s is above the most allowed, %g", as_text, json_number_value(hi));
	return 0;
}

static int check_format(struct ctx *c, const char *fmt, const char *str, uint64_t *size)
{
	char val[48];
	regex_t re;

	shown(val, sizeof val, str);
	if (strcmp(fmt, "size") == 0) {
		if (ub_parse_size(str, size) == 0)
			return 1;
		return fail(c, NULL, "'%s' is not a size (4096, \"0x1000\", \"64K\", \"16M\"; no leading 0 but in 0x)", val);
	}
	if (strcmp(fmt, "regex") == 0) {
		if (regcomp(&re, str, REG_EXTENDED | REG_NOSUB) != 0)
			return fail(c, NULL, "'%s' is not a valid extended regular expression", val);
		regfree(&re);
		return 0;
	}
	if (strcmp(fmt, "ipv4") == 0) {
		struct in_addr a;

		if (inet_pton(AF_INET, str, &a) != 1)
			return fail(c, NULL, "'%s' is not an IPv4 address (a.b.c.d)", val);
		return 0;
	}
	return 0;
}

static int check_string(struct ctx *c, const json_t *s, const json_t *v)
{
	const char *str = json_string_value(v), *fmt = json_string_value(json_object_get(s, "format"));
	const json_t *mn = json_object_get(s, "minLength"), *mx = json_object_get(s, "maxLength");
	const char *pat = json_string_value(json_object_get(s, "pattern"));
	size_t len = json_string_length(v);
	char val[48], num[56];
	uint64_t size = 0;
	int rc;

	shown(val, sizeof val, str);
	if (len != strlen(str))
		return fail(c, NULL, "must not hold a NUL character");
	if (mn && len < (size_t)json_integer_value(mn) && !len)
		return fail(c, NULL, "must not be empty");
	if (mn && len < (size_t)json_integer_value(mn))
		return fail(c, NULL, "'%s' is shorter than %lld characters", val,
			    (long long)json_integer_value(mn));
	if (mx && len > (size_t)json_integer_value(mx))
		return fail(c, NULL, "'%s' is longer than %lld characters", val,
			    (long long)json_integer_value(mx));
	if (pat) {
		regex_t re;
		int match;

		if (regcomp(&re, pat, REG_EXTENDED | REG_NOSUB) != 0)
			return fail(c, NULL, "the schema's pattern does not compile");
		match = regexec(&re, str, 0, NULL, 0) == 0;
		regfree(&re);
		if (!match)
			return fail(c, NULL, "'%s' does not have the form %s", val, pat);
	}
	if (!fmt)
		return 0;
	rc = check_format(c, fmt, str, &size);
	if (rc <= 0)
		return rc;
	snprintf(num, sizeof num, "'%s'", val);
	return check_bounds(c, s, (double)size, num);
}

static int validate(struct ctx *c, const json_t *s, const json_t *v);

static int check_array(struct ctx *c, const json_t *s, const json_t *v)
{
	const json_t *mn = json_object_get(s, "minItems"), *mx = json_object_get(s, "maxItems");
	const json_t *items = json_object_get(s, "items"), *x;
	size_t i, was;
	int rc;

	if (mn && json_array_size(v) < (size_t)json_integer_value(mn))
		return fail(c, NULL, "must have at least %lld %s", (long long)json_integer_value(mn),
			    json_integer_value(mn) == 1 ? "entry" : "entries");
	if (mx && json_array_size(v) > (size_t)json_integer_value(mx))
		return fail(c, NULL, "has more than %lld entries", (long long)json_integer_value(mx));
	if (!items)
		return 0;
	json_array_foreach(v, i, x) {
		was = push_index(c, i);
		rc = validate(c, items, x);
		if (rc)
			return rc;
		pop(c, was);
	}
	return 0;
}

static int check_object(struct ctx *c, const json_t *s, const json_t *v)
{
	const json_t *props = json_object_get(s, "properties"), *req = json_object_get(s, "required");
	const json_t *x, *sub;
	const char *key, *known[64];
	size_t i, n = 0, was;
	char list[400];
	int rc;

	json_object_foreach((json_t *)props, key, sub)
		if (n < sizeof known / sizeof known[0])
			known[n++] = key;
	if (json_is_false(json_object_get(s, "additionalProperties")))
		json_object_foreach((json_t *)v, key, x)
			if (!json_object_get(props, key)) {
				const char *near = ub_suggest(key, known, n);

				was = push_key(c, key);
				if (near)
					return fail(c, near, "unknown key");
				list_words(list, sizeof list, known, n);
				return n ? fail(c, NULL, "unknown key; the keys here are %s", list) :
					   fail(c, NULL, "unknown key; nothing goes here");
			}
	json_array_foreach(req, i, x)
		if (!json_object_get(v, json_string_value(x)))
			return fail(c, NULL, "\"%s\" is missing", json_string_value(x));
	json_object_foreach((json_t *)props, key, sub) {
		if (!(x = json_object_get(v, key)))
			continue;
		was = push_key(c, key);
		rc = validate(c, sub, x);
		if (rc)
			return rc;
		pop(c, was);
	}
	return 0;
}

static int validate(struct ctx *c, const json_t *s, const json_t *v)
{
	int rc;

	if ((rc = check_type(c, s, v)) || (rc = check_enum(c, s, v)))
		return rc;
	if (json_is_string(v))
		return check_string(c, s, v);
	if (json_is_number(v)) {
		char num[32];

		snprintf(num, sizeof num, "%g", json_number_value(v));
		return check_bounds(c, s, json_number_value(v), num);
	}
	if (json_is_array(v))
		return check_array(c, s, v);
	if (json_is_object(v))
		return check_object(c, s, v);
	return 0;
}

int ub_schema_validate(const json_t *schema, const json_t *doc, const char *doc_name,
		       const char *advice_id, struct ub_schema_issue *issue,
		       struct ub_err *e)
{
	struct ctx c;

	memset(&c, 0, sizeof c);
	c.doc_name = doc_name;
	c.advice_id = advice_id;
	c.issue = issue;
	c.e = e;
	if (issue)
		memset(issue, 0, sizeof *issue);
	return validate(&c, schema, doc);
}

/* The self check: every keyword known, each value of its kind. */

static int known_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(w, *list) == 0)
			return 1;
	return 0;
}

static const char *const types[] = { "object", "array", "string", "integer", "number", "boolean", "null", NULL };
static const char *const formats[] = { "size", "regex", "ipv4", NULL };

static int self_fail(struct ub_err *e, const char *where, const char *kw, const char *what)
{
	return ub_err_set(e, UB_EFORMAT, NULL, "schema: %s: \"%s\" %s", *where ? where : "top", kw, what);
}

static int self_check(const json_t *s, char *where, size_t cap, struct ub_err *e)
{
	static const char *const annotations[] = {
		"$schema", "$id", "$comment", "title", "description", "default", "examples", NULL,
	};
	const char *kw;
	const json_t *v, *x;
	size_t len = strlen(where), i;
	int rc;

	if (!json_is_object(s))
		return ub_err_set(e, UB_EFORMAT, NULL, "schema: %s: a schema must be an object", *where ? where : "top");
	json_object_foreach((json_t *)s, kw, v) {
		if (known_in(kw, annotations))
			continue;
		if (strcmp(kw, "type") == 0) {
			if (json_is_string(v) ? !known_in(json_string_value(v), types) : !json_is_array(v) || !json_array_size(v))
				return self_fail(e, where, kw, "must name a type or list types");
			json_array_foreach(v, i, x)
				if (!json_is_string(x) || !known_in(json_string_value(x), types))
					return self_fail(e, where, kw, "lists an unknown type");
		} else if (strcmp(kw, "format") == 0) {
			if (!json_is_string(v) || !known_in(json_string_value(v), formats))
				return self_fail(e, where, kw, "is not size, regex or ipv4");
		} else if (strcmp(kw, "pattern") == 0) {
			regex_t re;

			if (!json_is_string(v) || regcomp(&re, json_string_value(v), REG_EXTENDED | REG_NOSUB))
				return self_fail(e, where, kw, "is not an extended regular expression");
			regfree(&re);
		} else if (strcmp(kw, "enum") == 0) {
			if (!json_is_array(v) || !json_array_size(v))
				return self_fail(e, where, kw, "must list the values");
		} else if (strcmp(kw, "required") == 0) {
			if (!json_is_array(v))
				return self_fail(e, where, kw, "must list key names");
			json_array_foreach(v, i, x)
				if (!json_is_string(x) || !json_object_get(json_object_get(s, "properties"), json_string_value(x)))
					return self_fail(e, where, kw, "names a key that is not in properties");
		} else if (strcmp(kw, "additionalProperties") == 0) {
			if (!json_is_boolean(v))
				return self_fail(e, where, kw, "must be true or false in this subset");
		} else if (!strcmp(kw, "minItems") || !strcmp(kw, "maxItems") ||
			   !strcmp(kw, "minLength") || !strcmp(kw, "maxLength")) {
			if (!json_is_integer(v) || json_integer_value(v) < 0)
				return self_fail(e, where, kw, "must be a whole number, 0 or more");
		} else if (!strcmp(kw, "minimum") || !strcmp(kw, "maximum")) {
			if (!json_is_number(v))
				return self_fail(e, where, kw, "must be a number");
		} else if (strcmp(kw, "items") == 0) {
			snprintf(where + len, cap - len, "%sitems", len ? "." : "");
			if ((rc = self_check(v, where, cap, e)))
				return rc;
			where[len] = '\0';
		} else if (strcmp(kw, "properties") == 0) {
			const char *key;

			if (!json_is_object(v) || json_object_size(v) > 64)
				return self_fail(e, where, kw, "must be an object of at most 64 keys");
			json_object_foreach((json_t *)v, key, x) {
				snprintf(where + len, cap - len, "%s%s", len ? "." : "", key);
				if ((rc = self_check(x, where, cap, e)))
					return rc;
				where[len] = '\0';
			}
		} else {
			return self_fail(e, where, kw, "is not a keyword this validator knows");
		}
	}
	return 0;
}

int ub_schema_self_check(const json_t *schema, struct ub_err *e)
{
	char where[256] = "";

	return self_check(schema, where, sizeof where, e);
}
