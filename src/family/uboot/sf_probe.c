#include "family/uboot/sf_probe.h"

#include <string.h>

/* "<n> Bytes", "<n> KiB", ... "<n>.<d> MiB" at p (within end): the size in
 * bytes, 0 when it has a fraction, an unknown unit or overflows. */
static uint64_t size_at(const char *p, const char *end)
{
	static const char units[] = "KMGTPE";
	uint64_t n = 0;
	int exact = 1, digits = 0, shift = 0;
	const char *u;

	while (p < end && *p >= '0' && *p <= '9') {
		if (n > UINT64_MAX / 10 - 9)
			exact = 0;
		n = n * 10 + (uint64_t)(*p++ - '0');
		digits++;
	}
	if (p < end && *p == '.') {
		exact = 0;
		for (p++; p < end && *p >= '0' && *p <= '9'; p++)
			;
	}
	if (p < end && *p == ' ')
		p++;
	if (!digits)
		return 0;
	if (end - p >= 3 && p[1] == 'i' && p[2] == 'B' && p[0] &&
	    (u = strchr(units, p[0])) != NULL)
		shift = 10 * (int)(u - units + 1);
	else if (end - p < 5 || memcmp(p, "Bytes", 5) != 0)
		return 0;
	if (!exact || (shift && n > (UINT64_MAX >> shift)))
		return 0;
	return n << shift;
}

/* The size after label (", erase size ") within the line, or 0. */
static uint64_t field(const char *line, const char *end, const char *label)
{
	size_t ll = strlen(label);
	const char *p;

	for (p = line; p <= end && (size_t)(end - p) >= ll; p++)
		if (memcmp(p, label, ll) == 0)
			return size_at(p + ll, end);
	return 0;
}

int ub_sf_parse_probe(const char *text, size_t len, struct ub_sf_chip *chip)
{
	static const char tag[] = "SF: Detected ";
	const size_t tl = sizeof tag - 1;
	const char *p = text, *end = text + len, *eol, *name, *with;

	memset(chip, 0, sizeof *chip);
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		if (!eol)
			eol = end;
		if ((size_t)(eol - p) >= tl && memcmp(p, tag, tl) == 0)
			break;
		p = eol + (eol < end);
	}
	if (p >= end)
		return -1;
	name = p + tl;
	for (with = name; with < eol && *with != ' '; with++)
		;
	if ((size_t)(with - name) < sizeof chip->name)
		memcpy(chip->name, name, (size_t)(with - name));
	chip->page = field(with, eol, "page size ");
	chip->erase = field(with, eol, "erase size ");
	chip->size = field(with, eol, "total ");
	return 0;
}
