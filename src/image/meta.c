#include "meta.h"

#include <stdlib.h>
#include <string.h>

#include "../base/err.h"

/* FNV-1a: cheap, and good enough for a list's own names. */
static size_t hash_str(const char *s)
{
	size_t h = (size_t)14695981039346656037ull;

	while (*s)
		h = (h ^ (unsigned char)*s++) * (size_t)1099511628211ull;
	return h;
}

/* The slot of s in the index, or of the free slot where it would go. */
static size_t *slot_of(const struct ub_strlist *l, const char *s)
{
	size_t mask = l->index_cap - 1, i = hash_str(s) & mask;

	while (l->index[i] && strcmp(l->v[l->index[i] - 1], s) != 0)
		i = (i + 1) & mask;
	return &l->index[i];
}

static int grow_index(struct ub_strlist *l)
{
	size_t cap = l->index_cap ? l->index_cap * 2 : 16, i;
	size_t *old = l->index, old_cap = l->index_cap;

	l->index = calloc(cap, sizeof *l->index);
	if (!l->index) {
		l->index = old;
		return UB_ENOMEM;
	}
	l->index_cap = cap;
	for (i = 0; i < old_cap; i++)
		if (old[i])
			*slot_of(l, l->v[old[i] - 1]) = old[i];
	free(old);
	return 0;
}

int ub_strlist_add(struct ub_strlist *l, const char *s)
{
	char *copy;

	if (2 * (l->n + 1) >= l->index_cap && grow_index(l))
		return UB_ENOMEM;
	if (*slot_of(l, s))
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 8;
		char **nv = realloc(l->v, cap * sizeof *nv);

		if (!nv)
			return UB_ENOMEM;
		l->v = nv;
		l->cap = cap;
	}
	copy = strdup(s);
	if (!copy)
		return UB_ENOMEM;
	l->v[l->n++] = copy;
	*slot_of(l, s) = l->n;
	return 0;
}

int ub_strlist_has(const struct ub_strlist *l, const char *s)
{
	size_t i;

	if (l->index_cap)
		return *slot_of(l, s) != 0;
	for (i = 0; i < l->n; i++)   /* a list not built by ub_strlist_add */
		if (strcmp(l->v[i], s) == 0)
			return 1;
	return 0;
}

void ub_strlist_free(struct ub_strlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	free(l->index);
	memset(l, 0, sizeof *l);
}

void ub_meta_push_layer(struct ub_image_meta *m, const char *layer)
{
	size_t len = strlen(m->layers);

	if (len > 0 && len + 3 < sizeof m->layers) {
		memcpy(m->layers + len, " > ", 4);
		len += 3;
	}
	if (len < sizeof m->layers)
		strncat(m->layers, layer, sizeof m->layers - len - 1);
}

void ub_meta_rename_layer(struct ub_image_meta *m, const char *layer)
{
	char *last = strrchr(m->layers, '>');

	if (last)
		last[1] = '\0';   /* keeps "... >", the space is added back */
	else
		m->layers[0] = '\0';
	if (last && strlen(m->layers) + 1 < sizeof m->layers)
		strcat(m->layers, " ");
	strncat(m->layers, layer, sizeof m->layers - strlen(m->layers) - 1);
}

int ub_meta_set_str(char **slot, const char *s, int keep_first)
{
	char *copy;

	if (*slot && keep_first)
		return 0;
	copy = strdup(s);
	if (!copy)
		return UB_ENOMEM;
	free(*slot);
	*slot = copy;
	return 0;
}

void ub_meta_free(struct ub_image_meta *m)
{
	free(m->name);
	free(m->version);
	ub_strlist_free(&m->models);
	ub_strlist_free(&m->revisions);
	ub_strlist_free(&m->regions);
	free(m->embedded_sig);
	memset(m, 0, sizeof *m);
}
