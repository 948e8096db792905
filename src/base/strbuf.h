/* A growing string for reports: appends never fail loudly; a failed
 * allocation marks the buffer, and the caller checks once at the end. */
#ifndef UB_STRBUF_H
#define UB_STRBUF_H

#include <stddef.h>

#include "err.h"

struct ub_strbuf {
	char *p;
	size_t len, cap;
	int failed;
};

void ub_sb_put(struct ub_strbuf *b, const char *s, size_t n);
void ub_sb_putf(struct ub_strbuf *b, const char *fmt, ...) UB_PRINTF(2, 3);

/* A string literal, its length counted by the compiler. */
#define ub_sb_lit(b, s) ub_sb_put((b), (s), sizeof(s) - 1)

/* The string (the caller frees it), or NULL when an append failed. */
char *ub_sb_take(struct ub_strbuf *b);

#endif
