/* The verdict of `unbrick check`: safe only when something vouches for
 * every byte and nothing was left uninspected; unverified otherwise; refused
 * when a check failed.  The images are made here, small, in a temporary
 * folder. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <zlib.h>

#include "core/check.h"
#include "image/format.h"

static char dir[] = "/tmp/ub-verdict-XXXXXX";

static const char *put(const char *name, const void *p, size_t n)
{
	static char path[4][256];
	static int k;
	char *out = path[k++ % 4];
	FILE *f;

	snprintf(out, sizeof path[0], "%s/%s", dir, name);
	f = fopen(out, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(p, 1, n, f), n);
	fclose(f);
	return out;
}

static void sha256_hex(const void *p, size_t n, char hex[65])
{
	unsigned char md[32];
	unsigned len = 0;
	int i;

	EVP_Digest(p, n, md, &len, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		sprintf(hex + 2 * i, "%02x", md[i]);
}

/* Checks path; returns the verdict, with the why copied out. */
static enum ub_image_verdict run(const char *path, const char *sha256, char *why,
				 size_t why_len)
{
	struct ub_check_opts o;
	struct ub_check_result r;
	struct ub_err e;
	enum ub_image_verdict v;

	memset(&o, 0, sizeof o);
	o.image = path;
	o.sha256 = sha256;
	o.tmpdir = dir;
	assert_int_equal(ub_check_image(&o, &r, NULL, &e), 0);
	v = r.verdict;
	if (why)
		snprintf(why, why_len, "%s", r.why);
	ub_check_result_free(&r);
	return v;
}

/* 1 MiB of random bytes, of zeros, of 0xff: no structure, nothing
 * vouches; each becomes safe with its sha256 and refused with another. */
static void bytes_without_structure(void **state)
{
	static const char *const names[] = { "random.bin", "zero.bin", "ff.bin" };
	uint8_t *buf = malloc(1 << 20);
	char why[480], hex[65];
	size_t i, k;

	(void)state;
	assert_non_null(buf);
	for (i = 0; i < 3; i++) {
		const char *path;

		for (k = 0; k < (1u << 20); k++)
			buf[k] = i == 0 ? (uint8_t)(k * 2654435761u >> 13) : i == 1 ? 0 : 0xff;
		path = put(names[i], buf, 1 << 20);
		assert_int_equal(run(path, NULL, why, sizeof why), UB_VERDICT_UNVERIFIED);
		assert_non_null(strstr(why, "--sha256"));
		assert_non_null(strstr(why, "--sig"));
		assert_non_null(strstr(why, "manifest"));
		sha256_hex(buf, 1 << 20, hex);
		assert_int_equal(run(path, hex, why, sizeof why), UB_VERDICT_SAFE);
		assert_string_equal(why, "sha256: sha256 matches --sha256");
		hex[0] = hex[0] == '0' ? '1' : '0';
		assert_int_equal(run(path, hex, why, sizeof why), UB_VERDICT_REFUSED);
		assert_non_null(strstr(why, "1 check failed: sha256"));
	}
	free(buf);
}

/* A uImage: its two CRCs cover every byte; bytes appended after its data
 * are covered by nothing, erased padding is. */
static void uimage_crc_covers_it(void **state)
{
	uint8_t img[64 + 4096 + 512];
	char why[480];
	uint32_t crc;

	(void)state;
	memset(img, 0, sizeof img);
	for (size_t k = 0; k < 4096; k++)
		img[64 + k] = (uint8_t)(k * 7);
	img[0] = 0x27; img[1] = 0x05; img[2] = 0x19; img[3] = 0x56;
	img[12] = 0; img[13] = 0; img[14] = 0x10; img[15] = 0;   /* 4096 bytes */
	crc = (uint32_t)crc32(0, img + 64, 4096);
	img[24] = (uint8_t)(crc >> 24); img[25] = (uint8_t)(crc >> 16);
	img[26] = (uint8_t)(crc >> 8); img[27] = (uint8_t)crc;
	img[30] = 2;   /* kernel */
	crc = (uint32_t)crc32(0, img, 64);
	img[4] = (uint8_t)(crc >> 24); img[5] = (uint8_t)(crc >> 16);
	img[6] = (uint8_t)(crc >> 8); img[7] = (uint8_t)crc;
	assert_int_equal(run(put("k.uimg", img, 64 + 4096), NULL, why, sizeof why), UB_VERDICT_SAFE);
	assert_non_null(strstr(why, "uImage"));
	memset(img + 64 + 4096, 0xff, 512);
	assert_int_equal(run(put("pad.uimg", img, sizeof img), NULL, why, sizeof why), UB_VERDICT_SAFE);
	img[sizeof img - 1] = 0x42;
	assert_int_equal(run(put("tail.uimg", img, sizeof img), NULL, why, sizeof why), UB_VERDICT_UNVERIFIED);
}

/* gzip of gzip of ...: past the inspector's depth the content was not
 * looked at, and even its sha256 does not make that safe. */
static void nested_too_deep(void **state)
{
	uLongf cap = 1 << 16, len = 5;
	uint8_t *a = malloc(cap), *b = malloc(cap), *t;
	char why[480], hex[65];
	int i;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	memcpy(a, "data\n", 5);
	for (i = 0; i < UB_INSPECT_DEPTH + 1; i++) {
		z_stream z;

		memset(&z, 0, sizeof z);
		assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
		z.next_in = a;
		z.avail_in = (uInt)len;
		z.next_out = b;
		z.avail_out = (uInt)cap;
		assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
		len = z.total_out;
		deflateEnd(&z);
		t = a; a = b; b = t;
	}
	sha256_hex(a, len, hex);
	assert_int_equal(run(put("deep.gz", a, len), hex, why, sizeof why), UB_VERDICT_UNVERIFIED);
	assert_non_null(strstr(why, "not inspected"));
	free(a);
	free(b);
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(bytes_without_structure),
		cmocka_unit_test(uimage_crc_covers_it),
		cmocka_unit_test(nested_too_deep),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
