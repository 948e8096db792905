/* Diagnosis rules against boot-log fixtures (tests/data/bootlogs, with
 * expect.json naming the findings and the path each must give), and every
 * built-in rule has at least one fixture that fires it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "base/file.h"
#include "core/diagnose.h"

static json_t *expect_doc(void)
{
	char path[4096];
	json_t *j;

	snprintf(path, sizeof path, "%s/bootlogs/expect.json", getenv("UB_TESTDATA"));
	j = json_load_file(path, 0, NULL);
	assert_non_null(j);
	return j;
}

static void diagnose_file(const char *name, struct ub_diagnosis *d)
{
	char path[4096], *log = NULL;
	size_t len = 0;
	struct ub_err e;

	snprintf(path, sizeof path, "%s/bootlogs/%s", getenv("UB_TESTDATA"), name);
	assert_int_equal(ub_read_small(path, 1 << 20, "log", "format", &log, &len, &e), 0);
	assert_int_equal(ub_diagnose(log, len, NULL, NULL, 0, d, &e), 0);
	free(log);
}

/* Each fixture gives exactly the findings and the path it expects. */
static void fixtures(void **state)
{
	json_t *doc = expect_doc(), *want;
	const char *name;

	(void)state;
	json_object_foreach(doc, name, want) {
		struct ub_diagnosis d;
		json_t *ids = json_object_get(want, "findings");
		size_t i;

		diagnose_file(name, &d);
		if (d.n != json_array_size(ids) ||
		    strcmp(ub_path_name(d.path), json_string_value(json_object_get(want, "path"))) != 0) {
			print_error("%s: path %s, %zu findings:", name, ub_path_name(d.path), d.n);
			for (i = 0; i < d.n; i++)
				print_error(" %s", d.v[i].id);
			print_error("\n");
			fail();
		}
		for (i = 0; i < d.n; i++)
			assert_string_equal(d.v[i].id, json_string_value(json_array_get(ids, i)));
		ub_diagnosis_free(&d);
	}
	json_decref(doc);
}

/* A rule without a fixture is a rule nobody has seen fire. */
static void every_rule_has_a_fixture(void **state)
{
	json_t *doc = expect_doc(), *want, *id;
	const char *name;
	size_t i, k, f;

	(void)state;
	for (f = 0; f == 0 || ub_families[f - 1]; f++) {
		const struct ub_diag_rule *rules = f == 0 ? ub_diag_rules : ub_families[f - 1]->rules;

		for (i = 0; rules && rules[i].id; i++) {
			int seen = 0;

			json_object_foreach(doc, name, want)
				json_array_foreach(json_object_get(want, "findings"), k, id)
					seen |= strcmp(json_string_value(id), rules[i].id) == 0;
			if (!seen) {
				print_error("rule %s has no fixture\n", rules[i].id);
				fail();
			}
		}
	}
	json_decref(doc);
}

static void evidence_and_interval(void **state)
{
	struct ub_diagnosis d;

	(void)state;
	diagnose_file("linux-no-rootfs.log", &d);
	assert_string_equal(d.v[1].id, "kernel-panic");
	/* group 1 of the rule: the panic's cause, not the whole line */
	assert_string_equal(d.v[1].evidence, "VFS: Unable to mount root fs on unknown-block(31,5)");
	ub_diagnosis_free(&d);

	/* an erased environment is a note; a kernel oops is a fault */
	diagnose_file("autoboot-nothing.log", &d);
	assert_string_equal(d.v[0].id, "env-default");
	assert_true(d.v[0].note);
	assert_false(d.v[1].note);
	ub_diagnosis_free(&d);
	diagnose_file("kernel-oops.log", &d);
	assert_false(d.v[0].note);
	ub_diagnosis_free(&d);

	diagnose_file("uboot-bootloop-stamped.log", &d);
	assert_int_equal(d.v[0].count, 3);
	assert_true(d.v[0].interval > 8.17 && d.v[0].interval < 8.19);
	ub_diagnosis_free(&d);
}

static void symptoms(void **state)
{
	const char *nothing[] = { "no-output" }, *loop[] = { "boot-loop", "led:red blinking" };
	const char *bad[] = { "exploded" };
	struct ub_diagnosis d;
	struct ub_err e;

	(void)state;
	assert_int_equal(ub_diagnose(NULL, 0, NULL, nothing, 1, &d, &e), 0);
	assert_int_equal(d.path, UB_PATH_PROGRAMMER);
	ub_diagnosis_free(&d);
	assert_int_equal(ub_diagnose(NULL, 0, NULL, loop, 2, &d, &e), 0);
	assert_int_equal(d.path, UB_PATH_CONSOLE);
	assert_int_equal(d.n, 2);
	assert_string_equal(d.v[1].evidence, "led:red blinking");
	ub_diagnosis_free(&d);
	assert_int_equal(ub_diagnose(NULL, 0, NULL, bad, 1, &d, &e), UB_EUSAGE);
	assert_non_null(strstr(e.msg, "exploded"));
}

/* What the lights mean is the board's own: a profile's LED rules decide,
 * ignoring case, and never fire on the console log. */
static void led_rules(void **state)
{
	static const char log[] = "U-Boot 2023.01\nsystem LED blinks fast\n";
	json_t *p = json_loads("{\"diagnose\":[{\"id\":\"led-failsafe\",\"on\":\"led\","
			       "\"pattern\":\"(power|system) (led )?blinks? fast\",\"path\":\"console\","
			       "\"finding\":\"the bootloader's recovery mode\",\"advice\":\"connect the console\"},"
			       "{\"id\":\"led-dark\",\"on\":\"led\",\"pattern\":\"all (leds )?(off|dark)\","
			       "\"path\":\"hardware\",\"finding\":\"no power reaches the board\",\"advice\":\"check the supply\"}]}",
			       0, NULL);
	json_t *bad_on = json_loads("{\"diagnose\":[{\"id\":\"x\",\"on\":\"smell\",\"pattern\":\"x\","
				    "\"path\":\"console\",\"finding\":\"f\",\"advice\":\"a\"}]}", 0, NULL);
	const char *fast[] = { "led:Power LED blinks FAST" }, *dark[] = { "led:all LEDs off" };
	const char *other[] = { "led:green and amber alternate" };
	struct ub_diagnosis d;
	struct ub_err e;

	(void)state;
	assert_int_equal(ub_diagnose(NULL, 0, p, fast, 1, &d, &e), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].id, "led-failsafe");
	assert_string_equal(d.v[0].evidence, "led:Power LED blinks FAST");
	assert_int_equal(d.path, UB_PATH_CONSOLE);
	ub_diagnosis_free(&d);
	assert_int_equal(ub_diagnose(NULL, 0, p, dark, 1, &d, &e), 0);
	assert_int_equal(d.path, UB_PATH_HARDWARE);
	ub_diagnosis_free(&d);
	/* a pattern the profile does not know is reported, not guessed */
	assert_int_equal(ub_diagnose(NULL, 0, p, other, 1, &d, &e), 0);
	assert_string_equal(d.v[0].id, "led");
	assert_int_equal(d.path, UB_PATH_UNKNOWN);
	ub_diagnosis_free(&d);
	/* the log says "blinks fast" too, but LED rules are not log rules */
	assert_int_equal(ub_diagnose(log, sizeof log - 1, p, NULL, 0, &d, &e), 0);
	for (size_t i = 0; i < d.n; i++)
		assert_string_not_equal(d.v[i].id, "led-failsafe");
	ub_diagnosis_free(&d);
	assert_int_equal(ub_diagnose(NULL, 0, bad_on, fast, 1, &d, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "\"on\""));
	json_decref(p);
	json_decref(bad_on);
}

/* A hardware finding outweighs a firmware one in the same log. */
static void gravest_path_wins(void **state)
{
	static const char log[] = "DRAM:  256 MiB\nmtest: FAILURE at 0x80001000\nBad Data CRC\n";
	struct ub_diagnosis d;
	struct ub_err e;

	(void)state;
	assert_int_equal(ub_diagnose(log, sizeof log - 1, NULL, NULL, 0, &d, &e), 0);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.path, UB_PATH_HARDWARE);
	ub_diagnosis_free(&d);
}

static void profile_rules(void **state)
{
	static const char log[] = "ACME loader 1.0\nACME: radio calibration missing\n";
	json_t *good = json_loads("{\"diagnose\":[{\"id\":\"acme-art\",\"pattern\":\"ACME: (radio calibration missing)\","
				  "\"path\":\"hardware\",\"finding\":\"the ART partition is empty\",\"advice\":\"restore ART from the backup\"}]}", 0, NULL);
	json_t *bad_re = json_loads("{\"diagnose\":[{\"id\":\"x\",\"pattern\":\"(unclosed\",\"path\":\"console\","
				    "\"finding\":\"f\",\"advice\":\"a\"}]}", 0, NULL);
	json_t *bad_path = json_loads("{\"diagnose\":[{\"id\":\"x\",\"pattern\":\"x\",\"path\":\"sideways\","
				      "\"finding\":\"f\",\"advice\":\"a\"}]}", 0, NULL);
	json_t *missing = json_loads("{\"diagnose\":[{\"id\":\"x\",\"pattern\":\"x\"}]}", 0, NULL);
	struct ub_diagnosis d;
	struct ub_err e;

	(void)state;
	assert_int_equal(ub_diagnose(log, sizeof log - 1, good, NULL, 0, &d, &e), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].id, "acme-art");
	assert_string_equal(d.v[0].evidence, "radio calibration missing");
	assert_int_equal(d.path, UB_PATH_HARDWARE);
	ub_diagnosis_free(&d);
	assert_int_equal(ub_diagnose(log, sizeof log - 1, bad_re, NULL, 0, &d, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "not a valid regular expression"));
	assert_int_equal(ub_diagnose(log, sizeof log - 1, bad_path, NULL, 0, &d, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "sideways"));
	assert_int_equal(ub_diagnose(log, sizeof log - 1, missing, NULL, 0, &d, &e), UB_EFORMAT);
	json_decref(good);
	json_decref(bad_re);
	json_decref(bad_path);
	json_decref(missing);
}

/* Lines longer than the buffer, NULs and carriage returns inside lines. */
static void awkward_bytes(void **state)
{
	static char log[5000];
	struct ub_diagnosis d;
	struct ub_err e;

	(void)state;
	memset(log, 'x', sizeof log);
	memcpy(log + 10, "\0\rBad Data CRC\r", 15);
	log[sizeof log - 1] = '\n';
	assert_int_equal(ub_diagnose(log, sizeof log, NULL, NULL, 0, &d, &e), 0);
	assert_int_equal(d.n, 1);
	assert_string_equal(d.v[0].id, "bad-image-crc");
	ub_diagnosis_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fixtures),
		cmocka_unit_test(every_rule_has_a_fixture),
		cmocka_unit_test(evidence_and_interval),
		cmocka_unit_test(symptoms),
		cmocka_unit_test(gravest_path_wins),
		cmocka_unit_test(led_rules),
		cmocka_unit_test(profile_rules),
		cmocka_unit_test(awkward_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
