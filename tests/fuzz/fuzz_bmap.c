/* bmap files come with downloaded disk images: outside input. */
#include <stddef.h>
#include <stdint.h>

#include "image/bmap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_bmap b;
	struct ub_err e;

	if (ub_bmap_parse((const char *)data, size, &b, &e) == 0)
		ub_bmap_free(&b);
	return 0;
}
