/* Flash maps from profiles: the numbers every write is bounded by. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
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
	/* strtoull would read these as octal: hex without its 0x, more likely */
	assert_int_equal(ub_parse_size("0400000", &v), UB_EFORMAT);
	assert_int_equal(ub_parse_size("010", &v), UB_EFORMAT);
	assert_int_equal(ub_parse_size("0", &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(ub_parse_size("0x00000000", &v), 0);
	assert_int_equal(v, 0);
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
		/* a key or a word the map does not know is never ignored */
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":4096,\"flgs\":[\"protected\"]}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":4096,\"flags\":[\"protectd\"]}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":4096,\"flags\":[1]}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":4096,\"role\":\"boot-loader\"}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":4096,\"protected\":\"yes\"}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":0,\"size\":4096,\"protected\":false,\"flags\":[\"protected\"]}]",
		"[{\"name\":\"a\",\"storage\":\"nor\",\"offset\":\"0400000\",\"size\":4096}]",
	};
	struct ub_flash_map m;
	struct ub_err e;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ub_err_clear(&e);
		if (parse(bad[i], &m, &e) != UB_EUSAGE)
			fail_msg("accepted: %s", bad[i]);
		assert_string_equal(e.advice_id, "profile-invalid");
		assert_null(m.v);
	}
}

/* The one region of a map made of text. */
static struct ub_region one(const char *region)
{
	struct ub_flash_map m;
	struct ub_region r;
	struct ub_err e;
	char text[512];

	snprintf(text, sizeof text, "[%s]", region);
	if (parse(text, &m, &e) != 0)
		fail_msg("refused %s: %s", region, e.msg);
	r = m.v[0];
	ub_flash_map_free(&m);
	return r;
}

#define AT "\"storage\":\"chip\",\"offset\":0,\"size\":4096"

static void critical_by_nature(void **state)
{
	struct ub_region r;

	(void)state;
	/* a bootloader with no flags at all: protected by its name */
	r = one("{\"name\":\"u-boot\"," AT "}");
	assert_true(r.flags & UB_REGION_PROTECTED);
	assert_int_equal(r.role, UB_ROLE_BOOTLOADER);
	assert_int_equal(r.role_from, UB_ROLE_FROM_NAME);
	assert_int_equal(r.protect_why, UB_PROTECT_ROLE);
	/* names are matched whole, ignoring case, '-' and '_' */
	assert_int_equal(one("{\"name\":\"U_Boot\"," AT "}").role, UB_ROLE_BOOTLOADER);
	assert_true(one("{\"name\":\"ART\"," AT "}").flags & UB_REGION_PROTECTED);
	assert_int_equal(one("{\"name\":\"caldata\"," AT "}").role, UB_ROLE_CALIBRATION);
	assert_int_equal(one("{\"name\":\"factory\"," AT "}").role, UB_ROLE_FACTORY);
	assert_int_equal(one("{\"name\":\"gpt\"," AT "}").role, UB_ROLE_PARTITION_TABLE);
	assert_int_equal(one("{\"name\":\"u-boot-env\"," AT "}").role, UB_ROLE_NONE);
	assert_false(one("{\"name\":\"u-boot-env\"," AT "}").flags & UB_REGION_PROTECTED);
	assert_false(one("{\"name\":\"firmware\"," AT ",\"flags\":[\"firmware\"]}").flags & UB_REGION_PROTECTED);
	/* a role said protects whatever the name */
	r = one("{\"name\":\"loader1\"," AT ",\"role\":\"bootloader\"}");
	assert_true(r.flags & UB_REGION_PROTECTED);
	assert_int_equal(r.role_from, UB_ROLE_FROM_KEY);
	/* the firmware flag is no word about protection: a region named
	 * nvram is factory data, and stays protected ... */
	r = one("{\"name\":\"nvram\"," AT ",\"flags\":[\"firmware\"]}");
	assert_true(r.flags & UB_REGION_PROTECTED);
	assert_true(r.flags & UB_REGION_FIRMWARE);
	/* ... unless its role says it holds something else */
	r = one("{\"name\":\"nvram\"," AT ",\"role\":\"firmware\",\"flags\":[\"firmware\"]}");
	assert_false(r.flags & UB_REGION_PROTECTED);
	assert_int_equal(r.role, UB_ROLE_FIRMWARE);
}

static void protection_said(void **state)
{
	struct ub_region r;

	(void)state;
	/* "protected": false, in so many words, is honoured */
	r = one("{\"name\":\"u-boot\"," AT ",\"protected\":false}");
	assert_false(r.flags & UB_REGION_PROTECTED);
	assert_int_equal(r.protect_why, UB_PROTECT_WAIVED);
	/* "protected": true protects any region */
	r = one("{\"name\":\"settings\"," AT ",\"protected\":true}");
	assert_true(r.flags & UB_REGION_PROTECTED);
	assert_int_equal(r.protect_why, UB_PROTECT_KEY);
	/* the flag still works, and is named as the reason */
	r = one("{\"name\":\"boot\"," AT ",\"flags\":[\"protected\"]}");
	assert_true(r.flags & UB_REGION_PROTECTED);
	assert_int_equal(r.protect_why, UB_PROTECT_FLAG);
	/* false on a region that is not critical changes nothing */
	r = one("{\"name\":\"firmware\"," AT ",\"protected\":false}");
	assert_false(r.flags & UB_REGION_PROTECTED);
	assert_int_equal(r.protect_why, UB_PROTECT_NO);
}

static void typos_named(void **state)
{
	struct ub_flash_map m;
	struct ub_err e;

	(void)state;
	ub_err_clear(&e);
	assert_int_equal(parse("[{\"name\":\"a\"," AT "},{\"name\":\"u-boot\"," AT ",\"dev\":1,\"flgs\":[\"protected\"]}]",
			       &m, &e), UB_EUSAGE);
	assert_non_null(strstr(e.msg, "flash[1].flgs (u-boot)"));
	assert_non_null(strstr(e.msg, "did you mean 'flags'?"));
	ub_err_clear(&e);
	assert_int_equal(parse("[{\"name\":\"u-boot\"," AT ",\"flags\":[\"protected\",\"frimware\"]}]", &m, &e),
			 UB_EUSAGE);
	assert_non_null(strstr(e.msg, "'frimware' is not a known flag; did you mean 'firmware'?"));
	ub_err_clear(&e);
	assert_int_equal(parse("[{\"name\":\"u-boot\"," AT ",\"role\":\"bootlaoder\"}]", &m, &e), UB_EUSAGE);
	assert_non_null(strstr(e.msg, "did you mean 'bootloader'?"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sizes),
		cmocka_unit_test(good_map),
		cmocka_unit_test(bad_maps),
		cmocka_unit_test(critical_by_nature),
		cmocka_unit_test(protection_said),
		cmocka_unit_test(typos_named),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
