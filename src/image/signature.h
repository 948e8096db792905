/* Detached signatures over an image, verified with OpenSSL's libcrypto:
 * signify/usign Ed25519 (.sig + .pub), minisign (plain and prehashed), and
 * PEM public keys (RSA, ECDSA, Ed25519) over signatures made with
 * `openssl dgst -sha256 -sign` or `openssl pkeyutl -sign`. */
#ifndef UB_SIGNATURE_H
#define UB_SIGNATURE_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "checks.h"
#include "src.h"

/* Verifies the signature file against the data with the key file; the kind
 * of both is recognised from their contents.  Adds one check named
 * "signature" (pass, or fail with advice "signature-bad" or
 * "signature-keyid") and returns 0; returns < 0 without a check only when
 * the files cannot be read or understood (advice "signature-format",
 * "signature-key", "io"), or when a pure Ed25519 signature (signify/usign,
 * minisign -l, openssl pkeyutl -rawin) covers data over 256 MiB, which
 * would have to be held in memory at once ("signature-too-big"). */
int ub_sig_verify(const struct ub_src *data, const char *sig_path,
		  const char *key_path, struct ub_checks *checks,
		  struct ub_err *e);

/* The same with signature and key already in memory. */
int ub_sig_verify_buf(const struct ub_src *data, const uint8_t *sig,
		      size_t sig_len, const uint8_t *key, size_t key_len,
		      struct ub_checks *checks, struct ub_err *e);

#endif
