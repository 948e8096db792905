/* What a debug probe sends comes from outside: the packet parser must take
 * any bytes, and every reply decoder what the packets hold; the XML of
 * the target description and the memory map any text.  Escaping then
 * decoding gives back the bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/gdb_rsp.h"
#include "proto/gdb_xml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_rsp_parser p;
	struct ub_gdb_tdesc t;
	struct ub_gdb_memmap m = { 0 };
	struct ub_rsp_stop st;
	struct ub_err e;
	uint8_t *out = malloc(2 * UB_RSP_MAX_PACKET + 1), *esc, *back;
	unsigned feat;
	size_t i, n, psize;

	if (!out)
		return 0;
	ub_rsp_parser_init(&p, 4096);
	for (i = 0; i < size; i++) {
		enum ub_rsp_event ev = ub_rsp_parser_feed(&p, data[i]);

		if (ev != UB_RSP_EV_PACKET && ev != UB_RSP_EV_NOTIFY)
			continue;
		if (p.len > p.max)
			abort();
		if (ub_rsp_decode(p.data, p.len, 1, out, 2 * UB_RSP_MAX_PACKET, &n) == 0 && n > 2 * UB_RSP_MAX_PACKET)
			abort();
		if (ub_rsp_decode(p.data, p.len, 0, out, 2 * UB_RSP_MAX_PACKET, &n) == 0) {
			out[n] = '\0';
			ub_rsp_parse_supported((const char *)out, n, &feat, &psize);
			(void)ub_rsp_parse_stop((const char *)out, n, &st);
			(void)ub_rsp_unhex((const char *)out, n, out, n / 2);
		}
	}
	ub_rsp_parser_free(&p);

	memset(&t, 0, sizeof t);
	(void)ub_gdb_tdesc_parse(&t, (const char *)data, size, NULL, NULL, &e);
	for (i = 0; i < t.n; i++)
		(void)ub_gdb_tdesc_g_offset(&t, t.regs[i].regnum);
	ub_gdb_tdesc_free(&t);
	if (ub_gdb_memmap_parse(&m, (const char *)data, size, &e) == 0)
		(void)ub_gdb_memmap_find(&m, 0x20000000, 0x1000);
	ub_gdb_memmap_free(&m);

	/* escape, decode: the same bytes */
	esc = malloc(2 * size + 1);
	back = malloc(size + 1);
	if (esc && back) {
		n = ub_rsp_escape(data, size, esc);
		if (memchr(esc, '#', n) || memchr(esc, '$', n) || memchr(esc, '*', n))
			abort();
		if (ub_rsp_decode(esc, n, 1, back, size, &i) != 0 || i != size || memcmp(back, data, size) != 0)
			abort();
	}
	free(esc);
	free(back);
	free(out);
	return 0;
}
