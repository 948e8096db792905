#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/strbuf.h"
#include "ub_config.h"

/* Text from the device or the user goes into tables and lines: markdown's
 * special characters are escaped and line breaks flattened, so a serial
 * number cannot turn into a link or break the table. */
static void text(struct ub_strbuf *b, const char *s)
{
	for (; s && *s; s++) {
		if (strchr("\\`*_{}[]()|<>~", *s))
			ub_sb_put(b, "\\", 1);
		if (*s == '\n' || *s == '\r')
			ub_sb_put(b, " ", 1);
		else if ((unsigned char)*s >= 0x20)
			ub_sb_put(b, s, 1);
	}
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

char *ub_report_markdown(const json_t *c)
{
	struct ub_strbuf b = { 0 };
	json_t *v;
	size_t i;

	ub_sb_putf(&b, "# Repair report: case %lld\n\n", (long long)json_integer_value(json_object_get(c, "id")));
	ub_sb_lit(&b, "| | |\n|---|---|\n");
	ub_sb_lit(&b, "| Device | "); text(&b, *str(c, "model") ? str(c, "model") : "unknown"); ub_sb_lit(&b, " |\n");
	ub_sb_lit(&b, "| Serial | "); text(&b, str(c, "serial")); ub_sb_lit(&b, " |\n");
	ub_sb_lit(&b, "| Profile | "); text(&b, str(c, "profile")); ub_sb_lit(&b, " |\n");
	ub_sb_lit(&b, "| Reached at | "); text(&b, str(c, "device")); ub_sb_lit(&b, " |\n");
	ub_sb_lit(&b, "| Opened | "); text(&b, str(c, "created")); ub_sb_lit(&b, " |\n");
	ub_sb_lit(&b, "| Status | **"); text(&b, str(c, "status")); ub_sb_lit(&b, "** |\n");
	ub_sb_lit(&b, "| Folder | "); text(&b, str(c, "folder")); ub_sb_lit(&b, " |\n\n");

	ub_sb_lit(&b, "## Steps\n\n");
	if (json_array_size(json_object_get(c, "steps")) == 0)
		ub_sb_lit(&b, "No steps were recorded.\n\n");
	else
		ub_sb_lit(&b, "| # | Step | Outcome | Seconds | Bytes | Notes |\n|---|---|---|---|---|---|\n");
	json_array_foreach(json_object_get(c, "steps"), i, v) {
		const char *err = str(v, "error");

		ub_sb_putf(&b, "| %zu | ", i + 1);
		text(&b, str(v, "name"));
		ub_sb_lit(&b, " | ");
		text(&b, str(v, "outcome"));
		ub_sb_putf(&b, " | %.1f | %lld | ", json_number_value(json_object_get(v, "seconds")),
		     (long long)json_integer_value(json_object_get(v, "bytes")));
		if (*err) {
			text(&b, err);
			if (*str(v, "advice")) {
				ub_sb_lit(&b, " (what to do: ");
				text(&b, str(v, "advice"));
				ub_sb_lit(&b, ")");
			}
		} else if (json_is_object(json_object_get(v, "detail"))) {
			char *d = json_dumps(json_object_get(v, "detail"), JSON_COMPACT);

			ub_sb_lit(&b, "`");
			for (char *p = d; p && *p; p++)
				ub_sb_put(&b, *p == '`' || *p == '|' ? "'" : p, 1);
			ub_sb_lit(&b, "`");
			free(d);
		}
		ub_sb_lit(&b, " |\n");
	}

	ub_sb_lit(&b, "\n## Artifacts\n\n");
	if (json_array_size(json_object_get(c, "artifacts")) == 0)
		ub_sb_lit(&b, "None.\n");
	else
		ub_sb_lit(&b, "| Kind | File | Bytes | SHA-256 |\n|---|---|---|---|\n");
	json_array_foreach(json_object_get(c, "artifacts"), i, v) {
		ub_sb_lit(&b, "| ");
		text(&b, str(v, "kind"));
		ub_sb_lit(&b, " | ");
		text(&b, str(v, "path"));
		ub_sb_putf(&b, " | %lld | ", (long long)json_integer_value(json_object_get(v, "size")));
		text(&b, str(v, "sha256"));
		ub_sb_lit(&b, " |\n");
	}
	ub_sb_putf(&b, "\n_Written by unbrick %s._\n", UB_VERSION);
	return ub_sb_take(&b);
}
