/* Flash maps from profiles: the numbers every write is bounded by. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "family/region.h"

static void sizes(void **state)
{
	uint64_t v;

	(void)state;
	assert_int_equal(ub_parse_size("4096", &v), 0);
	assert_int_equal(v, 4096);
	assert_int_equal(ub_parse_size("0x20000", &v), 0);
	assert_int_equal(v, 0x20000);
	assert_int_equal(ub_parse_size("64K", &v), 0);
	assert_int_equal(v, 65536);
	assert_int_equal(ub_parse_size("16MiB", &v), 0);
	assert_int_equal(v, 16u << 20);
	assert_int_equal(ub_parse_size("1G", &v), 0);
	assert_int_equal(v, 1u << 30);
	assert_int_equal(ub_parse_size("", &v), UB_EFORMAT);
	assert_int_equal(ub_parse_size("-1", &v), UB_EFORMAT);
	assert_int_equal(ub_parse_size("12Q", &v), UB_EFORMAT);
	assert_int_equal(ub_parse_size("0x", &v), UB_EFORMAT);
	assert_int_equal(ub_parse_size("99999999999999999999", &v), UB_EFORMAT);
	assert_int_equal(ub_parse_size("17179869184G", &v), UB_EFORMAT);
}

static int parse(const char *text, struct ub_flash_map *m, struct ub_err *e)
{
	json_t *j = json_loads(text, 0, NULL);
	int rc;

	assert_non_null(j);
	rc = ub_flash_map_parse(j, "t.json", m, e);
	json_decref(j);
	return rc;
}

static void good_map(void **state)
{
	struct ub_flash_map m;
	struct ub_err e;

	(void)state;
	assert_int_equal(parse("[{\"name\":\"u-boot\",\"storage\":\"nor\",\"offset\":0,"
			       "\"size\":\"256K\",\"erase_block\":\"128K\",\"flags\":[\"protected\"]},"
			       "{\"name\":\"firmware\",\"storage\":\"nor\",\"offset\":\"0x40000\","
			       "\"size\":\"0x100000\",\"erase_block\":\"0x20000\",\"flags\":[\"firmware\"]},"
			       "{\"name\":\"rootfs\",\"storage\":\"virtio\",\"dev\":0,\"offset\":0,"
			       "\"size\":\"1M\",\"erase_block\":512},"
			       "{\"name\":\"nvram\",\"storage\":\"nor\",\"offset\":\"0x140000\","
			       "\"size\":\"128K\",\"erase_block\":\"128K\",\"flags\":[\"config\"],\"restore\":\"any\"}]", &m, &e), 0);
	assert_int_equal(m.n, 4);
	assert_int_equal(ub_flash_map_find(&m, "nvram")->restore, UB_RESTORE_ANY);
	/* Settings survive only a firmware of the same major version unless the profile says more. */
	assert_int_equal(ub_flash_map_find(&m, "rootfs")->restore, UB_RESTORE_SAME_MAJOR);
	assert_true(ub_flash_map_find(&m, "u-boot")->flags & UB_REGION_PROTECTED);
	assert_int_equal(ub_flash_map_find(&m, "firmware")->offset, 0x40000);
	assert_int_equal(ub_flash_map_find(&m, "rootfs")->erase_block, 512);
	assert_null(ub_flash_map_find(&m, "art"));
	ub_flash_map_free(&m);
}

static void bad_maps(void **state)
{
	static const char *const bad[] = {
		"[]",
		"{}",
		"[{\"storage\":\"nor\",\"offset\":0,\"size\":4096}]",
		"[{\"name\":\"a\",\"offset\":0,\"size\":4096}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"size\":4096}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":0}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":100}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":4096,\"flags\":[\"bogus\"]}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":4096,\"restore\":\"sometimes\"}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":4096,\"restore\":1}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":8192},"
		" {\"name\":\"b\",\"storage\":\"nor\",\"offset\":4096,\"size\":4096}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":4096},"
		" {\"name\":\"a\",\"storage\":\"mmc\",\"offset\":0,\"size\":4096}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":\"0xfffffffffffff000\",\"size\":8192}]",
	};
	struct ub_flash_map m;
	struct ub_err e;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ub_err_clear(&e);
		if (parse(bad[i], &m, &e) != UB_EFORMAT)
			fail_msg("accepted: %s", bad[i]);
		assert_string_equal(e.advice_id, "profile-invalid");
		assert_null(m.v);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes),
		cmocka_unit_test(good_map),
		cmocka_unit_test(bad_maps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
