/* Console logs, metadata and journal text are outside input for the
 * sanitizer (on its way to a terminal) and the redactor (on its way out
 * of a case).  The sanitizer's output must hold no control character but
 * newline and tab, be valid UTF-8, and be the same whether the text came
 * whole or in two pieces; the redactor must take anything. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/sanitize.h"
#include "base/strbuf.h"
#include "core/redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Strict UTF-8 with no C0 (but \n, \t), DEL or C1 code point. */
static int safe(const unsigned char *s, size_t n)
{
	size_t i = 0;

	while (i < n) {
		unsigned c = s[i], cp, len, k;

		if (c < 0x80) {
			if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (c < 0xc2 || c > 0xf4 || i + len > n)
			return 0;
		cp = c & (0x3f >> (len - 1));
		for (k = 1; k < len; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp <= 0x9f || (len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += len;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_strbuf whole = { 0 }, parts = { 0 }, out = { 0 };
	struct ub_redact r = { 0, 0 };
	const char *s = (const char *)data;
	size_t cut = size ? data[0] % (size + 1) : 0, took;
	char *hold;

	ub_sanitize_put(&whole, s, size);
	if (whole.p && !safe((const unsigned char *)whole.p, whole.len))
		abort();
	took = ub_sanitize_put_some(&parts, s, cut);
	if (cut - took > 3)
		abort();
	hold = malloc(size - took + 1);
	memcpy(hold, s + took, size - took);
	ub_sanitize_put(&parts, hold, size - took);
	if (whole.len != parts.len || (whole.len && memcmp(whole.p, parts.p, whole.len) != 0))
		abort();
	free(hold);
	free(whole.p);
	free(parts.p);

	ub_redact_tail_start(&r, s, size);
	ub_redact_text(&r, s, size, &out);
	free(out.p);
	return 0;
}
