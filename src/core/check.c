#include "check.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/file.h"
#include "image/bmap.h"
#include "image/digest.h"
#include "image/format.h"
#include "image/manifest.h"
#include "image/signature.h"
#include "image/src.h"
#include "image/sums.h"

/* A base name is what checksum lists and signatures name files by. */
static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

static void compare_digest(struct ub_checks *checks, const char *check_name,
			   const struct ub_digests *d, enum ub_digest_alg alg,
			   const uint8_t *want, const char *source)
{
	char got_hex[2 * UB_DIGEST_MAX + 1], want_hex[2 * UB_DIGEST_MAX + 1];
	size_t len = ub_digest_len(alg);
	const uint8_t *got = d->md[ub_digest_index(alg)];

	ub_hex(got, len, got_hex);
	ub_hex(want, len, want_hex);
	if (memcmp(got, want, len) == 0) {
		ub_checks_add(checks, check_name, UB_PASS, NULL,
			      "%s matches %s", ub_digest_name(alg), source);
		ub_checks_flag(checks, UB_CHECK_WHOLE_FILE);
	} else
		ub_checks_add(checks, check_name, UB_FAIL, "checksum-mismatch",
			      "%s is %s, %s says %s", ub_digest_name(alg), got_hex,
			      source, want_hex);
}

struct expected {
	enum ub_digest_alg alg;
	uint8_t md[UB_DIGEST_MAX];
	const char *check_name;
	const char *source;
};

/* Parses the --sha256/--sha512/--md5 options; a malformed value is a usage
 * error, caught before any work. */
static int parse_given(const char *hex, enum ub_digest_alg alg,
		       const char *opt, struct expected *x, struct ub_err *e)
{
	x->alg = alg;
	x->check_name = ub_digest_name(alg);
	x->source = opt;
	if (ub_unhex(hex, x->md, ub_digest_len(alg)) != 0)
		return ub_err_set(e, UB_EUSAGE, "checksum-format",
				  "%s: '%s' is not %zu hex digits", opt, hex,
				  2 * ub_digest_len(alg));
	return 0;
}

static int add_manifest(const struct ub_check_opts *o,
			struct ub_check_result *r, struct ub_err *e)
{
	struct ub_manifest m = { 0 };
	char auto_path[4200];
	const char *path = o->manifest;
	size_t i;
	int rc;

	if (!path && o->inside)
		return 0;
	if (!path) {
		snprintf(auto_path, sizeof auto_path, "%s.manifest.json", o->image);
		if (access(auto_path, F_OK) != 0)
			return 0;
		path = auto_path;
	}
	rc = ub_manifest_load(path, &m, e);
	if (rc == UB_EFORMAT) {
		ub_checks_add(&r->checks, "manifest", UB_FAIL, e->advice_id,
			      "%s", e->msg);
		ub_err_clear(e);
		return 0;
	}
	if (rc)
		return rc;
	ub_checks_add(&r->checks, "manifest", UB_PASS, NULL, "read %s", path);
	if (m.sha256) {
		if (strcmp(m.sha256, r->sha256) == 0) {
			ub_checks_add(&r->checks, "manifest-sha256", UB_PASS, NULL,
				      "sha256 matches the manifest");
			ub_checks_flag(&r->checks, UB_CHECK_WHOLE_FILE);
		} else
			ub_checks_add(&r->checks, "manifest-sha256", UB_FAIL,
				      "checksum-mismatch",
				      "sha256 is %s, the manifest says %s",
				      r->sha256, m.sha256);
	}
	rc = 0;
	for (i = 0; !rc && i < m.models.n; i++)
		rc = ub_strlist_add(&r->meta.models, m.models.v[i]);
	for (i = 0; !rc && i < m.revisions.n; i++)
		rc = ub_strlist_add(&r->meta.revisions, m.revisions.v[i]);
	for (i = 0; !rc && i < m.regions.n; i++)
		rc = ub_strlist_add(&r->meta.regions, m.regions.v[i]);
	if (!rc && m.version)
		rc = ub_meta_set_str(&r->meta.version, m.version, 1);
	ub_manifest_free(&m);
	return rc ? ub_err_set(e, UB_ENOMEM, NULL, "out of memory") : 0;
}

/* Finds a signature next to the image when none was named. */
static const char *auto_sig(const char *image, char *buf, size_t len)
{
	static const char *const exts[] = { ".sig", ".minisig", ".asc.sig" };
	size_t i;

	for (i = 0; i < sizeof exts / sizeof exts[0]; i++) {
		snprintf(buf, len, "%s%s", image, exts[i]);
		if (access(buf, F_OK) == 0)
			return buf;
	}
	return NULL;
}

static int check_signature(const struct ub_check_opts *o,
			   const struct ub_src *src, struct ub_check_result *r,
			   struct ub_err *e)
{
	const struct ub_image_meta *m = &r->meta;
	char found[4200];
	const char *sig = o->sig;

	if (!o->key) {
		if (m->embedded_sig)
			ub_checks_add(&r->checks, "signature", UB_NA, NULL,
				      "the image carries a signature; pass the vendor's key with --key to verify it");
		else
			ub_checks_add(&r->checks, "signature", UB_NA, NULL,
				      "no key given (--key)");
		return 0;
	}
	if (!sig && m->embedded_sig) {
		struct ub_src signed_part;
		char *key;
		size_t key_len;
		int rc = ub_src_window(&signed_part, src, 0, m->signed_len, e);

		if (!rc)
			rc = ub_read_small(o->key, 64 * 1024, "public key",
					   "signature-key", &key, &key_len, e);
		if (rc)
			return rc;
		rc = ub_sig_verify_buf(&signed_part, m->embedded_sig,
				       m->embedded_sig_len, (const uint8_t *)key,
				       key_len, &r->checks, e);
		free(key);
		return rc;
	}
	if (!sig && !o->inside)
		sig = auto_sig(o->image, found, sizeof found);
	if (!sig) {
		ub_checks_add(&r->checks, "signature", UB_FAIL, "signature-format",
			      "a key was given but there is no signature: pass --sig FILE (looked for %s.sig and %s.minisig)",
			      o->image, o->image);
		return 0;
	}
	return ub_sig_verify(src, sig, o->key, &r->checks, e);
}

/* The verdict, from the whole list: any failure refuses; content left
 * uninspected, or nothing vouching for every byte, leaves it unverified. */
static void decide(struct ub_check_result *r, const char *covered)
{
	const struct ub_check *whole = NULL, *unseen = NULL;
	char failed[240] = "";
	size_t i, nfail = 0, len;

	for (i = 0; i < r->checks.n; i++) {
		const struct ub_check *c = &r->checks.v[i];

		if (c->verdict == UB_FAIL) {
			len = strlen(failed);
			if (len + 2 < sizeof failed)
				snprintf(failed + len, sizeof failed - len, "%s%s", nfail ? ", " : "", c->name);
			nfail++;
		}
		if (c->verdict == UB_PASS && (c->flags & UB_CHECK_WHOLE_FILE) && !whole)
			whole = c;
		if ((c->flags & UB_CHECK_UNINSPECTED) && !unseen)
			unseen = c;
	}
	if (nfail || r->checks.lost) {
		r->verdict = UB_VERDICT_REFUSED;
		if (nfail)
			snprintf(r->why, sizeof r->why, "%zu check%s failed: %s", nfail,
				 nfail == 1 ? "" : "s", failed);
		else
			snprintf(r->why, sizeof r->why, "a check was lost for lack of memory");
	} else if (unseen) {
		r->verdict = UB_VERDICT_UNVERIFIED;
		snprintf(r->why, sizeof r->why,
			 "part of it was not inspected (%s: %.300s); no checksum makes that safe: unpack it and check the file you will flash",
			 unseen->name, unseen->why);
	} else if (whole) {
		r->verdict = UB_VERDICT_SAFE;
		snprintf(r->why, sizeof r->why, "%s: %.300s", whole->name, whole->why);
	} else if (covered) {
		r->verdict = UB_VERDICT_SAFE;
		snprintf(r->why, sizeof r->why, "covered whole by %s", covered);
	} else {
		r->verdict = UB_VERDICT_UNVERIFIED;
		snprintf(r->why, sizeof r->why,
			 "nothing vouches for every byte: no checksum or signature was given, and its format (%.100s) has no CRC or hash over all of it; pass the vendor's checksum (--sha256 HEX or --sums SHA256SUMS) or signature (--sig FILE --key KEY), or keep the vendor's manifest with its sha256 next to it (IMAGE.manifest.json)",
			 r->meta.layers);
	}
}

const char *ub_image_verdict_name(enum ub_image_verdict v)
{
	switch (v) {
	case UB_VERDICT_SAFE: return "safe";
	case UB_VERDICT_UNVERIFIED: return "unverified";
	case UB_VERDICT_REFUSED: return "refused";
	}
	return "?";
}

int ub_check_image(const struct ub_check_opts *o, struct ub_check_result *r,
		   struct ub_progress *progress, struct ub_err *e)
{
	struct expected want[4];
	struct ub_digests d;
	struct ub_progress step;
	struct ub_src src;
	struct ub_inspect ctx;
	unsigned algs = UB_SHA256;
	size_t nwant = 0, i, nchecks;
	int rc;

	memset(r, 0, sizeof *r);
	r->verdict = UB_VERDICT_REFUSED;   /* until decided */
	if (o->sha256 && (rc = parse_given(o->sha256, UB_SHA256, "--sha256", &want[nwant++], e)))
		return rc;
	if (o->sha512 && (rc = parse_given(o->sha512, UB_SHA512, "--sha512", &want[nwant++], e)))
		return rc;
	if (o->md5 && (rc = parse_given(o->md5, UB_MD5, "--md5", &want[nwant++], e)))
		return rc;
	if (o->sig && !o->key)
		return ub_err_set(e, UB_EUSAGE, "signature-key",
				  "--sig needs --key (the vendor's public key)");
	if (o->sums) {
		struct ub_sum sum;

		rc = ub_sums_lookup(o->sums, base_name(o->image), &sum, e);
		if (rc == UB_EREFUSED) {
			ub_checks_add(&r->checks, "sums", UB_FAIL, e->advice_id,
				      "%s", e->msg);
			ub_err_clear(e);
		} else if (rc) {
			return rc;
		} else {
			want[nwant].alg = sum.alg;
			memcpy(want[nwant].md, sum.md, sizeof sum.md);
			want[nwant].check_name = "sums";
			want[nwant].source = o->sums;
			nwant++;
		}
	}
	for (i = 0; i < nwant; i++)
		algs |= want[i].alg;

	rc = o->src ? ub_src_window(&src, o->src, 0, o->src->size, e) : ub_src_open(&src, o->image, e);
	if (rc)
		return rc;
	r->size = src.size;

	ub_progress_plan(progress, 10);
	ub_progress_begin(&step, progress, "hash", 6, src.size);
	rc = ub_digest_src(&src, algs, &d, &step, e);
	ub_progress_end(&step, rc);
	if (rc)
		goto out;
	ub_hex(d.md[ub_digest_index(UB_SHA256)], 32, r->sha256);
	for (i = 0; i < nwant; i++)
		compare_digest(&r->checks, want[i].check_name, &d, want[i].alg,
			       want[i].md, want[i].source);

	ub_progress_begin(&step, progress, "inspect", 3, 0);
	memset(&ctx, 0, sizeof ctx);
	ctx.checks = &r->checks;
	ctx.meta = &r->meta;
	ctx.err = e;
	ctx.progress = &step;
	ctx.tmpdir = o->tmpdir;
	rc = ub_inspect(&ctx, &src);
	ub_progress_end(&step, rc);
	if (rc)
		goto out;
	{
		const struct ub_format *f = ub_format_detect(&src, NULL);

		r->format_what = f ? f->what : "unknown";
	}

	if ((rc = add_manifest(o, r, e)))
		goto out;
	{
		/* A block map next to a disk image says what each range holds. */
		char bmap[4200];

		snprintf(bmap, sizeof bmap, "%s.bmap", o->image);
		if (!o->inside && access(bmap, F_OK) == 0 && (rc = ub_bmap_verify_image(bmap, &src, &r->checks, e)))
			goto out;
	}
	ub_progress_begin(&step, progress, "signature", 1, 0);
	nchecks = r->checks.n;
	rc = check_signature(o, &src, r, e);
	ub_progress_end(&step, rc);
	if (rc)
		goto out;
	/* A signature that verified covers the file (an embedded one, all
	 * of it before its own block). */
	if (r->checks.n > nchecks && r->checks.v[r->checks.n - 1].verdict == UB_PASS &&
	    strcmp(r->checks.v[r->checks.n - 1].name, "signature") == 0)
		ub_checks_flag(&r->checks, UB_CHECK_WHOLE_FILE);
	ub_compat_check(&r->meta, &o->target, &r->checks);
	ub_version_gate(&r->meta, &o->target, &r->checks);
	decide(r, ctx.covered ? ctx.covered : o->vouched);
out:
	ub_src_close(&src);
	return rc;
}

void ub_check_result_free(struct ub_check_result *r)
{
	ub_checks_free(&r->checks);
	ub_meta_free(&r->meta);
}
