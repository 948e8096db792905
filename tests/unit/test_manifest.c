/* The sidecar manifest and the string lists it fills: a list of many
 * models is built in linear time (a 1 MiB manifest of 138k models took
 * hours: every add compared with every name before it), and duplicates
 * are still dropped. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "image/manifest.h"
#include "image/meta.h"

static void name_of(size_t i, char out[16])
{
	static const char a[] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

	out[0] = a[i / (62 * 62) % 62];
	out[1] = a[i / 62 % 62];
	out[2] = a[i % 62];
	out[3] = '\0';
}

/* The most models a 1 MiB manifest holds ("abc", each 6 bytes), each
 * twice: every one kept once, in order. */
static void many_models(void **state)
{
	size_t n = 170000, i, len = 0;
	char *json = malloc(1 << 20), name[16];
	struct ub_manifest m;
	struct ub_err e;

	(void)state;
	assert_non_null(json);
	len += (size_t)sprintf(json, "{\"models\":[");
	for (i = 0; i < n; i++) {
		name_of(i % 120000, name);
		len += (size_t)sprintf(json + len, "%s\"%s\"", i ? "," : "", name);
	}
	len += (size_t)sprintf(json + len, "]}");
	assert_true(len <= (1u << 20));
	assert_int_equal(ub_manifest_parse(json, len, &m, &e), 0);
	assert_int_equal(m.models.n, 120000);
	name_of(119999, name);
	assert_string_equal(m.models.v[119999], name);
	assert_true(ub_strlist_has(&m.models, "000"));
	assert_false(ub_strlist_has(&m.models, "zzzz"));
	ub_manifest_free(&m);
	free(json);
}

/* A million names: the list stays a set, and is found again. */
static void list_of_a_million(void **state)
{
	struct ub_strlist l = { 0 };
	char name[32];
	size_t i;

	(void)state;
	for (i = 0; i < 1000000; i++) {
		snprintf(name, sizeof name, "model-%zu", i);
		assert_int_equal(ub_strlist_add(&l, name), 0);
	}
	for (i = 0; i < 1000000; i += 999) {
		snprintf(name, sizeof name, "model-%zu", i);
		assert_int_equal(ub_strlist_add(&l, name), 0);   /* already there */
		assert_true(ub_strlist_has(&l, name));
	}
	assert_int_equal(l.n, 1000000);
	assert_string_equal(l.v[123456], "model-123456");
	assert_false(ub_strlist_has(&l, "model-1000000"));
	ub_strlist_free(&l);
	assert_int_equal(l.n, 0);
	assert_int_equal(ub_strlist_add(&l, "again"), 0);   /* usable after free */
	assert_true(ub_strlist_has(&l, "again"));
	ub_strlist_free(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(many_models),
		cmocka_unit_test(list_of_a_million),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
