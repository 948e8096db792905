/* "Did you mean": the closest known word to a typo, or nothing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/suggest.h"

static const char *const keys[] = {
	"name", "storage", "dev", "offset", "size", "erase_block", "flags", "restore", "role", "protected",
};
#define NKEYS (sizeof keys / sizeof keys[0])

static void distances(void **state)
{
	(void)state;
	assert_int_equal(ub_edit_distance("", ""), 0);
	assert_int_equal(ub_edit_distance("", "abc"), 3);
	assert_int_equal(ub_edit_distance("abc", ""), 3);
	assert_int_equal(ub_edit_distance("flgs", "flags"), 1);     /* a letter left out */
	assert_int_equal(ub_edit_distance("flasg", "flags"), 1);    /* two letters swapped */
	assert_int_equal(ub_edit_distance("FLAGS", "flags"), 0);    /* case is no edit */
	assert_int_equal(ub_edit_distance("kitten", "sitting"), 3);
	assert_int_equal(ub_edit_distance("ca", "abc"), 3);         /* no swap then insert in OSA */
	assert_int_equal(ub_edit_distance(
		"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "a"), (size_t)-1);
}

static void suggestions(void **state)
{
	(void)state;
	assert_string_equal(ub_suggest("flgs", keys, NKEYS), "flags");
	assert_string_equal(ub_suggest("flasg", keys, NKEYS), "flags");
	assert_string_equal(ub_suggest("Flags", keys, NKEYS), "flags");
	assert_string_equal(ub_suggest("protectd", keys, NKEYS), "protected");
	assert_string_equal(ub_suggest("erase_blok", keys, NKEYS), "erase_block");
	assert_string_equal(ub_suggest("eraseblock", keys, NKEYS), "erase_block");
	assert_string_equal(ub_suggest("de", keys, NKEYS), "dev");
	assert_string_equal(ub_suggest("ofset", keys, NKEYS), "offset");
	/* nothing close: no guess rather than a wrong one */
	assert_null(ub_suggest("wibble", keys, NKEYS));
	assert_null(ub_suggest("x", keys, NKEYS));
	assert_null(ub_suggest("", keys, NKEYS));
	assert_null(ub_suggest(NULL, keys, NKEYS));
	assert_null(ub_suggest("flgs", keys, 0));
}

static void ties_and_gaps(void **state)
{
	static const char *const two[] = { NULL, "abcd", "abce" };
	static const char *const words[] = { "on", "id" };

	(void)state;
	/* equally close: the first listed wins, so answers are stable */
	assert_string_equal(ub_suggest("abcf", two, 3), "abcd");
	/* two edits in a word of two letters is another word */
	assert_null(ub_suggest("id", words, 1));
	assert_string_equal(ub_suggest("id", words, 2), "id");
	/* one edit in a word of seven is a typo, three are not */
	assert_string_equal(ub_suggest("storag", keys, NKEYS), "storage");
	assert_null(ub_suggest("stoxxxe", keys, NKEYS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(distances),
		cmocka_unit_test(suggestions),
		cmocka_unit_test(ties_and_gaps),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
