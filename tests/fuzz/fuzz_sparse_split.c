/* Sparse pieces made of any image (a sparse one as it says it is): the
 * plan and every byte of every piece, with a bound taken from the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "fuzz_common.h"
#include "image/sparse_split.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_resparse *r;
	struct ub_src s;
	struct ub_err e;
	uint64_t max = 1100 + (size ? data[size - 1] * 97u : 0);
	uint8_t buf[1024];
	unsigned i;

	if (fuzz_src(&s, data, size) != 0)
		return 0;
	if (ub_resparse_plan(&r, &s, 512, max, &e) == 0) {
		for (i = 0; i < ub_resparse_count(r) && i < 64; i++) {
			uint64_t n = ub_resparse_size(r, i), off;

			if (n > max)
				abort();
			for (off = 0; off < n; off += sizeof buf)
				if (ub_resparse_read(r, i, off, buf, n - off < sizeof buf ? (size_t)(n - off) : sizeof buf, &e))
					break;
		}
		ub_resparse_free(r);
	}
	ub_src_close(&s);
	return 0;
}
