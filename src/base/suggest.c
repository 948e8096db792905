#include "suggest.h"

#include <ctype.h>
#include <string.h>

#define MAXW 64

static int same(char a, char b)
{
	return tolower((unsigned char)a) == tolower((unsigned char)b);
}

/* Optimal string alignment: Levenshtein plus the swap of two neighbouring
 * letters ("flgas"), the commonest typing slip.  Three rows suffice. */
size_t ub_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j;
	size_t rows[3][MAXW + 1], *pp, *p, *c;

	if (la > MAXW || lb > MAXW)
		return (size_t)-1;
	for (j = 0; j <= lb; j++)
		rows[1][j] = j;
	pp = rows[0];
	p = rows[1];
	c = rows[2];
	for (i = 1; i <= la; i++) {
		c[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t best = p[j - 1] + !same(a[i - 1], b[j - 1]);

			if (p[j] + 1 < best)
				best = p[j] + 1;
			if (c[j - 1] + 1 < best)
				best = c[j - 1] + 1;
			if (i > 1 && j > 1 && same(a[i - 1], b[j - 2]) && same(a[i - 2], b[j - 1]) &&
			    pp[j - 2] + 1 < best)
				best = pp[j - 2] + 1;
			c[j] = best;
		}
		/* rotate: the current row becomes the previous one */
		{
			size_t *t = pp;

			pp = p;
			p = c;
			c = t;
		}
	}
	return p[lb];
}

const char *ub_suggest(const char *typo, const char *const *candidates, size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, i;

	if (!typo || !*typo)
		return NULL;
	for (i = 0; i < n; i++) {
		size_t d, len, allowed;

		if (!candidates[i])
			continue;
		d = ub_edit_distance(typo, candidates[i]);
		len = strlen(typo) > strlen(candidates[i]) ? strlen(typo) : strlen(candidates[i]);
		/* "dev" for "de" but not "on" for "id": short words get one
		 * edit, longer ones a little more */
		allowed = len <= 5 ? 1 : 1 + (len - 2) / 4;
		if (d <= allowed && d < best_d) {
			best = candidates[i];
			best_d = d;
		}
	}
	return best;
}
