/* Errors that carry what went wrong and what the technician should do next. */
#ifndef UB_ERR_H
#define UB_ERR_H

#include <stddef.h>

/* Every function that can fail returns 0 or one of these (negative).  The
 * code decides the process exit status; the advice id picks the sentence the
 * user reads next.  Keep the list short: detail belongs in the message. */
enum ub_code {
	UB_OK = 0,
	UB_EFAIL = -1,     /* the operation failed                  -> exit 1 */
	UB_EUSAGE = -2,    /* bad command line                      -> exit 2 */
	UB_EREFUSED = -3,  /* a safety check said no                -> exit 3 */
	UB_ENODEV = -4,    /* device absent or not answering        -> exit 4 */
	UB_EIO = -5,       /* reading or writing a file failed      -> exit 1 */
	UB_ENOMEM = -6,    /* out of memory                         -> exit 1 */
	UB_EFORMAT = -7,   /* input is malformed or not understood  -> exit 1 */
	UB_ETIMEOUT = -8,  /* the device stopped answering          -> exit 4 */
	UB_EINTR = -9,     /* stopped by a signal at a safe point   -> exit 130 */
};

enum ub_exit {
	UB_EXIT_OK = 0,
	UB_EXIT_FAIL = 1,
	UB_EXIT_USAGE = 2,
	UB_EXIT_REFUSED = 3,
	UB_EXIT_NODEV = 4,
	UB_EXIT_INTERRUPTED = 130,   /* 128 + SIGINT, as shells report it */
};

#define UB_ERR_MSG_MAX 512

struct ub_err {
	int code;               /* enum ub_code */
	const char *advice_id;  /* key into the advice table, may be NULL */
	char msg[UB_ERR_MSG_MAX];
};

#if defined(__GNUC__)
#define UB_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define UB_PRINTF(a, b)
#endif

/* Fills *e (when not NULL) and returns code, so callers can write
 * `return ub_err_set(e, UB_EFORMAT, "image-corrupt", "...", ...);`. */
int ub_err_set(struct ub_err *e, int code, const char *advice_id,
	       const char *fmt, ...) UB_PRINTF(4, 5);

/* Same, appending ": strerror(errno_value)". */
int ub_err_errno(struct ub_err *e, int code, const char *advice_id,
		 int errno_value, const char *fmt, ...) UB_PRINTF(5, 6);

void ub_err_clear(struct ub_err *e);

/* Puts "prefix: " before the message (the file an inner error was about,
 * say); the message is cut at the end when it no longer fits. */
void ub_err_prefix(struct ub_err *e, const char *prefix);

/* Exit status for a code (see enum ub_exit). */
int ub_exit_code(int code);

/* Short stable name of a code, for JSON output ("refused", "io", ...). */
const char *ub_code_name(int code);

/* The advice sentence for an id, or NULL when the id is unknown.  The table
 * lives in advice.c as data. */
const char *ub_advice(const char *advice_id);

/* Advice for an error: its own advice id, else a default for its code. */
const char *ub_err_advice(const struct ub_err *e);

#endif
