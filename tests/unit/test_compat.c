/* Compatibility and version policy: the gates that stop a wrong image. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "core/compat.h"
#include "core/profile.h"

static const char profile_json[] =
	"{ \"name\": \"demo-router\", \"family\": \"uboot\","
	"  \"match\": { \"models\": [\"acme,wr-100\", \"WR-100\"],"
	"               \"revisions\": [\"v2\"], \"regions\": [\"EU\", \"US\"] } }";

static enum ub_verdict verdict(const struct ub_checks *c, const char *name)
{
	const struct ub_check *k = ub_checks_find(c, name);

	assert_non_null(k);
	return k->verdict;
}

static void model_lists(void **state)
{
	struct ub_image_meta m = { 0 };
	struct ub_target t = { 0 };
	struct ub_checks c = { 0 };

	(void)state;
	ub_strlist_add(&m.models, "acme,wr-100");
	ub_strlist_add(&m.models, "acme,wr-100-v3");
	t.model = "wr-100";        /* vendor prefix dropped on one side */
	ub_compat_check(&m, &t, &c);
	assert_int_equal(verdict(&c, "model"), UB_PASS);
	ub_checks_free(&c);

	t.model = "wr-200";
	ub_compat_check(&m, &t, &c);
	assert_int_equal(verdict(&c, "model"), UB_FAIL);
	assert_string_equal(ub_checks_find(&c, "model")->advice_id, "model-mismatch");
	ub_checks_free(&c);

	t.model = NULL;            /* nothing to compare with */
	ub_compat_check(&m, &t, &c);
	assert_int_equal(verdict(&c, "model"), UB_NA);
	ub_checks_free(&c);
	ub_meta_free(&m);
}

static void model_from_profile_and_name(void **state)
{
	struct ub_profile p;
	struct ub_image_meta m = { 0 };
	struct ub_target t = { 0 };
	struct ub_checks c = { 0 };
	struct ub_err e;

	(void)state;
	assert_int_equal(ub_profile_parse(profile_json, strlen(profile_json),
					  "test", &p, &e), 0);
	t.profile = &p;
	ub_strlist_add(&m.models, "WR-100");
	ub_compat_check(&m, &t, &c);
	assert_int_equal(verdict(&c, "model"), UB_PASS);
	ub_checks_free(&c);
	ub_meta_free(&m);

	/* no list: a name mentioning the model passes, any other name warns */
	ub_meta_set_str(&m.name, "ACME WR-100 firmware", 0);
	ub_compat_check(&m, &t, &c);
	assert_int_equal(verdict(&c, "model"), UB_PASS);
	ub_checks_free(&c);
	ub_meta_set_str(&m.name, "Linux-5.15", 0);
	ub_compat_check(&m, &t, &c);
	assert_int_equal(verdict(&c, "model"), UB_WARN);
	ub_checks_free(&c);
	ub_meta_free(&m);
	ub_profile_free(&p);
}

static void revision_and_region(void **state)
{
	struct ub_profile p;
	struct ub_image_meta m = { 0 };
	struct ub_target t = { 0 };
	struct ub_checks c = { 0 };
	struct ub_err e;

	(void)state;
	assert_int_equal(ub_profile_parse(profile_json, strlen(profile_json),
					  "test", &p, &e), 0);
	t.profile = &p;
	ub_strlist_add(&m.models, "wr-100");
	ub_strlist_add(&m.revisions, "v3");
	ub_strlist_add(&m.regions, "eu");
	ub_compat_check(&m, &t, &c);
	/* the profile covers exactly revision v2: the image is for v3 */
	assert_int_equal(verdict(&c, "revision"), UB_FAIL);
	/* the profile covers two regions: the user must say which */
	assert_int_equal(verdict(&c, "region"), UB_WARN);
	ub_checks_free(&c);

	t.revision = "V3";
	t.region = "US";
	ub_compat_check(&m, &t, &c);
	assert_int_equal(verdict(&c, "revision"), UB_PASS);
	assert_int_equal(verdict(&c, "region"), UB_FAIL);
	assert_string_equal(ub_checks_find(&c, "region")->advice_id, "region-mismatch");
	ub_checks_free(&c);
	ub_meta_free(&m);
	ub_profile_free(&p);
}

static void version_policy(void **state)
{
	struct ub_image_meta m = { 0 };
	struct ub_target t = { 0 };
	struct ub_checks c = { 0 };

	(void)state;
	ub_meta_set_str(&m.version, "1.9.0", 0);
	t.installed_version = "1.10.0";
	ub_version_gate(&m, &t, &c);
	assert_int_equal(verdict(&c, "version"), UB_FAIL);
	assert_string_equal(ub_checks_find(&c, "version")->advice_id, "downgrade");
	ub_checks_free(&c);

	t.allow_older = 1;
	ub_version_gate(&m, &t, &c);
	assert_int_equal(verdict(&c, "version"), UB_WARN);
	ub_checks_free(&c);

	t.allow_older = 0;
	t.installed_version = "1.8";
	ub_version_gate(&m, &t, &c);
	assert_int_equal(verdict(&c, "version"), UB_PASS);
	ub_checks_free(&c);

	t.installed_version = NULL;
	ub_version_gate(&m, &t, &c);
	assert_int_equal(verdict(&c, "version"), UB_NA);
	ub_checks_free(&c);
	ub_meta_free(&m);

	t.installed_version = "1.0";   /* image without a version */
	ub_version_gate(&m, &t, &c);
	assert_int_equal(verdict(&c, "version"), UB_WARN);
	ub_checks_free(&c);
}

static void bad_profiles(void **state)
{
	static const char *const bad[] = {
		"",
		"[]",
		"{\"name\": 3, \"match\": {\"models\": [\"a\"]}}",
		"{\"name\": \"x\"}",
		"{\"name\": \"x\", \"match\": {\"models\": []}}",
		"{\"name\": \"x\", \"match\": {\"models\": [\"\"]}}",
		"{\"name\": \"x\", \"match\": {\"models\": \"a\"}}",
		"{\"name\": \"x\", \"name\": \"y\", \"match\": {\"models\": [\"a\"]}}",
	};
	struct ub_profile p;
	struct ub_err e;

	(void)state;
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		ub_err_clear(&e);
		assert_int_equal(ub_profile_parse(bad[i], strlen(bad[i]), "t", &p, &e),
				 UB_EUSAGE);
		assert_string_equal(e.advice_id, "profile-invalid");
		assert_true(strlen(e.msg) > 0);
	}
	assert_int_equal(ub_profile_load("./no/such/profile.json", NULL, &p, &e), UB_EUSAGE);
	assert_int_equal(ub_profile_load("no such name", NULL, &p, &e), UB_EUSAGE);
	assert_int_equal(ub_profile_load("no-such-profile", NULL, &p, &e), UB_EUSAGE);
	assert_string_equal(e.advice_id, "profile-missing");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(model_lists),
		cmocka_unit_test(model_from_profile_and_name),
		cmocka_unit_test(revision_and_region),
		cmocka_unit_test(version_policy),
		cmocka_unit_test(bad_profiles),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
