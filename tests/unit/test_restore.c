/* The rule that decides whether the owner's settings go back after a new
 * firmware: each rule, unknown versions, and another unit's backup. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/restore.h"
#include "core/version.h"

static int allowed(unsigned rule, const char *from, const char *to, char *why)
{
	struct ub_restore_facts f = { .rule = rule, .backup_version = from, .new_version = to };

	return ub_restore_allowed(&f, why, 256);
}

static void same_major_rule(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(allowed(UB_RESTORE_SAME_MAJOR, "1.1.0", "1.2.0", why), 1);
	assert_non_null(strstr(why, "the same major version"));
	assert_int_equal(allowed(UB_RESTORE_SAME_MAJOR, "v1.9", "1.10-rc1", why), 1);
	assert_int_equal(allowed(UB_RESTORE_SAME_MAJOR, "1.1.0", "2.0.0", why), 0);
	assert_non_null(strstr(why, "another major version"));
	assert_int_equal(allowed(UB_RESTORE_SAME_MAJOR, "19.07.10", "21.02.3", why), 0);
	/* A version with no leading number says nothing about its major. */
	assert_int_equal(allowed(UB_RESTORE_SAME_MAJOR, "r12345", "r12346", why), 0);
	assert_non_null(strstr(why, "no major version"));
}

static void unknown_versions(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(allowed(UB_RESTORE_SAME_MAJOR, "", "1.2.0", why), 0);
	assert_non_null(strstr(why, "backup was read under"));
	assert_int_equal(allowed(UB_RESTORE_SAME_VERSION, "1.2.0", NULL, why), 0);
	assert_non_null(strstr(why, "new firmware's version"));
	/* "any" needs no version at all. */
	assert_int_equal(allowed(UB_RESTORE_ANY, NULL, NULL, why), 1);
}

static void other_rules(void **state)
{
	char why[256];

	(void)state;
	assert_int_equal(allowed(UB_RESTORE_SAME_VERSION, "1.2.0", "v1.2.0", why), 1);
	assert_int_equal(allowed(UB_RESTORE_SAME_VERSION, "1.2.0", "1.2.1", why), 0);
	assert_int_equal(allowed(UB_RESTORE_NEVER, "1.2.0", "1.2.0", why), 0);
	assert_non_null(strstr(why, "only by hand"));
}

static void another_unit(void **state)
{
	struct ub_restore_facts f = { .rule = UB_RESTORE_ANY, .backup_version = "1.0",
				      .new_version = "1.0", .backup_serial = "A1",
				      .device_serial = "B2" };
	char why[256];

	(void)state;
	assert_int_equal(ub_restore_allowed(&f, why, sizeof why), 0);
	assert_non_null(strstr(why, "A1"));
	/* An unknown serial on either side is no evidence of another unit. */
	f.device_serial = "";
	assert_int_equal(ub_restore_allowed(&f, why, sizeof why), 1);
}

static void major_versions(void **state)
{
	(void)state;
	assert_int_equal(ub_version_same_major("2.1", "v2.9-rc1"), 1);
	assert_int_equal(ub_version_same_major("02.1", "2.0"), 1);
	assert_int_equal(ub_version_same_major("2.1", "3.0"), 0);
	assert_int_equal(ub_version_same_major("beta", "1.0"), -1);
	assert_int_equal(ub_version_same_major(NULL, "1.0"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(same_major_rule),
		cmocka_unit_test(unknown_versions),
		cmocka_unit_test(other_rules),
		cmocka_unit_test(another_unit),
		cmocka_unit_test(major_versions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
