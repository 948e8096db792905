/* Placeholder until the signature verifier lands: any request to verify is
 * refused, so no image passes a signature check it did not get. */
#include "signature.h"

int ub_sig_verify_buf(const struct ub_src *data, const uint8_t *sig,
		      size_t sig_len, const uint8_t *key, size_t key_len,
		      struct ub_checks *checks, struct ub_err *e)
{
	(void)data; (void)sig; (void)sig_len; (void)key; (void)key_len; (void)checks;
	return ub_err_set(e, UB_EFAIL, "signature-format",
			  "signature verification is not available in this build");
}

int ub_sig_verify(const struct ub_src *data, const char *sig_path,
		  const char *key_path, struct ub_checks *checks,
		  struct ub_err *e)
{
	(void)sig_path; (void)key_path;
	return ub_sig_verify_buf(data, NULL, 0, NULL, 0, checks, e);
}
