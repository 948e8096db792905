/* Console logs are whatever a serial line delivered: wrong baud rates,
 * binary noise, lines of any length. */
#include <stddef.h>
#include <stdint.h>

#include "core/diagnose.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const symptoms[] = { "boot-loop", "led:amber" };
	struct ub_diagnosis d;
	struct ub_err e;
	json_t *j;

	if (ub_diagnose((const char *)data, size, NULL, symptoms, size % 3, &d, &e) == 0) {
		j = ub_diagnosis_json(&d);
		json_decref(j);
		ub_diagnosis_free(&d);
	}
	return 0;
}
