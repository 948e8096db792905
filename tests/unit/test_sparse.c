/* Android sparse images built here, chunk by chunk: the CRC32 of fills and
 * holes is computed without expanding them (a 44-byte file may declare
 * 16 TiB), and must still agree with zlib over the expanded bytes. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "image/format.h"
#include "image/sparse.h"

struct img {
	uint8_t p[1 << 16];
	size_t n;
	uint32_t blocks, chunks;
};

static void le16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void le32(uint8_t *p, uint32_t v)
{
	le16(p, (uint16_t)v);
	le16(p + 2, (uint16_t)(v >> 16));
}

static void start(struct img *m)
{
	memset(m, 0, sizeof *m);
	m->n = 28;
}

/* A chunk: type, blocks of 4096, then its data bytes. */
static void chunk(struct img *m, uint16_t type, uint32_t blocks, const void *data, size_t len)
{
	assert_true(m->n + 12 + len <= sizeof m->p);
	le16(m->p + m->n, type);
	le32(m->p + m->n + 4, blocks);
	le32(m->p + m->n + 8, (uint32_t)(12 + len));
	if (len)
		memcpy(m->p + m->n + 12, data, len);
	m->n += 12 + len;
	m->blocks += blocks;
	m->chunks++;
}

static void finish(struct img *m, uint32_t checksum)
{
	le32(m->p, 0xed26ff3au);
	le16(m->p + 4, 1);
	le16(m->p + 8, 28);
	le16(m->p + 10, 12);
	le32(m->p + 12, 4096);
	le32(m->p + 16, m->blocks);
	le32(m->p + 20, m->chunks);
	le32(m->p + 24, checksum);
}

struct result {
	struct ub_checks checks;
	struct ub_image_meta meta;
	struct ub_err err;
	const char *covered;
	int rc;
};

static void inspect(const struct img *m, struct result *r)
{
	struct ub_inspect ctx;
	struct ub_src s;
	int fd = memfd_create("t", MFD_CLOEXEC);

	memset(r, 0, sizeof *r);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, m->p, m->n), (ssize_t)m->n);
	assert_int_equal(ub_src_from_fd(&s, fd, "t.simg", &r->err), 0);
	memset(&ctx, 0, sizeof ctx);
	ctx.checks = &r->checks;
	ctx.meta = &r->meta;
	ctx.err = &r->err;
	r->rc = ub_inspect(&ctx, &s);
	r->covered = ctx.covered;
	ub_src_close(&s);
}

static const struct ub_check *check(const struct result *r, const char *name)
{
	const struct ub_check *c = ub_checks_find(&r->checks, name);

	if (!c)
		fail_msg("no check '%s'", name);
	return c;
}

static void done(struct result *r)
{
	ub_checks_free(&r->checks);
	ub_meta_free(&r->meta);
}

/* 44 bytes: a header and one fill chunk of 2^32-1 blocks of 4096 bytes
 * (16 TiB), the header checksum not its CRC.  Refused: the CRC of the
 * fill is computed, not the 16 TiB hashed (which took hours). */
static void fill_of_16_tib(void **state)
{
	static const uint8_t pat[4] = { 0xaa, 0xbb, 0xcc, 0xdd };
	struct img *m = malloc(sizeof *m);
	struct result r;

	(void)state;
	assert_non_null(m);
	start(m);
	chunk(m, 0xcac2, 0xffffffffu, pat, 4);
	finish(m, 0xdeadbeefu);
	assert_int_equal(m->n, 44);
	inspect(m, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(check(&r, "sparse-chunks")->verdict, UB_PASS);
	assert_int_equal(check(&r, "sparse-crc")->verdict, UB_FAIL);
	assert_non_null(strstr(check(&r, "sparse-crc")->why, "the header says deadbeef"));
	assert_null(r.covered);
	done(&r);
	free(m);
}

/* Raw data, a fill, a hole, a fill of odd length in blocks: the header
 * checksum zlib gives over the expanded bytes passes, and covers it all;
 * any other value fails. */
static void computed_crc_agrees_with_zlib(void **state)
{
	static const uint8_t pat[4] = { 0x01, 0x02, 0x03, 0x04 }, zero4[4];
	struct img *m = malloc(sizeof *m);
	uint8_t *exp = malloc(4096 * 1040), raw[4096];
	size_t k, at = 0;
	struct result r;
	uLong crc;

	(void)state;
	assert_non_null(m);
	assert_non_null(exp);
	for (k = 0; k < sizeof raw; k++)
		raw[k] = (uint8_t)(k * 31 + 7);
	start(m);
	chunk(m, 0xcac1, 1, raw, sizeof raw);
	memcpy(exp + at, raw, sizeof raw);
	at += sizeof raw;
	chunk(m, 0xcac2, 1023, pat, 4);
	for (k = 0; k < 1023 * 4096; k += 4)
		memcpy(exp + at + k, pat, 4);
	at += 1023 * 4096;
	chunk(m, 0xcac3, 7, NULL, 0);   /* holes count as zeros */
	memset(exp + at, 0, 7 * 4096);
	at += 7 * 4096;
	chunk(m, 0xcac2, 3, zero4, 4);
	memset(exp + at, 0, 3 * 4096);
	at += 3 * 4096;
	crc = crc32(0, exp, (uInt)at);
	finish(m, (uint32_t)crc);
	inspect(m, &r);
	assert_int_equal(check(&r, "sparse-crc")->verdict, UB_PASS);
	assert_non_null(r.covered);
	done(&r);
	finish(m, (uint32_t)crc ^ 0x100);
	inspect(m, &r);
	assert_int_equal(check(&r, "sparse-crc")->verdict, UB_FAIL);
	done(&r);
	free(exp);
	free(m);
}

/* A CRC32 checkpoint covers what comes before it: data after the last one
 * is not covered, so the image is not vouched for (a warning, no pass). */
static void checkpoint_covers_what_precedes_it(void **state)
{
	struct img *m = malloc(sizeof *m);
	uint8_t raw[4096], v[4];
	struct result r;

	(void)state;
	assert_non_null(m);
	memset(raw, 0x5a, sizeof raw);
	le32(v, (uint32_t)crc32(0, raw, sizeof raw));
	start(m);
	chunk(m, 0xcac1, 1, raw, sizeof raw);
	chunk(m, 0xcac4, 0, v, 4);
	finish(m, 0);
	inspect(m, &r);
	assert_int_equal(check(&r, "sparse-crc")->verdict, UB_PASS);
	assert_non_null(r.covered);
	done(&r);
	chunk(m, 0xcac1, 1, raw, sizeof raw);
	finish(m, 0);
	inspect(m, &r);
	assert_int_equal(check(&r, "sparse-crc")->verdict, UB_WARN);
	assert_null(r.covered);
	done(&r);
	free(m);
}

static int stop_early(void *ctx, const uint8_t *buf, size_t n, int hole)
{
	(void)buf;
	(void)hole;
	*(uint64_t *)ctx += n;
	return *(uint64_t *)ctx >= (8u << 20) ? 1 : 0;
}

/* A writer still gets the fill's bytes, and can stop. */
static void expansion_hands_out_fills(void **state)
{
	static const uint8_t pat[4] = { 9, 9, 9, 9 };
	struct img *m = malloc(sizeof *m);
	struct ub_src s;
	struct ub_err e;
	uint64_t got = 0;
	int fd = memfd_create("t", MFD_CLOEXEC);

	(void)state;
	assert_non_null(m);
	start(m);
	chunk(m, 0xcac2, 0xffffffffu, pat, 4);
	finish(m, 0);
	assert_int_equal(write(fd, m->p, m->n), (ssize_t)m->n);
	assert_int_equal(ub_src_from_fd(&s, fd, "t", &e), 0);
	assert_int_equal(ub_sparse_expand(&s, stop_early, &got, &e), 1);
	assert_int_equal(got, 8u << 20);
	ub_src_close(&s);
	free(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fill_of_16_tib),
		cmocka_unit_test(computed_crc_agrees_with_zlib),
		cmocka_unit_test(checkpoint_covers_what_precedes_it),
		cmocka_unit_test(expansion_hands_out_fills),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
