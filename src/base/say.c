#include "say.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "sanitize.h"
#include "strbuf.h"

static void (*hook)(void);

void ub_say_set_hook(void (*before)(void))
{
	hook = before;
}

/* The message is formatted whole, then made safe as a whole: its
 * arguments carry text from devices, images and the network (a model
 * name, a console line, a TFTP peer's error), and no call site has to
 * remember which.  The library has no escape sequences of its own. */
void ub_say(const char *fmt, ...)
{
	struct ub_strbuf out = { 0 };
	char stack[1024], *text = stack;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(stack, sizeof stack, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof stack && (text = malloc((size_t)n + 1)) != NULL) {
		va_start(ap, fmt);
		vsnprintf(text, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	if (!text) {   /* no memory for the whole: its start */
		text = stack;
		n = (int)sizeof stack - 1;
	}
	ub_sanitize_put(&out, text, (size_t)n);
	if (text != stack)
		free(text);
	if (hook)
		hook();
	fputs(out.failed || !out.p ? "unbrick: (a message was lost: out of memory)\n" : out.p, stderr);
	free(out.p);
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
