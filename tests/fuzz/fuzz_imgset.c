/* An image set (update zip, factory archive) is a download: outside
 * input.  Read as the fastboot family reads it; every image it yields is
 * read once.  Expansion is bounded by UNBRICK_MAX_EXPAND so the fuzzer
 * explores structure, not disk. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "image/imgset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_imgset set;
	struct ub_src s;
	struct ub_err e;
	uint8_t b[16];
	size_t i;

	setenv("UNBRICK_MAX_EXPAND", "4000000", 0);
	if (fuzz_src(&s, data, size) != 0)
		return 0;
	if (ub_imgset_read(&s, NULL, &set, &e) == 0) {
		for (i = 0; i < set.n; i++)
			if (set.v[i].src.size >= sizeof b)
				ub_src_read(&set.v[i].src, set.v[i].src.size - sizeof b, b, sizeof b, &e);
		ub_imgset_free(&set);
	}
	ub_src_close(&s);
	return 0;
}
