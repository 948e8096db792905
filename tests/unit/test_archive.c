/* zip and tar archives: fixtures in tests/data/unpack were made once with
 * zip, tar and Python's zipfile/tarfile (see make.sh there).  Unsafe
 * archives are refused before anything is unpacked; the firmware entry is
 * found among side files, unpacked and inspected. */
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

#include <archive.h>
#include <archive_entry.h>

#include "image/format.h"

struct run {
	struct ub_checks checks;
	struct ub_image_meta meta;
	struct ub_err err;
	struct ub_inspect ctx;
	int rc;
};

static uint8_t *load(const char *name, size_t *len)
{
	char path[4096];
	const char *dir = getenv("UB_TESTDATA");
	FILE *f;
	uint8_t *buf;
	long n;

	snprintf(path, sizeof path, "%s/unpack/%s", dir ? dir : "tests/data", name);
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	*len = (size_t)n;
	return buf;
}

static void inspect_fd(struct run *r, int fd)
{
	struct ub_src s;

	memset(r, 0, sizeof *r);
	r->ctx.checks = &r->checks;
	r->ctx.meta = &r->meta;
	r->ctx.err = &r->err;
	assert_int_equal(ub_src_from_fd(&s, fd, "dl.archive", &r->err), 0);
	r->rc = ub_inspect(&r->ctx, &s);
	ub_src_close(&s);
}

static void inspect_buf(struct run *r, const uint8_t *data, size_t len)
{
	int fd = memfd_create("t", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	inspect_fd(r, fd);
}

static void inspect_file(struct run *r, const char *name)
{
	size_t len;
	uint8_t *d = load(name, &len);

	inspect_buf(r, d, len);
	free(d);
}

static void done(struct run *r)
{
	ub_checks_free(&r->checks);
	ub_meta_free(&r->meta);
}

static const struct ub_check *check(const struct run *r, const char *name)
{
	const struct ub_check *c = ub_checks_find(&r->checks, name);

	if (!c)
		fail_msg("no check '%s'", name);
	return c;
}

static void good_archives(void **state)
{
	static const struct {
		const char *file, *layers;
	} cases[] = {
		{ "fw.zip", "zip > uimage > raw" },
		{ "fw.tar", "tar > uimage > raw" },
		{ "fw.tar.gz", "gzip > tar > uimage > raw" },
	};
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		inspect_file(&r, cases[i].file);
		assert_int_equal(r.rc, 0);
		assert_string_equal(r.meta.layers, cases[i].layers);
		assert_int_equal(check(&r, "archive-safety")->verdict, UB_PASS);
		/* the firmware is picked among side files: SHA256SUMS, README.txt,
		 * docs/manual.md; the message names all of them */
		assert_non_null(strstr(check(&r, "archive-safety")->why,
				       "firmware: acme-fw.img (2.1 KiB); also: "));
		assert_non_null(strstr(check(&r, "archive-safety")->why, "SHA256SUMS"));
		assert_non_null(strstr(check(&r, "archive-safety")->why, "docs/manual.md"));
		assert_null(ub_checks_find(&r.checks, "archive-firmware"));
		assert_int_equal(check(&r, "uimage-data-crc")->verdict, UB_PASS);
		assert_string_equal(r.meta.name, "acme fw");
		assert_int_equal(ub_checks_worst(&r.checks), UB_PASS);
		done(&r);
	}
	inspect_file(&r, "fw.zip");
	assert_non_null(strstr(check(&r, "archive-safety")->why, "5 entries"));
	done(&r);
}

/* Each crafted archive, and the words its refusal must contain. */
static void unsafe_archives_refused(void **state)
{
	static const struct {
		const char *file, *words;
	} cases[] = {
		{ "slip.zip", "'../../etc/evil' climbs out with '..'" },
		{ "abs.zip", "'/etc/evil' is an absolute path" },
		{ "dup.zip", "'fw.bin' appears twice" },
		{ "link-out.zip", "'conf' is a link to an absolute path" },
		{ "abs.tar", "'/etc/x' is an absolute path" },
		{ "slip.tar", "'a/../../evil' climbs out" },
		{ "symlink-abs.tar", "is a link to an absolute path ('/etc/passwd')" },
		{ "symlink-up.tar", "'sub/up' is a link pointing outside" },
		{ "through-link.tar", "'d/x' lies inside the link 'd'" },
		{ "hardlink.tar", "hard link to '../secret'" },
		{ "blockdev.tar", "'dev/sda' is a block device" },
		{ "chardev.tar", "'dev/mem' is a character device" },
		{ "fifo.tar", "'p' is a named pipe" },
		{ "dup.tar", "'fw.bin' appears twice" },
		{ "huge.tar", "claims 1099511627776 bytes" },
	};
	struct run r;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct ub_check *c;

		inspect_file(&r, cases[i].file);
		assert_int_equal(r.rc, 0);
		c = check(&r, "archive-safety");
		if (!strstr(c->why, cases[i].words))
			fail_msg("%s: '%s' lacks \"%s\"", cases[i].file, c->why, cases[i].words);
		assert_int_equal(c->verdict, UB_FAIL);
		assert_string_equal(c->advice_id, "archive-unsafe");
		/* nothing was unpacked or inspected further */
		assert_null(strstr(r.meta.layers, ">"));
		assert_int_equal(r.checks.n, 1);
		done(&r);
	}
}

static void links_inside_are_fine(void **state)
{
	struct run r;

	(void)state;
	/* sub/cur -> ../sub/fw.bin stays inside */
	inspect_file(&r, "symlink-in.tar");
	assert_int_equal(check(&r, "archive-safety")->verdict, UB_PASS);
	assert_non_null(strstr(check(&r, "archive-safety")->why, "firmware: sub/fw.bin (1000 bytes)"));
	done(&r);
}

static void no_firmware_inside(void **state)
{
	struct run r;

	(void)state;
	inspect_file(&r, "readme.zip");
	assert_int_equal(check(&r, "archive-safety")->verdict, UB_PASS);
	assert_int_equal(check(&r, "archive-firmware")->verdict, UB_FAIL);
	assert_string_equal(check(&r, "archive-firmware")->advice_id, "archive-no-firmware");
	assert_non_null(strstr(check(&r, "archive-firmware")->why, "README.txt, fw.sha256"));
	done(&r);
}

/* A tar of n entries made with libarchive's writer; sizes[i % 3] each. */
static int make_tar(long n, const char *dup)
{
	static const char data[300];
	int fd = memfd_create("t", MFD_CLOEXEC);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	char name[32];

	assert_true(fd >= 0);
	archive_write_set_format_ustar(a);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (long i = 0; i < n; i++) {
		size_t size = i == 1 ? 300 : i % 3 ? 0 : 100;

		archive_entry_clear(e);
		snprintf(name, sizeof name, "d/f%05ld.bin", i);
		archive_entry_set_pathname(e, i == n - 1 && dup ? dup : name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)size);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, data, size), (la_ssize_t)size);
	}
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return fd;
}

static void entry_count_limit(void **state)
{
	struct run r;

	(void)state;
	inspect_fd(&r, make_tar(10000, NULL));
	assert_int_equal(check(&r, "archive-safety")->verdict, UB_PASS);
	assert_non_null(strstr(check(&r, "archive-safety")->why,
			       "10000 entries; firmware: d/f00001.bin (300 bytes); also: d/f00000.bin, "));
	/* many candidates: the pick is a guess, and says so */
	assert_int_equal(check(&r, "archive-firmware")->verdict, UB_WARN);
	assert_non_null(strstr(check(&r, "archive-firmware")->why, "10000 files could be the firmware"));
	done(&r);
	inspect_fd(&r, make_tar(10001, NULL));
	assert_int_equal(check(&r, "archive-safety")->verdict, UB_FAIL);
	assert_non_null(strstr(check(&r, "archive-safety")->why, "more than 10000 entries"));
	done(&r);
	/* a duplicate far apart is still found ("./" does not hide it) */
	inspect_fd(&r, make_tar(3000, "./d//f00007.bin"));
	assert_int_equal(check(&r, "archive-safety")->verdict, UB_FAIL);
	assert_non_null(strstr(check(&r, "archive-safety")->why, "'d/f00007.bin' appears twice"));
	done(&r);
}

/* One entry of a tar made by links_tar: 'f' a file of 1000 bytes, 'd' a
 * folder, 's' a symbolic link, 'h' a hard link, to target. */
struct ment {
	char type;
	const char *name, *target;
};

static int links_tar(const struct ment *m, size_t n)
{
	static const char data[1000];
	int fd = memfd_create("t", MFD_CLOEXEC);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();

	assert_true(fd >= 0);
	archive_write_set_format_pax_restricted(a);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (size_t i = 0; i < n; i++) {
		archive_entry_clear(e);
		archive_entry_set_pathname(e, m[i].name);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, m[i].type == 'f' ? (la_int64_t)sizeof data : 0);
		if (m[i].type == 'h')
			archive_entry_set_hardlink(e, m[i].target);
		else
			archive_entry_set_filetype(e, m[i].type == 'f' ? AE_IFREG :
						   m[i].type == 'd' ? AE_IFDIR : AE_IFLNK);
		if (m[i].type == 's')
			archive_entry_set_symlink(e, m[i].target);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		if (m[i].type == 'f')
			assert_int_equal(archive_write_data(a, data, sizeof data), (la_ssize_t)sizeof data);
	}
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return fd;
}

static void expect_safety(const struct ment *m, size_t n, enum ub_verdict v, const char *words)
{
	const struct ub_check *c;
	struct run r;

	inspect_fd(&r, links_tar(m, n));
	assert_int_equal(r.rc, 0);
	c = check(&r, "archive-safety");
	if (c->verdict != v || (words && !strstr(c->why, words)))
		fail_msg("%s: %s: '%s'", m[n - 1].name, ub_verdict_name(c->verdict), c->why);
	done(&r);
}

#define SAFETY(v, words, ...) do { \
		const struct ment m_[] = { __VA_ARGS__ }; \
		expect_safety(m_, sizeof m_ / sizeof m_[0], v, words); \
	} while (0)

/* Links are followed through the links the archive itself makes, in any
 * order, as they all are once it is unpacked. */
static void link_chains_followed(void **state)
{
	(void)state;
	/* x/y -> .. is the top; by name a -> x/y/.. stays inside, but
	 * through x/y it is above the top */
	SAFETY(UB_FAIL, "'a' is a link pointing outside the archive's folder once the links it goes through are followed",
	       { 'f', "fw.bin", NULL }, { 'd', "x", NULL }, { 's', "x/y", ".." },
	       { 's', "a", "x/y/.." });
	/* the link that makes it leave comes after: b -> . turns a -> b/..
	 * into ./.. */
	SAFETY(UB_FAIL, "'a' is a link pointing outside",
	       { 'f', "fw.bin", NULL }, { 's', "a", "b/.." }, { 's', "b", "." });
	/* a link through a link to an absolute path: the first is refused */
	SAFETY(UB_FAIL, "'etc' is a link to an absolute path",
	       { 'f', "fw.bin", NULL }, { 's', "etc", "/etc" }, { 's', "a", "etc/passwd" });
	/* a loop */
	SAFETY(UB_FAIL, "loop of links",
	       { 'f', "fw.bin", NULL }, { 's', "a", "b" }, { 's', "b", "a" });
	/* chains that stay inside are fine */
	SAFETY(UB_PASS, NULL,
	       { 'f', "sub/fw.bin", NULL }, { 's', "sub/up", ".." }, { 's', "a", "sub/up/sub/up/sub/fw.bin" },
	       { 's', "b", "a" }, { 's', "c", "./b" });
}

static void long_chain_refused(void **state)
{
	struct ment m[60];
	char names[60][8], targets[60][8];
	size_t i;

	(void)state;
	m[0] = (struct ment){ 'f', "fw.bin", NULL };
	for (i = 1; i < 60; i++) {
		snprintf(names[i], sizeof names[i], "l%zu", i);
		snprintf(targets[i], sizeof targets[i], i + 1 < 60 ? "l%zu" : "fw.bin", i + 1);
		m[i] = (struct ment){ 's', names[i], targets[i] };
	}
	expect_safety(m, 30, UB_PASS, NULL);   /* 29 links: a chain of 28 */
	expect_safety(m, 60, UB_FAIL, "of more than 40");
}

/* A hard link to a file archived before it is what tar makes of two
 * names of one file: fine.  To anything else it is refused. */
static void hard_links(void **state)
{
	struct run r;

	(void)state;
	SAFETY(UB_PASS, NULL, { 'f', "fw.bin", NULL }, { 'h', "fw-copy.bin", "fw.bin" });
	SAFETY(UB_PASS, NULL, { 'f', "d/fw.bin", NULL }, { 'h', "fw-copy.bin", "./d/fw.bin" });
	SAFETY(UB_FAIL, "is a hard link to 'nothing', which is not a file archived before it",
	       { 'f', "fw.bin", NULL }, { 'h', "h", "nothing" });
	SAFETY(UB_FAIL, "which is not a file archived before it",
	       { 'f', "fw.bin", NULL }, { 'h', "h", "later" }, { 'f', "later", NULL });
	SAFETY(UB_FAIL, "which is not a file archived before it",
	       { 'f', "fw.bin", NULL }, { 'd', "d", NULL }, { 'h', "h", "d" });
	SAFETY(UB_FAIL, "which is not a file archived before it",
	       { 'f', "fw.bin", NULL }, { 's', "s", "fw.bin" }, { 'h', "h", "s" });
	/* the hard link is not taken for the firmware, nor for another one */
	{
		const struct ment m[] = { { 'f', "fw.bin", NULL }, { 'h', "fw-copy.bin", "fw.bin" } };

		inspect_fd(&r, links_tar(m, 2));
		assert_null(ub_checks_find(&r.checks, "archive-firmware"));
		done(&r);
	}
}

static uint32_t le(const uint8_t *p, int n)
{
	uint32_t v = 0;

	while (n--)
		v = v << 8 | p[n];
	return v;
}

/* Every byte of the firmware's packed data in the zip: a flip is caught
 * (deflate error or the entry's CRC-32). */
static void zip_damage_caught(void **state)
{
	size_t len;
	uint8_t *d = load("fw.zip", &len);
	size_t start, csize;
	struct run r;

	(void)state;
	assert_int_equal(le(d, 4), 0x04034b50);
	assert_memory_equal(d + 30, "acme-fw.img", 11);
	start = 30 + le(d + 26, 2) + le(d + 28, 2);
	csize = le(d + 18, 4);
	assert_true(csize > 1000 && start + csize < len);
	for (size_t off = start; off < start + csize; off++) {
		d[off] ^= 0xff;
		inspect_buf(&r, d, len);
		d[off] ^= 0xff;
		assert_int_equal(r.rc, 0);
		if (!ub_checks_find(&r.checks, "archive-firmware"))
			fail_msg("byte %zu flipped not caught: %s", off, check(&r, "archive-safety")->why);
		assert_int_equal(check(&r, "archive-firmware")->verdict, UB_FAIL);
		assert_string_equal(check(&r, "archive-firmware")->advice_id, "archive-corrupt");
		done(&r);
	}
	free(d);
}

/* Cut anywhere, an archive fails: a zip loses its central directory, a tar
 * its end or the firmware's tail.  A tar cut after its first zero block
 * lost nothing (fw.tar ends with exactly two). */
static void cuts_caught(void **state)
{
	static const char *const files[] = { "fw.zip", "fw.tar" };
	struct run r;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		size_t len;
		uint8_t *d = load(files[i], &len);

		/* from the end of the magic: before, it is not this format */
		size_t whole = i ? len - 512 : len;

		for (size_t cut = i ? 262 : 4; cut < whole; cut += (cut < 600 ? 1 : 7)) {
			inspect_buf(&r, d, cut);
			assert_int_equal(r.rc, 0);
			if (ub_checks_worst(&r.checks) != UB_FAIL)
				fail_msg("%s cut at %zu of %zu passes (%s)", files[i], cut, len,
					 r.checks.n ? r.checks.v[0].why : "no checks");
			done(&r);
		}
		if (i) {
			inspect_buf(&r, d, whole);
			assert_int_equal(ub_checks_worst(&r.checks), UB_PASS);
			done(&r);
		}
		free(d);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_archives),
		cmocka_unit_test(unsafe_archives_refused),
		cmocka_unit_test(links_inside_are_fine),
		cmocka_unit_test(no_firmware_inside),
		cmocka_unit_test(entry_count_limit),
		cmocka_unit_test(link_chains_followed),
		cmocka_unit_test(long_chain_refused),
		cmocka_unit_test(hard_links),
		cmocka_unit_test(zip_damage_caught),
		cmocka_unit_test(cuts_caught),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
