/* Ctrl-C, a closed terminal, a stop request: SIGINT, SIGTERM and SIGHUP
 * do not kill the process mid-write.  They are noted, and long work stops
 * at its next safe point (between blocks, never between an erase and its
 * write), which returns UB_EINTR so the journal can say where it stopped
 * and how to resume. */
#ifndef UB_INTERRUPT_H
#define UB_INTERRUPT_H

#include "base/err.h"

/* Installs the handlers (once; later calls do nothing). */
void ub_interrupt_install(void);

/* The signal received, or 0. */
int ub_interrupted(void);

/* A safe point: UB_EINTR with a message naming the signal and what was
 * reached (`where`, e.g. "region firmware, block 12 of 64") when a stop
 * was asked for, else 0. */
int ub_safe_point(const char *where, struct ub_err *e);

#endif
