/* Profiles are user files and downloads: any JSON, any field of any type.
 * The whole profile path is fuzzed: the document, its flash map (sizes,
 * flags, restore rules), its guide, and its diagnose rules (regular
 * expressions included) applied to a log and to LED words. */
#include <stddef.h>
#include <stdint.h>

#include "core/diagnose.h"
#include "core/profile.h"
#include "family/region.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char log[] = "U-Boot 2023.01\nBad Data CRC\n=> ";
	static const char *const symptoms[] = { "led:all LEDs stay on", "boot-loop" };
	struct ub_profile p;
	struct ub_flash_map m;
	struct ub_diagnosis d;
	struct ub_err e;

	if (ub_profile_parse((const char *)data, size, "fuzz.json", &p, &e) != 0)
		return 0;
	(void)ub_profile_guide(&p, "connect");
	if (ub_flash_map_parse(json_object_get(p.doc, "flash"), "fuzz.json", &m, &e) == 0)
		ub_flash_map_free(&m);
	if (ub_diagnose(log, sizeof log - 1, p.doc, symptoms, 2, &d, &e) == 0)
		ub_diagnosis_free(&d);
	ub_profile_free(&p);
	return 0;
}
