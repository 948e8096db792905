/* ub-lifecycle SPEC PROFILE REGION [options]: one family driven through
 * the contract the way the workflow drives it, the same for every family
 * (flashrom's tests/lifecycle.h runs every programmer through one harness
 * in the same spirit).  The steps and what each must show:
 *
 *   open            the session opens (spec checked, profile loaded)
 *   enter_recovery  the device listens
 *   identify        it says what it is, and says the same the second time
 *   read            the region read twice comes back whole and equal; a
 *                   device that cannot be read refuses rather than answers
 *   compare         the device's contents compare equal to what was read
 *                   (core/blocks.c, by the family's best means)
 *   write           a changed image (K blocks changed) goes in through
 *                   core/flash.c: exactly the K blocks written (every block
 *                   when nothing can be compared), the others skipped
 *   verify          compared fresh from the device: verified, or
 *                   unverifiable when the family can neither digest nor
 *                   read, and then never called verified
 *   readback        the region read now equals the changed image
 *   restore         the original back the same way, verified, read back
 *   verify-detects  verifying the changed image now must fail on exactly
 *                   the K blocks: a verify that cannot fail proves nothing
 *   close
 *
 * Each step prints "ok: STEP: ..." or one "FAIL: STEP: ..." line and the
 * run stops (exit 1).  Options:
 *   --blocks K        blocks to change (default 3: the first, the middle
 *                     and the last, as far as the region has them)
 *   --original FILE   what the region holds, for a device that cannot be
 *                     read (the harness must know what to put back)
 *   --loader FILE     run the family's loader stage with FILE first (its
 *                     address, entry, arch, wait_for and timeout as the
 *                     profile's "loader" says)
 *   --save DIR        keep original.bin and changed.bin there
 *   --no-restore      stop after the changed image's read-back, leaving it
 *                     on the device (for a second opinion from outside) */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/err.h"
#include "base/progress.h"
#include "core/blocks.h"
#include "core/flash.h"
#include "core/session.h"
#include "image/src.h"

struct buf {
	uint8_t *p;
	size_t len, cap;
};

static int fail(const char *step, const char *fmt, ...) UB_PRINTF(2, 3);

static int fail(const char *step, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL: %s: ", step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
	return 1;
}

static void ok(const char *step, const char *fmt, ...) UB_PRINTF(2, 3);

static void ok(const char *step, const char *fmt, ...)
{
	va_list ap;

	printf("ok: %s: ", step);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

static int collect(void *ctx, const uint8_t *p, size_t n)
{
	struct buf *b = ctx;

	if (n == 0 || n > b->cap - b->len)
		return UB_EFAIL;   /* an empty piece, or more than was asked */
	memcpy(b->p + b->len, p, n);
	b->len += n;
	return 0;
}

static int read_region(struct ub_session *s, const struct ub_region *g, struct buf *b,
		       struct ub_err *e)
{
	b->len = 0;
	return s->fam->read(s->dev, g, 0, g->size, collect, b, NULL, e);
}

/* A file's bytes as a source the core can take (an image). */
static int src_of(struct ub_src *src, const char *path, const uint8_t *p, size_t len,
		  struct ub_err *e)
{
	FILE *f = fopen(path, "wb");
	int ok_write = f && fwrite(p, 1, len, f) == len;

	if (f && fclose(f) != 0)
		ok_write = 0;
	if (!ok_write)
		return ub_err_set(e, UB_EIO, "io", "cannot write %s", path);
	return ub_src_open(src, path, e);
}

static int load_file(const char *path, struct buf *b, size_t want)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return -1;
	b->len = fread(b->p, 1, want, f);
	fclose(f);
	return b->len == want ? 0 : -1;
}

/* The blocks to change: the first, the middle, the last, then spread. */
static void pick_blocks(uint64_t count, unsigned k, uint8_t *mark)
{
	unsigned done = 0;
	uint64_t i;

	memset(mark, 0, (size_t)count);
	if (k >= count) {
		memset(mark, 1, (size_t)count);
		return;
	}
	if (k > done) {
		mark[0] = 1;
		done++;
	}
	if (k > done && !mark[count / 2]) {
		mark[count / 2] = 1;
		done++;
	}
	if (k > done && !mark[count - 1]) {
		mark[count - 1] = 1;
		done++;
	}
	for (i = 1; done < k && i < count; i += 2)
		if (!mark[i]) {
			mark[i] = 1;
			done++;
		}
	for (i = 0; done < k && i < count; i++)
		if (!mark[i]) {
			mark[i] = 1;
			done++;
		}
}

struct opts {
	const char *spec, *profile, *region, *original, *loader, *save;
	unsigned blocks;
	int no_restore;
};

struct run {
	const struct opts *o;
	struct ub_session s;
	const struct ub_region *g;
	enum ub_compare_how how;
	struct buf orig, changed, now;
	uint64_t count;
	unsigned changed_blocks;
	char dir[4096];
};

static int step_identify(struct run *r)
{
	struct ub_identity a, b;
	struct ub_err e;

	ub_err_clear(&e);
	if (r->s.fam->enter_recovery(r->s.dev, &e))
		return fail("enter_recovery", "%s", e.msg);
	ok("enter_recovery", "the device listens");
	if (r->o->loader) {
		struct ub_loader l = { 0 };
		const json_t *lj;
		const char *v;
		struct ub_src src;
		uint64_t x;
		int rc;

		if (!r->s.fam->load_stage)
			return fail("load_stage", "--loader given and the %s family has no loader stage",
				    r->s.fam->name);
		if (ub_src_open(&src, r->o->loader, &e))
			return fail("load_stage", "%s", e.msg);
		l.src = &src;
		l.timeout_s = 10;
		/* where it goes and what it says, as the profile has them */
		lj = json_object_get(r->s.profile.doc, "loader");
		if ((v = json_string_value(json_object_get(lj, "load_addr"))) && !ub_parse_size(v, &x))
			l.load_addr = l.entry = x;
		if ((v = json_string_value(json_object_get(lj, "entry"))) && !ub_parse_size(v, &x))
			l.entry = x;
		l.arch = json_string_value(json_object_get(lj, "arch"));
		l.wait_for = json_string_value(json_object_get(lj, "wait_for"));
		if (json_is_integer(json_object_get(lj, "timeout")))
			l.timeout_s = (int)json_integer_value(json_object_get(lj, "timeout"));
		rc = r->s.fam->load_stage(r->s.dev, &l, NULL, &e);
		ub_src_close(&src);
		if (rc)
			return fail("load_stage", "%s", e.msg);
		ok("load_stage", "%s runs", r->o->loader);
	}
	if (r->s.fam->identify(r->s.dev, &a, &e))
		return fail("identify", "%s", e.msg);
	if (!a.model[0] && !a.hardware[0])
		return fail("identify", "neither a model nor the hardware is named");
	if (r->s.fam->identify(r->s.dev, &b, &e))
		return fail("identify", "the second time: %s", e.msg);
	if (strcmp(a.model, b.model) || strcmp(a.serial, b.serial) || strcmp(a.hardware, b.hardware) ||
	    strcmp(a.firmware_version, b.firmware_version))
		return fail("identify", "the second answer differs (model '%s'/'%s', serial '%s'/'%s')",
			    a.model, b.model, a.serial, b.serial);
	ok("identify", "model '%s', serial '%s', firmware '%s', hardware '%s'; the same twice", a.model,
	   a.serial, a.firmware_version, a.hardware);
	return 0;
}

static int step_read(struct run *r)
{
	struct ub_err e;
	int rc;

	ub_err_clear(&e);
	if (!(r->s.caps & UB_CAP_READ)) {
		/* It must refuse, not answer with something. */
		if (r->s.fam->read && read_region(&r->s, r->g, &r->now, &e) == 0)
			return fail("read", "the family has no READ capability and its read answered anyway");
		if (r->s.fam->read && !e.msg[0])
			return fail("read", "the refused read says nothing about why");
		if (!r->o->original)
			return fail("read", "the device cannot be read: give --original FILE (what region %s holds)",
				    r->g->name);
		if (load_file(r->o->original, &r->orig, (size_t)r->g->size))
			return fail("read", "--original %s must hold the region's %llu bytes", r->o->original,
				    (unsigned long long)r->g->size);
		ok("read", "refused as it should (%s); the original is %s", e.msg[0] ? e.msg : "no read op",
		   r->o->original);
		return 0;
	}
	if ((rc = read_region(&r->s, r->g, &r->orig, &e)))
		return fail("read", "%s", e.msg[0] ? e.msg : "the family's read failed");
	if (r->orig.len != r->g->size)
		return fail("read", "%zu bytes came back, the region has %llu", r->orig.len,
			    (unsigned long long)r->g->size);
	if ((rc = read_region(&r->s, r->g, &r->now, &e)))
		return fail("read", "the second read: %s", e.msg);
	if (r->now.len != r->orig.len || memcmp(r->now.p, r->orig.p, r->orig.len) != 0)
		return fail("read", "two reads of region %s differ", r->g->name);
	ok("read", "region %s, %zu bytes, twice, equal", r->g->name, r->orig.len);
	return 0;
}

/* Compares the device with image (a file in dir named name); *c kept. */
static int compare(struct run *r, const char *step, const char *name, const struct buf *image,
		   unsigned flags, struct ub_compare *c, struct ub_src *src)
{
	char path[4200];
	struct ub_err e;

	ub_err_clear(&e);
	snprintf(path, sizeof path, "%s/%s", r->dir, name);
	if (src_of(src, path, image->p, image->len, &e))
		return fail(step, "%s", e.msg);
	if (ub_blocks_compare(&r->s, r->g, 0, src, flags, c, NULL, &e)) {
		ub_src_close(src);
		return fail(step, "%s", e.msg);
	}
	return 0;
}

static int step_compare(struct run *r)
{
	struct ub_compare c;
	struct ub_src src;

	if (compare(r, "compare", "original.bin", &r->orig, 0, &c, &src))
		return 1;
	ub_src_close(&src);
	r->how = c.how;
	r->count = c.set.count;
	if (c.how != ub_blocks_how(&r->s)) {
		ub_compare_free(&c);
		return fail("compare", "compared by %s, the session's means is %s", ub_compare_how_id(c.how),
			    ub_compare_how_id(ub_blocks_how(&r->s)));
	}
	if (c.how == UB_BY_NOTHING ? c.mismatched != c.set.count : c.mismatched != 0) {
		ub_compare_free(&c);
		return fail("compare", "%llu of %llu blocks differ from the region as read (by %s)",
			    (unsigned long long)c.mismatched, (unsigned long long)c.set.count,
			    ub_compare_how_id(c.how));
	}
	ok("compare", "%llu blocks by %s: %s", (unsigned long long)c.set.count, ub_compare_how_id(c.how),
	   c.how == UB_BY_NOTHING ? "nothing can be compared, every block marked" : "all equal");
	ub_compare_free(&c);
	return 0;
}

/* Writes image through core/flash.c and checks the counts. */
static int write_image(struct run *r, const char *step, const char *name, const struct buf *image,
		       unsigned expect_written)
{
	struct ub_flash_result fr;
	struct ub_progress root;
	struct ub_src src;
	char path[4200];
	struct ub_err e;
	int rc;

	ub_err_clear(&e);
	snprintf(path, sizeof path, "%s/%s", r->dir, name);
	if (src_of(&src, path, image->p, image->len, &e))
		return fail(step, "%s", e.msg);
	ub_progress_root(&root, step, NULL, NULL);
	rc = ub_flash_region(&r->s, r->g, &src, &fr, &root, NULL, &e);
	ub_src_close(&src);
	if (rc)
		return fail(step, "%s", e.msg);
	if (fr.ws.blocks_total != r->count || fr.ws.blocks_written != expect_written ||
	    fr.ws.blocks_skipped != r->count - expect_written)
		return fail(step, "blocks total %u, written %u, skipped %u; expected %llu, %u, %llu",
			    fr.ws.blocks_total, fr.ws.blocks_written, fr.ws.blocks_skipped,
			    (unsigned long long)r->count, expect_written,
			    (unsigned long long)(r->count - expect_written));
	ok(step, "%u of %u blocks written (compared by %s), %u skipped, %u retries, via %s",
	   fr.ws.blocks_written, fr.ws.blocks_total, ub_compare_how_id(fr.how), fr.ws.blocks_skipped,
	   fr.ws.retries, fr.ws.via[0] ? fr.ws.via : "-");
	return 0;
}

/* Fresh from the device: verified, or unverifiable and then never
 * called verified (not in its state, not in its record). */
static int verify(struct run *r, const char *step, const char *name, const struct buf *image)
{
	json_t *d = json_object();
	enum ub_verified v;
	struct ub_src src;
	char path[4200];
	struct ub_err e;
	int rc;

	ub_err_clear(&e);
	snprintf(path, sizeof path, "%s/%s", r->dir, name);
	if (src_of(&src, path, image->p, image->len, &e)) {
		json_decref(d);
		return fail(step, "%s", e.msg);
	}
	rc = ub_verify_region(&r->s, r->g, &src, &v, NULL, d, &e);
	ub_src_close(&src);
	if (rc) {
		json_decref(d);
		return fail(step, "%s", e.msg);
	}
	if (r->how == UB_BY_NOTHING) {
		rc = v != UB_UNVERIFIABLE || !json_is_false(json_object_get(d, "verified"));
		json_decref(d);
		if (rc)
			return fail(step, "a family that can neither digest nor read was called verified");
		ok(step, "unverifiable: written, not verified (the family can neither digest nor read)");
		return 0;
	}
	rc = v != UB_VERIFIED || !json_is_true(json_object_get(d, "verified")) ||
	     json_integer_value(json_object_get(d, "mismatched")) != 0;
	json_decref(d);
	if (rc)
		return fail(step, "not verified although no block differs");
	ok(step, "verified: every block by %s, fresh from the device", ub_compare_how_id(r->how));
	return 0;
}

static int read_back(struct run *r, const char *step, const struct buf *want)
{
	struct ub_err e;

	ub_err_clear(&e);
	if (!(r->s.caps & UB_CAP_READ)) {
		ok(step, "not possible: the device cannot be read");
		return 0;
	}
	if (read_region(&r->s, r->g, &r->now, &e))
		return fail(step, "%s", e.msg);
	if (r->now.len != want->len || memcmp(r->now.p, want->p, want->len) != 0)
		return fail(step, "region %s does not read back as written", r->g->name);
	ok(step, "region %s reads back byte for byte", r->g->name);
	return 0;
}

/* The changed image in place of the original now: verifying it must
 * find exactly the changed blocks. */
static int verify_detects(struct run *r)
{
	json_t *d = json_object();
	enum ub_verified v;
	struct ub_src src;
	char path[4200];
	struct ub_err e;
	int rc;

	ub_err_clear(&e);
	if (r->how == UB_BY_NOTHING) {
		json_decref(d);
		ok("verify-detects", "not possible: nothing can be compared");
		return 0;
	}
	snprintf(path, sizeof path, "%s/changed.bin", r->dir);
	if (ub_src_open(&src, path, &e)) {
		json_decref(d);
		return fail("verify-detects", "%s", e.msg);
	}
	rc = ub_verify_region(&r->s, r->g, &src, &v, NULL, d, &e);
	ub_src_close(&src);
	if (rc == 0 || !e.advice_id || strcmp(e.advice_id, "verify-failed") != 0 ||
	    json_integer_value(json_object_get(d, "mismatched")) != r->changed_blocks ||
	    json_is_true(json_object_get(d, "verified"))) {
		json_decref(d);
		return fail("verify-detects", "verifying the wrong image gave %d (%s), %lld mismatched; expected verify-failed on %u blocks",
			    rc, e.msg, json_integer_value(json_object_get(d, "mismatched")), r->changed_blocks);
	}
	json_decref(d);
	ok("verify-detects", "the wrong image fails verification on its %u blocks", r->changed_blocks);
	return 0;
}

static int make_changed(struct run *r)
{
	uint64_t eb = r->g->erase_block, i, j;
	uint8_t *mark = calloc((size_t)r->count, 1);

	if (!mark)
		return fail("write", "out of memory");
	pick_blocks(r->count, r->o->blocks, mark);
	memcpy(r->changed.p, r->orig.p, r->orig.len);
	r->changed.len = r->orig.len;
	r->changed_blocks = 0;
	for (i = 0; i < r->count; i++) {
		uint64_t end = (i + 1) * eb < r->changed.len ? (i + 1) * eb : r->changed.len;

		if (!mark[i])
			continue;
		r->changed_blocks++;
		/* bytes spread over the block, none left equal */
		for (j = i * eb + 7; j < end; j += 61)
			r->changed.p[j] ^= (uint8_t)(0x5a ^ (j >> 3));
	}
	free(mark);
	return 0;
}

static int save(struct run *r)
{
	char cmd[8400];

	if (!r->o->save)
		return 0;
	snprintf(cmd, sizeof cmd, "mkdir -p '%s' && cp '%s/original.bin' '%s/changed.bin' '%s/'", r->o->save,
		 r->dir, r->dir, r->o->save);
	return system(cmd) == 0 ? 0 : fail("save", "cannot copy the images into %s", r->o->save);
}

static int lifecycle(struct run *r)
{
	const struct opts *o = r->o;
	unsigned all;
	struct ub_err e;

	ub_err_clear(&e);
	if (ub_session_open(&r->s, o->spec, o->profile, &e))
		return fail("open", "%s", e.msg);
	ok("open", "family %s, profile %s", r->s.fam->name, r->s.profile.name);
	if (!(r->g = ub_flash_map_find(&r->s.map, o->region)))
		return fail("open", "profile %s has no region '%s'", r->s.profile.name, o->region);
	r->orig.cap = r->changed.cap = r->now.cap = (size_t)r->g->size;
	r->orig.p = malloc((size_t)r->g->size);
	r->changed.p = malloc((size_t)r->g->size);
	r->now.p = malloc((size_t)r->g->size);
	if (!r->orig.p || !r->changed.p || !r->now.p)
		return fail("open", "out of memory for region %s", r->g->name);
	if (step_identify(r) || step_read(r) || step_compare(r) || make_changed(r))
		return 1;
	all = (unsigned)r->count;
	if (write_image(r, "write", "changed.bin", &r->changed, r->how == UB_BY_NOTHING ? all : r->changed_blocks) ||
	    verify(r, "verify", "changed.bin", &r->changed) || read_back(r, "readback", &r->changed) ||
	    save(r))
		return 1;
	if (o->no_restore) {
		ok("restore", "left out (--no-restore): the device holds the changed image");
		return 0;
	}
	if (write_image(r, "restore", "original.bin", &r->orig, r->how == UB_BY_NOTHING ? all : r->changed_blocks) ||
	    verify(r, "restore-verify", "original.bin", &r->orig) ||
	    read_back(r, "restore-readback", &r->orig) || verify_detects(r))
		return 1;
	return 0;
}

static const char usage[] =
	"Usage: ub-lifecycle SPEC PROFILE REGION [--blocks K] [--original FILE] [--loader FILE]\n"
	"                    [--save DIR] [--no-restore]\n"
	"Drives one device through the family contract as the workflow does; the region's\n"
	"contents are changed and put back.  Only for test devices.\n";

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "blocks", required_argument, NULL, 'k' },
		{ "original", required_argument, NULL, 'o' },
		{ "loader", required_argument, NULL, 'l' },
		{ "save", required_argument, NULL, 's' },
		{ "no-restore", no_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .blocks = 3 };
	struct run r;
	int c, rc;

	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 'k': o.blocks = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'o': o.original = optarg; break;
		case 'l': o.loader = optarg; break;
		case 's': o.save = optarg; break;
		case 'n': o.no_restore = 1; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	if (optind + 3 != argc || o.blocks == 0) {
		fputs(usage, stderr);
		return 2;
	}
	o.spec = argv[optind];
	o.profile = argv[optind + 1];
	o.region = argv[optind + 2];
	memset(&r, 0, sizeof r);
	r.o = &o;
	snprintf(r.dir, sizeof r.dir, "%s/ub-lifecycle.XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
	if (!mkdtemp(r.dir))
		return fail("open", "cannot make a temporary folder in %s", r.dir);
	rc = lifecycle(&r);
	if (r.s.fam) {
		ub_session_close(&r.s);
		if (!rc)
			ok("close", "closed");
	}
	{
		char cmd[4200];

		snprintf(cmd, sizeof cmd, "rm -rf '%s'", r.dir);
		if (system(cmd) != 0)
			fprintf(stderr, "ub-lifecycle: could not remove %s\n", r.dir);
	}
	free(r.orig.p);
	free(r.changed.p);
	free(r.now.p);
	if (!rc)
		printf("PASS: lifecycle of %s, region %s: %llu blocks, %u changed%s\n", o.spec, o.region,
		       (unsigned long long)r.count, r.changed_blocks, o.no_restore ? "" : " and put back");
	return rc ? 1 : 0;
}
