/* The support bundle: one tar.gz a colleague or a repair shop can read
 * without the journal: the case's rows (case.json), its report, console
 * and boot logs, and the backup's manifest (the backups themselves only
 * when asked: they hold the owner's data and can be large).  Secrets in
 * the rows and the text files become [redacted] (core/redact.h) unless
 * asked not to, and REDACTION.txt in it says which was done; the case's
 * own files are left as they are. */
#ifndef UB_BUNDLE_H
#define UB_BUNDLE_H

#include "base/err.h"
#include "core/journal.h"

#define UB_BUNDLE_BACKUPS 1u        /* the backup files too (as bytes) */
#define UB_BUNDLE_KEEP_SECRETS 2u   /* no redaction (--no-redact) */

/* Writes the bundle of case id to out_path (NULL: the case folder's
 * bundle-YYYYMMDD-HHMMSS.tar.gz), atomically, and records it as an
 * artifact.  path_out (4200 bytes) gets the path written. */
int ub_bundle_write(struct ub_journal *j, long long id, unsigned flags,
		    const char *out_path, char *path_out, struct ub_err *e);

#endif
