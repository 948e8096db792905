/* Every format handler on files the real tools made (the fuzz seed corpora:
 * mkimage, img2simg, bmaptool, gzip, tar, the fwtool layout), sound and with
 * one byte flipped: the handler must be picked by detection, pass the sound
 * file, and name the damage in the flipped one. */
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

#include "image/format.h"
#include "family/uboot/dump.h"

struct sample {
	const char *file;      /* under tests/fuzz/corpus */
	const char *layers;    /* what detection must find */
	const char *check;     /* the check that must pass, then fail */
	long flip;             /* byte to flip (negative: from the end) */
	size_t pad;            /* trailing bytes that carry nothing (tar's end blocks) */
};

static const struct sample samples[] = {
	{ "uimage/kernel", "uimage > raw", "uimage-data-crc", 200, 0 },
	{ "uimage/kernel", "uimage > raw", "uimage-header-crc", 9, 0 },
	{ "uimage/multi", "uimage", "uimage-data-crc", -1, 0 },
	{ "fit/external", "fit", "fit-hash:k", -1, 0 },
	{ "sparse/small.simg", "sparse", "sparse-chunks", 16, 0 },
	{ "bmap/small.bmap", "bmap", "bmap-file", -300, 0 },
	{ "fwtool/meta", "sysupgrade > raw", "fwtool-metadata-crc", 100, 0 },
	{ "compressed/s.gzip", "gzip > raw", "decompress", -6, 0 },
	{ "compressed/s.xz", "xz > raw", "decompress", -30, 0 },
	{ "archive/a.tar", "tar > raw", "archive-safety", 148, 10240 - 3584 },
};

static char *load(const char *rel, size_t *len)
{
	char path[1024];
	const char *corpus = getenv("UB_CORPUS");
	FILE *f;
	char *buf;
	long n;

	snprintf(path, sizeof path, "%s/%s", corpus ? corpus : "tests/fuzz/corpus", rel);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Inspects buf as a file; returns the verdict of the named check (or -1
 * when absent; with check NULL, the worst verdict) and copies the layers. */
static int inspect(const char *buf, size_t len, const char *check, char *layers)
{
	struct ub_checks checks = { 0 };
	struct ub_image_meta meta = { 0 };
	struct ub_err err;
	struct ub_inspect ctx = { .checks = &checks, .meta = &meta, .err = &err };
	struct ub_src s;
	const struct ub_check *c;
	int fd = memfd_create("sample", 0), v;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(ub_src_from_fd(&s, fd, "sample", &err), 0);
	assert_int_equal(ub_inspect(&ctx, &s), 0);
	c = check ? ub_checks_find(&checks, check) : NULL;
	v = check ? (c ? (int)c->verdict : -1) : (int)ub_checks_worst(&checks);
	if (c && c->verdict == UB_FAIL)
		assert_non_null(c->advice_id);   /* every failure says what to do */
	strcpy(layers, meta.layers);
	ub_checks_free(&checks);
	ub_meta_free(&meta);
	ub_src_close(&s);
	return v;
}

static void sound_and_flipped(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		const struct sample *x = &samples[i];
		char layers[192];
		size_t len, at;
		char *buf = load(x->file, &len);

		print_message("%s: %s\n", x->file, x->check);
		assert_int_equal(inspect(buf, len, x->check, layers), UB_PASS);
		assert_string_equal(layers, x->layers);
		at = x->flip >= 0 ? (size_t)x->flip : len - (size_t)-x->flip;
		buf[at] ^= 0x5a;
		assert_int_equal(inspect(buf, len, x->check, layers), UB_FAIL);
		free(buf);
	}
}

static void truncated_everywhere(void **state)
{
	size_t i;

	(void)state;
	/* Every prefix of every sample: no crash, and some check fails (a
	 * cut download is never clean).  Raw data cannot tell, so prefixes
	 * too short to be recognised are left out. */
	for (i = 0; i < sizeof samples / sizeof samples[0]; i++) {
		char layers[192];
		size_t len, cut;
		char *buf = load(samples[i].file, &len);

		for (cut = 0; cut < len - samples[i].pad; cut += 1 + len / 97) {
			int v = inspect(buf, cut, NULL, layers);

			if (strcmp(layers, "raw") != 0 && v != UB_FAIL)
				fail_msg("%s cut to %zu of %zu bytes (%s) is not refused",
					 samples[i].file, cut, len, layers);
		}
		free(buf);
	}
}

static void dump_lines(void **state)
{
	uint8_t buf[40];
	struct ub_dump d = { 0x04040000, buf, 20, 0, 0, 1 };
	static const char l1[] = "04040000: 27 05 19 56 9a cc ff 23 00 01 02 03 04 05 06 07    '..V...#........";
	static const char l2[] = "04040010: aa bb cc dd                                      ....";

	(void)state;
	assert_int_equal(ub_dump_line(&d, "=> md.b 4040000 14", 18), 0);   /* echo: noise */
	assert_int_equal(d.bad_lines, 1);
	assert_int_equal(ub_dump_line(&d, l1, strlen(l1)), 0);
	assert_int_equal(d.got, 16);
	assert_int_equal(buf[0], 0x27);
	assert_int_equal(buf[15], 0x07);
	assert_int_equal(ub_dump_line(&d, l2, strlen(l2)), 0);
	assert_int_equal(d.got, 20);
	assert_int_equal(buf[19], 0xdd);
	/* out of sequence, garbled and excess lines are refused */
	d = (struct ub_dump){ 0x04040000, buf, 20, 0, 0, 1 };
	assert_int_equal(ub_dump_line(&d, l2, strlen(l2)), -1);
	assert_int_equal(ub_dump_line(&d, "04040000: 27 05 1x 56", 21), -1);
	assert_int_equal(ub_dump_line(&d, "04040000: 27 05", 15), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sound_and_flipped),
		cmocka_unit_test(truncated_everywhere),
		cmocka_unit_test(dump_lines),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
