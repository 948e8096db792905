/* android-info.txt, read as AOSP's fastboot reads it (image/android_info.c),
 * except that a line it cannot read refuses the file: a requirement
 * misspelt must not vanish.  And the verdicts of core/require.c. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/require.h"
#include "image/android_info.h"

static int parse(const char *text, struct ub_reqs *out, struct ub_err *e)
{
	memset(out, 0, sizeof *out);
	ub_err_clear(e);
	return ub_android_info_parse(text, strlen(text), "x.zip:android-info.txt", out, e);
}

static void lines(void **state)
{
	struct ub_reqs q;
	struct ub_err e;

	(void)state;
	assert_int_equal(parse("# a comment\n\r\n"
			       "require board=sargo\n"
			       "  require   version-bootloader = b4s4-0.1 | b4s4-0.2-* \r\n"
			       "require-for-product:sargo version-baseband=g670-00011\n"
			       "require partition-exists=vendor_boot\n"
			       "reject version-bootloader=b4s4-0.0-*\n"
			       "baseband=g670\n"
			       "bootloader=x", &q, &e), 0);
	assert_int_equal(q.n, 7);
	assert_string_equal(q.v[0].var, "product");   /* board is product */
	assert_int_equal(q.v[0].line, 3);
	assert_string_equal(q.v[0].values[0], "sargo");
	assert_int_equal(q.v[0].after, -1);
	assert_string_equal(q.v[1].var, "version-bootloader");
	assert_int_equal(q.v[1].nvalues, 2);
	assert_string_equal(q.v[1].values[0], "b4s4-0.1");
	assert_string_equal(q.v[1].values[1], "b4s4-0.2-*");
	assert_string_equal(q.v[2].product, "sargo");
	assert_string_equal(q.v[2].var, "version-baseband");
	assert_int_equal(q.v[3].exists, 1);
	assert_string_equal(q.v[3].values[0], "vendor_boot");
	assert_int_equal(q.v[4].reject, 1);
	assert_string_equal(q.v[5].var, "version-baseband");   /* old names */
	assert_string_equal(q.v[6].var, "version-bootloader");
	assert_int_equal(q.v[6].line, 9);
	assert_string_equal(q.v[6].from, "x.zip:android-info.txt");
	assert_string_equal(q.v[1].text, "require   version-bootloader = b4s4-0.1 | b4s4-0.2-*");
	ub_reqs_free(&q);
}

static void matching(void **state)
{
	struct ub_reqs q;
	struct ub_err e;
	char why[512];

	(void)state;
	assert_int_equal(parse("require version-bootloader=b4s4-0.1|b4s4-0.2-*\n"
			       "reject version-baseband=old*\n"
			       "require-for-product:other board=other\n"
			       "require-for-product:sargo board=sargo\n", &q, &e), 0);
	assert_true(ub_req_value_matches(&q.v[0], "b4s4-0.1"));
	assert_false(ub_req_value_matches(&q.v[0], "b4s4-0.1x"));
	assert_true(ub_req_value_matches(&q.v[0], "b4s4-0.2-77"));
	assert_false(ub_req_value_matches(&q.v[0], "B4S4-0.1"));   /* case counts */
	assert_int_equal(ub_req_judge(&q.v[0], "sargo", "b4s4-0.2-1", NULL, why, sizeof why), UB_REQ_HOLDS);
	assert_int_equal(ub_req_judge(&q.v[0], "sargo", "b4s4-0.3", NULL, why, sizeof why), UB_REQ_FAILS);
	assert_non_null(strstr(why, "'b4s4-0.3'"));
	assert_non_null(strstr(why, "requires 'b4s4-0.1' or 'b4s4-0.2-*'"));
	/* not reported never passes */
	assert_int_equal(ub_req_judge(&q.v[0], "sargo", NULL, "Variable not implemented", why, sizeof why),
			 UB_REQ_UNREPORTED);
	assert_non_null(strstr(why, "Variable not implemented"));
	assert_int_equal(ub_req_judge(&q.v[1], "sargo", "old-1", NULL, why, sizeof why), UB_REQ_FAILS);
	assert_non_null(strstr(why, "rejects"));
	assert_int_equal(ub_req_judge(&q.v[1], "sargo", "new-1", NULL, why, sizeof why), UB_REQ_HOLDS);
	assert_int_equal(ub_req_judge(&q.v[2], "sargo", "sargo", NULL, why, sizeof why), UB_REQ_OTHER_PRODUCT);
	assert_int_equal(ub_req_judge(&q.v[3], "sargo", "sargo", NULL, why, sizeof why), UB_REQ_HOLDS);
	assert_int_equal(ub_req_judge(&q.v[3], NULL, "sargo", NULL, why, sizeof why), UB_REQ_UNREPORTED);
	ub_req_where(&q.v[0], why, sizeof why);
	assert_string_equal(why, "x.zip:android-info.txt line 1 (require version-bootloader=b4s4-0.1|b4s4-0.2-*)");
	ub_req_describe(&q.v[2], why, sizeof why);
	assert_string_equal(why, "require-for-product:other product=other");
	ub_reqs_free(&q);
}

/* Each of these refuses the file, naming its line. */
static void refused(void **state)
{
	static const struct { const char *text, *says; } bad[] = {
		{ "require board=a\nrequire bord\n", "line 2: not a requirement" },
		{ "require =x\n", "line 1: the variable's name is empty" },
		{ "require bo ard=x\n", "holds a space" },
		{ "require board=\n", "an empty value" },
		{ "require board=a||b\n", "an empty value" },
		{ "require-for-product: board=x\n", "needs a product" },
		{ "require-for-product:p\n", "needs a product" },
		{ "require partition-exists=a|b\n", "names one partition" },
		{ "require board=a|b|c|d|e|f|g|h|i|j|k|l|m|n|o|p|q\n", "more than 16 values" },
		{ "require board=a\x01\n", "byte 0x01" },
		{ "\n\nrequire board=\xc3\xa9\n", "line 3: byte 0xc3" },
		{ "require board=x\0y\n", NULL },
	};
	struct ub_reqs q;
	struct ub_err e;
	char big[300], many[64 * 20 + 40] = "";
	size_t i;

	(void)state;
	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		if (!bad[i].says)
			continue;
		assert_int_equal(parse(bad[i].text, &q, &e), UB_EFORMAT);
		assert_string_equal(e.advice_id, "imgset-invalid");
		if (!strstr(e.msg, bad[i].says))
			fail_msg("'%s': %s", bad[i].text, e.msg);
		assert_non_null(strstr(e.msg, "x.zip:android-info.txt"));
		ub_reqs_free(&q);
	}
	/* a NUL inside: the length counts, not the string */
	memset(&q, 0, sizeof q);
	assert_int_equal(ub_android_info_parse("require board=x\0y\n", 18, "f", &q, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "byte 0x00"));
	ub_reqs_free(&q);
	/* a value longer than 95 bytes */
	snprintf(big, sizeof big, "require board=%0200d\n", 1);
	assert_int_equal(parse(big, &q, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "longer than 95"));
	ub_reqs_free(&q);
	/* more than 64 requirements */
	for (i = 0; i < 65; i++)
		strcat(many, "require board=abc\n");
	assert_int_equal(parse(many, &q, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "line 65: more than 64"));
	ub_reqs_free(&q);
	/* 64 are fine */
	many[strlen(many) - strlen("require board=abc\n")] = '\0';
	assert_int_equal(parse(many, &q, &e), 0);
	assert_int_equal(q.n, 64);
	ub_reqs_free(&q);
	/* over 64 KiB */
	{
		char *huge = calloc(1, UB_ANDROID_INFO_MAX + 2);

		assert_non_null(huge);
		memset(huge, '\n', UB_ANDROID_INFO_MAX + 1);
		memset(&q, 0, sizeof q);
		assert_int_equal(ub_android_info_parse(huge, UB_ANDROID_INFO_MAX + 1, "f", &q, &e), UB_EFORMAT);
		assert_non_null(strstr(e.msg, "never over"));
		free(huge);
	}
}

static void empty(void **state)
{
	struct ub_reqs q;
	struct ub_err e;

	(void)state;
	assert_int_equal(parse("", &q, &e), 0);
	assert_int_equal(q.n, 0);
	assert_int_equal(parse("# only a comment", &q, &e), 0);
	assert_int_equal(q.n, 0);
	ub_reqs_free(&q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(lines),
		cmocka_unit_test(matching),
		cmocka_unit_test(refused),
		cmocka_unit_test(empty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
