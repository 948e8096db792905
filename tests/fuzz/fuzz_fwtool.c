/* OpenWrt sysupgrade trailers are read from the end of downloaded files. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_inspect(&ub_format_fwtool, data, size);
	return 0;
}
