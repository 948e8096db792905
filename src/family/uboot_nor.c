#include "family/uboot_nor.h"

#include <stdio.h>

#include "base/say.h"
#include "proto/uboot_flinfo.h"

#define FLINFO_IDLE_MS 10000

int ub_uboot_nor_check(struct ub_console *con, const struct ub_region *r,
		       struct ub_err *e)
{
	struct ub_console_out out;
	struct ub_flinfo f;
	uint64_t bad, sector;
	int rc, misfit;

	if ((rc = ub_console_run(con, "flinfo", FLINFO_IDLE_MS, NULL, NULL, &out, e)))
		return rc;
	rc = out.status == 0 && !ub_console_failure(&out, NULL) &&
	     ub_flinfo_parse(out.text ? out.text : "", out.len, &f) == 0;
	ub_console_out_free(&out);
	if (!rc) {
		ub_say("  region %s: the board's flinfo lists no sectors; its erase blocks are taken as the profile says\n",
		       r->name);
		return 0;
	}
	misfit = ub_flinfo_fits(&f, r->offset, r->size, r->erase_block, &bad, &sector);
	rc = 0;
	if (misfit && !sector)
		rc = ub_err_set(e, UB_EUSAGE, "profile-invalid",
				"region %s (0x%llx bytes at 0x%llx) is not all in the board's NOR flash: "
				"0x%llx is in no bank flinfo lists; check the profile's offset and size",
				r->name, (unsigned long long)r->size, (unsigned long long)r->offset,
				(unsigned long long)bad);
	else if (misfit)
		rc = ub_err_set(e, UB_EUSAGE, "profile-invalid",
				"region %s: erase block 0x%llx does not keep to the NOR flash's sectors: "
				"0x%llx is inside a sector of 0x%llx bytes, so erasing a block would wipe "
				"bytes beside it; make erase_block and offset whole sectors in the profile",
				r->name, (unsigned long long)r->erase_block, (unsigned long long)bad,
				(unsigned long long)sector);
	ub_flinfo_free(&f);
	return rc;
}
