#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "ub_config.h"

struct buf {
	char *p;
	size_t len, cap;
	int failed;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->failed)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = (b->cap + n + 1) * 2;
		char *p = realloc(b->p, cap);

		if (!p) {
			b->failed = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* A string literal, its length counted by the compiler. */
#define lit(b, s) put((b), (s), sizeof(s) - 1)

static void putf(struct buf *b, const char *fmt, ...) UB_PRINTF(2, 3);
static void putf(struct buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (n > 0)
		put(b, tmp, (size_t)n < sizeof tmp ? (size_t)n : sizeof tmp - 1);
}

/* Text from the device or the user goes into tables and lines: markdown's
 * special characters are escaped and line breaks flattened, so a serial
 * number cannot turn into a link or break the table. */
static void text(struct buf *b, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("\\`*_{}[]()|<>~", *s))
			put(b, "\\", 1);
		if (*s == '\n' || *s == '\r')
			put(b, " ", 1);
		else if ((unsigned char)*s >= 0x20)
			put(b, s, 1);
	}
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

char *ub_report_markdown(const json_t *c)
{
	struct buf b = { 0 };
	json_t *v;
	size_t i;

	putf(&b, "# Repair report: case %lld\n\n", (long long)json_integer_value(json_object_get(c, "id")));
	lit(&b, "| | |\n|---|---|\n");
	lit(&b, "| Device | "); text(&b, *str(c, "model") ? str(c, "model") : "unknown"); lit(&b, " |\n");
	lit(&b, "| Serial | "); text(&b, str(c, "serial")); lit(&b, " |\n");
	lit(&b, "| Profile | "); text(&b, str(c, "profile")); lit(&b, " |\n");
	lit(&b, "| Reached at | "); text(&b, str(c, "device")); lit(&b, " |\n");
	lit(&b, "| Opened | "); text(&b, str(c, "created")); lit(&b, " |\n");
	lit(&b, "| Status | **"); text(&b, str(c, "status")); lit(&b, "** |\n");
	lit(&b, "| Folder | "); text(&b, str(c, "folder")); lit(&b, " |\n\n");

	lit(&b, "## Steps\n\n");
	if (json_array_size(json_object_get(c, "steps")) == 0)
		lit(&b, "No steps were recorded.\n\n");
	else
		lit(&b, "| # | Step | Outcome | Seconds | Bytes | Notes |\n|---|---|---|---|---|---|\n");
	json_array_foreach(json_object_get(c, "steps"), i, v) {
		const char *err = str(v, "error");

		putf(&b, "| %zu | ", i + 1);
		text(&b, str(v, "name"));
		lit(&b, " | ");
		text(&b, str(v, "outcome"));
		putf(&b, " | %.1f | %lld | ", json_number_value(json_object_get(v, "seconds")),
		     (long long)json_integer_value(json_object_get(v, "bytes")));
		if (*err) {
			text(&b, err);
			if (*str(v, "advice")) {
				lit(&b, " (what to do: ");
				text(&b, str(v, "advice"));
				lit(&b, ")");
			}
		} else if (json_is_object(json_object_get(v, "detail"))) {
			char *d = json_dumps(json_object_get(v, "detail"), JSON_COMPACT);

			lit(&b, "`");
			for (char *p = d; p && *p; p++)
				put(&b, *p == '`' || *p == '|' ? "'" : p, 1);
			lit(&b, "`");
			free(d);
		}
		lit(&b, " |\n");
	}

	lit(&b, "\n## Artifacts\n\n");
	if (json_array_size(json_object_get(c, "artifacts")) == 0)
		lit(&b, "None.\n");
	else
		lit(&b, "| Kind | File | Bytes | SHA-256 |\n|---|---|---|---|\n");
	json_array_foreach(json_object_get(c, "artifacts"), i, v) {
		lit(&b, "| ");
		text(&b, str(v, "kind"));
		lit(&b, " | ");
		text(&b, str(v, "path"));
		putf(&b, " | %lld | ", (long long)json_integer_value(json_object_get(v, "size")));
		text(&b, str(v, "sha256"));
		lit(&b, " |\n");
	}
	putf(&b, "\n_Written by unbrick %s._\n", UB_VERSION);
	if (b.failed) {
		free(b.p);
		return NULL;
	}
	return b.p;
}
