#include "family/uboot/sf.h"

#include <stdio.h>

#define PROBE_IDLE_MS 10000

/* The region against the chip: checked on every select, since regions on
 * one chip share a probe but not their offsets. */
static int fits(const struct ub_region *r, const struct ub_sf_chip *c, struct ub_err *e)
{
	if (c->size && (r->offset >= c->size || r->size > c->size - r->offset))
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "region %s (0x%llx bytes at 0x%llx) runs past the end of the SPI flash: "
				  "the board found a %s of 0x%llx bytes; check the profile's offset and size",
				  r->name, (unsigned long long)r->size, (unsigned long long)r->offset,
				  *c->name ? c->name : "chip", (unsigned long long)c->size);
	/* the offset is a multiple of erase_block already (region.c) */
	if (c->erase && r->erase_block % c->erase)
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "region %s: erase_block 0x%llx must be a multiple of the SPI flash's "
				  "erase size (0x%llx, %s); fix the profile",
				  r->name, (unsigned long long)r->erase_block,
				  (unsigned long long)c->erase, *c->name ? c->name : "as the board reported");
	return 0;
}

int ub_uboot_sf_select(struct ub_console *con, const struct ub_region *r,
		       struct ub_sf_state *st, struct ub_err *e)
{
	struct ub_console_out out;
	char cmd[32], said[160];
	const char *bad;
	size_t len = 0;
	int rc;

	if (st->cs == r->dev + 1)
		return fits(r, &st->chip, e);
	snprintf(cmd, sizeof cmd, "sf probe %u", r->dev);
	if ((rc = ub_console_run(con, cmd, PROBE_IDLE_MS, NULL, NULL, &out, e)))
		return rc;
	bad = ub_console_failure(&out, &len);
	ub_console_last_line(&out, said, sizeof said);
	if (bad && strstr(bad, "Unknown command"))
		rc = ub_err_set(e, UB_EFAIL, "sf-unsupported",
				"region %s: this U-Boot has no `sf` command, so it cannot reach the SPI flash",
				r->name);
	else if (out.status != 0 || bad ||
		 ub_sf_parse_probe(out.text ? out.text : "", out.len, &st->chip) != 0)
		rc = ub_err_set(e, UB_EFAIL, "sf-missing",
				"region %s: no SPI flash answered on chip select %u (%s: %s)",
				r->name, r->dev, cmd, said);
	ub_console_out_free(&out);
	if (rc) {
		ub_uboot_sf_forget(st);
		return rc;
	}
	st->cs = r->dev + 1;
	return fits(r, &st->chip, e);
}

void ub_uboot_sf_describe(const struct ub_sf_state *st, char *buf, size_t len)
{
	const struct ub_sf_chip *c = &st->chip;
	char size[32] = "", erase[40] = "";

	if (!st->cs) {
		if (len)
			buf[0] = '\0';
		return;
	}
	if (c->size)
		snprintf(size, sizeof size, ", %llu KiB", (unsigned long long)(c->size >> 10));
	if (c->erase)
		snprintf(erase, sizeof erase, ", %llu KiB erase blocks", (unsigned long long)(c->erase >> 10));
	snprintf(buf, len, "SPI NOR %s%s%s, chip select %u", *c->name ? c->name : "(unnamed)",
		 size, erase, st->cs - 1);
}
