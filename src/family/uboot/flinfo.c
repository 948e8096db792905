#include "family/uboot/flinfo.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ub_flinfo_free(struct ub_flinfo *f)
{
	size_t i;

	for (i = 0; i < UB_FLINFO_BANKS; i++)
		free(f->bank[i].start);
	memset(f, 0, sizeof *f);
}

/* "Size: 64 MB in 256 Sectors" (or kB) anywhere in line: 0 and the two
 * numbers, -1 when the line does not say it exactly. */
static int bank_size(const char *line, uint64_t *size, size_t *sectors)
{
	const char *p = strstr(line, "Size: ");
	unsigned long long n, k;
	char unit[3];
	int used = 0;

	if (!p || sscanf(p, "Size: %llu %2s in %llu Sectors%n", &n, unit, &k, &used) != 3 || !used)
		return -1;
	if (strcmp(unit, "MB") == 0 && n < (1ull << 24))
		*size = n << 20;
	else if (strcmp(unit, "kB") == 0 && n < (1ull << 34))
		*size = n << 10;
	else
		return -1;
	if (k == 0 || k > (1u << 20))
		return -1;
	*sectors = (size_t)k;
	return 0;
}

/* The sector starts on one line of the list into b; -1 on a token that
 * is neither an address nor a flag (the list has ended). */
static int sector_line(const char *line, struct ub_flinfo_bank *b, size_t want)
{
	const char *p = line;

	for (;;) {
		const char *t;
		size_t n;

		while (*p == ' ' || *p == '\t' || *p == '\r')
			p++;
		if (!*p)
			return 0;
		t = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\r')
			p++;
		n = (size_t)(p - t);
		if ((n == 2 && memcmp(t, "RO", 2) == 0) || (n == 1 && *t == 'E'))
			continue;
		if (n == 0 || n > 16)
			return -1;
		for (size_t i = 0; i < n; i++)
			if (!isxdigit((unsigned char)t[i]))
				return -1;
		if (b->n >= want) {   /* more than the bank said it has */
			b->n = 0;
			return -1;
		}
		b->start[b->n++] = strtoull(t, NULL, 16);
	}
}

static int bank_whole(const struct ub_flinfo_bank *b, size_t want)
{
	size_t i;

	if (!b->start || b->n != want)
		return 0;
	for (i = 1; i < b->n; i++)
		if (b->start[i] <= b->start[i - 1])
			return 0;
	return b->start[0] <= UINT64_MAX - b->size && b->start[b->n - 1] < b->start[0] + b->size;
}

int ub_flinfo_parse(const char *text, size_t len, struct ub_flinfo *out)
{
	struct ub_flinfo_bank *b = NULL;
	size_t want = 0, pos = 0;
	int listing = 0;

	memset(out, 0, sizeof *out);
	while (pos < len) {
		char line[512];
		size_t end = pos, n;

		while (end < len && text[end] != '\n')
			end++;
		n = end - pos < sizeof line - 1 ? end - pos : sizeof line - 1;
		memcpy(line, text + pos, n);
		line[n] = '\0';
		pos = end + 1;

		if (strstr(line, "Bank # ")) {
			uint64_t size;
			size_t k;

			if (b && !bank_whole(b, want)) {   /* the previous bank was cut */
				free(b->start);
				memset(b, 0, sizeof *b);
				out->nbanks--;
			}
			b = NULL;
			listing = 0;
			if (out->nbanks == UB_FLINFO_BANKS || bank_size(line, &size, &k))
				continue;   /* missing, unknown or one too many */
			b = &out->bank[out->nbanks++];
			b->size = size;
			want = k;
			if (!(b->start = calloc(k, sizeof *b->start))) {
				out->nbanks--;
				b = NULL;
			}
			continue;
		}
		if (b && strstr(line, "Sector Start Addresses")) {
			listing = 1;
			continue;
		}
		if (b && listing && sector_line(line, b, want))
			listing = 0;
	}
	if (b && !bank_whole(b, want)) {
		free(b->start);
		memset(b, 0, sizeof *b);
		out->nbanks--;
	}
	for (size_t i = 0; i < out->nbanks; i++)
		out->bank[i].base = out->bank[i].start[0];
	if (!out->nbanks) {
		ub_flinfo_free(out);
		return -1;
	}
	return 0;
}

/* The index of the sector of b that addr falls in; addr is inside b. */
static size_t sector_of(const struct ub_flinfo_bank *b, uint64_t addr)
{
	size_t lo = 0, hi = b->n;

	while (hi - lo > 1) {   /* the last start <= addr */
		size_t mid = lo + (hi - lo) / 2;

		if (b->start[mid] <= addr)
			lo = mid;
		else
			hi = mid;
	}
	return lo;
}

static uint64_t sector_size(const struct ub_flinfo_bank *b, size_t i)
{
	return (i + 1 < b->n ? b->start[i + 1] : b->base + b->size) - b->start[i];
}

int ub_flinfo_fits(const struct ub_flinfo *f, uint64_t addr, uint64_t len,
		   uint64_t eb, uint64_t *bad, uint64_t *sector)
{
	uint64_t at;

	*bad = addr;
	*sector = 0;
	if (!eb || len > UINT64_MAX - addr)
		return -1;
	for (at = addr; at < addr + len; at += eb) {
		uint64_t end = addr + len - at < eb ? addr + len : at + eb;
		const struct ub_flinfo_bank *b = NULL;
		size_t k, i;

		for (k = 0; k < f->nbanks && !b; k++)
			if (at >= f->bank[k].base && at - f->bank[k].base < f->bank[k].size)
				b = &f->bank[k];
		*bad = at;
		*sector = 0;
		if (!b)
			return -1;
		i = sector_of(b, at);
		*sector = sector_size(b, i);
		if (b->start[i] != at)
			return -1;
		/* it ends where its bank ends, or on a sector start inside it */
		*bad = end;
		if (end - b->base > b->size) {
			*sector = 0;
			return -1;
		}
		if (end - b->base == b->size)
			continue;
		i = sector_of(b, end);
		*sector = sector_size(b, i);
		if (b->start[i] != end)
			return -1;
		if (eb > UINT64_MAX - at)
			break;
	}
	*bad = *sector = 0;
	return 0;
}
