/* Secrets in what leaves a case (the support bundle, the reports): a
 * console log holds what the owner typed and what the device printed,
 * Wi-Fi keys, admin passwords, password hashes, private keys.  Their
 * values become "[redacted]"; the rest of the line stays, so the log
 * still reads as evidence.  The case's own files are never changed.
 *
 * What counts as a secret (redact.c has the tables; unbrick(1), REDACTION,
 * lists them for people):
 *  - a value after a secret's name: name=value, name: value, "name": "value",
 *    and U-Boot's setenv name value / env set name value / fw_setenv;
 *  - a password hash in crypt(3) form ($1$, $2a$/$2b$/$2y$, $5$, $6$, $y$,
 *    ...), and the password field of a passwd or shadow line;
 *  - the password in a URL (scheme://user:password@host);
 *  - the body of a PEM private key.
 * MAC addresses, serial numbers and IP addresses are not secrets: they
 * identify the unit, which is what a report is for. */
#ifndef UB_REDACT_H
#define UB_REDACT_H

#include <jansson.h>
#include <stddef.h>

struct ub_strbuf;

#define UB_REDACTED "[redacted]"

/* A text read line by line: what one line tells the next (inside a
 * private key), and how many values were redacted. */
struct ub_redact {
	int in_key;   /* 1 inside a key, 2 inside and not counted yet */
	unsigned count;
};

/* Appends one line (with its '\n' when it has one) to b, redacted. */
void ub_redact_line(struct ub_redact *r, const char *line, size_t n, struct ub_strbuf *b);

/* Appends text s[0..n) to b, redacted, line by line. */
void ub_redact_text(struct ub_redact *r, const char *s, size_t n, struct ub_strbuf *b);

/* For a text that starts in the middle (a log's tail): sets whether it
 * starts inside a private key (its END comes before any BEGIN). */
void ub_redact_tail_start(struct ub_redact *r, const char *s, size_t n);

/* A copy of v with every string redacted as text, and the values of
 * members with a secret's name replaced; *count (may be NULL) grows by
 * the values redacted.  NULL when out of memory. */
json_t *ub_redact_json(const json_t *v, unsigned *count);

/* Whether name[0..n) is a secret's name, by the table. */
int ub_redact_secret_name(const char *name, size_t n);

#endif
