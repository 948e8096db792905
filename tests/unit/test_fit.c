/* FIT inspection and the FDT reader: images made by the real mkimage
 * (tests/data/uboot, see make.sh there) with every data and hash byte
 * flipped and every cut, and hand-built trees that are malformed in one
 * way each, which must give a failed check and never a crash. */
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
#include <openssl/evp.h>
#include <zlib.h>

#include "image/fdt.h"
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
	const char *covered;   /* what vouches for every image's data */
	int rc;
};

static void inspect(const uint8_t *p, size_t n, struct result *r)
{
	struct ub_inspect ctx;
	struct ub_src s;
	int fd = memfd_create("t", MFD_CLOEXEC);

	memset(r, 0, sizeof *r);
	assert_true(fd >= 0);
	if (n)
		assert_int_equal(write(fd, p, n), (ssize_t)n);
	assert_int_equal(ub_src_from_fd(&s, fd, "t.itb", &r->err), 0);
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

static const struct ub_check *check(const struct result *r, const char *name)
{
	const struct ub_check *c = ub_checks_find(&r->checks, name);

	if (!c) {
		size_t i;

		print_error("no check %s; have:\n", name);
		for (i = 0; i < r->checks.n; i++)
			print_error("  %s %d %s\n", r->checks.v[i].name,
				    r->checks.v[i].verdict, r->checks.v[i].why);
		fail();
	}
	return c;
}

static enum ub_verdict verdict(const struct result *r, const char *name)
{
	return check(r, name)->verdict;
}

/* Whether any check of that name passed (one image may have several). */
static int passes(const struct result *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->checks.n; i++)
		if (strcmp(r->checks.v[i].name, name) == 0 && r->checks.v[i].verdict == UB_PASS)
			return 1;
	return 0;
}

static const char *advice(const struct result *r, const char *name)
{
	const char *a = check(r, name)->advice_id;

	return a ? a : "";
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* The kernel payload the fixtures share: the data of kernel.uimg. */
static struct blob kernel_payload(void)
{
	struct blob k = load("kernel.uimg");

	memmove(k.p, k.p + 64, k.n - 64);
	k.n -= 64;
	return k;
}

/* ---- the mkimage fixtures ---- */

static void good_one(const char *file)
{
	struct blob b = load(file);
	struct result r;

	inspect(b.p, b.n, &r);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.meta.layers, "fit");
	assert_int_equal(verdict(&r, "fit-structure"), UB_PASS);
	assert_int_equal(verdict(&r, "fit-hash:kernel-1"), UB_PASS);
	assert_int_equal(verdict(&r, "fit-hash:fdt-1"), UB_PASS);
	assert_non_null(strstr(check(&r, "fit-hash:kernel-1")->why, "2 hash"));
	assert_non_null(strstr(check(&r, "fit-hash:fdt-1")->why, "3 hash"));
	/* an image without hash nodes cannot be verified: a warning */
	assert_int_equal(verdict(&r, "fit-hash:script-1"), UB_WARN);
	assert_null(ub_checks_find(&r.checks, "fit-signature"));
	assert_int_equal(ub_checks_worst(&r.checks), UB_WARN);
	assert_string_equal(r.meta.name, "Acme router firmware");
	assert_string_equal(r.meta.version, "2.4.1");
	assert_int_equal(r.meta.models.n, 3);
	assert_true(ub_strlist_has(&r.meta.models, "acme,router-a"));
	assert_true(ub_strlist_has(&r.meta.models, "acme,router"));
	assert_true(ub_strlist_has(&r.meta.models, "acme,router-b"));
	done(&r);
	free(b.p);
}

static void good_embedded(void **state)
{
	(void)state;
	good_one("embedded.itb");
}

static void good_external(void **state)
{
	(void)state;
	good_one("external.itb");
	good_one("position.itb");
}

/* Every byte of the kernel payload flipped fails kernel-1 only. */
static void flip_kernel(const char *file)
{
	struct blob b = load(file), k = kernel_payload();
	struct result r;
	uint8_t *at = memmem(b.p, b.n, k.p, k.n);
	size_t i;

	assert_non_null(at);
	for (i = 0; i < k.n; i++) {
		at[i] ^= 0x04;
		inspect(b.p, b.n, &r);
		assert_int_equal(r.rc, 0);
		if (verdict(&r, "fit-hash:kernel-1") != UB_FAIL) {
			print_error("%s: flip at kernel byte %zu not caught\n",
				    file, i);
			fail();
		}
		assert_string_equal(advice(&r, "fit-hash:kernel-1"),
				    "image-corrupt");
		assert_int_equal(verdict(&r, "fit-hash:fdt-1"), UB_PASS);
		done(&r);
		at[i] ^= 0x04;
	}
	free(k.p);
	free(b.p);
}

static void every_kernel_byte_flipped(void **state)
{
	(void)state;
	flip_kernel("embedded.itb");
	flip_kernel("external.itb");
	flip_kernel("position.itb");
}

/* External data: the device tree blob follows the kernel, 4-aligned. */
static void every_dtb_byte_flipped(void **state)
{
	struct blob b = load("external.itb");
	struct result r;
	size_t base = ((size_t)get32(b.p + 4) + 3) & ~(size_t)3;
	size_t i;

	(void)state;
	for (i = base + 3000; i < base + 3000 + 501; i++) {
		b.p[i] ^= 0x40;
		inspect(b.p, b.n, &r);
		assert_int_equal(verdict(&r, "fit-hash:kernel-1"), UB_PASS);
		if (verdict(&r, "fit-hash:fdt-1") != UB_FAIL) {
			print_error("flip at dtb byte %zu not caught\n", i);
			fail();
		}
		done(&r);
		b.p[i] ^= 0x40;
	}
	free(b.p);
}

/* The stored hash values, found by computing them, each byte flipped. */
static void every_hash_byte_flipped(void **state)
{
	struct blob b = load("embedded.itb"), k = kernel_payload();
	uint8_t sha[32], crc[4];
	unsigned len = 0;
	struct result r;
	uint8_t *at;
	size_t i;

	(void)state;
	assert_int_equal(EVP_Digest(k.p, k.n, sha, &len, EVP_sha256(), NULL), 1);
	put32(crc, (uint32_t)crc32(0, k.p, (uInt)k.n));
	for (int which = 0; which < 2; which++) {
		const uint8_t *v = which ? sha : crc;
		size_t vn = which ? sizeof sha : sizeof crc;

		at = memmem(b.p, b.n, v, vn);
		assert_non_null(at);
		for (i = 0; i < vn; i++) {
			at[i] ^= 0x10;
			inspect(b.p, b.n, &r);
			assert_int_equal(verdict(&r, "fit-hash:kernel-1"), UB_FAIL);
			assert_non_null(strstr(check(&r, "fit-hash:kernel-1")->why,
					       which ? "sha256" : "crc32"));
			done(&r);
			at[i] ^= 0x10;
		}
	}
	free(k.p);
	free(b.p);
}

static void every_truncation(void **state)
{
	static const char *const files[] = { "embedded.itb", "external.itb" };
	struct result r;

	(void)state;
	for (size_t f = 0; f < 2; f++) {
		struct blob b = load(files[f]);
		size_t end = b.n;

		if (f == 1) {
			/* mkimage -E pads the file to 4 bytes after the
			 * last image (script-1, 77 bytes at 0xdb0): cutting
			 * the padding loses nothing */
			end = (((size_t)get32(b.p + 4) + 3) & ~(size_t)3) +
			      0xdb0 + 77;
			assert_int_equal(b.n, (end + 3) & ~(size_t)3);
			inspect(b.p, end, &r);
			assert_int_equal(ub_checks_worst(&r.checks), UB_WARN);
			done(&r);
		}
		for (size_t n = 4; n < end; n++) {
			inspect(b.p, n, &r);
			assert_int_equal(r.rc, 0);
			assert_string_equal(r.meta.layers, "fit");
			if (ub_checks_worst(&r.checks) != UB_FAIL) {
				print_error("%s cut at %zu not caught\n",
					    files[f], n);
				fail();
			}
			if (n < get32(b.p + 4))
				assert_string_equal(advice(&r, "fit-structure"),
						    "image-truncated");
			done(&r);
		}
		free(b.p);
	}
}

static void wrong_magic_is_not_fit(void **state)
{
	struct blob b = load("embedded.itb");
	struct result r;

	(void)state;
	b.p[3] ^= 0x01;
	inspect(b.p, b.n, &r);
	assert_string_equal(r.meta.layers, "raw");
	done(&r);
	free(b.p);
}

/* ---- hand-built trees ---- */

struct fdtb {
	uint8_t st[64 << 10];
	size_t sn;
	char str[4096];
	size_t strn;
	uint8_t out[80 << 10];
	size_t n;
};

static void b_u32(struct fdtb *b, uint32_t v)
{
	assert_true(b->sn + 4 <= sizeof b->st);
	put32(b->st + b->sn, v);
	b->sn += 4;
}

static void b_bytes(struct fdtb *b, const void *p, size_t n)
{
	assert_true(b->sn + n + 3 <= sizeof b->st);
	memcpy(b->st + b->sn, p, n);
	b->sn += n;
	while (b->sn & 3)
		b->st[b->sn++] = 0;
}

static void b_begin(struct fdtb *b, const char *name)
{
	b_u32(b, 1);
	b_bytes(b, name, strlen(name) + 1);
}

static void b_end(struct fdtb *b)
{
	b_u32(b, 2);
}

static uint32_t b_string(struct fdtb *b, const char *s)
{
	size_t i, n = strlen(s) + 1;

	for (i = 0; i + n <= b->strn; i++)
		if (memcmp(b->str + i, s, n) == 0)
			return (uint32_t)i;
	assert_true(b->strn + n <= sizeof b->str);
	memcpy(b->str + b->strn, s, n);
	b->strn += n;
	return (uint32_t)(b->strn - n);
}

static void b_prop(struct fdtb *b, const char *name, const void *v, size_t n)
{
	b_u32(b, 3);
	b_u32(b, (uint32_t)n);
	b_u32(b, b_string(b, name));
	b_bytes(b, v, n);
}

static void b_str(struct fdtb *b, const char *name, const char *s)
{
	b_prop(b, name, s, strlen(s) + 1);
}

static void b_cell(struct fdtb *b, const char *name, uint32_t v)
{
	uint8_t c[4];

	put32(c, v);
	b_prop(b, name, c, 4);
}

/* Header (40 bytes), empty reservation map, struct, strings. */
static void b_finish(struct fdtb *b)
{
	size_t off_struct = 56, off_strings = off_struct + b->sn;

	b->n = off_strings + b->strn;
	assert_true(b->n <= sizeof b->out);
	memset(b->out, 0, 56);
	put32(b->out, 0xd00dfeed);
	put32(b->out + 4, (uint32_t)b->n);
	put32(b->out + 8, (uint32_t)off_struct);
	put32(b->out + 12, (uint32_t)off_strings);
	put32(b->out + 16, 40);
	put32(b->out + 20, 17);
	put32(b->out + 24, 16);
	put32(b->out + 32, (uint32_t)b->strn);
	put32(b->out + 36, (uint32_t)b->sn);
	memcpy(b->out + off_struct, b->st, b->sn);
	memcpy(b->out + off_strings, b->str, b->strn);
}

static const uint8_t payload[] = "firmware payload bytes";

/* A small valid FIT: one image with a crc32 hash. */
static void b_fit_head(struct fdtb *b)
{
	memset(b, 0, sizeof *b);
	b_begin(b, "");
	b_str(b, "description", "built");
	b_begin(b, "images");
	b_begin(b, "fw");
}

static void b_fit_tail(struct fdtb *b)
{
	b_end(b);      /* fw */
	b_end(b);      /* images */
	b_end(b);      /* root */
	b_u32(b, 9);
	b_finish(b);
}

static void b_crc_node(struct fdtb *b, const char *name, uint32_t crc)
{
	b_begin(b, name);
	b_cell(b, "value", crc);
	b_str(b, "algo", "crc32");
	b_end(b);
}

static struct fdtb *small_fit(void)
{
	struct fdtb *b = malloc(sizeof *b);

	assert_non_null(b);
	b_fit_head(b);
	b_prop(b, "data", payload, sizeof payload);
	b_crc_node(b, "hash-1",
		   (uint32_t)crc32(0, payload, sizeof payload));
	b_fit_tail(b);
	return b;
}

static void built_fit_passes(void **state)
{
	struct fdtb *b = small_fit();
	struct result r;

	(void)state;
	inspect(b->out, b->n, &r);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.meta.layers, "fit");
	assert_int_equal(ub_checks_worst(&r.checks), UB_PASS);
	assert_int_equal(verdict(&r, "fit-hash:fw"), UB_PASS);
	assert_string_equal(r.meta.name, "built");
	assert_null(r.meta.version);
	assert_int_equal(r.meta.models.n, 0);
	done(&r);
	free(b);
}

/* A header field set to a bad value must fail fit-structure. */
static void expect_structure_fail(const uint8_t *p, size_t n, const char *what)
{
	struct result r;

	inspect(p, n, &r);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.meta.layers, "fit");
	if (verdict(&r, "fit-structure") != UB_FAIL) {
		print_error("%s: not caught\n", what);
		fail();
	}
	done(&r);
}

static void bad_header_fields(void **state)
{
	static const struct {
		size_t off;
		uint32_t v;
		const char *what;
	} cases[] = {
		{ 4, 0xffffffffu, "totalsize past the file" },
		{ 4, 8, "totalsize smaller than the header" },
		{ 8, 0xfffffff0u, "struct offset outside" },
		{ 8, 58, "struct offset unaligned" },
		{ 8, 4, "struct offset inside the header" },
		{ 12, 0xfffffff0u, "strings offset outside" },
		{ 20, 15, "version 15" },
		{ 24, 18, "last compatible version 18" },
		{ 32, 0xfffffff0u, "strings size huge" },
		{ 32, 0, "no strings" },
		{ 36, 0xfffffff0u, "struct size huge" },
		{ 36, 8, "struct size cut" },
		{ 36, 0, "struct size zero" },
	};
	struct fdtb *b = small_fit();
	size_t i;

	(void)state;
	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		uint32_t save = get32(b->out + cases[i].off);

		put32(b->out + cases[i].off, cases[i].v);
		expect_structure_fail(b->out, b->n, cases[i].what);
		put32(b->out + cases[i].off, save);
	}
	free(b);
}

static void version_16_accepted(void **state)
{
	struct fdtb *b = small_fit();
	struct result r;

	(void)state;
	put32(b->out + 20, 16);
	put32(b->out + 36, 0xdeadbeefu); /* not a field in version 16 */
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-hash:fw"), UB_PASS);
	done(&r);
	free(b);
}

static void malformed_structures(void **state)
{
	struct fdtb *b = malloc(sizeof *b);
	uint8_t long_name[400];
	int i;

	(void)state;
	assert_non_null(b);

	/* a node name running to the end of the block, unterminated */
	b_fit_head(b);
	b_u32(b, 1);
	memset(long_name, 'a', sizeof long_name);
	memcpy(b->st + b->sn, long_name, 8);
	b->sn += 8;
	b_finish(b);
	expect_structure_fail(b->out, b->n, "unterminated node name");

	/* a node name longer than the limit */
	b_fit_head(b);
	long_name[sizeof long_name - 1] = 0;
	b_begin(b, (const char *)long_name);
	b_end(b);
	b_fit_tail(b);
	expect_structure_fail(b->out, b->n, "node name of 399 bytes");

	/* a property name outside the strings block */
	b_fit_head(b);
	b_u32(b, 3);
	b_u32(b, 0);
	b_u32(b, 5000);
	b_fit_tail(b);
	expect_structure_fail(b->out, b->n, "property name outside");

	/* an unterminated last string */
	b_fit_head(b);
	b_prop(b, "data", payload, sizeof payload);
	b_fit_tail(b);
	b->out[b->n - 1] = 'x';
	expect_structure_fail(b->out, b->n, "strings not terminated");

	/* a property longer than the block */
	b_fit_head(b);
	b_u32(b, 3);
	b_u32(b, 0xfffffff0u);
	b_u32(b, b_string(b, "data"));
	b_fit_tail(b);
	expect_structure_fail(b->out, b->n, "property length huge");

	/* an unknown token */
	b_fit_head(b);
	b_u32(b, 0x77);
	b_fit_tail(b);
	expect_structure_fail(b->out, b->n, "unknown token");

	/* no END token */
	b_fit_head(b);
	b_end(b);
	b_end(b);
	b_end(b);
	b_finish(b);
	expect_structure_fail(b->out, b->n, "no END token");

	/* END inside a node */
	b_fit_head(b);
	b_end(b);
	b_u32(b, 9);
	b_finish(b);
	expect_structure_fail(b->out, b->n, "END inside a node");

	/* one END_NODE too many */
	b_fit_head(b);
	b_end(b);
	b_end(b);
	b_end(b);
	b_end(b);
	b_u32(b, 9);
	b_finish(b);
	expect_structure_fail(b->out, b->n, "unbalanced END_NODE");

	/* a second root */
	b_fit_head(b);
	b_end(b);
	b_end(b);
	b_end(b);
	b_begin(b, "");
	b_end(b);
	b_u32(b, 9);
	b_finish(b);
	expect_structure_fail(b->out, b->n, "second root");

	/* nesting 1000 deep */
	b_fit_head(b);
	for (i = 0; i < 1000; i++)
		b_begin(b, "n");
	for (i = 0; i < 1000; i++)
		b_end(b);
	b_fit_tail(b);
	expect_structure_fail(b->out, b->n, "deep nesting");

	/* a description that is not a string is not taken as the name */
	memset(b, 0, sizeof *b);
	b_begin(b, "");
	b_prop(b, "description", "abc", 3);
	b_begin(b, "images");
	b_begin(b, "fw");
	b_prop(b, "data", payload, sizeof payload);
	b_crc_node(b, "hash-1", (uint32_t)crc32(0, payload, sizeof payload));
	b_fit_tail(b);
	{
		struct result r;

		inspect(b->out, b->n, &r);
		assert_int_equal(verdict(&r, "fit-hash:fw"), UB_PASS);
		assert_null(r.meta.name);
		done(&r);
	}
	free(b);
}

static void nesting_at_the_limit_is_fine(void **state)
{
	struct fdtb *b = malloc(sizeof *b);
	struct result r;
	int i;

	(void)state;
	assert_non_null(b);
	b_fit_head(b);   /* depth 3 */
	b_prop(b, "data", payload, sizeof payload);
	b_crc_node(b, "hash-1", (uint32_t)crc32(0, payload, sizeof payload));
	for (i = 3; i < UB_FDT_DEPTH; i++)
		b_begin(b, "n");
	for (i = 3; i < UB_FDT_DEPTH; i++)
		b_end(b);
	b_fit_tail(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-structure"), UB_PASS);
	assert_int_equal(verdict(&r, "fit-hash:fw"), UB_PASS);
	done(&r);
	free(b);
}

/* A plain .dtb shares the magic; it is inspected as a FIT and the missing
 * /images node is a warning (a .dtb is not firmware to flash). */
static void plain_dtb_warns(void **state)
{
	struct fdtb *b = malloc(sizeof *b);
	struct result r;

	(void)state;
	assert_non_null(b);
	memset(b, 0, sizeof *b);
	b_begin(b, "");
	b_str(b, "compatible", "acme,board");
	b_begin(b, "cpus");
	b_end(b);
	b_end(b);
	b_u32(b, 9);
	b_finish(b);
	inspect(b->out, b->n, &r);
	assert_string_equal(r.meta.layers, "fit");
	assert_int_equal(verdict(&r, "fit-structure"), UB_WARN);
	assert_non_null(strstr(check(&r, "fit-structure")->why, "not a FIT"));
	done(&r);
	free(b);
}

static void image_semantics(void **state)
{
	struct fdtb *b = malloc(sizeof *b);
	uint32_t crc = (uint32_t)crc32(0, payload, sizeof payload);
	uint8_t eight[8] = { 0 };
	struct result r;

	(void)state;
	assert_non_null(b);

	/* external data with an impossible size */
	b_fit_head(b);
	b_cell(b, "data-size", 0xffffff00u);
	b_cell(b, "data-offset", 0);
	b_crc_node(b, "hash-1", crc);
	b_fit_tail(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-hash:fw"), UB_FAIL);
	assert_string_equal(advice(&r, "fit-hash:fw"), "image-truncated");
	done(&r);

	/* external data at position 0 is inside the file: hashed, wrong */
	b_fit_head(b);
	b_cell(b, "data-size", 16);
	b_cell(b, "data-position", 0);
	b_crc_node(b, "hash-1", crc);
	b_fit_tail(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-hash:fw"), UB_FAIL);
	assert_string_equal(advice(&r, "fit-hash:fw"), "image-corrupt");
	done(&r);

	/* external data just past the end: truncated */
	b_fit_head(b);
	b_cell(b, "data-size", 16);
	b_cell(b, "data-offset", 8);
	b_crc_node(b, "hash-1", crc);
	b_fit_tail(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-hash:fw"), UB_FAIL);
	assert_string_equal(advice(&r, "fit-hash:fw"), "image-truncated");
	done(&r);

	/* external data right after the tree, 4-aligned: passes */
	b_fit_head(b);
	b_cell(b, "data-size", sizeof payload);
	b_cell(b, "data-offset", 4);
	b_crc_node(b, "hash-1", crc);
	b_fit_tail(b);
	{
		size_t base = (b->n + 3) & ~(size_t)3;

		memset(b->out + b->n, 0, base + 4 - b->n);
		memcpy(b->out + base + 4, payload, sizeof payload);
		inspect(b->out, base + 4 + sizeof payload, &r);
		assert_int_equal(verdict(&r, "fit-hash:fw"), UB_PASS);
		done(&r);
	}

	/* no data at all */
	b_fit_head(b);
	b_crc_node(b, "hash-1", crc);
	b_fit_tail(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-hash:fw"), UB_FAIL);
	done(&r);

	/* a crc32 value of the wrong length */
	b_fit_head(b);
	b_prop(b, "data", payload, sizeof payload);
	b_begin(b, "hash-1");
	b_prop(b, "value", eight, sizeof eight);
	b_str(b, "algo", "crc32");
	b_end(b);
	b_fit_tail(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-hash:fw"), UB_FAIL);
	done(&r);

	/* only an algorithm we do not know: a warning, never a pass, and
	 * nothing vouches for the image's data */
	b_fit_head(b);
	b_prop(b, "data", payload, sizeof payload);
	b_begin(b, "hash-1");
	b_prop(b, "value", eight, sizeof eight);
	b_str(b, "algo", "crc16-ccitt");
	b_end(b);
	b_fit_tail(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-hash:fw"), UB_WARN);
	assert_false(passes(&r, "fit-hash:fw"));
	assert_null(r.covered);
	done(&r);

	/* beside a hash it computes, the unknown one does not matter */
	b_fit_head(b);
	b_prop(b, "data", payload, sizeof payload);
	b_begin(b, "hash-1");
	b_prop(b, "value", eight, sizeof eight);
	b_str(b, "algo", "crc16-ccitt");
	b_end(b);
	b_crc_node(b, "hash-2", crc);
	b_fit_tail(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(ub_checks_worst(&r.checks), UB_WARN);
	assert_non_null(r.covered);
	done(&r);

	/* a good hash beside a bad one fails */
	b_fit_head(b);
	b_prop(b, "data", payload, sizeof payload);
	b_crc_node(b, "hash-1", crc);
	b_crc_node(b, "hash-2", crc ^ 1);
	b_fit_tail(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-hash:fw"), UB_FAIL);
	assert_non_null(strstr(check(&r, "fit-hash:fw")->why, "crc32"));
	done(&r);

	/* signature nodes are noted, not verified */
	b_fit_head(b);
	b_prop(b, "data", payload, sizeof payload);
	b_crc_node(b, "hash-1", crc);
	b_begin(b, "signature-1");
	b_str(b, "algo", "sha256,rsa2048");
	b_end(b);
	b_fit_tail(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-hash:fw"), UB_PASS);
	assert_int_equal(verdict(&r, "fit-signature"), UB_NA);
	assert_non_null(strstr(check(&r, "fit-signature")->why, "not here"));
	done(&r);

	/* an /images node without images: nothing to boot, not a pass */
	memset(b, 0, sizeof *b);
	b_begin(b, "");
	b_begin(b, "images");
	b_end(b);
	b_end(b);
	b_u32(b, 9);
	b_finish(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-structure"), UB_WARN);
	done(&r);
	free(b);
}

/* n images whose external data all lie at DATA_AT: with slide, image i
 * starts 4 * i bytes later (and is as much shorter), else all share the
 * same bytes.  Each has a crc32 hash that matches. */
#define DATA_AT 0x10000u
#define DATA_LEN (128u << 10)

static uint8_t *many_images(struct fdtb *b, int n, int slide, size_t *len)
{
	uint8_t *file = calloc(1, DATA_AT + DATA_LEN);
	char name[16];
	int i;

	assert_non_null(file);
	for (i = 0; i < (int)DATA_LEN; i++)
		file[DATA_AT + (unsigned)i] = (uint8_t)(i * 131 + (i >> 9));
	memset(b, 0, sizeof *b);
	b_begin(b, "");
	b_begin(b, "images");
	for (i = 0; i < n; i++) {
		uint32_t off = slide ? 4u * (uint32_t)i : 0;

		snprintf(name, sizeof name, "i%d", i);
		b_begin(b, name);
		b_cell(b, "data-position", DATA_AT + off);
		b_cell(b, "data-size", DATA_LEN - off);
		b_crc_node(b, "hash-1", (uint32_t)crc32(0, file + DATA_AT + off, DATA_LEN - off));
		b_end(b);
	}
	b_end(b);
	b_end(b);
	b_u32(b, 9);
	b_finish(b);
	assert_true(b->n <= DATA_AT);
	memcpy(file, b->out, b->n);
	*len = DATA_AT + DATA_LEN;
	return file;
}

/* 300 hash nodes over the same 128 KiB: hashed once, not 300 times (which
 * would pass the hashing budget, 8 times the file, and be refused). */
static void same_data_hashed_once(void **state)
{
	struct fdtb *b = malloc(sizeof *b);
	struct result r;
	size_t len;
	uint8_t *file;

	(void)state;
	assert_non_null(b);
	file = many_images(b, 300, 0, &len);
	inspect(file, len, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(ub_checks_worst(&r.checks), UB_PASS);
	assert_true(passes(&r, "fit-hash:i299"));
	assert_non_null(r.covered);
	done(&r);
	free(file);
	free(b);
}

/* 300 images over windows of the same bytes, each 4 bytes on: 300 x
 * 128 KiB to hash for a 192 KiB file (a 3 MB one like it took hours).
 * Past 8 times the file the hashing stops and the tree is refused. */
static void overlapping_images_refused(void **state)
{
	struct fdtb *b = malloc(sizeof *b);
	struct result r;
	size_t len;
	uint8_t *file;

	(void)state;
	assert_non_null(b);
	file = many_images(b, 300, 1, &len);
	inspect(file, len, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(verdict(&r, "fit-hash-budget"), UB_FAIL);
	assert_string_equal(advice(&r, "fit-hash-budget"), "image-corrupt");
	assert_non_null(strstr(check(&r, "fit-hash-budget")->why, "8 times"));
	assert_false(passes(&r, "fit-hash:i299"));   /* stopped there */
	assert_null(r.covered);
	done(&r);
	free(file);
	free(b);
}

/* Names and strings from the tree reach the terminal and JSON: only
 * printable ASCII gets through. */
static void strings_are_printable(void **state)
{
	struct fdtb *b = malloc(sizeof *b);
	uint32_t crc = (uint32_t)crc32(0, payload, sizeof payload);
	struct result r;

	(void)state;
	assert_non_null(b);
	memset(b, 0, sizeof *b);
	b_begin(b, "");
	b_str(b, "description", "fw \xff\xfe\x1b]0;x");
	b_begin(b, "images");
	b_begin(b, "k\x80\x07");
	b_prop(b, "data", payload, sizeof payload);
	b_crc_node(b, "hash-1", crc);
	b_end(b);
	b_end(b);
	b_begin(b, "configurations");
	b_begin(b, "c");
	b_prop(b, "compatible", "a\xc3(\0b\x01", 7);
	b_end(b);
	b_end(b);
	b_end(b);
	b_u32(b, 9);
	b_finish(b);
	inspect(b->out, b->n, &r);
	assert_int_equal(verdict(&r, "fit-hash:k??"), UB_PASS);
	assert_string_equal(r.meta.name, "fw ???]0;x");
	assert_int_equal(r.meta.models.n, 2);
	assert_true(ub_strlist_has(&r.meta.models, "a?("));
	assert_true(ub_strlist_has(&r.meta.models, "b?"));
	done(&r);
	free(b);
}

/* The reader on its own: the walk sees every node with its path and every
 * property with the offset of its value in the file. */
struct walk_seen {
	int nodes, props, hash_nodes, max_depth;
	uint64_t load_off;
	char last_image[64];
};

static int w_begin(void *ctx, const char *const *path, int depth)
{
	struct walk_seen *w = ctx;

	w->nodes++;
	if (depth > w->max_depth)
		w->max_depth = depth;
	if (depth == 2 && strcmp(path[0], "images") == 0)
		snprintf(w->last_image, sizeof w->last_image, "%s", path[1]);
	if (depth == 3 && strncmp(path[2], "hash", 4) == 0)
		w->hash_nodes++;
	return 0;
}

static int w_prop(void *ctx, const char *const *path, int depth,
		  const char *name, uint64_t off, uint32_t len)
{
	struct walk_seen *w = ctx;

	w->props++;
	if (depth == 2 && strcmp(path[1], "kernel-1") == 0 &&
	    strcmp(name, "load") == 0 && len == 4)
		w->load_off = off;
	return 0;
}

static void reader_walk(void **state)
{
	struct blob b = load("embedded.itb");
	struct walk_seen w = { 0 };
	struct ub_fdt_visitor v = { w_begin, NULL, w_prop, &w };
	struct ub_fdt f;
	struct ub_src s;
	struct ub_err e;
	int fd = memfd_create("t", MFD_CLOEXEC);

	(void)state;
	assert_int_equal(write(fd, b.p, b.n), (ssize_t)b.n);
	assert_int_equal(ub_src_from_fd(&s, fd, "t", &e), 0);
	assert_int_equal(ub_fdt_open(&f, &s, &e), 0);
	assert_int_equal(ub_fdt_walk(&f, &v, &e), 0);
	/* images, kernel-1 (2 hashes), fdt-1 (3), script-1, configurations,
	 * conf-1, conf-2 */
	assert_int_equal(w.nodes, 12);
	assert_int_equal(w.hash_nodes, 5);
	assert_int_equal(w.max_depth, 3);
	assert_string_equal(w.last_image, "script-1");
	assert_true(w.load_off > 0 && w.load_off + 4 <= b.n);
	assert_int_equal(get32(b.p + w.load_off), 0x80008000u);
	ub_fdt_close(&f);
	ub_src_close(&s);
	free(b.p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_embedded),
		cmocka_unit_test(good_external),
		cmocka_unit_test(every_kernel_byte_flipped),
		cmocka_unit_test(every_dtb_byte_flipped),
		cmocka_unit_test(every_hash_byte_flipped),
		cmocka_unit_test(every_truncation),
		cmocka_unit_test(wrong_magic_is_not_fit),
		cmocka_unit_test(built_fit_passes),
		cmocka_unit_test(bad_header_fields),
		cmocka_unit_test(version_16_accepted),
		cmocka_unit_test(malformed_structures),
		cmocka_unit_test(nesting_at_the_limit_is_fine),
		cmocka_unit_test(plain_dtb_warns),
		cmocka_unit_test(image_semantics),
		cmocka_unit_test(same_data_hashed_once),
		cmocka_unit_test(overlapping_images_refused),
		cmocka_unit_test(strings_are_printable),
		cmocka_unit_test(reader_walk),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
