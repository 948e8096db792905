/* Checksum lists.  Vendors publish them by hand as often as by tool, so the
 * reader is forgiving about layout (blank lines, comments, CRLF, a '*' or
 * ' ' mode marker) and strict about content (hex of a known length). */
#include "sums.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../base/file.h"

#define SUMS_MAX (4u << 20)   /* a checksum list is text; 4 MiB is plenty */

static const char *base_of(const char *s, size_t len, size_t *out_len)
{
	size_t i = len;

	while (i > 0 && s[i - 1] != '/')
		i--;
	*out_len = len - i;
	return s + i;
}

static int same_file(const char *entry, size_t len, const char *name)
{
	size_t blen, nlen;
	const char *b = base_of(entry, len, &blen);
	const char *n = base_of(name, strlen(name), &nlen);

	return blen == nlen && blen > 0 && memcmp(b, n, blen) == 0;
}

static enum ub_digest_alg alg_for_hex_len(size_t n)
{
	switch (n) {
	case 32: return UB_MD5;
	case 40: return UB_SHA1;
	case 64: return UB_SHA256;
	case 128: return UB_SHA512;
	default: return 0;
	}
}

static int is_hex(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return n > 0;
}

static int take(enum ub_digest_alg alg, const char *hex, size_t n,
		struct ub_sum *out)
{
	char buf[2 * UB_DIGEST_MAX + 1];

	if (!alg || n != 2 * ub_digest_len(alg) || n >= sizeof buf)
		return UB_EFORMAT;
	memcpy(buf, hex, n);
	buf[n] = '\0';
	out->alg = alg;
	return ub_unhex(buf, out->md, n / 2);
}

/* "SHA256 (name) = hex": the tag names the algorithm. */
static int parse_bsd(const char *l, size_t n, const char *name,
		     struct ub_sum *out, int *matched)
{
	const char *open = memchr(l, '(', n), *close, *eq;
	char tag[16];
	size_t tlen, i;
	enum ub_digest_alg alg;

	if (!open || open == l)
		return 0;
	close = NULL;
	for (i = n; i > (size_t)(open - l); i--)
		if (l[i - 1] == ')') {
			close = l + i - 1;
			break;
		}
	if (!close)
		return 0;
	eq = close + 1;
	while (eq < l + n && *eq == ' ')
		eq++;
	if (eq >= l + n || *eq != '=')
		return 0;
	eq++;
	while (eq < l + n && *eq == ' ')
		eq++;
	tlen = (size_t)(open - l);
	while (tlen > 0 && l[tlen - 1] == ' ')
		tlen--;
	if (tlen == 0 || tlen >= sizeof tag)
		return 0;
	for (i = 0; i < tlen; i++)
		tag[i] = (char)((l[i] >= 'A' && l[i] <= 'Z') ? l[i] + 32 : l[i]);
	tag[tlen] = '\0';
	if (strcmp(tag, "sha2-256") == 0)
		strcpy(tag, "sha256");
	alg = ub_digest_parse_name(tag);
	if (!alg || !is_hex(eq, (size_t)(l + n - eq)))
		return 0;
	if (!same_file(open + 1, (size_t)(close - open - 1), name))
		return 1;   /* a valid line for another file */
	*matched = 1;
	return take(alg, eq, (size_t)(l + n - eq), out) == 0 ? 1 : -1;
}

/* "hex  name" or "hex *name" (coreutils), also "hex name" as some vendors
 * write it, and a lone "hex" line (a .sha256 file for one image). */
static int parse_gnu(const char *l, size_t n, const char *name,
		     struct ub_sum *out, int *matched, int *lone)
{
	size_t h = 0;
	const char *f;
	enum ub_digest_alg alg;

	while (h < n && l[h] != ' ' && l[h] != '\t')
		h++;
	alg = alg_for_hex_len(h);
	if (!alg || !is_hex(l, h))
		return 0;
	f = l + h;
	while (f < l + n && (*f == ' ' || *f == '\t'))
		f++;
	if (f < l + n && *f == '*')
		f++;
	if (f == l + n) {
		*lone = 1;
		if (!*matched && take(alg, l, h, out) == 0)
			*matched = 2;   /* provisional: used if nothing names the file */
		return 1;
	}
	if (!same_file(f, (size_t)(l + n - f), name))
		return 1;
	*matched = 1;
	return take(alg, l, h, out) == 0 ? 1 : -1;
}

int ub_sums_lookup_buf(const char *buf, size_t len, const char *name,
		       struct ub_sum *out, struct ub_err *e)
{
	size_t pos = 0, lines = 0, valid = 0, lone = 0;
	int matched = 0;

	memset(out, 0, sizeof *out);
	while (pos < len) {
		const char *l = buf + pos;
		const char *nl = memchr(l, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - l) : len - pos;
		int r, was_lone = 0;

		pos += n + (nl != NULL);
		while (n > 0 && (l[n - 1] == '\r' || l[n - 1] == ' ' || l[n - 1] == '\t'))
			n--;
		while (n > 0 && (*l == ' ' || *l == '\t'))
			l++, n--;
		if (n == 0 || *l == '#')
			continue;
		if (memchr(l, '\0', n))
			return ub_err_set(e, UB_EFORMAT, "checksum-format",
					  "the checksum list has binary data in it (line %zu); it is not a checksum list",
					  lines + 1);
		lines++;
		r = parse_bsd(l, n, name, out, &matched);
		if (r == 0)
			r = parse_gnu(l, n, name, out, &matched, &was_lone);
		if (r < 0)
			return ub_err_set(e, UB_EFORMAT, "checksum-format",
					  "the checksum list's line for %s has a malformed digest", name);
		valid += r > 0;
		lone += (size_t)was_lone;
		if (matched == 1)
			return 0;
	}
	if (valid == 0)
		return ub_err_set(e, UB_EFORMAT, "checksum-format",
				  "no line of the checksum list is a checksum (%zu lines read); expected 'HEX  NAME' or 'SHA256 (NAME) = HEX'",
				  lines);
	/* A list with one bare digest is the checksum of the file it came with. */
	if (matched == 2 && valid == 1 && lone == 1)
		return 0;
	memset(out, 0, sizeof *out);
	return ub_err_set(e, UB_EREFUSED, "checksum-missing",
			  "the checksum list has no line for %s (%zu checksum lines)",
			  name, valid);
}

int ub_sums_lookup(const char *path, const char *name, struct ub_sum *out,
		   struct ub_err *e)
{
	char *buf;
	size_t len;
	int rc;

	memset(out, 0, sizeof *out);
	rc = ub_read_small(path, SUMS_MAX, "checksum list", "checksum-format",
			   &buf, &len, e);
	if (rc)
		return rc;
	rc = ub_sums_lookup_buf(buf, len, name, out, e);
	if (rc == UB_EFORMAT || rc == UB_EREFUSED)
		ub_err_prefix(e, path);
	free(buf);
	return rc;
}
