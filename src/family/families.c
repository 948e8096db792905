/* The registered families; `--device FAMILY:...` picks one by name.  The
 * list is the build's (src/family/meson.build): a family not built is not
 * here, and nothing else names it. */
#include <string.h>

#include "family/family.h"
#include "family/ub_families.h"

#define X(n) extern const struct ub_family ub_family_##n;
UB_FAMILY_LIST(X)
#undef X

const struct ub_family *const ub_families[] = {
#define X(n) &ub_family_##n,
	UB_FAMILY_LIST(X)
#undef X
	NULL,
};

const struct ub_family *ub_family_find(const char *name)
{
	size_t i;

	for (i = 0; ub_families[i]; i++)
		if (strcmp(ub_families[i]->name, name) == 0)
			return ub_families[i];
	return NULL;
}
