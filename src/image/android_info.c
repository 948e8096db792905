#include "android_info.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int space(char c)
{
	return c == ' ' || c == '\t';
}

/* The line from s of n bytes, without the spaces around it. */
static void trim(const char **s, size_t *n)
{
	while (*n && (space(**s) || **s == '\r'))
		(*s)++, (*n)--;
	while (*n && (space((*s)[*n - 1]) || (*s)[*n - 1] == '\r'))
		(*n)--;
}

/* A keyword followed by at least one space: its length with the spaces. */
static size_t keyword(const char *s, size_t n, const char *word)
{
	size_t k = strlen(word), i;

	if (n <= k || strncmp(s, word, k) != 0 || !space(s[k]))
		return 0;
	for (i = k; i < n && space(s[i]); i++)
		;
	return i;
}

static int bad(struct ub_err *e, const char *from, unsigned line, const char *why, const char *s, size_t n)
{
	return ub_err_set(e, UB_EFORMAT, "imgset-invalid", "%s line %u: %s: '%.*s'", from, line, why,
			  (int)(n < 120 ? n : 120), s);
}

/* Copies n bytes into out (cap bytes); 0, or -1 when they do not fit. */
static int copy(char *out, size_t cap, const char *s, size_t n)
{
	if (n >= cap)
		return -1;
	memcpy(out, s, n);
	out[n] = '\0';
	return 0;
}

static int parse_line(const char *s, size_t n, unsigned line, const char *from, struct ub_req *r,
		      struct ub_err *e)
{
	const char *eq, *v, *end = s + n;
	size_t k, vn;

	memset(r, 0, sizeof *r);
	r->line = line;
	r->after = -1;
	snprintf(r->from, sizeof r->from, "%s", from);
	snprintf(r->text, sizeof r->text, "%.*s", (int)(n < sizeof r->text - 1 ? n : sizeof r->text - 1), s);
	if (n > 20 && strncmp(s, "require-for-product:", 20) == 0) {
		const char *p = s + 20, *q;

		while (p < end && space(*p))
			p++;
		for (q = p; q < end && !space(*q); q++)
			;
		if (q == p || q == end || copy(r->product, sizeof r->product, p, (size_t)(q - p)))
			return bad(e, from, line, "require-for-product: needs a product, a space, then NAME=VALUE", s, n);
		while (q < end && space(*q))
			q++;
		n -= (size_t)(q - s);
		s = q;
	} else if ((k = keyword(s, n, "require"))) {
		s += k;
		n -= k;
	} else if ((k = keyword(s, n, "reject"))) {
		r->reject = 1;
		s += k;
		n -= k;
	}
	if (!(eq = memchr(s, '=', n)))
		return bad(e, from, line, "not a requirement (NAME=VALUE)", r->text, strlen(r->text));
	for (k = (size_t)(eq - s); k && space(s[k - 1]); k--)
		;
	if (!k || memchr(s, ' ', k) || memchr(s, '\t', k) || copy(r->var, sizeof r->var, s, k))
		return bad(e, from, line, "the variable's name is empty, holds a space or is too long",
			   r->text, strlen(r->text));
	if (strcmp(r->var, "board") == 0)   /* AOSP: "an unfortunate name mismatch" */
		snprintf(r->var, sizeof r->var, "product");
	else if (strcmp(r->var, "bootloader") == 0)
		snprintf(r->var, sizeof r->var, "version-bootloader");
	else if (strcmp(r->var, "baseband") == 0)
		snprintf(r->var, sizeof r->var, "version-baseband");
	r->exists = strcmp(r->var, "partition-exists") == 0;
	for (v = eq + 1; v <= end;) {
		const char *bar = memchr(v, '|', (size_t)(end - v));
		const char *stop = bar ? bar : end;

		vn = (size_t)(stop - v);
		trim(&v, &vn);
		if (!vn)
			return bad(e, from, line, "an empty value", r->text, strlen(r->text));
		if (r->nvalues == UB_REQ_VALUES)
			return bad(e, from, line, "more than 16 values", r->text, strlen(r->text));
		if (copy(r->values[r->nvalues], sizeof r->values[0], v, vn))
			return bad(e, from, line, "a value longer than 95 bytes", r->text, strlen(r->text));
		r->nvalues++;
		if (!bar)
			break;
		v = bar + 1;
	}
	if (r->exists && r->nvalues != 1)
		return bad(e, from, line, "partition-exists names one partition", r->text, strlen(r->text));
	return 0;
}

int ub_android_info_parse(const char *text, size_t len, const char *from, struct ub_reqs *out,
			  struct ub_err *e)
{
	const char *p = text, *end = text + len;
	unsigned line = 0;
	size_t i;

	if (len > UB_ANDROID_INFO_MAX)
		return ub_err_set(e, UB_EFORMAT, "imgset-invalid", "%s is %zu bytes; a list of requirements is never over %d",
				  from, len, UB_ANDROID_INFO_MAX);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];

		if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c >= 0x7f) {
			unsigned at = 1;
			size_t k;

			for (k = 0; k < i; k++)
				at += text[k] == '\n';
			return ub_err_set(e, UB_EFORMAT, "imgset-invalid",
					  "%s line %u: byte 0x%02x, which a list of requirements never holds", from, at, c);
		}
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *s = p;
		size_t n = (size_t)((nl ? nl : end) - p);
		struct ub_req *grown;
		int rc;

		line++;
		p = nl ? nl + 1 : end;
		trim(&s, &n);
		if (!n || *s == '#')
			continue;
		if (out->n == UB_REQ_MAX)
			return ub_err_set(e, UB_EFORMAT, "imgset-invalid", "%s line %u: more than %d requirements",
					  from, line, UB_REQ_MAX);
		if (!(grown = realloc(out->v, (out->n + 1) * sizeof *out->v)))
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		out->v = grown;
		if ((rc = parse_line(s, n, line, from, &out->v[out->n], e)))
			return rc;
		out->n++;
	}
	return 0;
}

int ub_req_value_matches(const struct ub_req *r, const char *value)
{
	unsigned i;

	for (i = 0; i < r->nvalues; i++) {
		const char *o = r->values[i];
		size_t n = strlen(o);

		if (n && o[n - 1] == '*') {
			if ((r->nocase ? strncasecmp(value, o, n - 1) : strncmp(value, o, n - 1)) == 0)
				return 1;
		} else if ((r->nocase ? strcasecmp(value, o) : strcmp(value, o)) == 0) {
			return 1;
		}
	}
	return 0;
}

void ub_req_describe(const struct ub_req *r, char *out, size_t len)
{
	unsigned i;

	snprintf(out, len, "%s%s%s%s=", r->reject ? "reject " : r->product[0] ? "require-for-product:" : "require ",
		 r->product, r->product[0] ? " " : "", r->var);
	for (i = 0; i < r->nvalues && strlen(out) + 1 < len; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? "|" : "", r->values[i]);
}

void ub_reqs_free(struct ub_reqs *r)
{
	free(r->v);
	r->v = NULL;
	r->n = 0;
}
