#include "report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/err.h"
#include "base/sanitize.h"
#include "base/strbuf.h"
#include "core/redact.h"
#include "ub_config.h"

/* Text from the device or the user goes into tables and lines: line
 * breaks are flattened, control characters shown as escapes
 * (base/sanitize.h: the report may be printed on a terminal) and
 * markdown's special characters escaped, so a serial number cannot turn
 * into a link or break the table. */
static void text(struct ub_strbuf *b, const char *s)
{
	struct ub_strbuf safe = { 0 };
	char *flat = strdup(s ? s : ""), *p;

	for (p = flat; p && *p; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	if (!flat)
		b->failed = 1;
	else
		ub_sanitize_put(&safe, flat, strlen(flat));
	free(flat);
	for (p = safe.p; p && *p; p++) {
		if (strchr("\\`*_{}[]()|<>~", *p))
			ub_sb_put(b, "\\", 1);
		ub_sb_put(b, p, 1);
	}
	if (safe.failed)
		b->failed = 1;
	free(safe.p);
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static char *markdown(const json_t *c)
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
	if (*ub_report_result(str(c, "status"))) {
		ub_sb_lit(&b, "| Result | ");
		text(&b, ub_report_result(str(c, "status")));
		ub_sb_lit(&b, " |\n");
	}
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
			/* JSON escapes controls and, as ASCII, C1; DEL is left */
			char *d = json_dumps(json_object_get(v, "detail"), JSON_COMPACT | JSON_ENSURE_ASCII);

			ub_sb_lit(&b, "`");
			for (char *p = d; p && *p; p++)
				ub_sanitize_put(&b, *p == '`' || *p == '|' ? "'" : p, 1);
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

char *ub_report(const json_t *c, enum ub_report_format f, unsigned flags, unsigned *redacted)
{
	int keep = (flags & UB_REPORT_KEEP_SECRETS) != 0;
	unsigned count = 0;
	json_t *rows = keep ? json_incref((json_t *)c) : ub_redact_json(c, &count);
	char *text = NULL;

	if (!rows)
		return NULL;
	if (f == UB_REPORT_MD)
		text = markdown(rows);
	else if (f == UB_REPORT_HTML)
		text = ub_report_html(rows, !keep, &count);
	else
		text = json_dumps(rows, JSON_INDENT(2) | JSON_ENSURE_ASCII);
	json_decref(rows);
	if (redacted)
		*redacted = count;
	return text;
}

const char *ub_report_result(const char *status)
{
	static const struct {
		const char *status, *says;
	} v[] = {
		{ "repaired", "written, verified on the device, and booted" },
		{ "flashed", "written and verified on the device" },
		{ "verified", "the device holds the image, block for block" },
		{ "restored", "put back from the backup and verified on the device" },
		{ "unverified", "written, not verified: the device can neither digest nor be read back, so nothing confirms what it holds" },
		{ "interrupted", "stopped at a safe point; resume the case to finish" },
		{ "refused", "refused by a gate: nothing was written" },
		{ "failed", "a step failed: see the steps below" },
		{ "handed-over", "stopped after too many failed attempts; handed over with a support bundle" },
		{ "open", "not finished" },
	};
	size_t i;

	for (i = 0; status && i < sizeof v / sizeof v[0]; i++)
		if (strcmp(v[i].status, status) == 0)
			return v[i].says;
	return "";
}

char *ub_report_markdown(const json_t *c)
{
	return ub_report(c, UB_REPORT_MD, 0, NULL);
}
