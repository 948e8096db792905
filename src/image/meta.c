#include "meta.h"

#include <stdlib.h>
#include <string.h>

#include "../base/err.h"

int ub_strlist_add(struct ub_strlist *l, const char *s)
{
	char **nv;
	char *copy;

	if (ub_strlist_has(l, s))
		return 0;
	copy = strdup(s);
	if (!copy)
		return UB_ENOMEM;
	nv = realloc(l->v, (l->n + 1) * sizeof *nv);
	if (!nv) {
		free(copy);
		return UB_ENOMEM;
	}
	l->v = nv;
	l->v[l->n++] = copy;
	return 0;
}

int ub_strlist_has(const struct ub_strlist *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
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
	l->v = NULL;
	l->n = 0;
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
