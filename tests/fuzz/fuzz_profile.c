/* Profiles are user files and downloads: any JSON, any field of any type.
 * The whole profile path is fuzzed: the schema check (every key, type,
 * enum, size, regular expression and address), the document, its flash
 * map (sizes, flags, roles and protection, restore rules), its guide, and
 * its diagnose rules (regular expressions included) applied to a log and
 * to LED words.  The schema validator is also run with the input as its
 * schema when the input passes the schema self check: it must hold for
 * any schema it accepts, not only the shipped one. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/diagnose.h"
#include "core/profile.h"
#include "core/schema.h"
#include "family/region.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_map(const struct ub_flash_map *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct ub_region *r = &m->v[i];

		/* a critical region is protected unless it was waived in words */
		if (ub_region_role_critical(r->role) && r->protect_why != UB_PROTECT_WAIVED &&
		    !(r->flags & UB_REGION_PROTECTED))
			abort();
		if (r->protect_why == UB_PROTECT_WAIVED && (r->flags & UB_REGION_PROTECTED))
			abort();
		(void)ub_region_role_name(r->role);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char log[] = "U-Boot 2023.01\nBad Data CRC\n=> ";
	static const char *const symptoms[] = { "led:all LEDs stay on", "boot-loop" };
	struct ub_schema_issue issue;
	struct ub_profile p;
	struct ub_flash_map m;
	struct ub_diagnosis d;
	struct ub_err e;
	json_t *doc;

	doc = json_loadb((const char *)data, size, 0, NULL);
	if (doc && ub_schema_self_check(doc, NULL) == 0)
		(void)ub_schema_validate(doc, doc, "fuzz", "profile-invalid", NULL, NULL);
	json_decref(doc);

	if (ub_profile_parse_checked((const char *)data, size, "fuzz.json", &p, &issue, &e) != 0) {
		/* the place named is in the message */
		if (issue.where[0] && !strstr(e.msg, issue.where))
			abort();
		return 0;
	}
	(void)ub_profile_guide(&p, "connect");
	if (ub_flash_map_parse(json_object_get(p.doc, "flash"), "fuzz.json", &m, &e) == 0) {
		check_map(&m);
		ub_flash_map_free(&m);
	}
	if (ub_diagnose(log, sizeof log - 1, p.doc, symptoms, 2, &d, &e) == 0)
		ub_diagnosis_free(&d);
	ub_profile_free(&p);
	return 0;
}
