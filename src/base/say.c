#include "say.h"

#include <stdarg.h>
#include <stdio.h>

static void (*hook)(void);

void ub_say_set_hook(void (*before)(void))
{
	hook = before;
}

void ub_say(const char *fmt, ...)
{
	va_list ap;

	if (hook)
		hook();
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
}

void ub_say_secs(double secs, char *out, size_t len)
{
	if (secs < 90)
		snprintf(out, len, "~%.0f s", secs < 1 ? 1 : secs);
	else if (secs < 5400)
		snprintf(out, len, "~%.0f min", secs / 60);
	else
		snprintf(out, len, "~%.1f h", secs / 3600);
}
