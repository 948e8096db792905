/* Checksum lists as vendors publish them: GNU coreutils format
 * ("HEX  name", "HEX *name") and BSD format ("SHA256 (name) = HEX"). */
#ifndef UB_SUMS_H
#define UB_SUMS_H

#include <stddef.h>
#include <stdint.h>

#include "../base/err.h"
#include "digest.h"

struct ub_sum {
	enum ub_digest_alg alg;
	uint8_t md[UB_DIGEST_MAX];
};

/* Finds the line for `name` (compared by base name, so "./fw.bin" and
 * "dir/fw.bin" match "fw.bin") in the list at path.  The algorithm comes
 * from the BSD tag or the hex length (32 md5, 40 sha1, 64 sha256, 128
 * sha512).  Returns 0, UB_EREFUSED with "checksum-missing" when no line
 * names the file, UB_EFORMAT when the list is not a checksum list, or
 * UB_EIO. */
int ub_sums_lookup(const char *path, const char *name, struct ub_sum *out,
		   struct ub_err *e);

/* Same over a buffer already in memory (for tests, fuzzing, archives). */
int ub_sums_lookup_buf(const char *buf, size_t len, const char *name,
		       struct ub_sum *out, struct ub_err *e);

#endif
