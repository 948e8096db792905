/* bmap XML, parsed with expat: every element's text is bounded, numbers are
 * strict, ranges must be ordered, disjoint and inside the image, and the
 * file's own checksum is recomputed the way bmaptool makes it (the hash of
 * the file with the checksum's digits replaced by '0'). */
#include "bmap.h"

#include <expat.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../base/file.h"
#include "digest.h"
#include "format.h"

#define BMAP_FILE_MAX (16u << 20)
#define TEXT_MAX 256
#define CHUNK (128u << 10)

struct parse {
	XML_Parser p;
	struct ub_bmap *b;
	char elem[32];
	char text[TEXT_MAX + 1];
	size_t tlen;
	char attr_ck[TEXT_MAX + 1];
	char file_ck[TEXT_MAX + 1];
	char err[240];
	int depth, in_map;
};

static void fail(struct parse *ps, const char *fmt, const char *arg)
{
	if (!ps->err[0])
		snprintf(ps->err, sizeof ps->err, fmt, arg);
	XML_StopParser(ps->p, XML_FALSE);
}

/* Records the first problem and returns from the handler. */
#define FAIL(...) do { fail(__VA_ARGS__); return; } while (0)

static void XMLCALL on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct parse *ps = ud;
	int i;

	ps->depth++;
	if (ps->depth > 4)
		FAIL(ps, "elements nested too deep (%s)", name);
	snprintf(ps->elem, sizeof ps->elem, "%s", name);
	ps->tlen = 0;
	ps->text[0] = '\0';
	if (ps->depth == 1) {
		if (strcmp(name, "bmap") != 0)
			FAIL(ps, "the root element is <%s>, not <bmap>", name);
		for (i = 0; atts[i]; i += 2)
			if (strcmp(atts[i], "version") == 0)
				snprintf(ps->b->version, sizeof ps->b->version, "%s", atts[i + 1]);
	}
	if (strcmp(name, "BlockMap") == 0)
		ps->in_map = 1;
	ps->attr_ck[0] = '\0';
	if (strcmp(name, "Range") == 0)
		for (i = 0; atts[i]; i += 2)
			if (strcmp(atts[i], "chksum") == 0 || strcmp(atts[i], "sha1") == 0) {
				if (strlen(atts[i + 1]) > TEXT_MAX)
					FAIL(ps, "a range checksum is too long%s", "");
				strcpy(ps->attr_ck, atts[i + 1]);
			}
}

static void XMLCALL on_text(void *ud, const XML_Char *s, int len)
{
	struct parse *ps = ud;

	if (ps->tlen + (size_t)len > TEXT_MAX)
		FAIL(ps, "the text of <%s> is too long", ps->elem);
	memcpy(ps->text + ps->tlen, s, (size_t)len);
	ps->tlen += (size_t)len;
	ps->text[ps->tlen] = '\0';
}

/* Trimmed unsigned decimal; -1 when not one. */
static int num(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	while (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r')
		s++;
	if (*s < '0' || *s > '9')
		return -1;
	v = strtoull(s, &end, 10);
	while (*end == ' ' || *end == '\n' || *end == '\t' || *end == '\r')
		end++;
	if (*end)
		return -1;
	*out = v;
	return 0;
}

static void trim(char *s)
{
	size_t a = strspn(s, " \t\r\n"), n;

	memmove(s, s + a, strlen(s + a) + 1);
	n = strlen(s);
	while (n > 0 && strchr(" \t\r\n", s[n - 1]))
		s[--n] = '\0';
}

static void XMLCALL on_end(void *ud, const XML_Char *name)
{
	struct parse *ps = ud;
	struct ub_bmap *b = ps->b;
	uint64_t v;

	ps->depth--;
	if (strcmp(name, "ImageSize") == 0 || strcmp(name, "BlockSize") == 0 ||
	    strcmp(name, "BlocksCount") == 0 || strcmp(name, "MappedBlocksCount") == 0) {
		if (num(ps->text, &v) != 0)
			FAIL(ps, "<%s> is not a number", name);
		if (strcmp(name, "ImageSize") == 0)
			b->image_size = v;
		else if (strcmp(name, "BlockSize") == 0)
			b->block_size = v > 0 && v <= (64u << 20) ? (uint32_t)v : 0;
		else if (strcmp(name, "BlocksCount") == 0)
			b->blocks = v;
		else
			b->mapped = v;
	} else if (strcmp(name, "ChecksumType") == 0) {
		trim(ps->text);
		snprintf(b->cktype, sizeof b->cktype, "%.15s", ps->text);
	} else if (strcmp(name, "BmapFileChecksum") == 0 || strcmp(name, "BmapFileSHA1") == 0) {
		trim(ps->text);
		strcpy(ps->file_ck, ps->text);
	} else if (strcmp(name, "Range") == 0 && ps->in_map) {
		struct ub_bmap_range r = { 0 };
		char *dash;

		trim(ps->text);
		dash = strchr(ps->text, '-');
		if (dash)
			*dash = '\0';
		if (num(ps->text, &r.first) || num(dash ? dash + 1 : ps->text, &r.last) || r.last < r.first)
			FAIL(ps, "a <Range> is not N or N-M%s", "");
		if (b->n && r.first <= b->r[b->n - 1].last)
			FAIL(ps, "ranges overlap or are out of order%s", "");
		if (ps->attr_ck[0]) {
			size_t l = strlen(ps->attr_ck);

			if (l > 128 || l % 2 || ub_unhex(ps->attr_ck, r.ck, l / 2))
				FAIL(ps, "a range checksum is not hex%s", "");
			r.has_ck = (int)(l / 2);
		}
		if (b->n % 64 == 0) {
			struct ub_bmap_range *nr = realloc(b->r, (b->n + 64) * sizeof *nr);

			if (!nr)
				FAIL(ps, "out of memory%s", "");
			b->r = nr;
		}
		if (b->n >= (1u << 22))
			FAIL(ps, "more than 4 million ranges%s", "");
		b->r[b->n++] = r;
	} else if (strcmp(name, "BlockMap") == 0) {
		ps->in_map = 0;
	}
	ps->tlen = 0;
	ps->text[0] = '\0';
}

static void XMLCALL on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
			       const XML_Char *pubid, int has_internal)
{
	(void)sysid; (void)pubid; (void)has_internal;
	fail(ud, "a DOCTYPE (%s) is not allowed in a bmap file", name);
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param,
			      const XML_Char *value, int vlen, const XML_Char *base,
			      const XML_Char *sysid, const XML_Char *pubid,
			      const XML_Char *notation)
{
	(void)is_param; (void)value; (void)vlen; (void)base; (void)sysid; (void)pubid; (void)notation;
	fail(ud, "entity declarations (%s) are not allowed in a bmap file", name);
}

/* The bmap's own checksum: the file hashed with the value's digits zeroed. */
static int file_checksum(const char *buf, size_t len, const char *want,
			 const char *algo)
{
	static const char *const tags[] = { "<BmapFileChecksum>", "<BmapFileSHA1>" };
	const EVP_MD *md = EVP_get_digestbyname(algo);
	unsigned char got[EVP_MAX_MD_SIZE];
	char hex[2 * EVP_MAX_MD_SIZE + 1];
	const char *tag = NULL, *at;
	unsigned glen = 0;
	size_t i, wl = strlen(want);
	char *copy;

	for (i = 0; !tag && i < 2; i++)
		tag = memmem(buf, len, tags[i], strlen(tags[i]));
	if (!md || !tag || wl == 0 ||
	    !(at = memmem(tag, len - (size_t)(tag - buf), want, wl)))
		return 0;
	copy = malloc(len ? len : 1);
	if (!copy)
		return 0;
	memcpy(copy, buf, len);
	memset(copy + (at - buf), '0', wl);
	EVP_Digest(copy, len, got, &glen, md, NULL);
	free(copy);
	ub_hex(got, glen, hex);
	return strcasecmp(hex, want) == 0;
}

int ub_bmap_parse(const char *buf, size_t len, struct ub_bmap *b,
		  struct ub_err *e)
{
	struct parse ps;
	uint64_t mapped = 0;
	size_t i;

	memset(b, 0, sizeof *b);
	memset(&ps, 0, sizeof ps);
	if (len > BMAP_FILE_MAX || memchr(buf, '\0', len))
		return ub_err_set(e, UB_EFORMAT, "image-corrupt", "not a bmap file (binary, or over 16 MiB)");
	ps.p = XML_ParserCreate("UTF-8");
	if (!ps.p)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	ps.b = b;
	XML_SetUserData(ps.p, &ps);
	XML_SetElementHandler(ps.p, on_start, on_end);
	XML_SetCharacterDataHandler(ps.p, on_text);
	XML_SetStartDoctypeDeclHandler(ps.p, on_doctype);
	XML_SetEntityDeclHandler(ps.p, on_entity);
	if (XML_Parse(ps.p, buf, (int)len, XML_TRUE) == XML_STATUS_ERROR && !ps.err[0])
		snprintf(ps.err, sizeof ps.err, "not well-formed XML: %s (line %lu)",
			 XML_ErrorString(XML_GetErrorCode(ps.p)),
			 (unsigned long)XML_GetCurrentLineNumber(ps.p));
	XML_ParserFree(ps.p);
	if (!ps.err[0] && (!b->block_size || !b->blocks || !b->image_size))
		snprintf(ps.err, sizeof ps.err, "ImageSize, BlockSize and BlocksCount must all be given and non-zero");
	if (!ps.err[0] && (b->image_size + b->block_size - 1) / b->block_size != b->blocks)
		snprintf(ps.err, sizeof ps.err, "BlocksCount %llu does not match ImageSize %llu in blocks of %u",
			 (unsigned long long)b->blocks, (unsigned long long)b->image_size, b->block_size);
	for (i = 0; !ps.err[0] && i < b->n; i++) {
		if (b->r[i].last >= b->blocks)
			snprintf(ps.err, sizeof ps.err, "range %llu-%llu lies past the image's %llu blocks",
				 (unsigned long long)b->r[i].first, (unsigned long long)b->r[i].last,
				 (unsigned long long)b->blocks);
		mapped += b->r[i].last - b->r[i].first + 1;
	}
	if (!ps.err[0] && mapped != b->mapped)
		snprintf(ps.err, sizeof ps.err, "the ranges map %llu blocks, MappedBlocksCount says %llu",
			 (unsigned long long)mapped, (unsigned long long)b->mapped);
	if (!b->cktype[0])
		snprintf(b->cktype, sizeof b->cktype, "sha1");   /* format 1.x */
	if (!ps.err[0] && strcmp(b->cktype, "sha256") && strcmp(b->cktype, "sha1"))
		snprintf(ps.err, sizeof ps.err, "checksum type '%.20s' is not sha256 or sha1", b->cktype);
	for (i = 0; !ps.err[0] && i < b->n; i++)
		if (b->r[i].has_ck && (size_t)b->r[i].has_ck != (strcmp(b->cktype, "sha1") ? 32u : 20u))
			snprintf(ps.err, sizeof ps.err, "a range checksum has the wrong length for %s", b->cktype);
	if (ps.err[0]) {
		ub_bmap_free(b);
		return ub_err_set(e, UB_EFORMAT, "image-corrupt", "bmap: %s", ps.err);
	}
	b->file_ck_ok = ps.file_ck[0] ? file_checksum(buf, len, ps.file_ck, b->cktype) : -1;
	return 0;
}

void ub_bmap_free(struct ub_bmap *b)
{
	free(b->r);
	b->r = NULL;
	b->n = 0;
}

static void add_file_check(struct ub_checks *checks, const struct ub_bmap *b)
{
	if (b->file_ck_ok == 1)
		ub_checks_add(checks, "bmap-file", UB_PASS, NULL,
			      "bmap %s: %zu ranges, %llu of %llu blocks mapped; its own %s matches",
			      b->version, b->n, (unsigned long long)b->mapped,
			      (unsigned long long)b->blocks, b->cktype);
	else if (b->file_ck_ok == 0)
		ub_checks_add(checks, "bmap-file", UB_FAIL, "image-corrupt",
			      "the bmap file's own %s does not match: it was edited or damaged", b->cktype);
	else
		ub_checks_add(checks, "bmap-file", UB_WARN, NULL,
			      "the bmap file carries no checksum of itself");
}

static int bmap_probe(const struct ub_src *src, const uint8_t *head, size_t n)
{
	(void)src;
	return n >= 5 && memcmp(head, "<?xml", 5) == 0 &&
	       memmem(head, n, "<bmap", 5) != NULL;
}

static int bmap_inspect(struct ub_inspect *ctx, const struct ub_src *src)
{
	struct ub_bmap b;
	char *buf;
	int rc;

	if (src->size > BMAP_FILE_MAX) {
		ub_checks_add(ctx->checks, "bmap-file", UB_FAIL, "image-huge",
			      "%llu bytes is too large for a bmap file", (unsigned long long)src->size);
		return 0;
	}
	buf = malloc((size_t)src->size + 1);
	if (!buf)
		return ub_err_set(ctx->err, UB_ENOMEM, NULL, "out of memory");
	if ((rc = ub_src_read(src, 0, buf, (size_t)src->size, ctx->err))) {
		free(buf);
		return rc;
	}
	buf[src->size] = '\0';
	rc = ub_bmap_parse(buf, (size_t)src->size, &b, ctx->err);
	free(buf);
	if (rc == UB_EFORMAT) {
		ub_checks_add(ctx->checks, "bmap-file", UB_FAIL, "image-corrupt", "%s", ctx->err->msg);
		ub_err_clear(ctx->err);
		return 0;
	}
	if (rc)
		return rc;
	add_file_check(ctx->checks, &b);
	ub_checks_add(ctx->checks, "bmap-image", UB_NA, NULL,
		      "this is a block map, not an image: check the image it describes (IMAGE.bmap is used automatically)");
	ub_bmap_free(&b);
	return 0;
}

const struct ub_format ub_format_bmap = {
	.name = "bmap",
	.what = "bmaptool block map (XML)",
	.probe = bmap_probe,
	.inspect = bmap_inspect,
};

int ub_bmap_verify_image(const char *bmap_path, const struct ub_src *image,
			 struct ub_checks *checks, struct ub_err *e)
{
	struct ub_bmap b;
	char *text;
	size_t len, i;
	uint8_t *buf = NULL;
	int rc;

	if ((rc = ub_read_small(bmap_path, BMAP_FILE_MAX, "bmap file", "image-corrupt",
				&text, &len, e)))
		return rc;
	rc = ub_bmap_parse(text, len, &b, e);
	free(text);
	if (rc == UB_EFORMAT) {
		ub_checks_add(checks, "bmap", UB_FAIL, "image-corrupt", "%s: %s", bmap_path, e->msg);
		ub_err_clear(e);
		return 0;
	}
	if (rc)
		return rc;
	add_file_check(checks, &b);
	if (b.image_size != image->size) {
		ub_checks_add(checks, "bmap", UB_FAIL, "checksum-mismatch",
			      "the bmap describes a %llu-byte image, this one is %llu bytes",
			      (unsigned long long)b.image_size, (unsigned long long)image->size);
		goto out;
	}
	buf = malloc(CHUNK);
	if (!buf) {
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		goto out;
	}
	for (i = 0; i < b.n; i++) {
		const EVP_MD *md = EVP_get_digestbyname(b.cktype);
		EVP_MD_CTX *ctx;
		uint64_t off = b.r[i].first * b.block_size;
		uint64_t end = (b.r[i].last + 1) * b.block_size;
		uint8_t got[EVP_MAX_MD_SIZE];
		unsigned glen = 0;

		if (!b.r[i].has_ck)
			continue;
		if (end > image->size)
			end = image->size;
		ctx = EVP_MD_CTX_new();
		if (!ctx || EVP_DigestInit_ex(ctx, md, NULL) != 1) {
			EVP_MD_CTX_free(ctx);
			rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
			goto out;
		}
		while (off < end) {
			size_t n = end - off < CHUNK ? (size_t)(end - off) : CHUNK;

			if ((rc = ub_src_read(image, off, buf, n, e))) {
				EVP_MD_CTX_free(ctx);
				goto out;
			}
			EVP_DigestUpdate(ctx, buf, n);
			off += n;
		}
		EVP_DigestFinal_ex(ctx, got, &glen);
		EVP_MD_CTX_free(ctx);
		if (glen != (unsigned)b.r[i].has_ck || memcmp(got, b.r[i].ck, glen) != 0) {
			ub_checks_add(checks, "bmap", UB_FAIL, "checksum-mismatch",
				      "blocks %llu-%llu of the image do not match the bmap's %s",
				      (unsigned long long)b.r[i].first, (unsigned long long)b.r[i].last,
				      b.cktype);
			goto out;
		}
	}
	ub_checks_add(checks, "bmap", UB_PASS, NULL,
		      "all %zu mapped ranges (%llu blocks) match %s", b.n,
		      (unsigned long long)b.mapped, bmap_path);
out:
	free(buf);
	ub_bmap_free(&b);
	return rc;
}
