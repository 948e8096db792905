#include "family/uboot/nor.h"

#include <stdio.h>

#include "base/say.h"
#include "family/uboot/flinfo.h"

#define FLINFO_IDLE_MS 10000

/* The board's banks: 0, 1 when flinfo is missing or unreadable, < 0 when
 * the console failed. */
static int read_banks(struct ub_console *con, struct ub_flinfo *f, struct ub_err *e)
{
	struct ub_console_out out;
	int rc;

	if ((rc = ub_console_run(con, "flinfo", FLINFO_IDLE_MS, NULL, NULL, &out, e)))
		return rc;
	rc = out.status == 0 && !ub_console_failure(&out, NULL) &&
	     ub_flinfo_parse(out.text ? out.text : "", out.len, f) == 0 ? 0 : 1;
	ub_console_out_free(&out);
	return rc;
}

int ub_uboot_nor_describe(struct ub_console *con, char *buf, size_t len, struct ub_err *e)
{
	struct ub_flinfo f;
	size_t i, at = 0;
	int rc;

	if (len)
		buf[0] = '\0';
	if ((rc = read_banks(con, &f, e)))
		return rc < 0 ? rc : 0;
	for (i = 0; i < f.nbanks && at < len; i++) {
		int n = snprintf(buf + at, len - at, "%sCFI NOR %llu KiB at 0x%llx (%zu sectors)",
				 i ? ", " : "", (unsigned long long)(f.bank[i].size >> 10),
				 (unsigned long long)f.bank[i].base, f.bank[i].n);

		if (n < 0)
			break;
		at += (size_t)n;
	}
	ub_flinfo_free(&f);
	return 0;
}

int ub_uboot_nor_check(struct ub_console *con, const struct ub_region *r,
		       struct ub_err *e)
{
	struct ub_flinfo f;
	uint64_t bad, sector;
	int rc, misfit;

	if ((rc = read_banks(con, &f, e)) < 0)
		return rc;
	if (rc) {
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
