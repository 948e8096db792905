/* The registered families; `--device FAMILY:...` picks one by name. */
#include <string.h>

#include "family/family.h"
#include "family/spi.h"
#include "family/uboot.h"

const struct ub_family *const ub_families[] = {
	&ub_family_uboot,
	&ub_family_spi,
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
