/* The check list and weighted progress: the pieces every result is built on. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/err.h"
#include "base/progress.h"
#include "image/checks.h"

static void worst_of_list(void **state)
{
	struct ub_checks c = { 0 };

	(void)state;
	assert_int_equal(ub_checks_worst(&c), UB_PASS);
	ub_checks_add(&c, "a", UB_PASS, NULL, "fine");
	ub_checks_add(&c, "b", UB_NA, NULL, "nothing to compare");
	assert_int_equal(ub_checks_worst(&c), UB_PASS);
	ub_checks_add(&c, "c", UB_WARN, NULL, "odd");
	assert_int_equal(ub_checks_worst(&c), UB_WARN);
	ub_checks_add(&c, "d", UB_FAIL, "image-corrupt", "bad crc %08x", 0xdeadbeefu);
	assert_int_equal(ub_checks_worst(&c), UB_FAIL);
	assert_string_equal(ub_checks_find(&c, "d")->why, "bad crc deadbeef");
	assert_null(ub_checks_find(&c, "zz"));
	for (int i = 0; i < 100; i++)
		ub_checks_add(&c, "many", UB_PASS, NULL, "%d", i);
	assert_int_equal(c.n, 104);
	ub_checks_free(&c);
}

static void every_code_has_default_advice(void **state)
{
	static const int codes[] = { UB_EFAIL, UB_EUSAGE, UB_EREFUSED, UB_ENODEV,
				     UB_EIO, UB_ENOMEM, UB_EFORMAT, UB_ETIMEOUT };
	struct ub_err e;

	(void)state;
	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
		ub_err_set(&e, codes[i], "no-such-advice", "x");
		assert_non_null(ub_err_advice(&e));
	}
	assert_int_equal(ub_exit_code(UB_EREFUSED), 3);
	assert_int_equal(ub_exit_code(UB_ETIMEOUT), 4);
	assert_int_equal(ub_exit_code(UB_EFORMAT), 1);
	assert_int_equal(ub_exit_code(UB_EUSAGE), 2);
	ub_err_set(&e, UB_EREFUSED, "checksum-mismatch", "m");
	assert_true(strstr(ub_err_advice(&e), "Re-download") != NULL);
}

struct seen {
	double last[3];
	int ends;
};

static void sink(void *ctx, const struct ub_progress_event *ev)
{
	struct seen *s = ctx;

	if (ev->depth < 3)
		s->last[ev->depth] = ev->fraction;
	if (ev->kind == UB_PROGRESS_END)
		s->ends++;
}

static void weighted_nested_progress(void **state)
{
	struct ub_progress root, a, b, b1;
	struct seen s = { { 0 }, 0 };

	(void)state;
	ub_progress_root(&root, "job", sink, &s);
	ub_progress_set_interval(&root, 0);
	ub_progress_plan(&root, 4);
	ub_progress_begin(&a, &root, "a", 1, 100);
	ub_progress_update(&a, 100);
	assert_true(s.last[1] > 0.249 && s.last[1] < 0.251);
	ub_progress_end(&a, 0);
	ub_progress_begin(&b, &root, "b", 3, 0);
	ub_progress_plan(&b, 2);
	ub_progress_begin(&b1, &b, "b1", 1, 1000);
	ub_progress_update(&b1, 500);
	/* a (0.25) + half of b1, which is half of b (0.75): 0.25 + 0.1875 */
	assert_true(s.last[2] > 0.4374 && s.last[2] < 0.4376);
	ub_progress_end(&b1, 0);
	ub_progress_end(&b, 0);
	ub_progress_end(&root, 0);
	assert_true(s.last[0] > 0.999);
	assert_int_equal(s.ends, 4);
	/* NULL is accepted everywhere */
	ub_progress_update(NULL, 1);
	ub_progress_end(NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(worst_of_list),
		cmocka_unit_test(every_code_has_default_advice),
		cmocka_unit_test(weighted_nested_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
