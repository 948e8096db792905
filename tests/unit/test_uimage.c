/* uImage inspection on images made by the real mkimage (tests/data/uboot,
 * see make.sh there), and on every byte of them flipped or cut. */
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

struct blob {
	uint8_t *p;
	size_t n;
};

static struct blob load(const char *name)
{
	const char *dir = getenv("UB_TESTDATA");
	char path[1024];
	struct blob b = { NULL, 0 };
	FILE *f;
	long n;

	snprintf(path, sizeof path, "%s/uboot/%s", dir ? dir : "tests/data",
		 name);
	f = fopen(path, "rb");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	n = ftell(f);
	assert_true(n > 0);
	rewind(f);
	b.p = malloc((size_t)n + 1);
	assert_non_null(b.p);
	assert_int_equal(fread(b.p, 1, (size_t)n, f), (size_t)n);
	b.n = (size_t)n;
	fclose(f);
	return b;
}

struct result {
	struct ub_checks checks;
	struct ub_image_meta meta;
	struct ub_err err;
	const char *covered;   /* what vouches for every byte */
	int rc;
};

/* Runs ub_inspect (detection included) on bytes, through a memfd. */
static void inspect(const uint8_t *p, size_t n, struct result *r)
{
	struct ub_inspect ctx;
	struct ub_src s;
	int fd = memfd_create("t", MFD_CLOEXEC);

	memset(r, 0, sizeof *r);
	assert_true(fd >= 0);
	if (n)
		assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(ub_src_from_fd(&s, fd, "t.img", &r->err), 0);
	memset(&ctx, 0, sizeof ctx);
	ctx.checks = &r->checks;
	ctx.meta = &r->meta;
	ctx.err = &r->err;
	r->rc = ub_inspect(&ctx, &s);
	r->covered = ctx.covered;
	ub_src_close(&s);
}

static void done(struct result *r)
{
	ub_checks_free(&r->checks);
	ub_meta_free(&r->meta);
}

static enum ub_verdict verdict(const struct result *r, const char *name)
{
	const struct ub_check *c = ub_checks_find(&r->checks, name);

	if (!c) {
		print_error("no check %s\n", name);
		fail();
	}
	return c->verdict;
}

static const char *advice(const struct result *r, const char *name)
{
	const struct ub_check *c = ub_checks_find(&r->checks, name);

	assert_non_null(c);
	return c->advice_id ? c->advice_id : "";
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Recomputes both CRCs, as a forger (or a buggy tool) would. */
static void fix_crcs(uint8_t *p, size_t n)
{
	uint32_t size = (uint32_t)p[12] << 24 | (uint32_t)p[13] << 16 |
			(uint32_t)p[14] << 8 | p[15];

	if (64 + (size_t)size <= n)
		put32(p + 24, (uint32_t)crc32(0, p + 64, size));
	put32(p + 4, 0);
	put32(p + 4, (uint32_t)crc32(0, p, 64));
}

static void good_kernel(void **state)
{
	struct blob b = load("kernel.uimg");
	struct result r;

	(void)state;
	inspect(b.p, b.n, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(verdict(&r, "uimage-header-crc"), UB_PASS);
	assert_int_equal(verdict(&r, "uimage-data-crc"), UB_PASS);
	assert_null(ub_checks_find(&r.checks, "uimage-trailing"));
	assert_int_equal(ub_checks_worst(&r.checks), UB_PASS);
	assert_string_equal(r.meta.layers, "uimage > raw");
	assert_non_null(r.covered);   /* its two CRCs cover every byte */
	assert_string_equal(r.meta.name, "Linux-5.10.0-test");
	/* the name looks versioned, but that is no version claim */
	assert_null(r.meta.version);
	done(&r);
	free(b.p);
}

static void every_header_byte_flipped(void **state)
{
	struct blob b = load("kernel.uimg");
	struct result r;
	size_t i;

	(void)state;
	for (i = 4; i < 64; i++) {
		b.p[i] ^= 0x01;
		inspect(b.p, b.n, &r);
		assert_int_equal(r.rc, 0);
		if (verdict(&r, "uimage-header-crc") != UB_FAIL) {
			print_error("flip at header byte %zu not caught\n", i);
			fail();
		}
		assert_string_equal(advice(&r, "uimage-header-crc"),
				    "image-corrupt");
		assert_int_equal(ub_checks_worst(&r.checks), UB_FAIL);
		done(&r);
		b.p[i] ^= 0x01;
	}
	free(b.p);
}

static void every_data_byte_flipped(void **state)
{
	struct blob b = load("kernel.uimg");
	struct result r;
	size_t i;

	(void)state;
	for (i = 64; i < b.n; i++) {
		b.p[i] ^= 0x80;
		inspect(b.p, b.n, &r);
		assert_int_equal(r.rc, 0);
		assert_int_equal(verdict(&r, "uimage-header-crc"), UB_PASS);
		if (verdict(&r, "uimage-data-crc") != UB_FAIL) {
			print_error("flip at data byte %zu not caught\n", i);
			fail();
		}
		assert_string_equal(advice(&r, "uimage-data-crc"),
				    "image-corrupt");
		done(&r);
		b.p[i] ^= 0x80;
	}
	free(b.p);
}

static void wrong_magic_is_not_uimage(void **state)
{
	struct blob b = load("kernel.uimg");
	struct result r;

	(void)state;
	b.p[0] ^= 0xff;
	inspect(b.p, b.n, &r);
	assert_string_equal(r.meta.layers, "raw");
	assert_null(ub_checks_find(&r.checks, "uimage-header-crc"));
	done(&r);
	free(b.p);
}

static void every_truncation(void **state)
{
	struct blob b = load("kernel.uimg");
	struct result r;
	size_t n;

	(void)state;
	for (n = 4; n < b.n; n++) {
		inspect(b.p, n, &r);
		assert_int_equal(r.rc, 0);
		assert_string_equal(r.meta.layers, "uimage");
		assert_int_equal(ub_checks_worst(&r.checks), UB_FAIL);
		if (n >= 64) {
			assert_int_equal(verdict(&r, "uimage-data-crc"), UB_FAIL);
			assert_string_equal(advice(&r, "uimage-data-crc"),
					    "image-truncated");
		} else {
			assert_string_equal(advice(&r, "uimage-header-crc"),
					    "image-truncated");
		}
		done(&r);
	}
	free(b.p);
}

static void huge_size(void **state)
{
	struct blob b = load("kernel.uimg");
	struct result r;

	(void)state;
	put32(b.p + 12, 0xfffffff0u);
	fix_crcs(b.p, b.n);
	inspect(b.p, b.n, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(verdict(&r, "uimage-header-crc"), UB_PASS);
	assert_int_equal(verdict(&r, "uimage-data-crc"), UB_FAIL);
	assert_string_equal(advice(&r, "uimage-data-crc"), "image-huge");
	done(&r);
	/* a little too large is a cut download, not a lie */
	put32(b.p + 12, (uint32_t)(b.n - 64 + 100));
	fix_crcs(b.p, b.n);
	inspect(b.p, b.n, &r);
	assert_string_equal(advice(&r, "uimage-data-crc"), "image-truncated");
	done(&r);
	free(b.p);
}

static void trailing_bytes_warn(void **state)
{
	struct blob b = load("kernel.uimg");
	uint8_t *p = calloc(1, b.n + 10);
	struct result r;

	(void)state;
	assert_non_null(p);
	memcpy(p, b.p, b.n);
	inspect(p, b.n + 10, &r);
	assert_int_equal(verdict(&r, "uimage-trailing"), UB_WARN);
	assert_int_equal(verdict(&r, "uimage-data-crc"), UB_PASS);
	assert_int_equal(ub_checks_worst(&r.checks), UB_WARN);
	assert_non_null(strstr(ub_checks_find(&r.checks, "uimage-trailing")->why,
			       "10 bytes of padding"));
	assert_non_null(r.covered);   /* erased padding: nothing to vouch for */
	done(&r);
	/* bytes that are not padding: the CRC does not cover them */
	p[b.n + 9] = 0x42;
	inspect(p, b.n + 10, &r);
	assert_int_equal(verdict(&r, "uimage-trailing"), UB_WARN);
	assert_non_null(strstr(ub_checks_find(&r.checks, "uimage-trailing")->why, "not padding"));
	assert_null(r.covered);
	done(&r);
	free(p);
	free(b.p);
}

static void multi_file(void **state)
{
	struct blob b = load("multi.uimg");
	struct result r;
	size_t i;

	(void)state;
	inspect(b.p, b.n, &r);
	assert_int_equal(ub_checks_worst(&r.checks), UB_PASS);
	assert_int_equal(verdict(&r, "uimage-table"), UB_PASS);
	assert_non_null(strstr(ub_checks_find(&r.checks, "uimage-table")->why,
			       "2 parts"));
	/* plain parts add no layers */
	assert_string_equal(r.meta.layers, "uimage");
	done(&r);

	/* table entries that do not fit, with both CRCs made right again */
	for (i = 0; i < 2; i++) {
		uint8_t save[4];

		memcpy(save, b.p + 64 + 4 * i, 4);
		put32(b.p + 64 + 4 * i, i == 0 ? 1001 + 200 : 0x7fffffffu);
		fix_crcs(b.p, b.n);
		inspect(b.p, b.n, &r);
		assert_int_equal(verdict(&r, "uimage-data-crc"), UB_PASS);
		assert_int_equal(verdict(&r, "uimage-table"), UB_FAIL);
		done(&r);
		memcpy(b.p + 64 + 4 * i, save, 4);
	}
	/* no zero at the end of the table: all entries non-zero */
	for (i = 64; i + 4 <= b.n; i += 4)
		put32(b.p + i, 1);
	fix_crcs(b.p, b.n);
	inspect(b.p, b.n, &r);
	assert_int_equal(verdict(&r, "uimage-table"), UB_FAIL);
	done(&r);
	free(b.p);
}

/* A gzip payload is handed to the compressed handler, which checks the
 * stream: damage inside it with the uImage CRCs made right is caught. */
static void compressed_payload_inspected(void **state)
{
	struct blob b = load("gzip.uimg");
	struct result r;

	(void)state;
	inspect(b.p, b.n, &r);
	assert_int_equal(ub_checks_worst(&r.checks), UB_PASS);
	assert_string_equal(r.meta.layers, "uimage > gzip > raw");
	assert_string_equal(r.meta.name, "gzip kernel");
	done(&r);
	/* the gzip trailer's CRC32 (8 bytes from the end) */
	b.p[b.n - 8] ^= 0x01;
	fix_crcs(b.p, b.n);
	inspect(b.p, b.n, &r);
	assert_int_equal(verdict(&r, "uimage-data-crc"), UB_PASS);
	assert_int_equal(ub_checks_worst(&r.checks), UB_FAIL);
	done(&r);
	free(b.p);
}

static void inner_fit_is_inspected(void **state)
{
	struct blob b = load("fit.uimg");
	struct blob k = load("kernel.uimg");
	struct result r;
	uint8_t *at;

	(void)state;
	inspect(b.p, b.n, &r);
	assert_int_equal(ub_checks_worst(&r.checks), UB_WARN); /* script-1 has no hash */
	assert_string_equal(r.meta.layers, "uimage > fit");
	assert_int_equal(verdict(&r, "fit-hash:kernel-1"), UB_PASS);
	/* the outer name wins; the FIT's version is taken */
	assert_string_equal(r.meta.name, "fit in uimage");
	assert_string_equal(r.meta.version, "2.4.1");
	done(&r);

	/* the kernel payload inside the FIT, damaged with the outer CRC made
	 * right: only the inner hash can catch it */
	at = memmem(b.p, b.n, k.p + 64, k.n - 64);
	assert_non_null(at);
	at[100] ^= 1;
	fix_crcs(b.p, b.n);
	inspect(b.p, b.n, &r);
	assert_int_equal(verdict(&r, "uimage-data-crc"), UB_PASS);
	assert_int_equal(verdict(&r, "fit-hash:kernel-1"), UB_FAIL);
	done(&r);
	free(k.p);
	free(b.p);
}

/* Header names reach the terminal and JSON: bytes that are not printable
 * ASCII (invalid UTF-8, escape sequences) must not get through. */
static void name_is_printable(void **state)
{
	struct blob b = load("kernel.uimg");
	struct result r;

	(void)state;
	memcpy(b.p + 32, "\xff\x1b[2Jx", 6);
	fix_crcs(b.p, b.n);
	inspect(b.p, b.n, &r);
	assert_int_equal(verdict(&r, "uimage-header-crc"), UB_PASS);
	assert_string_equal(r.meta.name, "??[2Jx5.10.0-test");
	done(&r);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_kernel),
		cmocka_unit_test(every_header_byte_flipped),
		cmocka_unit_test(every_data_byte_flipped),
		cmocka_unit_test(wrong_magic_is_not_uimage),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(huge_size),
		cmocka_unit_test(trailing_bytes_warn),
		cmocka_unit_test(multi_file),
		cmocka_unit_test(compressed_payload_inspected),
		cmocka_unit_test(inner_fit_is_inspected),
		cmocka_unit_test(name_is_printable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
