#include "uboot_dump.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int ub_dump_line(struct ub_dump *d, const char *line, size_t len)
{
	uint64_t addr = 0;
	size_t i = 0, n, k;

	while (i < len && i < 16 && hexval(line[i]) >= 0)
		addr = addr << 4 | (uint64_t)hexval(line[i++]);
	if (i == 0 || i >= len || line[i] != ':') {
		d->bad_lines++;
		return 0;
	}
	if (addr != d->addr || d->got >= d->want)
		return -1;
	n = d->want - d->got;
	if (n > 16)
		n = 16;
	i++;   /* past ':' */
	for (k = 0; k < n; k++, i += 3) {
		int hi, lo;

		if (i + 3 > len || line[i] != ' ')
			return -1;
		hi = hexval(line[i + 1]);
		lo = hexval(line[i + 2]);
		if (hi < 0 || lo < 0)
			return -1;
		d->buf[d->got + k] = (uint8_t)(hi << 4 | lo);
	}
	/* After the bytes comes the text column, or the end of the line. */
	if (i < len && line[i] != ' ')
		return -1;
	d->got += n;
	d->addr += n;
	return 0;
}
