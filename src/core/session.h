/* A device reached through its family: the spec, the profile, the flash
 * map and the family's open handle, opened and closed together. */
#ifndef UB_SESSION_H
#define UB_SESSION_H

#include "core/lock.h"
#include "core/profile.h"
#include "family/family.h"

struct ub_session {
	struct ub_device_spec spec;
	struct ub_profile profile;
	struct ub_flash_map map;
	const struct ub_family *fam;
	struct ub_device *dev;
	struct ub_lock lock;   /* the device's, held while dev is open */
	unsigned caps;   /* what this device can do: the family's spec_caps, else its caps */
};

/* Parses the spec, loads the profile (its family must be the spec's),
 * reads the flash map, takes the device's lock (one run per device: a
 * second gets "device-busy", exit 4, naming the holder) and opens the
 * device.  On failure nothing is left open. */
int ub_session_open(struct ub_session *s, const char *spec,
		    const char *profile, struct ub_err *e);
/* The same without reaching the device (dev stays NULL): for plans. */
int ub_session_plan(struct ub_session *s, const char *spec,
		    const char *profile, struct ub_err *e);
/* Takes the device's lock for a planned session, saying case_id as its
 * holder (0: none yet); nothing when it is held. */
int ub_session_lock(struct ub_session *s, long long case_id, struct ub_err *e);
/* The same lock for a device reached without a session (diagnose's
 * listening, which takes console bytes a running write waits for). */
int ub_lock_spec(struct ub_lock *l, const struct ub_device_spec *spec, long long case_id,
		 struct ub_err *e);
/* Opens the device of a planned session (nothing when it is open),
 * taking its lock first. */
int ub_session_connect(struct ub_session *s, struct ub_err *e);
void ub_session_close(struct ub_session *s);

/* The region an image goes to: the one named (--region), else the
 * profile's firmware region; NULL with the error said otherwise. */
const struct ub_region *ub_session_target(const struct ub_session *s, const char *name,
					  struct ub_err *e);

/* How fast a backup (write = 0) or a write proceeds over this session's
 * link, for plans and estimates: the profile's recovery.read_bps or
 * write_bps when it gives one, else the family's typical rate as far as
 * the link carries it. */
struct ub_rate {
	double bps;
	char why[160];  /* where it comes from: "typical speeds of the family",
			   "a serial console at 115200 baud", "the profile's rate" */
	int typical;    /* nothing more was known than the family's habits */
};
void ub_session_rate(const struct ub_session *s, int write, struct ub_rate *out);

/* Tells the person at the bench what to do before the device can answer
 * (the profile's guide: what to wire, how to enter recovery) and what
 * unbrick is waiting for. */
void ub_session_say_reach(const struct ub_session *s);

#endif
