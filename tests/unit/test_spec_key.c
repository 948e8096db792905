/* The key a device's lock is taken on: one device, one key, however its
 * address was written (two runs on one board must meet at its lock). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "family/family.h"

static void key(const char *spec, char *out, size_t len)
{
	struct ub_device_spec s;
	struct ub_err e;

	assert_int_equal(ub_device_spec_parse(spec, &s, &e), 0);
	ub_device_spec_key(&s, out, len);
}

static void same(const char *a, const char *b)
{
	char ka[2200], kb[2200];

	key(a, ka, sizeof ka);
	key(b, kb, sizeof kb);
	if (strcmp(ka, kb) != 0)
		fail_msg("%s -> %s, %s -> %s: one device, two keys", a, ka, b, kb);
}

static void differ(const char *a, const char *b)
{
	char ka[2200], kb[2200];

	key(a, ka, sizeof ka);
	key(b, kb, sizeof kb);
	if (strcmp(ka, kb) == 0)
		fail_msg("%s and %s: two devices, one key (%s)", a, b, ka);
}

static void hosts(void **state)
{
	(void)state;
	same("uboot:tcp:localhost:5555", "uboot:tcp:127.0.0.1:5555");
	same("uboot:tcp:[::1]:5555", "uboot:tcp:127.0.0.1:5555");
	same("uboot:telnet:localhost:2000", "uboot:telnet:127.0.0.1:2000,baud=9600");
	differ("uboot:tcp:127.0.0.1:5555", "uboot:tcp:127.0.0.1:5556");
	differ("uboot:tcp:127.0.0.1:5555", "uboot:telnet:127.0.0.1:5555");
	differ("uboot:tcp:192.0.2.1:5555", "uboot:tcp:192.0.2.2:5555");
}

static void paths(void **state)
{
	(void)state;
	same("uboot:serial:/dev/../dev/null", "uboot:serial:/dev/null");
	differ("uboot:serial:/dev/null", "uboot:serial:/dev/zero");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(hosts),
		cmocka_unit_test(paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
