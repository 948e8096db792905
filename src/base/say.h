/* Human messages from the library (a step begins, a warning, a result):
 * one call, one or more whole lines.  They go to stderr, made safe for a
 * terminal (base/sanitize.h: control characters in them become visible
 * escapes); the front end may hook in first (to clear a progress bar drawn
 * on the same terminal line). */
#ifndef UB_SAY_H
#define UB_SAY_H

#include <stddef.h>

#include "err.h"

void ub_say(const char *fmt, ...) UB_PRINTF(1, 2);

/* A duration for people: "~40 s", "~12 min", "~1.7 h". */
void ub_say_secs(double secs, char *out, size_t len);

/* Called before each message; NULL for none. */
void ub_say_set_hook(void (*before)(void));

#endif
