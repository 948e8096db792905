/* Checksum lists and sidecar manifests: the vendor-published facts an image
 * is checked against.  Each case is a layout seen in real downloads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "image/manifest.h"
#include "image/sums.h"

#define H64 "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
#define H32 "098f6bcd4621d373cade4e832627b4f6"

static int lookup(const char *list, const char *name, struct ub_sum *s,
		  struct ub_err *e)
{
	return ub_sums_lookup_buf(list, strlen(list), name, s, e);
}

static void gnu_lines(void **state)
{
	struct ub_sum s;
	struct ub_err e;

	(void)state;
	assert_int_equal(lookup(H32 "  other.bin\n" H64 "  fw.bin\n", "fw.bin", &s, &e), 0);
	assert_int_equal(s.alg, UB_SHA256);
	assert_int_equal(s.md[0], 0x9f);
	assert_int_equal(s.md[31], 0x08);
	/* binary-mode marker, CRLF, a path before the name, comments */
	assert_int_equal(lookup("# release 1.0\r\n" H32 " *./out/fw.bin\r\n", "/tmp/dl/fw.bin", &s, &e), 0);
	assert_int_equal(s.alg, UB_MD5);
	assert_int_equal(s.md[0], 0x09);
}

static void bsd_lines(void **state)
{
	struct ub_sum s;
	struct ub_err e;

	(void)state;
	assert_int_equal(lookup("SHA256 (fw (v2).bin) = " H64 "\n", "fw (v2).bin", &s, &e), 0);
	assert_int_equal(s.alg, UB_SHA256);
	assert_int_equal(lookup("MD5 (fw.bin) = " H32 "\n", "fw.bin", &s, &e), 0);
	assert_int_equal(s.alg, UB_MD5);
	/* the tag decides, so a sha256-length digest under MD5 is malformed */
	assert_int_equal(lookup("MD5 (fw.bin) = " H64 "\n", "fw.bin", &s, &e), UB_EFORMAT);
}

static void missing_and_garbage(void **state)
{
	struct ub_sum s;
	struct ub_err e;

	(void)state;
	assert_int_equal(lookup(H64 "  a.bin\n" H64 "  b.bin\n", "fw.bin", &s, &e), UB_EREFUSED);
	assert_string_equal(e.advice_id, "checksum-missing");
	assert_non_null(strstr(e.msg, "fw.bin"));
	/* a name that merely ends like ours is another file */
	assert_int_equal(lookup(H64 "  oldfw.bin\n", "fw.bin", &s, &e), UB_EREFUSED);
	assert_int_equal(lookup("<html>404 not found</html>\n", "fw.bin", &s, &e), UB_EFORMAT);
	assert_string_equal(e.advice_id, "checksum-format");
	assert_int_equal(lookup("", "fw.bin", &s, &e), UB_EFORMAT);
	assert_int_equal(ub_sums_lookup_buf(H64 "  fw.bin\0x\n", 75, "fw.bin", &s, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "binary"));
	/* 63 hex digits: no known algorithm */
	assert_int_equal(lookup(H64 "  x\n" "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a0  fw.bin\n",
				"fw.bin", &s, &e), UB_EREFUSED);
}

static void lone_digest(void **state)
{
	struct ub_sum s;
	struct ub_err e;

	(void)state;
	/* fw.bin.sha256 holding just the digest belongs to the file it came with */
	assert_int_equal(lookup(H64 "\n", "fw.bin", &s, &e), 0);
	assert_int_equal(s.alg, UB_SHA256);
	/* but not when the list names other files as well */
	assert_int_equal(lookup(H64 "\n" H64 "  a.bin\n", "fw.bin", &s, &e), UB_EREFUSED);
}

static int parse(const char *json, struct ub_manifest *m, struct ub_err *e)
{
	return ub_manifest_parse(json, strlen(json), m, e);
}

static void manifest_fields(void **state)
{
	struct ub_manifest m;
	struct ub_err e;

	(void)state;
	assert_int_equal(parse("{\"models\":[\"acme,wr-100\",\"acme,wr-100s\"],\"regions\":[\"EU\"],"
			       "\"version\":\"1.2.0\",\"sha256\":\"" "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08"
			       "\",\"vendor-extra\":{\"x\":1}}", &m, &e), 0);
	assert_int_equal(m.models.n, 2);
	assert_string_equal(m.models.v[1], "acme,wr-100s");
	assert_int_equal(m.revisions.n, 0);
	assert_string_equal(m.version, "1.2.0");
	assert_string_equal(m.sha256, H64);
	ub_manifest_free(&m);
}

static void manifest_refusals(void **state)
{
	static const char *const bad[] = {
		"[]", "{\"models\":\"wr-100\"}", "{\"models\":[1]}", "{\"models\":[\"\"]}",
		"{\"version\":2}", "{\"sha256\":\"abc\"}", "{\"version\":\"1\",\"version\":\"2\"}",
		"{\"models\":[\"a\"]", "",
	};
	struct ub_manifest m;
	struct ub_err e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		assert_int_equal(parse(bad[i], &m, &e), UB_EFORMAT);
		assert_string_equal(e.advice_id, "manifest-invalid");
		assert_null(m.version);
		assert_int_equal(m.models.n, 0);
	}
	assert_int_equal(parse("{\"models\":\"wr-100\"}", &m, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "\"models\""));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(gnu_lines),
		cmocka_unit_test(bsd_lines),
		cmocka_unit_test(missing_and_garbage),
		cmocka_unit_test(lone_digest),
		cmocka_unit_test(manifest_fields),
		cmocka_unit_test(manifest_refusals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
