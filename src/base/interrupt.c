#include "interrupt.h"

#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t got;

static void on_signal(int sig)
{
	static const char again[] =
		"\nunbrick: stopping at the next safe point (a block being written is finished first)\n";

	if (!got)
		got = sig;
	/* write(2) is safe in a handler; stdio is not */
	(void)!write(STDERR_FILENO, again, sizeof again - 1);
}

void ub_interrupt_install(void)
{
	static int done;
	struct sigaction sa;

	if (done)
		return;
	done = 1;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a question waiting at the terminal ends at once.
	 * Reads and writes of files and devices retry on EINTR (the stream
	 * code, the outfiles, the image copy), so nothing else is cut short;
	 * the stop waits for the next safe point. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

int ub_interrupted(void)
{
	return got;
}

int ub_safe_point(const char *where, struct ub_err *e)
{
	if (!got)
		return 0;
	return ub_err_set(e, UB_EINTR, "interrupted", "stopped by %s at a safe point%s%s",
			  got == SIGINT ? "Ctrl-C (SIGINT)" : got == SIGTERM ? "SIGTERM" :
			  got == SIGHUP ? "a closed terminal (SIGHUP)" : "a signal",
			  where && *where ? ": " : "", where ? where : "");
}
