/* A console server's bytes come from the network: the telnet decoder
 * must take anything, cut anywhere, and what it keeps must survive the
 * encoder and come back the same. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "io/telnet.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_telnet t, bin;
	uint8_t *out, *coded, *back;
	size_t n = 0, cut, m, k;

	if (size < 1)
		return 0;
	out = malloc(size);
	ub_telnet_init(&t, data[0] & 1);
	/* the first byte says where the input is cut in two reads */
	cut = size > 1 ? data[0] % size : 1;
	n = ub_telnet_decode(&t, data + 1, cut - 1 < size - 1 ? cut - 1 : 0, out);
	n += ub_telnet_decode(&t, data + cut, size - cut, out + n);
	if (n > size || t.out_len > sizeof t.out || t.sb_len > sizeof t.sb)
		abort();
	(void)ub_telnet_settled(&t);

	/* with binary agreed both ways, decode(encode(x)) == x */
	ub_telnet_init(&bin, 0);
	ub_telnet_decode(&bin, (const uint8_t *)"\xff\xfd\0\xff\xfb\0", 6, (uint8_t[6]){ 0 });
	coded = malloc(2 * n + 1);
	back = malloc(2 * n + 1);
	m = ub_telnet_encode(&bin, out, n, coded);
	k = ub_telnet_decode(&bin, coded, m, back);
	if (k != n || memcmp(back, out, n) != 0)
		abort();
	free(out);
	free(coded);
	free(back);
	return 0;
}
