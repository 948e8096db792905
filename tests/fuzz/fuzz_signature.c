/* Signature and key files are outside input: the input is split at its
 * first byte's value into a signature part and a key part, verified over a
 * small fixed message. */
#include <stddef.h>
#include <stdint.h>

#include "fuzz_common.h"
#include "image/signature.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint8_t msg[] = "unbrick fuzz message";
	struct ub_checks checks = { 0 };
	struct ub_src src;
	struct ub_err e;
	size_t cut;

	if (size < 1 || fuzz_src(&src, msg, sizeof msg) != 0)
		return 0;
	cut = 1 + (size - 1) * data[0] / 255;
	ub_sig_verify_buf(&src, data + 1, cut - 1, data + cut, size - cut, &checks, &e);
	ub_checks_free(&checks);
	ub_src_close(&src);
	return 0;
}
