/* Version comparison for firmware as vendors number it.  A version is split
 * into runs of digits and runs of letters; separators (. _ - ~) only split.
 * Numbers compare by value (so 1.10 > 1.9), letters case-insensitively.
 * When one version ends where the other goes on, a following number makes
 * the longer one newer (1.0 < 1.0.1) and following letters make it older,
 * because vendors and semver put pre-release tags there (1.0-rc1 < 1.0).
 * A leading v/V and semver build metadata (+...) are ignored. */
#include "version.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

struct tok {
	const char *p;
	size_t len;
	int num;   /* 1 digits, 0 letters */
};

static const char *skip_prefix(const char *s)
{
	while (*s && isspace((unsigned char)*s))
		s++;
	if ((*s == 'v' || *s == 'V') && isdigit((unsigned char)s[1]))
		s++;
	return s;
}

/* Next token at *s; returns 0 at the end (or at build metadata). */
static int next_tok(const char **s, struct tok *t)
{
	const char *p = *s;

	while (*p && !isalnum((unsigned char)*p) && *p != '+')
		p++;
	if (!*p || *p == '+') {
		*s = p;
		return 0;
	}
	t->p = p;
	t->num = isdigit((unsigned char)*p) != 0;
	while (*p && isalnum((unsigned char)*p) &&
	       (isdigit((unsigned char)*p) != 0) == t->num)
		p++;
	t->len = (size_t)(p - t->p);
	*s = p;
	return 1;
}

static int cmp_num(const struct tok *a, const struct tok *b)
{
	const char *pa = a->p, *pb = b->p;
	size_t la = a->len, lb = b->len;
	int c;

	while (la > 1 && *pa == '0') {
		pa++;
		la--;
	}
	while (lb > 1 && *pb == '0') {
		pb++;
		lb--;
	}
	if (la != lb)
		return la < lb ? -1 : 1;
	c = memcmp(pa, pb, la);
	return c < 0 ? -1 : c > 0;
}

static int cmp_alpha(const struct tok *a, const struct tok *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = strncasecmp(a->p, b->p, n);

	if (c)
		return c < 0 ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return 0;
}

int ub_version_cmp(const char *a, const char *b)
{
	struct tok ta, tb;

	a = skip_prefix(a);
	b = skip_prefix(b);
	for (;;) {
		int ha = next_tok(&a, &ta), hb = next_tok(&b, &tb), c;

		if (!ha && !hb)
			return 0;
		if (!ha)
			return tb.num ? -1 : 1;
		if (!hb)
			return ta.num ? 1 : -1;
		if (ta.num != tb.num)
			return ta.num ? 1 : -1;
		c = ta.num ? cmp_num(&ta, &tb) : cmp_alpha(&ta, &tb);
		if (c)
			return c;
	}
}

int ub_version_comparable(const char *s)
{
	for (; s && *s; s++)
		if (isdigit((unsigned char)*s))
			return 1;
	return 0;
}

int ub_version_same_major(const char *a, const char *b)
{
	struct tok ta, tb;

	if (!a || !b)
		return -1;
	a = skip_prefix(a);
	b = skip_prefix(b);
	if (!next_tok(&a, &ta) || !next_tok(&b, &tb) || !ta.num || !tb.num)
		return -1;
	return cmp_num(&ta, &tb) == 0;
}
