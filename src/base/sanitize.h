/* Text from outside (a device's console, an image's metadata, a manifest,
 * a network peer) made safe to show on a terminal.  A terminal obeys
 * control characters: ESC ] 0 ; sets its title, ESC [ 2 J clears it, and
 * C1's CSI (0x9b, or U+009B in UTF-8) starts the same sequences without an
 * ESC.  Here they become visible escapes instead: C0 controls other than
 * newline and tab, and DEL, as \xNN; C1 controls written as UTF-8 as
 * \u0080..\u009f; every byte that is not part of valid UTF-8 (a raw
 * 0x80..0x9f among them) as \xNN.  Printable text, UTF-8 included, is
 * copied as it is.  The result is for eyes, not a round trip: a device
 * string that holds a backslash is not told apart. */
#ifndef UB_SANITIZE_H
#define UB_SANITIZE_H

#include <stddef.h>

struct ub_strbuf;

/* Appends s[0..n) to b, made safe. */
void ub_sanitize_put(struct ub_strbuf *b, const char *s, size_t n);

/* The same for text that arrives in pieces: stops before a UTF-8
 * sequence that is cut by the end of s and returns how many bytes it
 * took (at most 3 are left: they go at the front of the next piece, or
 * through ub_sanitize_put when no piece follows). */
size_t ub_sanitize_put_some(struct ub_strbuf *b, const char *s, size_t n);

/* A safe copy of s (free it); NULL when out of memory. */
char *ub_sanitize(const char *s);

#endif
