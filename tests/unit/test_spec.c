/* Device specs as users type them. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "family/family.h"

static void good_specs(void **state)
{
	struct ub_device_spec s;
	struct ub_err e;

	(void)state;
	assert_int_equal(ub_device_spec_parse("uboot:serial:/dev/ttyUSB0,baud=115200", &s, &e), 0);
	assert_string_equal(s.family, "uboot");
	assert_string_equal(s.transport, "serial");
	assert_string_equal(s.address, "/dev/ttyUSB0");
	assert_string_equal(s.params, "baud=115200");
	assert_int_equal(ub_device_spec_parse("uboot:tcp:127.0.0.1:5555", &s, &e), 0);
	assert_string_equal(s.address, "127.0.0.1:5555");
	assert_string_equal(s.params, "");
	assert_int_equal(ub_device_spec_parse("spi:flashrom:dummy,emulate=W25Q128FV,image=chip.bin", &s, &e), 0);
	assert_string_equal(s.address, "dummy");
	assert_string_equal(s.params, "emulate=W25Q128FV,image=chip.bin");
	assert_int_equal(ub_device_spec_parse("uboot:tcp:[::1]:5555", &s, &e), 0);
	assert_string_equal(s.address, "[::1]:5555");
}

static void bad_specs(void **state)
{
	static const char *const bad[] = {
		"", "uboot", "uboot:serial", "uboot:serial:", ":serial:/dev/x",
		"uboot::/dev/x", "UBoot:serial:/dev/x", "uboot:serial:/dev/x,",
		"uboot:serial:/dev/x,baud", "uboot:serial:/dev/x,=1",
		"uboot:serial:/dev/x,baud=1,", "a b:serial:/dev/x",
	};
	struct ub_device_spec s;
	struct ub_err e;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ub_err_clear(&e);
		if (ub_device_spec_parse(bad[i], &s, &e) != UB_EUSAGE)
			fail_msg("accepted '%s'", bad[i]);
		assert_true(strlen(e.msg) > 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(good_specs),
		cmocka_unit_test(bad_specs),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
