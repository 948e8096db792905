#include "family/uboot/coninfo.h"

#include <string.h>

/* A device name as U-Boot registers them ("serial", "nc",
 * "serial@2020000", "vidconsole0"): put back in a command later, so
 * nothing a shell would read differently. */
static int name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-' || c == '.' || c == '@';
}

static int hex_char(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* The word at line[*i] (after blanks): its start and length, *i past it. */
static size_t word(const char *line, size_t len, size_t *i, const char **w)
{
	size_t start;

	while (*i < len && line[*i] == ' ')
		(*i)++;
	start = *i;
	while (*i < len && line[*i] != ' ')
		(*i)++;
	*w = line + start;
	return *i - start;
}

/* "NAME FLAGS IO [stdin] [stdout] [stderr]": the flags eight hex digits. */
static int device_line(const char *line, size_t len, struct ub_coninfo *out)
{
	const char *name, *flags, *w;
	size_t i = 0, nlen, flen, k, wl;

	nlen = word(line, len, &i, &name);
	flen = word(line, len, &i, &flags);
	if (nlen == 0 || nlen >= sizeof out->stdout_dev || flen != 8)
		return 0;
	for (k = 0; k < nlen; k++)
		if (!name_char(name[k]))
			return 0;
	for (k = 0; k < 8; k++)
		if (!hex_char(flags[k]))
			return 0;
	wl = word(line, len, &i, &w);   /* the I/O column */
	if (nlen == 2 && memcmp(name, "nc", 2) == 0)
		out->has_nc = 1;
	else if (memchr(w, 'I', wl) &&
		 (!out->other_in[0] || (nlen == 7 && memcmp(name, "nulldev", 7) == 0))) {
		memcpy(out->other_in, name, nlen);
		out->other_in[nlen] = '\0';
	}
	while ((wl = word(line, len, &i, &w)) > 0)
		if (wl == 6 && memcmp(w, "stdout", 6) == 0 && !out->stdout_dev[0]) {
			memcpy(out->stdout_dev, name, nlen);
			out->stdout_dev[nlen] = '\0';
		}
	return 1;
}

int ub_coninfo_parse(const char *text, size_t len, struct ub_coninfo *out)
{
	const char *p = text, *end = text + len;
	int devices = 0;

	memset(out, 0, sizeof *out);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);

		while (l > 0 && (p[l - 1] == '\r' || p[l - 1] == ' '))
			l--;
		devices += device_line(p, l, out);
		p = nl ? nl + 1 : end;
	}
	return devices ? 0 : -1;
}
