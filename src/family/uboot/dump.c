#include "family/uboot/dump.h"
#include "base/hex.h"

#include <string.h>

/* n bytes as md.b prints them from line[i] on (" 27 05 ..."): the index
 * past them, or 0 when one is malformed. */
static size_t bytes_at(const char *line, size_t len, size_t i, uint8_t *out, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++, i += 3) {
		int hi, lo;

		if (i + 3 > len || line[i] != ' ')
			return 0;
		hi = ub_hex_digit(line[i + 1]);
		lo = ub_hex_digit(line[i + 2]);
		if (hi < 0 || lo < 0)
			return 0;
		out[k] = (uint8_t)(hi << 4 | lo);
	}
	return i;
}

/* n bytes (whole words) as md.l prints them (" 56190527 ..."), stored
 * little-endian: the index past them, or 0. */
static size_t words_at(const char *line, size_t len, size_t i, uint8_t *out, size_t n)
{
	size_t k, j;

	if (n % 4)
		return 0;
	for (k = 0; k < n; k += 4, i += 9) {
		uint32_t v = 0;

		if (i + 9 > len || line[i] != ' ')
			return 0;
		for (j = 1; j <= 8; j++) {
			int h = ub_hex_digit(line[i + j]);

			if (h < 0)
				return 0;
			v = v << 4 | (uint32_t)h;
		}
		out[k] = (uint8_t)v;
		out[k + 1] = (uint8_t)(v >> 8);
		out[k + 2] = (uint8_t)(v >> 16);
		out[k + 3] = (uint8_t)(v >> 24);
	}
	return i;
}

/* The address that starts a dump line ("04040000:"), and the index past
 * its colon; 1 when the line is not a dump line (noise). */
static int line_addr(const char *line, size_t len, uint64_t *addr, size_t *at)
{
	size_t i = 0;

	*addr = 0;
	while (i < len && i < 16 && ub_hex_digit(line[i]) >= 0)
		*addr = *addr << 4 | (uint64_t)ub_hex_digit(line[i++]);
	if (i == 0 || i >= len || line[i] != ':')
		return 1;
	*at = i + 1;
	return 0;
}

/* n bytes of a dump line from line[i] into out, and nothing more than
 * the text column after them: 0, or -1 when malformed. */
static int line_bytes(const char *line, size_t len, size_t i, unsigned width,
		      uint8_t *out, size_t n)
{
	i = width == 4 ? words_at(line, len, i, out, n) : bytes_at(line, len, i, out, n);
	/* After the bytes comes the text column, or the end of the line. */
	return i == 0 || (i < len && line[i] != ' ') ? -1 : 0;
}

int ub_dump_line(struct ub_dump *d, const char *line, size_t len)
{
	uint64_t addr;
	size_t i, n;

	if (line_addr(line, len, &addr, &i)) {
		d->bad_lines++;
		return 0;
	}
	if (addr != d->addr || d->got >= d->want)
		return -1;
	n = d->want - d->got;
	if (n > 16)
		n = 16;
	if (line_bytes(line, len, i, d->width, d->buf + d->got, n))
		return -1;
	d->got += n;
	d->addr += n;
	return 0;
}

int ub_dump_map_line(struct ub_dump_map *m, const char *line, size_t len)
{
	uint64_t addr, off;
	size_t i, n, k;
	uint8_t tmp[16];

	if (line_addr(line, len, &addr, &i))
		return 0;
	if (addr < m->base || addr - m->base >= m->len || (addr - m->base) % 16)
		return -1;
	off = addr - m->base;
	n = m->len - off < 16 ? (size_t)(m->len - off) : 16;
	/* parsed aside first: a malformed line must not spoil a good copy */
	if (line_bytes(line, len, i, m->width, tmp, n))
		return -1;
	k = (size_t)(off / 16);
	memcpy(m->buf + off, tmp, n);
	if (!m->have[k]) {
		m->have[k] = 1;
		m->lines_had++;
	}
	return 0;
}

size_t ub_dump_map_lines(const struct ub_dump_map *m)
{
	return (m->len + 15) / 16;
}

void ub_dump_swap32(uint8_t *buf, size_t len)
{
	size_t i;

	for (i = 0; i + 4 <= len; i += 4) {
		uint8_t t = buf[i];

		buf[i] = buf[i + 3];
		buf[i + 3] = t;
		t = buf[i + 1];
		buf[i + 1] = buf[i + 2];
		buf[i + 2] = t;
	}
}

int ub_dump_map_next_run(const struct ub_dump_map *m, size_t k, size_t merge, size_t *a, size_t *b)
{
	size_t lines = ub_dump_map_lines(m), gap;

	while (k < lines && m->have[k])
		k++;
	if (k == lines)
		return 0;
	*a = k;
	for (;;) {
		while (k < lines && !m->have[k])
			k++;
		*b = k;
		for (gap = 0; k < lines && m->have[k] && gap < merge; gap++)
			k++;
		if (k == lines || !merge || gap == merge)
			return 1;
	}
}
