/* Sidecar manifests travel with downloaded images: outside input. */
#include <stddef.h>
#include <stdint.h>

#include "image/manifest.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_manifest m;
	struct ub_err e;

	if (ub_manifest_parse((const char *)data, size, &m, &e) == 0)
		ub_manifest_free(&m);
	return 0;
}
