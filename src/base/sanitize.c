#include "sanitize.h"

#include <stdio.h>
#include <string.h>

#include "strbuf.h"

/* The length of the valid UTF-8 sequence at s (2 to 4), 0 when s does not
 * start one (a stray continuation byte, an overlong form, a surrogate,
 * past U+10FFFF), -1 when it is valid so far but cut by the end. */
static int utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	int len, i;

	if (c >= 0xc2 && c <= 0xdf) {
		len = 2;
	} else if (c >= 0xe0 && c <= 0xef) {
		len = 3;
		lo = c == 0xe0 ? 0xa0 : 0x80;
		hi = c == 0xed ? 0x9f : 0xbf;
	} else if (c >= 0xf0 && c <= 0xf4) {
		len = 4;
		lo = c == 0xf0 ? 0x90 : 0x80;
		hi = c == 0xf4 ? 0x8f : 0xbf;
	} else {
		return 0;
	}
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return -1;
		if (s[i] < (i == 1 ? lo : 0x80) || s[i] > (i == 1 ? hi : 0xbf))
			return 0;
	}
	return len;
}

/* The code point of a valid sequence of len bytes. */
static unsigned decode(const unsigned char *s, int len)
{
	unsigned cp = s[0] & (0xff >> (len + 1));
	int i;

	for (i = 1; i < len; i++)
		cp = cp << 6 | (s[i] & 0x3f);
	return cp;
}

/* Code points a terminal acts on instead of showing: the C1 controls,
 * and the bidirectional controls, which reorder what follows on the line
 * (a device string could make "0x1000" read as "0x0001"). */
static int acts(unsigned cp)
{
	return (cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
	       (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/* Copies runs of harmless bytes whole; each control or invalid byte
 * becomes its escape.  whole: the text ends here (a cut sequence is
 * invalid), else stop before it. */
static size_t put(struct ub_strbuf *b, const char *s, size_t n, int whole)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, run = 0;
	char esc[8];

	while (i < n) {
		unsigned char c = u[i];
		int len = 1;

		if ((c >= 0x20 && c < 0x7f) || c == '\n' || c == '\t') {
			i++;
			continue;
		}
		if (c >= 0x80) {
			len = utf8_seq(u + i, n - i);
			if (len < 0 && !whole)
				break;
			if (len >= 2 && !acts(decode(u + i, len))) {
				i += (size_t)len;
				continue;
			}
		}
		ub_sb_put(b, s + run, i - run);
		if (len >= 2) {
			snprintf(esc, sizeof esc, "\\u%04x", decode(u + i, len));
			i += (size_t)len;
		} else {
			snprintf(esc, sizeof esc, "\\x%02x", c);
			i++;
		}
		ub_sb_put(b, esc, strlen(esc));
		run = i;
	}
	ub_sb_put(b, s + run, i - run);
	return i;
}

void ub_sanitize_put(struct ub_strbuf *b, const char *s, size_t n)
{
	put(b, s, n, 1);
}

size_t ub_sanitize_put_some(struct ub_strbuf *b, const char *s, size_t n)
{
	return put(b, s, n, 0);
}

char *ub_sanitize(const char *s)
{
	struct ub_strbuf b = { 0 };

	ub_sanitize_put(&b, s, s ? strlen(s) : 0);
	return ub_sb_take(&b);
}
