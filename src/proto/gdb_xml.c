#include "gdb_xml.h"

#include <errno.h>
#include <expat.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 4          /* includes inside includes */
#define MAX_FILES 64         /* documents in one description */
#define MAX_REGS 8192        /* QEMU's arm with its system registers: ~300 */
#define MAX_RANGES 1024

/* What one document's parse shares with its handlers. */
struct xml_ctx {
	XML_Parser p;
	char err[256];
	/* target description */
	struct ub_gdb_tdesc *t;
	ub_gdb_fetch fetch;
	void *fetch_ctx;
	struct ub_err *e;        /* a fetch's or a nested parse's own error */
	int nested_rc;
	int in_arch;
	/* memory map */
	struct ub_gdb_memmap *m;
	size_t cur;              /* the <memory> open now: its index + 1, or 0 */
	int in_blocksize;
	char text[64];
	size_t tlen;
};

/* Stops the parse with the first reason; returns -1 for the caller to. */
static int fail(struct xml_ctx *c, const char *fmt, ...) UB_PRINTF(2, 3);
static int fail(struct xml_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->err[0])
		return -1;
	va_start(ap, fmt);
	vsnprintf(c->err, sizeof c->err, fmt, ap);
	va_end(ap);
	XML_StopParser(c->p, XML_FALSE);
	return -1;
}

static const char *attr(const XML_Char **atts, const char *name)
{
	for (; atts && atts[0]; atts += 2)
		if (strcmp(atts[0], name) == 0)
			return atts[1];
	return NULL;
}

/* A number as gdb's XML writes it: decimal or 0x hex, nothing after. */
static int number(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || *end)
		return -1;
	*out = v;
	return 0;
}

static void XMLCALL on_entity(void *ud, const XML_Char *name, int is_param,
			      const XML_Char *value, int vlen, const XML_Char *base,
			      const XML_Char *sysid, const XML_Char *pubid,
			      const XML_Char *notation)
{
	(void)is_param; (void)value; (void)vlen; (void)base; (void)sysid; (void)pubid; (void)notation;
	fail(ud, "entity declarations (%s) are not allowed", name);
}

/* --- target description ------------------------------------------------------ */

static void add_feature(struct ub_gdb_tdesc *t, const char *name)
{
	size_t at = strlen(t->features);

	if (at + strlen(name) + 3 < sizeof t->features)
		snprintf(t->features + at, sizeof t->features - at, "%s%s", at ? ", " : "", name);
}

static int add_reg(struct xml_ctx *c, const XML_Char **atts)
{
	struct ub_gdb_tdesc *t = c->t;
	const char *name = attr(atts, "name"), *num = attr(atts, "regnum");
	uint64_t bits, regnum = t->next_regnum;
	struct ub_gdb_reg *g;

	if (!name || !*name || strlen(name) >= sizeof g->name)
		return fail(c, "a <reg> without a usable name");
	if (number(attr(atts, "bitsize"), &bits) || bits == 0 || bits > 4096 || bits % 8)
		return fail(c, "register %s: bitsize missing or not whole bytes", name);
	if (num && (number(num, &regnum) || regnum >= UINT_MAX / 2))
		return fail(c, "register %s: regnum '%s' is no number", name, num);
	if (t->n >= MAX_REGS)
		return fail(c, "more than %d registers", MAX_REGS);
	if (t->n == t->cap) {
		size_t cap = t->cap ? 2 * t->cap : 64;

		if (!(g = realloc(t->regs, cap * sizeof *g)))
			return fail(c, "out of memory");
		t->regs = g;
		t->cap = cap;
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->regs[i].regnum == regnum)
			return fail(c, "register %s: number %llu is %s's already", name,
				    (unsigned long long)regnum, t->regs[i].name);
	g = &t->regs[t->n++];
	snprintf(g->name, sizeof g->name, "%s", name);
	g->regnum = (unsigned)regnum;
	g->bitsize = (unsigned)bits;
	t->next_regnum = (unsigned)regnum + 1;
	return 0;
}

static int include(struct xml_ctx *c, const char *href)
{
	char *xml = NULL;
	size_t len = 0;

	if (!href || !*href || strpbrk(href, ":/\\") || strlen(href) > 100)
		return fail(c, "an include names '%.60s', not a file of the description", href ? href : "");
	if (!c->fetch)
		return 0;   /* the caller wants this file alone */
	if (c->t->depth >= MAX_DEPTH)
		return fail(c, "includes nested deeper than %d", MAX_DEPTH);
	c->nested_rc = c->fetch(c->fetch_ctx, href, &xml, &len, c->e);
	if (!c->nested_rc) {
		c->t->depth++;
		c->nested_rc = ub_gdb_tdesc_parse(c->t, xml, len, c->fetch, c->fetch_ctx, c->e);
		c->t->depth--;
	}
	free(xml);
	/* stops this parse too; the nested error is the one to say */
	return c->nested_rc ? fail(c, "%s", href) : 0;
}

static void XMLCALL td_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xml_ctx *c = ud;

	if (strcmp(name, "architecture") == 0) {
		c->in_arch = 1;
		c->tlen = 0;
	} else if (strcmp(name, "feature") == 0 && attr(atts, "name")) {
		add_feature(c->t, attr(atts, "name"));
	} else if (strcmp(name, "reg") == 0) {
		(void)add_reg(c, atts);
	} else if (strcmp(name, "xi:include") == 0) {
		(void)include(c, attr(atts, "href"));
	}
}

static void XMLCALL td_text(void *ud, const XML_Char *s, int len)
{
	struct xml_ctx *c = ud;

	if (!c->in_arch)
		return;
	if (c->tlen + (size_t)len >= sizeof c->text) {
		(void)fail(c, "the architecture's name is too long");
		return;
	}
	memcpy(c->text + c->tlen, s, (size_t)len);
	c->tlen += (size_t)len;
}

static void XMLCALL td_end(void *ud, const XML_Char *name)
{
	struct xml_ctx *c = ud;

	if (strcmp(name, "architecture") != 0 || !c->in_arch)
		return;
	c->in_arch = 0;
	c->text[c->tlen] = '\0';
	if (c->tlen == 0 || c->tlen >= sizeof c->t->arch || strspn(c->text,
	    "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789:_-.") != c->tlen) {
		(void)fail(c, "the architecture '%.40s' is no name", c->text);
		return;
	}
	if (c->t->arch[0] && strcmp(c->t->arch, c->text) != 0) {
		(void)fail(c, "two architectures: %s and %s", c->t->arch, c->text);
		return;
	}
	snprintf(c->t->arch, sizeof c->t->arch, "%.47s", c->text);
}

/* --- memory map ------------------------------------------------------------------ */

static void XMLCALL mm_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	struct xml_ctx *c = ud;
	struct ub_gdb_memmap *m = c->m;
	const char *type = attr(atts, "type");
	struct ub_gdb_mem r = { 0 };

	if (strcmp(name, "property") == 0) {
		const char *pn = attr(atts, "name");

		c->in_blocksize = c->cur && pn && strcmp(pn, "blocksize") == 0;
		c->tlen = 0;
		return;
	}
	if (strcmp(name, "memory") != 0)
		return;
	if (c->cur) {
		(void)fail(c, "a <memory> inside another");
		return;
	}
	if (!type || (strcmp(type, "ram") && strcmp(type, "rom") && strcmp(type, "flash"))) {
		(void)fail(c, "a <memory> of type '%.20s' (ram, rom or flash)", type ? type : "");
		return;
	}
	r.type = strcmp(type, "ram") == 0 ? UB_GDB_RAM : strcmp(type, "rom") == 0 ? UB_GDB_ROM : UB_GDB_FLASH;
	if (number(attr(atts, "start"), &r.start) || number(attr(atts, "length"), &r.length) ||
	    r.length == 0 || r.start + r.length - 1 < r.start) {
		(void)fail(c, "a <memory> whose start or length is no range");
		return;
	}
	for (size_t i = 0; i < m->n; i++)
		if (r.start < m->v[i].start + m->v[i].length && m->v[i].start < r.start + r.length) {
			(void)fail(c, "ranges 0x%llx and 0x%llx overlap", (unsigned long long)r.start,
				    (unsigned long long)m->v[i].start);
			return;
		}
	if (m->n >= MAX_RANGES) {
		(void)fail(c, "more than %d ranges", MAX_RANGES);
		return;
	}
	if (m->n == m->cap) {
		size_t cap = m->cap ? 2 * m->cap : 8;
		struct ub_gdb_mem *v = realloc(m->v, cap * sizeof *v);

		if (!v) {
			(void)fail(c, "out of memory");
			return;
		}
		m->v = v;
		m->cap = cap;
	}
	m->v[m->n++] = r;
	c->cur = m->n;
}

static void XMLCALL mm_text(void *ud, const XML_Char *s, int len)
{
	struct xml_ctx *c = ud;

	if (!c->in_blocksize)
		return;
	if (c->tlen + (size_t)len >= sizeof c->text) {
		(void)fail(c, "a blocksize too long to be a number");
		return;
	}
	memcpy(c->text + c->tlen, s, (size_t)len);
	c->tlen += (size_t)len;
}

static void XMLCALL mm_end(void *ud, const XML_Char *name)
{
	struct xml_ctx *c = ud;

	struct ub_gdb_mem *cur = c->cur ? &c->m->v[c->cur - 1] : NULL;

	if (strcmp(name, "memory") == 0) {
		if (cur && cur->type == UB_GDB_FLASH && !cur->blocksize) {
			(void)fail(c, "flash at 0x%llx has no blocksize", (unsigned long long)cur->start);
			return;
		}
		c->cur = 0;
	} else if (strcmp(name, "property") == 0 && c->in_blocksize && cur) {
		c->in_blocksize = 0;
		c->text[c->tlen] = '\0';
		if (number(c->text, &cur->blocksize) || !cur->blocksize)
			(void)fail(c, "blocksize '%.20s' is no number", c->text);
	}
}

static int run(struct xml_ctx *c, const char *xml, size_t len, const char *what,
	       struct ub_err *e)
{
	int rc = 0;

	if (len > INT_MAX)
		return ub_err_set(e, UB_EFORMAT, "probe-garbled", "the debug probe's %s is too large", what);
	c->p = XML_ParserCreate("UTF-8");
	if (!c->p)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	XML_SetUserData(c->p, c);
	XML_SetEntityDeclHandler(c->p, on_entity);
	if (c->t) {
		XML_SetElementHandler(c->p, td_start, td_end);
		XML_SetCharacterDataHandler(c->p, td_text);
	} else {
		XML_SetElementHandler(c->p, mm_start, mm_end);
		XML_SetCharacterDataHandler(c->p, mm_text);
	}
	if (XML_Parse(c->p, xml, (int)len, XML_TRUE) == XML_STATUS_ERROR && !c->err[0])
		snprintf(c->err, sizeof c->err, "%s at line %lu", XML_ErrorString(XML_GetErrorCode(c->p)),
			 (unsigned long)XML_GetCurrentLineNumber(c->p));
	XML_ParserFree(c->p);
	if (c->nested_rc)
		rc = c->nested_rc;   /* e says it already */
	else if (c->err[0])
		rc = ub_err_set(e, UB_EFORMAT, "probe-garbled", "the debug probe's %s: %s", what, c->err);
	return rc;
}

int ub_gdb_tdesc_parse(struct ub_gdb_tdesc *t, const char *xml, size_t len,
		       ub_gdb_fetch fetch, void *ctx, struct ub_err *e)
{
	struct xml_ctx c;

	if (++t->files > MAX_FILES)
		return ub_err_set(e, UB_EFORMAT, "probe-garbled",
				  "the debug probe's target description has more than %d files", MAX_FILES);
	memset(&c, 0, sizeof c);
	c.t = t;
	c.fetch = fetch;
	c.fetch_ctx = ctx;
	c.e = e;
	return run(&c, xml, len, "target description", e);
}

void ub_gdb_tdesc_free(struct ub_gdb_tdesc *t)
{
	free(t->regs);
	memset(t, 0, sizeof *t);
}

const struct ub_gdb_reg *ub_gdb_tdesc_reg(const struct ub_gdb_tdesc *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->regs[i].name, name) == 0)
			return &t->regs[i];
	return NULL;
}

long ub_gdb_tdesc_g_offset(const struct ub_gdb_tdesc *t, unsigned regnum)
{
	long off = 0;
	size_t i;
	int found = 0;

	for (i = 0; i < t->n; i++) {
		if (t->regs[i].regnum < regnum)
			off += t->regs[i].bitsize / 8;
		found |= t->regs[i].regnum == regnum;
	}
	return found ? off : -1;
}

int ub_gdb_memmap_parse(struct ub_gdb_memmap *m, const char *xml, size_t len,
			struct ub_err *e)
{
	struct xml_ctx c;
	int rc;

	memset(&c, 0, sizeof c);
	c.m = m;
	if ((rc = run(&c, xml, len, "memory map", e)))
		ub_gdb_memmap_free(m);
	return rc;
}

void ub_gdb_memmap_free(struct ub_gdb_memmap *m)
{
	free(m->v);
	memset(m, 0, sizeof *m);
}

const struct ub_gdb_mem *ub_gdb_memmap_find(const struct ub_gdb_memmap *m, uint64_t addr,
					    uint64_t len)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (addr >= m->v[i].start && addr - m->v[i].start <= m->v[i].length &&
		    len <= m->v[i].length - (addr - m->v[i].start))
			return &m->v[i];
	return NULL;
}

const char *ub_gdb_mem_type_name(enum ub_gdb_mem_type t)
{
	return t == UB_GDB_RAM ? "ram" : t == UB_GDB_ROM ? "rom" : "flash";
}
