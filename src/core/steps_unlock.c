/* Unlocking the device's bootloader (--unlock-bootloader), which makes the
 * device erase the owner's data.  Never on --yes alone: the person types
 * the words that name the loss, or a script passes the flag that says it
 * in so many words (erase_user_data).  Journaled either way, with how it
 * was agreed to. */
#include "run.h"

#include <stdio.h>

#include "base/interrupt.h"
#include "base/say.h"

#define UNLOCK_PHRASE "erase user data"

int ub_step_unlock(struct run *r, struct ub_progress *p, json_t *d, struct ub_err *e)
{
	const struct ub_family *f = r->s.fam;
	char question[512];
	int locked, rc;

	(void)p;
	if (!f->bootloader_locked || !f->unlock_bootloader)
		return ub_err_set(e, UB_EUSAGE, "usage", "--unlock-bootloader: the %s family has no way to unlock a bootloader",
				  f->name);
	if ((locked = f->bootloader_locked(r->s.dev, e)) < 0)
		return locked;
	json_object_set_new(d, "locked_before", locked == 2 ? json_null() : json_boolean(locked));
	if (locked == 0) {
		ub_say("  the bootloader is unlocked already: nothing to do, nothing erased\n");
		return 1;
	}
	ub_say("  WARNING: unlocking the bootloader makes the device ERASE ALL USER DATA on it (the owner's apps, photos, accounts)%s\n",
	       locked == 2 ? "; the device does not say whether it is locked" : "");
	snprintf(question, sizeof question,
		 "About to unlock the bootloader of %.100s %.100s: the device erases all user data on it, and that cannot be undone",
		 r->id.model[0] ? r->id.model : "the device", r->id.serial);
	if (r->o->erase_user_data) {
		ub_say("  the loss of the user data was accepted with --erase-user-data (recorded)\n");
		json_object_set_new(d, "agreed", json_string("--erase-user-data"));
	} else if (r->o->confirm_phrase && r->o->confirm_phrase(r->o->confirm_ctx, question, UNLOCK_PHRASE)) {
		json_object_set_new(d, "agreed", json_string("typed: " UNLOCK_PHRASE));
	} else {
		return ub_safe_point("at the question, before the unlock", e) ? e->code :
		       ub_err_set(e, UB_EREFUSED, "unlock-not-confirmed",
				  "the bootloader unlock was not confirmed (type '%s', or pass --erase-user-data in scripts; --yes is not enough): nothing was erased or written",
				  UNLOCK_PHRASE);
	}
	if ((rc = f->unlock_bootloader(r->s.dev, e)))
		return rc;
	if ((locked = f->bootloader_locked(r->s.dev, e)) < 0)
		return locked;
	json_object_set_new(d, "locked_after", locked == 2 ? json_null() : json_boolean(locked));
	if (locked == 1)
		return ub_err_set(e, UB_EFAIL, "unlock-failed",
				  "the device accepted the unlock and still says it is locked; nothing was written");
	ub_say("  the bootloader is unlocked%s; the device erased its user data\n",
	       locked == 2 ? " (the device does not say; its answer to the unlock was OKAY)" : "");
	return 0;
}
