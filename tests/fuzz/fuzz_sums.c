/* Checksum lists come from vendors' web pages, copied by hand. */
#include <stddef.h>
#include <stdint.h>

#include "image/sums.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_sum s;
	struct ub_err e;

	ub_sums_lookup_buf((const char *)data, size, "fw.bin", &s, &e);
	ub_sums_lookup_buf((const char *)data, size, "dir/fw (1).bin", &s, &e);
	return 0;
}
