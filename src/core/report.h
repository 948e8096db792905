/* Reports of a case, rendered from its journal rows (ub_case_json): the
 * device, every step with its timing and outcome, the artifacts and their
 * hashes.  Markdown and HTML for people, JSON for tools. */
#ifndef UB_REPORT_H
#define UB_REPORT_H

#include <jansson.h>

enum ub_report_format { UB_REPORT_MD, UB_REPORT_HTML, UB_REPORT_JSON };

/* Keep the secrets in (unbrick report --no-redact). */
#define UB_REPORT_KEEP_SECRETS 1u

/* The report of case c (ub_case_json's rows): a new string (free it);
 * NULL when out of memory.  Secrets in the rows and in the attached logs
 * become [redacted] (core/redact.h) unless flags keep them; *redacted
 * (may be NULL) gets how many values went.  Control characters in device
 * text are shown as escapes, never passed on.  HTML is one
 * self-contained file (styles inline, no scripts) with the tails of the
 * case's console logs attached. */
char *ub_report(const json_t *c, enum ub_report_format f, unsigned flags, unsigned *redacted);

/* The case's status in one sentence that claims nothing it did not do
 * ("written, not verified: ..." for an unverified write). */
const char *ub_report_result(const char *status);

/* The markdown report, redacted. */
char *ub_report_markdown(const json_t *c);

/* ub_report's HTML over rows as given; redact_logs: the logs attached
 * are redacted, *redacted grows by their count. */
char *ub_report_html(const json_t *c, int redact_logs, unsigned *redacted);

#endif
