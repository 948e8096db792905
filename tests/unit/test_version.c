/* Version ordering as vendors and semver number firmware. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "core/version.h"

/* Each pair is strictly ascending: a < b. */
static const char *const ascending[][2] = {
	{ "1.9", "1.10" },
	{ "1.0", "1.0.1" },
	{ "1.0.0-rc1", "1.0.0" },
	{ "1.0.0-alpha", "1.0.0-beta" },
	{ "1.0.0-beta.2", "1.0.0-beta.11" },
	{ "1.0.0-rc.1", "1.0.0" },
	{ "v2.0.1", "v2.0.10" },
	{ "2.0", "v10.0" },
	{ "19.07.10", "21.02.3" },
	{ "21.02.3", "23.05.0-rc1" },
	{ "23.05.0-rc1", "23.05.0" },
	{ "V1.0.0.38_1.0.17", "V1.0.0.40_1.0.1" },
	{ "1.0.0.9", "1.0.0.10" },
	{ "00000000000000000000000001", "2" },
	{ "99999999999999999999999999", "100000000000000000000000000" },
	{ "1.0a", "1.0b" },
	{ "", "0.1" },
};

static const char *const equal[][2] = {
	{ "1.0", "1.0" },
	{ "v1.2.3", "1.2.3" },
	{ "1.02", "1.2" },
	{ "1.0.0+build.5", "1.0.0+build.7" },
	{ "1_2_3", "1.2.3" },
	{ "RC1", "rc1" },
};

static void orders_ascending_pairs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof ascending / sizeof ascending[0]; i++) {
		const char *a = ascending[i][0], *b = ascending[i][1];

		if (ub_version_cmp(a, b) >= 0 || ub_version_cmp(b, a) <= 0)
			fail_msg("expected %s < %s", a, b);
	}
}

static void equal_pairs(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof equal / sizeof equal[0]; i++)
		if (ub_version_cmp(equal[i][0], equal[i][1]) != 0)
			fail_msg("expected %s == %s", equal[i][0], equal[i][1]);
}

static void comparable(void **state)
{
	(void)state;
	assert_true(ub_version_comparable("r12345"));
	assert_false(ub_version_comparable("unknown"));
	assert_false(ub_version_comparable(""));
	assert_false(ub_version_comparable(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(orders_ascending_pairs),
		cmocka_unit_test(equal_pairs),
		cmocka_unit_test(comparable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
