/* Format detection and dispatch.  Order matters: formats recognised by a
 * trailer (fwtool) come before the container they trail (tar), and raw is
 * the fallback. */
#include "format.h"

#include <string.h>

static const struct ub_format *const formats[] = {
	/* new handlers go here, one line each, in detection order */
	&ub_format_fwtool,
	&ub_format_uimage,
	&ub_format_fit,
	&ub_format_sparse,
	&ub_format_bmap,
	&ub_format_compressed,
	&ub_format_archive,
	NULL,
};

const struct ub_format *ub_format_detect(const struct ub_src *src,
					 struct ub_err *e)
{
	uint8_t head[UB_PROBE_HEAD];
	long n;
	size_t i;

	n = ub_src_pread(src, 0, head, sizeof head, e);
	if (n < 0)
		return NULL;
	for (i = 0; formats[i]; i++)
		if (formats[i]->probe(src, head, (size_t)n))
			return formats[i];
	return &ub_format_raw;
}

int ub_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	const struct ub_format *f;
	int rc;

	ctx->covered = NULL;
	if (ctx->depth >= UB_INSPECT_DEPTH) {
		/* Never safe: what lies inside was not looked at. */
		ub_checks_add(ctx->checks, "nesting", UB_WARN, NULL,
			      "%s: nested more than %d layers deep; the inner layers were not inspected: unpack it and check what it holds",
			      src->label, UB_INSPECT_DEPTH);
		ub_checks_flag(ctx->checks, UB_CHECK_UNINSPECTED);
		return 0;
	}
	f = ub_format_detect(src, ctx->err);
	if (!f)
		return ctx->err ? ctx->err->code : UB_EIO;
	ub_meta_push_layer(ctx->meta, f->name);
	ctx->depth++;
	ctx->covered = NULL;
	rc = f->inspect(ctx, src);
	ctx->depth--;
	return rc;
}

/* Raw data carries no structure of its own to check: only emptiness.
 * Nothing in it vouches for its bytes (ctx->covered stays NULL). */
static int raw_probe(const struct ub_src *src, const uint8_t *head, size_t n)
{
	(void)src;
	(void)head;
	(void)n;
	return 1;
}

static int raw_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	if (src->size == 0)
		ub_checks_add(ctx->checks, "not-empty", UB_FAIL, "image-empty",
			      "%s is empty (0 bytes)", src->label);
	return 0;
}

const struct ub_format ub_format_raw = {
	.name = "raw",
	.what = "raw binary (no structure unbrick knows)",
	.probe = raw_probe,
	.inspect = raw_inspect,
};
