/* android-info.txt comes inside a download: outside input.  Parsed, each
 * requirement described and judged against a value made of the input. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "core/require.h"
#include "image/android_info.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_reqs q = { 0 };
	struct ub_err e;
	char why[512], value[64];
	size_t i;

	if (ub_android_info_parse((const char *)data, size, "fuzz:android-info.txt", &q, &e) == 0) {
		snprintf(value, sizeof value, "%.*s", (int)(size < 63 ? size : 63), (const char *)data);
		value[strcspn(value, "\n")] = '\0';
		for (i = 0; i < q.n; i++) {
			ub_req_describe(&q.v[i], why, sizeof why);
			ub_req_where(&q.v[i], why, sizeof why);
			ub_req_judge(&q.v[i], i % 2 ? value : NULL, value, NULL, why, sizeof why);
			ub_req_judge(&q.v[i], q.v[i].product, q.v[i].values[0], NULL, why, sizeof why);
		}
	}
	ub_reqs_free(&q);
	return 0;
}
