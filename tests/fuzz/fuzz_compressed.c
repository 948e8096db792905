/* compressed inputs arrive as downloads: outside input.  Expansion is bounded
 * by UNBRICK_MAX_EXPAND so the fuzzer explores structure, not disk. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	setenv("UNBRICK_MAX_EXPAND", "4000000", 0);
	fuzz_inspect(&ub_format_compressed, data, size);
	return 0;
}
