/* One writer per device and per case.  Two runs on one chip each said
 * "verified" while the chip held one of the two images: a run holds an
 * exclusive lock on the device it reaches (keyed by the spec's canonical
 * address: the serial device, the programmer and its image, the board's
 * address) and on the case it writes, for as long as it runs.  The lock is
 * the kernel's (flock), so a process that dies releases it; the file says
 * who held it last (pid, case), for the message the second run prints. */
#ifndef UB_LOCK_H
#define UB_LOCK_H

#include "base/err.h"

struct ub_lock {
	int fd;   /* -1: not held */
};

/* Takes the lock on the device key (ub_device_spec_key) for case_id (0:
 * none yet), its file in the folder locks (made when missing: the home's
 * locks/).  Held elsewhere: UB_ENODEV ("device-busy") naming the holder's
 * case and pid. */
int ub_lock_device(struct ub_lock *l, const char *locks, const char *key, long long case_id,
		   struct ub_err *e);

/* Takes the lock of a case's folder.  Held elsewhere: UB_ENODEV
 * ("case-busy") naming the holder's pid. */
int ub_lock_case(struct ub_lock *l, const char *folder, long long case_id, struct ub_err *e);

/* 1 when nobody holds the case's lock now (a step the journal shows
 * running was left by a process that died), 0 when someone does. */
int ub_case_unlocked(const char *folder);

/* Says which case holds the device now (after ub_lock_device with 0). */
void ub_lock_note_case(struct ub_lock *l, long long case_id);

void ub_unlock(struct ub_lock *l);

#endif
