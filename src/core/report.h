/* Reports of a case, rendered from its journal rows (ub_case_json): the
 * device, every step with its timing and outcome, the artifacts and their
 * hashes.  Markdown and HTML for people, JSON for tools. */
#ifndef UB_REPORT_H
#define UB_REPORT_H

#include <jansson.h>

/* A new string (free it); NULL when out of memory. */
char *ub_report_markdown(const json_t *c);

/* One self-contained HTML file (styles inline, no scripts), with the
 * tails of the case's console logs attached.  Free it; NULL: no memory. */
char *ub_report_html(const json_t *c);

#endif
