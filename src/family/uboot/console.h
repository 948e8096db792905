/* U-Boot's command console over a byte stream.  Each command is sent as
 *     CMD; echo __UB<n>_RC=$?__
 * so the end of its output and its exit status are marked by a line no
 * command prints by itself, whatever the board echoes or interleaves.  The
 * console knows nothing about flash or policy: it runs commands. */
#ifndef UB_UBOOT_CONSOLE_H
#define UB_UBOOT_CONSOLE_H

#include <stddef.h>

#include "base/err.h"
#include "io/stream.h"

struct ub_console {
	struct ub_stream *s;
	char prompt[32];
	unsigned seq;           /* numbers the markers, so stale output never matches */
	char *in;               /* bytes read but not yet consumed */
	size_t in_len, in_cap;
	unsigned long long rx_bytes;
};

/* The result of one command: its output (echo and marker removed, "\r"
 * dropped), and its exit status as U-Boot reports it in $?. */
struct ub_console_out {
	char *text;
	size_t len;
	int status;
};

void ub_console_init(struct ub_console *c, struct ub_stream *s,
		     const char *prompt);
void ub_console_free(struct ub_console *c);

/* Gets to the prompt: while the board is booting or counting down, sends
 * stop_keys (may be NULL) and Ctrl-C every few hundred milliseconds, then proves
 * the console answers with a marker round trip.  Fails with UB_ETIMEOUT
 * and advice when no prompt appears within timeout_ms. */
int ub_console_sync(struct ub_console *c, const char *stop_keys,
		    int timeout_ms, struct ub_err *e);

/* Runs cmd (no newline, no ';' at the end).  idle_ms bounds the silence
 * between bytes, not the whole command.  With on_line, each output line is
 * handed over as it arrives (for long dumps) instead of being collected.
 * Returns 0 when the command ran, whatever its status; < 0 when the console
 * failed (timeout, link lost), and then out is empty. */
int ub_console_run(struct ub_console *c, const char *cmd, int idle_ms,
		   int (*on_line)(void *ctx, const char *line, size_t len),
		   void *ctx, struct ub_console_out *out, struct ub_err *e);

/* What came on the side during ub_console_run_split. */
struct ub_console_side {
	int status;                /* cmd's exit status; -1 when its end never came */
	unsigned long long bytes;  /* bytes that came there */
};

/* Runs cmd, which sends its output somewhere else (the board's stdout
 * moved to netconsole for it), then after, which brings it back, on one
 * line:
 *     CMD; echo __UB<n>_END=$?__; AFTER; echo __UB<n>_RC=$?__
 * The echo and the status of after come on the console as usual, and what
 * the console shows meanwhile (stderr) is collected in out.  The side's
 * lines go to on_line until the end marker, whose status goes to res
 * (-1 when it never came: output lost on the way, or never sent).  Returns
 * as ub_console_run, except that on UB_ETIMEOUT out keeps what the console
 * said before it fell silent (the board's word on why: free it). */
int ub_console_run_split(struct ub_console *c, struct ub_stream *side,
			 const char *cmd, const char *after, int idle_ms,
			 int (*on_line)(void *ctx, const char *line, size_t len),
			 void *ctx, struct ub_console_out *out,
			 struct ub_console_side *res, struct ub_err *e);

/* Runs cmd and fails (UB_EFAIL, with the board's own words) when its status
 * is not 0 or its output has one of U-Boot's failure messages. */
int ub_console_check(struct ub_console *c, const char *cmd, int idle_ms,
		     struct ub_console_out *out, struct ub_err *e);

/* ub_console_check with the output dropped: a command that only has to
 * work. */
int ub_console_do(struct ub_console *c, const char *cmd, int idle_ms, struct ub_err *e);

/* The line of out that reports a failure ("Unknown command", "Bad CRC",
 * "Flash buffer write timeout", ...), or NULL. */
const char *ub_console_failure(const struct ub_console_out *out,
			       size_t *line_len);

/* The last non-empty line of out, leading blanks dropped, into buf: what
 * a command concluded ("0 Storage Device(s) found", "Failed to initialize
 * SPI flash at 0:1 (error -19)"). */
void ub_console_last_line(const struct ub_console_out *out, char *buf, size_t len);

/* Reads an environment variable; returns 0, 1 when it is not defined, or
 * < 0 on console failure. */
int ub_console_getenv(struct ub_console *c, const char *name, char *val,
		      size_t len, struct ub_err *e);

void ub_console_out_free(struct ub_console_out *out);

#endif
