/* Image sets (image/imgset.c): an update zip's images in AOSP's order with
 * its requirements, userdata and cache left out; a factory archive's two
 * passes; layouts that are broken or unsafe refused; a single image is no
 * set.  The archives are made here with libarchive's writer. */
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

#include "image/imgset.h"

struct ent {
	const char *name;
	const void *data;   /* NULL: its name's bytes, as a short image */
	size_t len;
};

/* A zip (or a tar) of the entries, in a memory file. */
static int make(const struct ent *v, size_t n, int tar)
{
	int fd = memfd_create("set", MFD_CLOEXEC);
	struct archive *a = archive_write_new();
	struct archive_entry *e = archive_entry_new();
	size_t i;

	assert_true(fd >= 0);
	if (tar)
		archive_write_set_format_pax_restricted(a);
	else
		archive_write_set_format_zip(a);
	assert_int_equal(archive_write_open_fd(a, fd), ARCHIVE_OK);
	for (i = 0; i < n; i++) {
		const void *d = v[i].data ? v[i].data : v[i].name;
		size_t len = v[i].data ? v[i].len : strlen(v[i].name);

		archive_entry_clear(e);
		archive_entry_set_pathname(e, v[i].name);
		archive_entry_set_filetype(e, AE_IFREG);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_size(e, (la_int64_t)len);
		assert_int_equal(archive_write_header(a, e), ARCHIVE_OK);
		assert_int_equal(archive_write_data(a, d, len), (la_ssize_t)len);
	}
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
	return fd;
}

/* The memory file's bytes (for a zip inside a zip). */
static void *bytes(int fd, size_t *len)
{
	off_t n = lseek(fd, 0, SEEK_END);
	void *b = malloc((size_t)n);

	assert_non_null(b);
	assert_int_equal(pread(fd, b, (size_t)n, 0), n);
	*len = (size_t)n;
	close(fd);
	return b;
}

static int read_set(int fd, struct ub_imgset *set, struct ub_err *e)
{
	struct ub_src s;
	int rc;

	ub_err_clear(e);
	assert_int_equal(ub_src_from_fd(&s, fd, "set.zip", e), 0);
	rc = ub_imgset_read(&s, NULL, set, e);
	ub_src_close(&s);
	return rc;
}

/* Image k holds its entry's bytes (its name, as make wrote it). */
static void holds(const struct ub_set_image *im, const char *text)
{
	char buf[256];
	struct ub_err e;

	assert_int_equal(im->src.size, strlen(text));
	assert_int_equal(ub_src_read(&im->src, 0, buf, strlen(text), &e), 0);
	assert_memory_equal(buf, text, strlen(text));
}

static const char info[] = "require board=sargo\nrequire version-bootloader=b4s4-0.2\n"
			   "require version-baseband=g670-00011\n";

static void update_zip(void **state)
{
	const struct ent v[] = {
		{ "android-info.txt", info, sizeof info - 1 },
		{ "system.img", NULL, 0 },
		{ "vendor.img", NULL, 0 },
		{ "userdata.img", NULL, 0 },
		{ "vbmeta.img", NULL, 0 },
		{ "cache.img", NULL, 0 },
		{ "boot_other.img", NULL, 0 },
		{ "dt.img", NULL, 0 },
		{ "boot.img", NULL, 0 },
		{ "product.img.sig", NULL, 0 },      /* not an image */
		{ "notes/recovery.img", NULL, 0 },   /* AOSP reads only the top */
		{ "dtbo.img", NULL, 0 },
	};
	static const char *const order[] = { "boot", "dtbo", "dts", "vbmeta", "system", "vendor" };
	struct ub_imgset set;
	struct ub_err e;
	size_t i;

	(void)state;
	assert_int_equal(read_set(make(v, sizeof v / sizeof v[0], 0), &set, &e), 0);
	assert_string_equal(set.kind, "update zip");
	assert_int_equal(set.n, 6);
	for (i = 0; i < set.n; i++) {
		assert_string_equal(set.v[i].part, order[i]);
		assert_int_equal(set.v[i].restart, 0);
	}
	holds(&set.v[0], "boot.img");
	holds(&set.v[2], "dt.img");
	holds(&set.v[5], "vendor.img");
	assert_string_equal(set.v[0].entry, "boot.img");
	/* userdata and cache are the owner's data; _other is the other slot */
	assert_non_null(strstr(set.notes, "userdata.img left out: it would erase the owner's data"));
	assert_non_null(strstr(set.notes, "cache.img left out"));
	assert_non_null(strstr(set.notes, "boot_other.img left out: it is for the other slot"));
	assert_int_equal(set.req.n, 3);
	assert_string_equal(set.req.v[0].var, "product");
	assert_string_equal(set.req.v[0].from, "android-info.txt");
	for (i = 0; i < set.req.n; i++)   /* all before anything: no image of the set brings them */
		assert_int_equal(set.req.v[i].after, -1);
	ub_imgset_free(&set);
	/* a tar works the same */
	assert_int_equal(read_set(make(v, sizeof v / sizeof v[0], 1), &set, &e), 0);
	assert_int_equal(set.n, 6);
	ub_imgset_free(&set);
}

/* flash-all.sh's folder: the bootloader, a restart, the radio, a restart,
 * then the update zip's images. */
static void factory(void **state)
{
	const struct ent inner[] = {
		{ "android-info.txt", info, sizeof info - 1 },
		{ "system.img", NULL, 0 },
		{ "boot.img", NULL, 0 },
		{ "userdata.img", NULL, 0 },
	};
	size_t zlen;
	void *zip = bytes(make(inner, 4, 0), &zlen);
	const struct ent v[] = {
		{ "sargo-pq/flash-all.sh", NULL, 0 },
		{ "sargo-pq/radio-sargo-g670-00011.img", NULL, 0 },
		{ "sargo-pq/image-sargo-pq.zip", zip, zlen },
		{ "sargo-pq/bootloader-sargo-b4s4-0.2.img", NULL, 0 },
	};
	struct ub_imgset set;
	struct ub_err e;

	(void)state;
	assert_int_equal(read_set(make(v, 4, 0), &set, &e), 0);
	assert_string_equal(set.kind, "factory archive");
	assert_int_equal(set.n, 4);
	assert_string_equal(set.v[0].part, "bootloader");
	assert_int_equal(set.v[0].restart, 1);
	assert_string_equal(set.v[0].version, "b4s4-0.2");
	assert_string_equal(set.v[0].provides, "version-bootloader");
	holds(&set.v[0], "sargo-pq/bootloader-sargo-b4s4-0.2.img");
	assert_string_equal(set.v[1].part, "radio");
	assert_int_equal(set.v[1].restart, 1);
	assert_string_equal(set.v[1].version, "g670-00011");
	assert_string_equal(set.v[2].part, "boot");
	assert_int_equal(set.v[2].restart, 0);
	assert_string_equal(set.v[2].entry, "sargo-pq/image-sargo-pq.zip:boot.img");
	holds(&set.v[2], "boot.img");
	assert_string_equal(set.v[3].part, "system");
	assert_non_null(strstr(set.notes, "userdata.img left out"));
	/* the versions are checked once the new bootloader and radio run */
	assert_int_equal(set.req.n, 3);
	assert_int_equal(set.req.v[0].after, -1);
	assert_int_equal(set.req.v[1].after, 0);
	assert_int_equal(set.req.v[2].after, 1);
	assert_string_equal(set.req.v[1].from, "sargo-pq/image-sargo-pq.zip:android-info.txt");
	ub_imgset_free(&set);
	free(zip);
}

/* No version-bootloader in the zip: the bootloader's file name says it. */
static void factory_version_from_name(void **state)
{
	static const char board[] = "require board=my-board\n";
	const struct ent inner[] = {
		{ "android-info.txt", board, sizeof board - 1 },
		{ "boot.img", NULL, 0 },
	};
	size_t zlen;
	void *zip = bytes(make(inner, 2, 0), &zlen);
	const struct ent v[] = {
		{ "bootloader-my-board-V1.2-x.img", NULL, 0 },
		{ "image-my-board-1.zip", zip, zlen },
	};
	struct ub_imgset set;
	struct ub_err e;

	(void)state;
	assert_int_equal(read_set(make(v, 2, 0), &set, &e), 0);
	assert_int_equal(set.n, 2);
	/* a product with '-' in it, named by the requirements */
	assert_string_equal(set.v[0].version, "V1.2-x");
	assert_int_equal(set.req.n, 2);
	assert_string_equal(set.req.v[1].var, "version-bootloader");
	assert_int_equal(set.req.v[1].after, 0);
	assert_int_equal(set.req.v[1].nocase, 1);
	assert_true(ub_req_value_matches(&set.req.v[1], "v1.2-X"));
	assert_string_equal(set.req.v[1].from, "bootloader-my-board-V1.2-x.img");
	ub_imgset_free(&set);
	free(zip);
}

static void refuse(const struct ent *v, size_t n, int want, const char *advice, const char *says)
{
	struct ub_imgset set;
	struct ub_err e;
	int rc = read_set(make(v, n, 0), &set, &e);

	if (rc != want || strcmp(e.advice_id ? e.advice_id : "", advice) || !strstr(e.msg, says))
		fail_msg("rc %d (want %d), advice %s (want %s): %s (want '%s')", rc, want,
			 e.advice_id ? e.advice_id : "-", advice, e.msg, says);
	assert_int_equal(set.n, 0);   /* nothing left behind */
	assert_null(set.v);
}

static void broken(void **state)
{
	const struct ent no_info[] = { { "boot.img", NULL, 0 }, { "image-x.zip", "PK\5\6" "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 22 } };
	const struct ent no_image[] = { { "android-info.txt", info, sizeof info - 1 }, { "readme", NULL, 0 } };
	const struct ent super[] = { { "android-info.txt", info, sizeof info - 1 }, { "super_empty.img", NULL, 0 } };
	const struct ent badname[] = { { "android-info.txt", info, sizeof info - 1 }, { "bo ot.img", NULL, 0 } };
	const struct ent longname[] = { { "android-info.txt", info, sizeof info - 1 },
					{ "abcdefghijabcdefghijabcdefghijab.img", NULL, 0 } };
	const struct ent badinfo[] = { { "android-info.txt", "require board\n", 14 }, { "boot.img", NULL, 0 } };
	const struct ent two_dt[] = { { "android-info.txt", info, sizeof info - 1 }, { "dt.img", NULL, 0 },
				      { "dts.img", NULL, 0 } };
	const struct ent unsafe[] = { { "android-info.txt", info, sizeof info - 1 }, { "../boot.img", NULL, 0 } };
	const struct ent twice[] = { { "android-info.txt", info, sizeof info - 1 }, { "boot.img", NULL, 0 },
				     { "./boot.img", NULL, 0 } };
	size_t zlen;
	void *zip = bytes(make(no_image, 2, 0), &zlen);
	const struct ent two_bl[] = { { "bootloader-a-1.img", NULL, 0 }, { "bootloader-a-2.img", NULL, 0 },
				      { "image-a.zip", zip, zlen } };
	const struct ent two_zips[] = { { "image-a.zip", zip, zlen }, { "image-b.zip", zip, zlen } };
	const struct ent inner_empty[] = { { "bootloader-a-1.img", NULL, 0 }, { "image-a.zip", zip, zlen } };
	const struct ent not_zip[] = { { "image-a.zip", "not a zip at all", 16 } };

	(void)state;
	refuse(no_image, 2, UB_EFORMAT, "imgset-invalid", "android-info.txt has no image beside it");
	refuse(super, 2, UB_EFORMAT, "imgset-unsupported", "super_empty.img");
	refuse(badname, 2, UB_EFORMAT, "imgset-invalid", "'bo ot' is no partition's name");
	refuse(longname, 2, UB_EFORMAT, "imgset-invalid", "is no partition's name");
	refuse(badinfo, 2, UB_EFORMAT, "imgset-invalid", "android-info.txt line 1: not a requirement");
	refuse(two_dt, 3, UB_EFORMAT, "imgset-invalid", "two images for partition dts");
	refuse(unsafe, 2, UB_EFORMAT, "archive-unsafe", "");
	refuse(twice, 3, UB_EFORMAT, "archive-unsafe", "twice");
	refuse(two_bl, 3, UB_EFORMAT, "imgset-invalid", "two bootloaders");
	refuse(two_zips, 2, UB_EFORMAT, "imgset-invalid", "two update zips");
	refuse(inner_empty, 2, UB_EFORMAT, "imgset-invalid", "image-a.zip:android-info.txt has no image beside it");
	refuse(not_zip, 1, UB_EFORMAT, "imgset-invalid", "image-a.zip is no zip");
	refuse(no_info, 2, UB_EFORMAT, "imgset-invalid", "image-x.zip:");
	free(zip);
}

/* A download cut short is refused, not read as a smaller set. */
static void cut_short(void **state)
{
	const struct ent v[] = { { "android-info.txt", info, sizeof info - 1 }, { "boot.img", NULL, 0 },
				 { "system.img", NULL, 0 } };
	struct ub_imgset set;
	struct ub_err e;
	int fd = make(v, 3, 0);
	off_t n = lseek(fd, 0, SEEK_END);

	(void)state;
	assert_int_equal(ftruncate(fd, n - 30), 0);
	assert_int_equal(read_set(fd, &set, &e), UB_EFORMAT);
	assert_string_equal(e.advice_id, "archive-corrupt");
	assert_int_equal(set.n, 0);
}

/* A single image (packed or not) is no set: the gates judge it alone. */
static void not_a_set(void **state)
{
	const struct ent one[] = { { "firmware.bin", NULL, 0 } };
	const struct ent deep[] = { { "a/b/image-x.zip", NULL, 0 }, { "a/android-info.txt", info, sizeof info - 1 } };
	struct ub_imgset set;
	struct ub_err e;
	int fd = memfd_create("raw", MFD_CLOEXEC);

	(void)state;
	assert_int_equal(read_set(make(one, 1, 0), &set, &e), 1);
	assert_int_equal(set.n, 0);
	/* an update zip or android-info.txt deeper than flash-all.sh's folder */
	assert_int_equal(read_set(make(deep, 2, 0), &set, &e), 1);
	assert_int_equal(write(fd, "\0\1\2\3 raw image", 15), 15);
	assert_int_equal(read_set(fd, &set, &e), 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(update_zip),
		cmocka_unit_test(factory),
		cmocka_unit_test(factory_version_from_name),
		cmocka_unit_test(broken),
		cmocka_unit_test(cut_short),
		cmocka_unit_test(not_a_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
