/* Compressed streams: the fixtures in tests/data/unpack were made once with
 * gzip, xz, zstd and bzip2 (see make.sh there).  Every damaged byte and
 * every cut must be caught by the "decompress" check itself, not left to
 * luck in the inner layer. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>
#include <zlib.h>

#include "image/format.h"
#include "image/unpack.h"

struct run {
	struct ub_checks checks;
	struct ub_image_meta meta;
	struct ub_err err;
	struct ub_inspect ctx;
	int rc;
};

static char *fixture_path(const char *name)
{
	static char path[4096];
	const char *dir = getenv("UB_TESTDATA");

	snprintf(path, sizeof path, "%s/unpack/%s", dir ? dir : "tests/data", name);
	return path;
}

static uint8_t *load(const char *name, size_t *len)
{
	FILE *f = fopen(fixture_path(name), "rb");
	uint8_t *buf;
	long n;

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

static void inspect_fd(struct run *r, int fd, const char *tmpdir)
{
	struct ub_src s;

	memset(r, 0, sizeof *r);
	r->ctx.checks = &r->checks;
	r->ctx.meta = &r->meta;
	r->ctx.err = &r->err;
	r->ctx.tmpdir = tmpdir;
	assert_int_equal(ub_src_from_fd(&s, fd, "test-input", &r->err), 0);
	r->rc = ub_inspect(&r->ctx, &s);
	ub_src_close(&s);
}

static void inspect_buf(struct run *r, const uint8_t *data, size_t len)
{
	int fd = memfd_create("t", MFD_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	inspect_fd(r, fd, NULL);
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

static enum ub_verdict verdict(const struct run *r, const char *name)
{
	const struct ub_check *c = ub_checks_find(&r->checks, name);

	return c ? c->verdict : (enum ub_verdict)-1;
}

static const char *const streams[] = { "fw.img.gz", "fw.img.xz", "fw.img.zst", "fw.img.bz2" };
static const char *const kinds[] = { "gzip", "xz", "zstd", "bzip2" };
static const size_t magic_len[] = { 3, 6, 4, 4 };

static void good_streams(void **state)
{
	char want[64];
	struct run r;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		inspect_file(&r, streams[i]);
		assert_int_equal(r.rc, 0);
		assert_int_equal(verdict(&r, "decompress"), UB_PASS);
		/* the layer is named by the filter; the inner image was inspected */
		snprintf(want, sizeof want, "%s > uimage > raw", kinds[i]);
		assert_string_equal(r.meta.layers, want);
		assert_int_equal(verdict(&r, "uimage-data-crc"), UB_PASS);
		assert_string_equal(r.meta.name, "acme fw");
		assert_int_equal(ub_checks_worst(&r.checks), UB_PASS);
		assert_non_null(strstr(ub_checks_find(&r.checks, "decompress")->why, "expands to 2.1 KiB"));
		/* the stream's own check vouches for every byte it holds */
		snprintf(want, sizeof want, "the %s stream", kinds[i]);
		assert_non_null(r.ctx.covered);
		assert_non_null(strstr(r.ctx.covered, want));
		done(&r);
	}
}

/* Bytes of a stream's header that may change without changing the data:
 * gzip's MTIME, XFL and OS fields.  Every other byte is covered by a
 * check. */
static int harmless(size_t i, size_t off)
{
	return i == 0 && off >= 4 && off <= 9;
}

static void every_flipped_byte_is_caught(void **state)
{
	struct run r;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		size_t len, caught = 0, same = 0;
		uint8_t *d = load(streams[i], &len);

		/* after the magic: with a broken magic it is simply not this format */
		for (size_t off = magic_len[i]; off < len; off++) {
			if (harmless(i, off))
				continue;
			d[off] ^= 0xff;
			inspect_buf(&r, d, len);
			d[off] ^= 0xff;
			assert_int_equal(r.rc, 0);
			if (verdict(&r, "decompress") == UB_FAIL) {
				caught++;
			} else {
				/* a flip in redundant coding (bzip2's tables for
				 * unused symbols) leaves the data as it was: the
				 * stream's CRCs and the image's own CRC-32s over
				 * all of it say so */
				if (verdict(&r, "uimage-header-crc") != UB_PASS ||
				    verdict(&r, "uimage-data-crc") != UB_PASS)
					fail_msg("%s: byte %zu flipped, changed data passed: %s",
						 streams[i], off,
						 ub_checks_find(&r.checks, "decompress")->why);
				same++;
			}
			done(&r);
		}
		print_message("%s: %zu flips caught, %zu left the data unchanged\n",
			      streams[i], caught, same);
		assert_true(same * 100 <= len);   /* rare, and only where no data is */
		free(d);
	}
}

static void every_cut_is_caught(void **state)
{
	struct run r;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		size_t len;
		uint8_t *d = load(streams[i], &len);

		for (size_t cut = 6; cut < len; cut++) {
			inspect_buf(&r, d, cut);
			assert_int_equal(r.rc, 0);
			if (verdict(&r, "decompress") != UB_FAIL)
				fail_msg("%s cut at %zu of %zu not caught", streams[i], cut, len);
			assert_int_equal(verdict(&r, "decompress"), UB_FAIL);
			assert_string_equal(ub_checks_find(&r.checks, "decompress")->advice_id,
					    "compressed-corrupt");
			done(&r);
		}
		free(d);
	}
}

static void gzip_members_padding_and_trailing_data(void **state)
{
	struct run r;
	size_t len;
	uint8_t *d;

	(void)state;
	/* cat a.gz b.gz is one valid gzip stream */
	inspect_file(&r, "multi.gz");
	assert_int_equal(verdict(&r, "decompress"), UB_PASS);
	assert_non_null(strstr(ub_checks_find(&r.checks, "decompress")->why, "every member"));
	assert_int_equal(verdict(&r, "uimage-data-crc"), UB_PASS);
	done(&r);
	/* a flipped byte in the second member's CRC */
	d = load("multi.gz", &len);
	d[len - 6] ^= 1;
	inspect_buf(&r, d, len);
	assert_int_equal(verdict(&r, "decompress"), UB_FAIL);
	assert_non_null(strstr(ub_checks_find(&r.checks, "decompress")->why, "member 2"));
	assert_non_null(strstr(ub_checks_find(&r.checks, "decompress")->why, "CRC-32"));
	done(&r);
	free(d);
	/* zero padding after the stream is ignored */
	inspect_file(&r, "padded.gz");
	assert_int_equal(verdict(&r, "decompress"), UB_PASS);
	assert_non_null(strstr(ub_checks_find(&r.checks, "decompress")->why, "padding"));
	done(&r);
	/* other bytes after it are named: they were not inspected */
	d = load("padded.gz", &len);
	d[len - 1] = 'x';
	inspect_buf(&r, d, len);
	assert_int_equal(verdict(&r, "decompress"), UB_WARN);
	assert_non_null(strstr(ub_checks_find(&r.checks, "decompress")->why, "512 bytes after it"));
	assert_true(ub_checks_find(&r.checks, "decompress")->flags & UB_CHECK_UNINSPECTED);
	assert_null(r.ctx.covered);
	done(&r);
	free(d);
}

static void streams_without_checksum_warn(void **state)
{
	static const char *const files[] = { "nocheck.xz", "nocheck.zst" };
	struct run r;

	(void)state;
	for (size_t i = 0; i < 2; i++) {
		inspect_file(&r, files[i]);
		assert_int_equal(verdict(&r, "decompress"), UB_WARN);
		assert_non_null(strstr(ub_checks_find(&r.checks, "decompress")->why, "no checksum"));
		/* the inner checks still run, and vouch for it */
		assert_int_equal(verdict(&r, "uimage-data-crc"), UB_PASS);
		assert_non_null(r.ctx.covered);
		assert_non_null(strstr(r.ctx.covered, "uImage"));
		done(&r);
	}
}

/* The limit: UNBRICK_MAX_EXPAND below the fixture's 2128 bytes. */
static void limit_stops_expansion(void **state)
{
	struct run r;

	(void)state;
	setenv("UNBRICK_MAX_EXPAND", "2000", 1);
	for (size_t i = 0; i < 4; i++) {
		inspect_file(&r, streams[i]);
		assert_int_equal(r.rc, 0);
		assert_int_equal(verdict(&r, "decompress"), UB_FAIL);
		assert_string_equal(ub_checks_find(&r.checks, "decompress")->advice_id, "image-huge");
		assert_null(strstr(r.meta.layers, "uimage"));   /* not inspected further */
		done(&r);
	}
	setenv("UNBRICK_MAX_EXPAND", "2128", 1);   /* exactly the size: fine */
	inspect_file(&r, "fw.img.xz");
	assert_int_equal(verdict(&r, "decompress"), UB_PASS);
	done(&r);
	unsetenv("UNBRICK_MAX_EXPAND");
}

/* A real bomb: 1 GiB of zeros, zstd-compressed at test time (about 32 KiB).
 * It must stop at 128 x its size + 1 MiB, leave nothing behind, and the
 * temporary folder must never hold more than that. */
static void zstd_bomb(void **state)
{
	char dir[] = "/tmp/ub-bomb-XXXXXX", path[128], cmd[256];
	struct stat st;
	struct run r;
	DIR *d;
	int fd, n = 0;

	(void)state;
	if (system("command -v zstd >/dev/null") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s.zst", dir);
	snprintf(cmd, sizeof cmd, "head -c 1073741824 /dev/zero | zstd -q -c > %s", path);
	assert_int_equal(system(cmd), 0);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(st.st_size < (1 << 20));
	unlink(path);
	inspect_fd(&r, fd, dir);
	assert_int_equal(r.rc, 0);
	assert_int_equal(verdict(&r, "decompress"), UB_FAIL);
	assert_string_equal(ub_checks_find(&r.checks, "decompress")->advice_id, "image-huge");
	assert_non_null(strstr(ub_checks_find(&r.checks, "decompress")->why, "decompression bomb"));
	/* O_TMPFILE: nothing with a name was left in the folder */
	d = opendir(dir);
	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	assert_int_equal(n, 2);   /* . and .. */
	rmdir(dir);
	done(&r);
}

/* A bomb in a bomb: every layer is also held to the outermost layer's
 * limit.  Inside a gzip file of ~70 KiB: 100 zstd frames of 100 MiB of
 * zeros each (10 GiB), then 64 KiB of noise that keeps the gzip ratio low.
 * The zstd layer's own limit would be 1000 x its ~400 KiB. */
static void nested_bomb_bounded_by_download(void **state)
{
	char dir[] = "/tmp/ub-nest-XXXXXX", path[128], cmd[512];
	unsigned long long limit = 0;
	const char *at;
	struct stat st;
	struct run r;
	int fd;

	(void)state;
	if (system("command -v zstd >/dev/null") != 0)
		skip();
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/n.gz", dir);
	snprintf(cmd, sizeof cmd,
		 "cd %s && head -c 104857600 /dev/zero | zstd -q -c > f && "
		 "(for i in $(seq 100); do cat f; done; head -c 65536 /dev/urandom) | gzip -c > n.gz && rm f",
		 dir);
	assert_int_equal(system(cmd), 0);
	fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	unlink(path);
	inspect_fd(&r, fd, dir);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.meta.layers, "gzip > zstd");
	assert_int_equal(r.checks.n, 2);
	assert_int_equal(r.checks.v[0].verdict, UB_PASS);
	assert_int_equal(r.checks.v[1].verdict, UB_FAIL);
	assert_string_equal(r.checks.v[1].advice_id, "image-huge");
	/* the zstd layer got what the gzip layer left of the download's
	 * budget (128 x its size + 1 MiB), far below its own 128 x ~400 KiB */
	at = strstr(r.checks.v[1].why, "(");
	assert_non_null(at);
	assert_int_equal(sscanf(at, "(%llu bytes)", &limit), 1);
	assert_true(limit < 128ull * (unsigned long long)st.st_size + (1u << 20));
	assert_true(limit < (12u << 20));
	assert_true(r.ctx.unpack_budget <= limit);
	rmdir(dir);
	done(&r);
}

/* 16 MiB that gzip packs about 250 times: a ratio no firmware has.  Past
 * 128 times the download it is refused, long before it is all written
 * (1000 times was allowed: a 10 MB bomb wrote 9.7 GiB first). */
static void ratio_past_128_refused(void **state)
{
	size_t n = 16u << 20, i;
	uint8_t *raw = calloc(1, n), *gz = malloc(n);
	z_stream z;
	struct run r;
	const struct ub_check *c;

	(void)state;
	assert_non_null(raw);
	assert_non_null(gz);
	for (i = 0; i < 50000; i++)
		raw[i] = (uint8_t)(i * 2654435761u >> 24);
	memset(&z, 0, sizeof z);
	assert_int_equal(deflateInit2(&z, 9, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = raw;
	z.avail_in = (uInt)n;
	z.next_out = gz;
	z.avail_out = (uInt)n;
	assert_int_equal(deflate(&z, Z_FINISH), Z_STREAM_END);
	deflateEnd(&z);
	assert_true(z.total_out * 200 < n && z.total_out * 1000 > n);
	unsetenv("UNBRICK_MAX_EXPAND");
	inspect_buf(&r, gz, z.total_out);
	assert_int_equal(r.rc, 0);
	c = ub_checks_find(&r.checks, "decompress");
	assert_non_null(c);
	assert_int_equal(c->verdict, UB_FAIL);
	assert_string_equal(c->advice_id, "image-huge");
	assert_non_null(strstr(c->why, "128 times its size"));
	assert_non_null(strstr(c->why, "UNBRICK_MAX_EXPAND"));
	done(&r);
	/* a technician who trusts it lifts the limit */
	setenv("UNBRICK_MAX_EXPAND", "16777216", 1);
	inspect_buf(&r, gz, z.total_out);
	assert_int_equal(verdict(&r, "decompress"), UB_PASS);
	done(&r);
	unsetenv("UNBRICK_MAX_EXPAND");
	free(raw);
	free(gz);
}

static void disk_full_stops_before_writing(void **state)
{
	uint64_t keep = ub_unpack_reserve;
	struct run r;

	(void)state;
	ub_unpack_reserve = UINT64_MAX;   /* no file system has that much free */
	inspect_file(&r, "fw.img.gz");
	assert_int_equal(r.rc, UB_EIO);
	assert_string_equal(r.err.advice_id, "disk-full");
	assert_non_null(strstr(r.err.msg, "free in the temporary folder"));
	done(&r);
	ub_unpack_reserve = keep;
}

static void bad_tmpdir_is_an_error(void **state)
{
	size_t len;
	uint8_t *d = load("fw.img.zst", &len);
	struct run r;
	int fd = memfd_create("t", MFD_CLOEXEC);

	(void)state;
	assert_int_equal(write(fd, d, len), (ssize_t)len);
	inspect_fd(&r, fd, "/nonexistent/unbrick");
	assert_int_equal(r.rc, UB_EIO);
	assert_non_null(strstr(r.err.msg, "/nonexistent/unbrick"));
	done(&r);
	free(d);
}

static void sizes_for_people(void **state)
{
	char b[32];

	(void)state;
	assert_string_equal(ub_unpack_size(b, sizeof b, 0), "0 bytes");
	assert_string_equal(ub_unpack_size(b, sizeof b, 1023), "1023 bytes");
	assert_string_equal(ub_unpack_size(b, sizeof b, 4u << 20), "4.0 MiB");
	assert_string_equal(ub_unpack_size(b, sizeof b, 1536), "1.5 KiB");
	assert_string_equal(ub_unpack_size(b, sizeof b, 64ull << 30), "64.0 GiB");
}

static void limits(void **state)
{
	struct ub_src s = { .size = 1000 };
	struct ub_inspect ctx = { 0 };

	(void)state;
	unsetenv("UNBRICK_MAX_EXPAND");
	assert_int_equal(ub_unpack_limit(&s), 128u * 1000 + (1u << 20));
	s.size = 1ull << 40;
	assert_int_equal(ub_unpack_limit(&s), 64ull << 30);
	s.size = UINT64_MAX;   /* no overflow */
	assert_int_equal(ub_unpack_limit(&s), 64ull << 30);
	/* the first layer sets the budget; a larger inner layer is held to
	 * it, and to what the layers before it left */
	s.size = 1000;
	assert_int_equal(ub_unpack_layer_limit(&ctx, &s), 1176576);
	ub_unpack_spend(&ctx, 176576);
	s.size = 1u << 20;
	assert_int_equal(ub_unpack_layer_limit(&ctx, &s), 1000000);
	ub_unpack_spend(&ctx, 2000000);   /* never below nothing */
	assert_int_equal(ub_unpack_layer_limit(&ctx, &s), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_streams),
		cmocka_unit_test(every_flipped_byte_is_caught),
		cmocka_unit_test(every_cut_is_caught),
		cmocka_unit_test(gzip_members_padding_and_trailing_data),
		cmocka_unit_test(streams_without_checksum_warn),
		cmocka_unit_test(limit_stops_expansion),
		cmocka_unit_test(zstd_bomb),
		cmocka_unit_test(nested_bomb_bounded_by_download),
		cmocka_unit_test(ratio_past_128_refused),
		cmocka_unit_test(disk_full_stops_before_writing),
		cmocka_unit_test(bad_tmpdir_is_an_error),
		cmocka_unit_test(sizes_for_people),
		cmocka_unit_test(limits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
