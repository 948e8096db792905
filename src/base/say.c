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
