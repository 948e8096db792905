/* The report as one self-contained HTML file: no scripts, no outside
 * files, styles inline, readable on screen and on paper.  The facts a
 * colleague looks for first (device, verdict, versions, hashes, overrides)
 * come before the step list; the console logs are attached at the end. */
#include "report.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/sanitize.h"
#include "base/strbuf.h"
#include "core/redact.h"
#include "ub_config.h"

#define LOG_TAIL (256u * 1024)   /* of each log: a boot loop can fill megabytes */

static const char style[] =
	"body{font:14px/1.45 system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;color:#111}"
	"h1{font-size:1.6em;margin-bottom:.2em}h2{font-size:1.2em;margin-top:1.6em;border-bottom:1px solid #ccc}"
	"table{border-collapse:collapse;width:100%}td,th{border:1px solid #ccc;padding:.25em .5em;"
	"text-align:left;vertical-align:top}th{background:#f3f3f3}"
	"code,pre{font:12px/1.35 ui-monospace,monospace}code{word-break:break-all}pre{white-space:pre-wrap;word-break:break-all;"
	"background:#f7f7f7;padding:.6em;border:1px solid #ddd}"
	".ok{color:#176b2c;font-weight:600}.failed{color:#a11;font-weight:600}.skipped{color:#666}"
	".status{font-size:1.1em;font-weight:700}.hash{word-break:break-all}"
	"@media print{body{margin:0;max-width:none}pre{font-size:9px}h2{break-after:avoid}tr{break-inside:avoid}}";

/* Text from devices, users and files: control characters (an escape
 * sequence in a console log) and bytes that are not UTF-8 are shown as
 * escapes such as \x1b (base/sanitize.h), and every character that means
 * something to HTML is escaped. */
static void esc(struct ub_strbuf *b, const char *s, size_t n)
{
	struct ub_strbuf safe = { 0 };
	size_t i, run = 0;

	ub_sanitize_put(&safe, s ? s : "", s ? n : 0);
	for (i = 0; i < safe.len; i++) {
		const char *e;

		switch (safe.p[i]) {
		case '&': e = "&amp;"; break;
		case '<': e = "&lt;"; break;
		case '>': e = "&gt;"; break;
		case '"': e = "&quot;"; break;
		case '\'': e = "&#39;"; break;
		default: continue;
		}
		ub_sb_put(b, safe.p + run, i - run);
		ub_sb_put(b, e, strlen(e));
		run = i + 1;
	}
	ub_sb_put(b, safe.p ? safe.p + run : "", safe.len - run);
	if (safe.failed)
		b->failed = 1;
	free(safe.p);
}

static void esc_s(struct ub_strbuf *b, const char *s)
{
	esc(b, s, s ? strlen(s) : 0);
}

static const char *str(const json_t *o, const char *k)
{
	const char *s = json_string_value(json_object_get(o, k));

	return s ? s : "";
}

static void row(struct ub_strbuf *b, const char *k, const char *v, const char *cls)
{
	ub_sb_lit(b, "<tr><th>");
	esc_s(b, k);
	ub_sb_putf(b, "</th><td%s%s%s>", cls ? " class=\"" : "", cls ? cls : "", cls ? "\"" : "");
	esc_s(b, v && *v ? v : "unknown");
	ub_sb_lit(b, "</td></tr>\n");
}

/* The last step of a name with detail key k, as a string. */
static const char *step_fact(const json_t *steps, const char *name, const char *k)
{
	const char *v = NULL;
	size_t i;
	json_t *s;

	json_array_foreach(steps, i, s)
		if (strcmp(str(s, "name"), name) == 0 && json_string_value(json_object_get(json_object_get(s, "detail"), k)))
			v = json_string_value(json_object_get(json_object_get(s, "detail"), k));
	return v;
}

static void facts(struct ub_strbuf *b, const json_t *c)
{
	const json_t *steps = json_object_get(c, "steps");
	const char *before = step_fact(steps, "identify", "firmware_version");
	const char *after = step_fact(steps, "boot", "version");
	const char *img = step_fact(steps, "check", "sha256");
	const char *img_ver = step_fact(steps, "check", "version");
	size_t i;
	json_t *s;

	ub_sb_lit(b, "<h2>Key facts</h2>\n<table>\n");
	row(b, "Firmware before", before, NULL);
	row(b, "Image version", img_ver, NULL);
	row(b, "Firmware after (booted)", after, NULL);
	row(b, "Image SHA-256", img, "hash");
	row(b, "Bootloader", step_fact(steps, "identify", "bootloader"), NULL);
	if (step_fact(steps, "identify", "hardware"))
		row(b, "Hardware", step_fact(steps, "identify", "hardware"), NULL);
	json_array_foreach(steps, i, s) {
		const json_t *d = json_object_get(s, "detail");

		if (strcmp(str(s, "name"), "diagnose") == 0)
			row(b, "Diagnosis", str(d, "verdict"), NULL);
		if (json_is_true(json_object_get(d, "force_attempt")))
			row(b, "Override", "--force-attempt: tried again after the case's failed attempts", "failed");
		if (json_string_value(json_object_get(d, "skipped_by")) &&
		    strcmp(str(d, "skipped_by"), "--no-backup") == 0)
			row(b, "Override", "--no-backup: written without a backup", "failed");
		if (json_is_true(json_object_get(d, "trusted")))
			row(b, "Override", "--trust-backup: an earlier backup taken as the device's contents", NULL);
	}
	ub_sb_lit(b, "</table>\n");
}

static void steps_table(struct ub_strbuf *b, const json_t *c)
{
	size_t i;
	json_t *v;

	ub_sb_lit(b, "<h2>Steps</h2>\n");
	if (!json_array_size(json_object_get(c, "steps"))) {
		ub_sb_lit(b, "<p>No steps were recorded.</p>\n");
		return;
	}
	ub_sb_lit(b, "<table>\n<tr><th>#</th><th>Step</th><th>Outcome</th><th>Seconds</th><th>Bytes</th><th>Notes</th></tr>\n");
	json_array_foreach(json_object_get(c, "steps"), i, v) {
		const char *out = str(v, "outcome");

		ub_sb_putf(b, "<tr><td>%zu</td><td>", i + 1);
		esc_s(b, str(v, "name"));
		ub_sb_putf(b, "</td><td class=\"%s\">", strcmp(out, "ok") == 0 ? "ok" :
			   strcmp(out, "failed") == 0 ? "failed" : "skipped");
		esc_s(b, out);
		ub_sb_putf(b, "</td><td>%.1f</td><td>%lld</td><td>", json_number_value(json_object_get(v, "seconds")),
			   (long long)json_integer_value(json_object_get(v, "bytes")));
		if (*str(v, "error")) {
			esc_s(b, str(v, "error"));
			if (*str(v, "advice")) {
				ub_sb_lit(b, "<br><em>What to do:</em> ");
				esc_s(b, str(v, "advice"));
			}
		} else if (json_object_size(json_object_get(v, "detail"))) {
			char *d = json_dumps(json_object_get(v, "detail"), JSON_COMPACT);

			ub_sb_lit(b, "<code>");
			esc_s(b, d);
			ub_sb_lit(b, "</code>");
			free(d);
		}
		ub_sb_lit(b, "</td></tr>\n");
	}
	ub_sb_lit(b, "</table>\n");
}

static void artifacts(struct ub_strbuf *b, const json_t *c)
{
	size_t i;
	json_t *v;

	ub_sb_lit(b, "<h2>Files</h2>\n");
	if (!json_array_size(json_object_get(c, "artifacts"))) {
		ub_sb_lit(b, "<p>None.</p>\n");
		return;
	}
	ub_sb_lit(b, "<table>\n<tr><th>Kind</th><th>File</th><th>Bytes</th><th>SHA-256</th></tr>\n");
	json_array_foreach(json_object_get(c, "artifacts"), i, v) {
		ub_sb_lit(b, "<tr><td>");
		esc_s(b, str(v, "kind"));
		ub_sb_lit(b, "</td><td>");
		esc_s(b, str(v, "path"));
		ub_sb_putf(b, "</td><td>%lld</td><td class=\"hash\">", (long long)json_integer_value(json_object_get(v, "size")));
		esc_s(b, str(v, "sha256"));
		ub_sb_lit(b, "</td></tr>\n");
	}
	ub_sb_lit(b, "</table>\n");
}

/* A log's tail as the report shows it: from its first whole line (a
 * secret cut in two at the start would show its end), redacted unless
 * asked not to. */
static void log_text(struct ub_strbuf *b, const char *text, size_t n, int cut, int redact,
		     unsigned *redacted)
{
	const char *nl = cut ? memchr(text, '\n', n) : NULL;
	struct ub_redact r = { 0, 0 };
	struct ub_strbuf red = { 0 };

	if (nl) {
		n -= (size_t)(nl + 1 - text);
		text = nl + 1;
	}
	if (!redact) {
		esc(b, text, n);
		return;
	}
	if (cut)
		ub_redact_tail_start(&r, text, n);
	ub_redact_text(&r, text, n, &red);
	if (red.failed)
		b->failed = 1;
	else
		esc(b, red.p, red.len);
	*redacted += r.count;
	free(red.p);
}

/* The logs themselves, their tails, so the report stands alone. */
static void logs(struct ub_strbuf *b, const json_t *c, int redact, unsigned *redacted)
{
	size_t i;
	json_t *v;
	int any = 0;

	json_array_foreach(json_object_get(c, "artifacts"), i, v) {
		struct stat st;
		char *text;
		ssize_t n;
		off_t from;
		int fd;

		if (strcmp(str(v, "kind"), "log") != 0)
			continue;
		if ((fd = open(str(v, "path"), O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) != 0) {
			if (fd >= 0)
				close(fd);
			continue;
		}
		from = st.st_size > (off_t)LOG_TAIL ? st.st_size - (off_t)LOG_TAIL : 0;
		text = malloc(LOG_TAIL);
		n = text ? pread(fd, text, LOG_TAIL, from) : -1;
		close(fd);
		if (!any++)
			ub_sb_lit(b, "<h2>Console logs</h2>\n");
		ub_sb_lit(b, "<details open><summary>");
		esc_s(b, str(v, "path"));
		if (from)
			ub_sb_putf(b, " (the last %u KiB)", LOG_TAIL / 1024);
		ub_sb_lit(b, "</summary>\n<pre>");
		if (n > 0)
			log_text(b, text, (size_t)n, from > 0, redact, redacted);
		ub_sb_lit(b, "</pre></details>\n");
		free(text);
	}
}

char *ub_report_html(const json_t *c, int redact_logs, unsigned *redacted)
{
	unsigned count = 0;
	struct ub_strbuf b = { 0 };
	long long id = (long long)json_integer_value(json_object_get(c, "id"));
	const char *status = str(c, "status");

	ub_sb_putf(&b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
		   "<title>Repair report: case %lld</title>\n<style>", id);
	ub_sb_put(&b, style, sizeof style - 1);
	ub_sb_putf(&b, "</style></head><body>\n<h1>Repair report: case %lld</h1>\n", id);
	ub_sb_putf(&b, "<p class=\"status %s\">Status: ", strcmp(status, "repaired") == 0 ||
		   strcmp(status, "flashed") == 0 || strcmp(status, "restored") == 0 ||
		   strcmp(status, "verified") == 0 ? "ok" : "failed");
	esc_s(&b, status);
	if (*ub_report_result(status)) {
		ub_sb_lit(&b, ": ");
		esc_s(&b, ub_report_result(status));
	}
	ub_sb_lit(&b, "</p>\n<table>\n");
	row(&b, "Device", str(c, "model"), NULL);
	row(&b, "Serial", str(c, "serial"), NULL);
	row(&b, "Profile", str(c, "profile"), NULL);
	row(&b, "Reached at", str(c, "device"), NULL);
	row(&b, "Opened", str(c, "created"), NULL);
	row(&b, "Folder", str(c, "folder"), NULL);
	ub_sb_lit(&b, "</table>\n");
	facts(&b, c);
	steps_table(&b, c);
	artifacts(&b, c);
	logs(&b, c, redact_logs, &count);
	if (redacted)
		*redacted += count;
	ub_sb_putf(&b, "<p><small>Written by unbrick %s.</small></p>\n</body></html>\n", UB_VERSION);
	return ub_sb_take(&b);
}
