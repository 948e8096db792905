/* Sparse pieces (image/sparse_split.c): whatever the image and the bound,
 * each piece is a sound sparse image no larger than the bound, and the
 * pieces written one after the other, as a bootloader writes them (their
 * "don't care" left alone), give the image: a raw one padded with zeros to
 * whole blocks, a sparse one as it expands (its own holes left alone). */
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

#include "image/sparse.h"
#include "image/sparse_split.h"

#define SENTINEL 0xa5

static void src_of(struct ub_src *s, const uint8_t *p, size_t n)
{
	int fd = memfd_create("img", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(ub_src_from_fd(s, fd, "img", NULL), 0);
}

struct out {
	uint8_t *p;
	size_t at, cap;
};

/* a bootloader's writer: data lands, holes are skipped */
static int land(void *ctx, const uint8_t *buf, size_t n, int hole)
{
	struct out *o = ctx;

	if (o->at + n > o->cap)
		return -1;
	if (!hole)
		memcpy(o->p + o->at, buf, n);
	o->at += n;
	return 0;
}

/* Writes every piece over a device of SENTINEL bytes; returns it. */
static uint8_t *write_pieces(struct ub_resparse *r, uint64_t max, size_t dev_size, unsigned *npieces)
{
	struct out o = { malloc(dev_size), 0, dev_size };
	unsigned i, n = ub_resparse_count(r);
	struct ub_err e;

	assert_non_null(o.p);
	memset(o.p, SENTINEL, dev_size);
	for (i = 0; i < n; i++) {
		uint64_t size = ub_resparse_size(r, i), off;
		uint8_t *piece = malloc(size);
		struct ub_src s;

		assert_non_null(piece);
		assert_true(size <= max);
		/* read in odd pieces, as a download reads it */
		for (off = 0; off < size; off += 777) {
			size_t k = size - off < 777 ? (size_t)(size - off) : 777;

			assert_int_equal(ub_resparse_read(r, i, off, piece + off, k, &e), 0);
		}
		src_of(&s, piece, size);
		o.at = 0;
		assert_int_equal(ub_sparse_expand(&s, land, &o, &e), 0);
		assert_int_equal(o.at, ub_resparse_expanded(r));
		ub_src_close(&s);
		free(piece);
	}
	*npieces = n;
	return o.p;
}

static void raw_images(void **state)
{
	static const size_t sizes[] = { 1, 511, 4096, 4097, 40000, 300000 };
	static const uint64_t maxes[] = { 4096 + 64, 10000, 65536, 1u << 20 };
	size_t si, mi, bi, i;

	(void)state;
	for (bi = 0; bi < 2; bi++)
	for (si = 0; si < sizeof sizes / sizeof sizes[0]; si++)
		for (mi = 0; mi < sizeof maxes / sizeof maxes[0]; mi++) {
			uint32_t blk = bi ? 4096 : 512;
			size_t n = sizes[si], padded = (n + blk - 1) / blk * blk;
			uint8_t *img = malloc(n), *dev;
			struct ub_resparse *r;
			struct ub_src s;
			struct ub_err e;
			unsigned pieces;

			/* random data, a block of zeros, a block of one word, random */
			for (i = 0; i < n; i++)
				img[i] = (uint8_t)(rand() >> 7);
			if (n >= 3 * 4096) {
				memset(img + 4096, 0, 4096);
				for (i = 8192; i < 12288; i += 4)
					memcpy(img + i, "\x11\x22\x33\x44", 4);
			}
			src_of(&s, img, n);
			assert_int_equal(ub_resparse_plan(&r, &s, blk, maxes[mi], &e), 0);
			assert_true(ub_resparse_expanded(r) == padded);
			dev = write_pieces(r, maxes[mi], padded, &pieces);
			assert_memory_equal(dev, img, n);
			for (i = n; i < padded; i++)
				assert_int_equal(dev[i], 0);   /* the last block padded with zeros */
			if (n >= 3 * 4096 && maxes[mi] >= 65536)
				/* the fill blocks cost a chunk header each, not 4 KiB */
				assert_true(ub_resparse_size(r, 0) < n);
			free(dev);
			ub_resparse_free(r);
			ub_src_close(&s);
			free(img);
		}
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

static size_t chunk(uint8_t *p, uint16_t type, uint32_t blocks, uint32_t data)
{
	p[0] = (uint8_t)type;
	p[1] = (uint8_t)(type >> 8);
	p[2] = p[3] = 0;
	put32(p + 4, blocks);
	put32(p + 8, 12 + data);
	return 12;
}

/* A sparse image of 1 KiB blocks: raw 3, fill 2, hole 4, crc, raw 1, hole 2. */
static size_t make_sparse(uint8_t *p)
{
	size_t at = 28, i;

	put32(p, 0xed26ff3a);
	p[4] = 1;
	p[5] = p[6] = p[7] = 0;
	p[8] = 28;
	p[9] = 0;
	p[10] = 12;
	p[11] = 0;
	put32(p + 12, 1024);
	put32(p + 16, 12);
	put32(p + 20, 6);
	put32(p + 24, 0);
	at += chunk(p + at, 0xcac1, 3, 3072);
	for (i = 0; i < 3072; i++)
		p[at++] = (uint8_t)(i * 13);
	at += chunk(p + at, 0xcac2, 2, 4);
	memcpy(p + at, "\xde\xad\xbe\xef", 4);
	at += 4;
	at += chunk(p + at, 0xcac3, 4, 0);
	at += chunk(p + at, 0xcac4, 0, 4);
	memset(p + at, 0, 4);   /* not checked here: image/sparse.c checks CRCs */
	at += 4;
	at += chunk(p + at, 0xcac1, 1, 1024);
	memset(p + at, 0x77, 1024);
	at += 1024;
	at += chunk(p + at, 0xcac3, 2, 0);
	return at;
}

static void sparse_images(void **state)
{
	static const uint64_t maxes[] = { 28 + 36 + 1024, 2000, 3000, 5000, 1u << 20 };
	uint8_t img[8192], *want, *dev;
	size_t n = make_sparse(img), mi;
	struct ub_src s;
	struct ub_err e;
	struct out o;

	(void)state;
	src_of(&s, img, n);
	assert_int_equal(ub_sparse_is(&s), 1);
	/* what the image writes on its own */
	want = malloc(12 * 1024);
	memset(want, SENTINEL, 12 * 1024);
	o = (struct out){ want, 0, 12 * 1024 };
	assert_int_equal(ub_sparse_expand(&s, land, &o, &e), 0);
	for (mi = 0; mi < sizeof maxes / sizeof maxes[0]; mi++) {
		struct ub_resparse *r;
		unsigned pieces;

		assert_int_equal(ub_resparse_plan(&r, &s, 4096, maxes[mi], &e), 0);
		assert_true(ub_resparse_expanded(r) == 12 * 1024);
		dev = write_pieces(r, maxes[mi], 12 * 1024, &pieces);
		assert_memory_equal(dev, want, 12 * 1024);
		if (maxes[mi] >= 5000)
			assert_int_equal(pieces, 1);
		else
			assert_true(pieces >= 2);
		free(dev);
		ub_resparse_free(r);
	}
	ub_src_close(&s);
	free(want);
}

static void refusals(void **state)
{
	uint8_t img[8192];
	size_t n = make_sparse(img);
	struct ub_resparse *r;
	struct ub_src s;
	struct ub_err e;
	uint64_t size;

	(void)state;
	src_of(&s, img, n);
	/* a bound that cannot hold one block with its headers */
	assert_int_equal(ub_resparse_plan(&r, &s, 4096, 1000, &e), UB_EUSAGE);
	assert_int_equal(ub_sparse_expanded(&s, &size, &e), 0);
	assert_true(size == 12 * 1024);
	ub_src_close(&s);
	/* chunks that do not add up to the header's blocks */
	put32(img + 16, 13);
	src_of(&s, img, n);
	assert_int_equal(ub_resparse_plan(&r, &s, 4096, 1 << 20, &e), UB_EFORMAT);
	ub_src_close(&s);
	put32(img + 16, 12);
	/* cut short */
	src_of(&s, img, n - 100);
	assert_int_equal(ub_resparse_plan(&r, &s, 4096, 1 << 20, &e), UB_EFORMAT);
	ub_src_close(&s);
	/* a raw image with a block size that is not allowed */
	src_of(&s, (const uint8_t *)"abc", 3);
	assert_int_equal(ub_resparse_plan(&r, &s, 100, 1 << 20, &e), UB_EUSAGE);
	ub_src_close(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(raw_images),
		cmocka_unit_test(sparse_images),
		cmocka_unit_test(refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
