/* Streaming digests of a source: several algorithms in one pass, memory
 * independent of the image size. */
#ifndef UB_DIGEST_H
#define UB_DIGEST_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "../base/progress.h"
#include "src.h"

enum ub_digest_alg {
	UB_MD5 = 1u << 0,
	UB_SHA1 = 1u << 1,
	UB_SHA256 = 1u << 2,
	UB_SHA512 = 1u << 3,
	UB_CRC32 = 1u << 4,
};

#define UB_DIGEST_MAX 64   /* bytes, SHA-512 */
#define UB_DIGEST_ALGS 5

struct ub_digests {
	unsigned algs;                            /* which ones were computed */
	uint8_t md[UB_DIGEST_ALGS][UB_DIGEST_MAX]; /* indexed by ub_digest_index */
	uint64_t bytes;
};

/* Computes the algorithms in `algs` over the whole source. */
int ub_digest_src(const struct ub_src *src, unsigned algs,
		  struct ub_digests *out, struct ub_progress *progress,
		  struct ub_err *e);

int ub_digest_index(enum ub_digest_alg alg);
size_t ub_digest_len(enum ub_digest_alg alg);
const char *ub_digest_name(enum ub_digest_alg alg);   /* "sha256" */
/* Parses "sha256" etc.; returns 0 when unknown. */
enum ub_digest_alg ub_digest_parse_name(const char *name);

/* Lowercase hex of len bytes into out (2*len+1 bytes). */
void ub_hex(const uint8_t *bin, size_t len, char *out);

/* Parses hex (either case, surrounding whitespace allowed) of exactly len
 * bytes; returns 0 or UB_EFORMAT. */
int ub_unhex(const char *hex, uint8_t *bin, size_t len);

#endif
