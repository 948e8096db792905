#include "checks.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ub_checks_add(struct ub_checks *c, const char *name, enum ub_verdict v,
		   const char *advice_id, const char *fmt, ...)
{
	struct ub_check *k;
	va_list ap;

	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 8;
		struct ub_check *nv = realloc(c->v, cap * sizeof *nv);

		if (!nv) {
			c->lost = 1;
			return;
		}
		c->v = nv;
		c->cap = cap;
	}
	k = &c->v[c->n++];
	snprintf(k->name, sizeof k->name, "%s", name);
	k->verdict = v;
	k->advice_id = advice_id;
	k->flags = 0;
	va_start(ap, fmt);
	vsnprintf(k->why, sizeof k->why, fmt, ap);
	va_end(ap);
}

void ub_checks_flag(struct ub_checks *c, unsigned flags)
{
	/* after a dropped check the last one is another's: leave it */
	if (c->n > 0 && !c->lost)
		c->v[c->n - 1].flags |= flags;
}

enum ub_verdict ub_checks_worst(const struct ub_checks *c)
{
	enum ub_verdict w = UB_PASS;
	size_t i;

	if (c->lost)
		return UB_FAIL;
	for (i = 0; i < c->n; i++) {
		if (c->v[i].verdict == UB_FAIL)
			return UB_FAIL;
		if (c->v[i].verdict == UB_WARN)
			w = UB_WARN;
	}
	return w;
}

const struct ub_check *ub_checks_find(const struct ub_checks *c,
				      const char *name)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0)
			return &c->v[i];
	return NULL;
}

const char *ub_verdict_name(enum ub_verdict v)
{
	switch (v) {
	case UB_PASS: return "pass";
	case UB_FAIL: return "fail";
	case UB_WARN: return "warn";
	case UB_NA: return "n/a";
	}
	return "?";
}

void ub_checks_free(struct ub_checks *c)
{
	free(c->v);
	c->v = NULL;
	c->n = c->cap = 0;
	c->lost = 0;
}
