/* Restoring regions from a backup.  The rule for the owner's settings is
 * cautious by default: settings written by firmware 1.x may mean something
 * else to 2.x (a renamed key, a changed layout), and a wrong restore can
 * leave a repaired device unreachable.  So they go back on their own only
 * when the profile says the new firmware reads them, and never onto
 * another unit (its MAC addresses and keys are in there). */
#include "restore.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "core/version.h"
#include "image/src.h"

int ub_region_compare(struct ub_session *s, const struct ub_region *g, const char *path,
		      unsigned *blocks, unsigned *mismatched, json_t *d, struct ub_err *e)
{
	struct ub_src src;
	uint64_t eb, nblocks, nfull, i;
	uint32_t *want = NULL, *have = NULL;
	uint8_t *buf = NULL;
	int rc = 0;

	*blocks = *mismatched = 0;
	if (!(s->fam->caps & UB_CAP_DIGEST_CRC32) || !s->fam->digest)
		return 1;
	if ((rc = ub_src_open(&src, path, e)))
		return rc;
	eb = g->erase_block;
	nblocks = (src.size + eb - 1) / eb;
	buf = malloc(eb);
	want = calloc(nblocks ? nblocks : 1, sizeof *want);
	have = calloc(nblocks ? nblocks : 1, sizeof *have);
	if (!buf || !want || !have)
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	for (i = 0; !rc && i < nblocks; i++) {
		size_t n = src.size - i * eb < eb ? (size_t)(src.size - i * eb) : (size_t)eb;

		if (!(rc = ub_src_read(&src, i * eb, buf, n, e)))
			want[i] = (uint32_t)crc32(0L, buf, (uInt)n);
	}
	/* Whole blocks in one request when the family can batch (a round
	 * trip per block is most of the time otherwise), telling it what we
	 * expect so a match costs one digest; a short last block goes alone. */
	nfull = s->fam->digest_blocks ? src.size / eb : 0;
	if (!rc && nfull)
		rc = s->fam->digest_blocks(s->dev, g, 0, eb, (unsigned)nfull, want, have, e);
	for (i = nfull; !rc && i < nblocks; i++) {
		uint64_t n = src.size - i * eb < eb ? src.size - i * eb : eb;
		uint8_t got[4];

		rc = s->fam->digest(s->dev, g, i * eb, n, UB_CAP_DIGEST_CRC32, got, e);
		have[i] = (uint32_t)got[0] << 24 | (uint32_t)got[1] << 16 | (uint32_t)got[2] << 8 | got[3];
	}
	for (i = 0; !rc && i < nblocks; i++)
		*mismatched += want[i] != have[i];
	if (!rc)
		*blocks = (unsigned)nblocks;
	free(buf);
	free(want);
	free(have);
	ub_src_close(&src);
	if (d) {
		json_object_set_new(d, "blocks", json_integer(*blocks));
		json_object_set_new(d, "mismatched", json_integer(*mismatched));
	}
	return rc;
}

int ub_restore_region(struct ub_session *s, const struct ub_region *g, const char *path,
		      struct ub_progress *p, json_t *d, struct ub_err *e)
{
	struct ub_write_stats ws = { 0 };
	unsigned blocks, mismatched;
	struct ub_src src;
	int rc;

	if ((rc = ub_src_open(&src, path, e)))
		return rc;
	rc = s->fam->write(s->dev, g, 0, &src, p, e);
	ub_src_close(&src);
	if (s->fam->write_stats)
		s->fam->write_stats(s->dev, &ws);
	json_object_set_new(d, "blocks_written", json_integer(ws.blocks_written));
	json_object_set_new(d, "blocks_skipped", json_integer(ws.blocks_skipped));
	if (rc)
		return rc;
	rc = ub_region_compare(s, g, path, &blocks, &mismatched, d, e);
	if (rc == 0 && mismatched)
		return ub_err_set(e, UB_EFAIL, "verify-failed",
				  "%u of %u blocks of region %s differ from %s after restoring it",
				  mismatched, blocks, g->name, path);
	return rc == 1 ? 0 : rc;
}

int ub_restore_allowed(const struct ub_restore_facts *f, char *why, size_t len)
{
	const char *from = f->backup_version && *f->backup_version ? f->backup_version : NULL;
	const char *to = f->new_version && *f->new_version ? f->new_version : NULL;
	int same;

	if (f->backup_serial && *f->backup_serial && f->device_serial && *f->device_serial &&
	    strcmp(f->backup_serial, f->device_serial) != 0) {
		snprintf(why, len, "the backup is from unit %.64s and this is unit %.64s",
			 f->backup_serial, f->device_serial);
		return 0;
	}
	switch (f->rule) {
	case UB_RESTORE_ANY:
		snprintf(why, len, "the profile says every firmware reads these settings");
		return 1;
	case UB_RESTORE_NEVER:
		snprintf(why, len, "the profile says these settings go back only by hand");
		return 0;
	default:
		break;
	}
	if (!from || !to) {
		snprintf(why, len, "%s is unknown, so the profile's rule (%s) cannot be checked",
			 !from ? "the firmware the backup was read under" : "the new firmware's version",
			 ub_restore_rule_name(f->rule));
		return 0;
	}
	if (f->rule == UB_RESTORE_SAME_VERSION) {
		same = ub_version_cmp(from, to) == 0;
		snprintf(why, len, "the backup is from firmware %.64s and the new one is %s%.64s (the profile restores only onto the same version)",
			 from, same ? "the same, " : "", to);
		return same;
	}
	same = ub_version_same_major(from, to);
	if (same < 0)
		snprintf(why, len, "firmware %.64s and %.64s have no major version to compare (profile rule same-major)",
			 from, to);
	else
		snprintf(why, len, "the backup is from firmware %.64s and the new one, %.64s, has %s major version",
			 from, to, same ? "the same" : "another");
	return same == 1;
}
