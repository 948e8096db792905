#include "flash.h"

#include <stdio.h>
#include <string.h>

int ub_flash_region(struct ub_session *s, const struct ub_region *g, const struct ub_src *src,
		    struct ub_flash_result *out, struct ub_progress *p, json_t *d,
		    struct ub_err *e)
{
	struct ub_compare c;
	struct ub_progress step;
	int rc;

	memset(out, 0, sizeof *out);
	if (s->fam->check_write && (rc = s->fam->check_write(g, 0, src->size, e)))
		return rc;
	ub_progress_plan(p, 100);
	ub_progress_begin(&step, p, "compare", 10, 0);
	rc = ub_blocks_compare(s, g, 0, src, 0, &c, &step, e);
	ub_progress_end(&step, rc);
	if (rc)
		return rc;
	out->how = c.how;
	ub_progress_begin(&step, p, "write", 90, 0);
	rc = s->fam->write(s->dev, g, 0, src, &c.set, &step, e);
	ub_progress_end(&step, rc);
	if (s->fam->write_stats)
		s->fam->write_stats(s->dev, &out->ws);
	/* the family's count can only be what it was given */
	out->ws.blocks_total = (unsigned)c.set.count;
	if (d) {
		json_object_set_new(d, "region", json_string(g->name));
		json_object_set_new(d, "blocks_total", json_integer(out->ws.blocks_total));
		json_object_set_new(d, "blocks_written", json_integer(out->ws.blocks_written));
		json_object_set_new(d, "blocks_skipped", json_integer(out->ws.blocks_skipped));
		json_object_set_new(d, "retries", json_integer(out->ws.retries));
		json_object_set_new(d, "bytes", json_integer((json_int_t)out->ws.bytes_sent));
		json_object_set_new(d, "compared_by", json_string(ub_compare_how_id(c.how)));
		if (out->ws.via[0])
			json_object_set_new(d, "via", json_string(out->ws.via));
	}
	ub_compare_free(&c);
	return rc;
}

int ub_verify_region(struct ub_session *s, const struct ub_region *g, const struct ub_src *src,
		     enum ub_verified *state, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	struct ub_compare c;
	uint64_t i;
	char where[128] = "";
	int rc;

	*state = UB_UNVERIFIABLE;
	if ((rc = ub_blocks_compare(s, g, 0, src, UB_DIGEST_FRESH, &c, p, e)))
		return rc;
	if (d) {
		json_object_set_new(d, "blocks", json_integer((json_int_t)c.set.count));
		json_object_set_new(d, "verified_by", json_string(ub_compare_how_id(c.how)));
	}
	if (c.how == UB_BY_NOTHING) {
		if (d)
			json_object_set_new(d, "verified", json_false());
		ub_compare_free(&c);
		return 0;
	}
	if (d)
		json_object_set_new(d, "mismatched", json_integer((json_int_t)c.mismatched));
	for (i = 0; i < c.set.count && strlen(where) < sizeof where - 24; i++)
		if (c.differs[i])
			snprintf(where + strlen(where), sizeof where - strlen(where), "%s+0x%llx",
				 where[0] ? ", " : "", (unsigned long long)(i * c.set.block));
	if (c.mismatched)
		rc = ub_err_set(e, UB_EFAIL, "verify-failed",
				"%llu of %llu blocks of region %s differ from %s (at %s) by %s",
				(unsigned long long)c.mismatched, (unsigned long long)c.set.count, g->name,
				src->label, where, ub_compare_how_name(c.how));
	else
		*state = UB_VERIFIED;
	if (d)
		json_object_set_new(d, "verified", json_boolean(*state == UB_VERIFIED));
	ub_compare_free(&c);
	return rc;
}
