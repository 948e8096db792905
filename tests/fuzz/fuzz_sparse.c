/* Android sparse images arrive as downloads: outside input.  Both the
 * inspector and the expansion a writer uses are exercised. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "image/sparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int count(void *ctx, const uint8_t *buf, size_t n, int hole)
{
	(void)buf;
	(void)hole;
	*(uint64_t *)ctx += n;
	return *(uint64_t *)ctx > (64u << 20);   /* bound the work per input */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_src s;
	struct ub_err e;
	uint64_t total = 0;

	fuzz_inspect(&ub_format_sparse, data, size);
	if (fuzz_src(&s, data, size) == 0) {
		ub_sparse_expand(&s, count, &total, &e);
		ub_src_close(&s);
	}
	return 0;
}
