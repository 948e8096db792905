/* How image bytes reach the board's RAM: a loader the family chooses
 * (TFTP from unbrick's own server, YMODEM over the console).  Loaders talk
 * to the board's console only; the family checks what arrived with the
 * board's crc32, so a loader need not. */
#ifndef UB_UBOOT_LOADER_H
#define UB_UBOOT_LOADER_H

#include <stdint.h>

#include <jansson.h>

#include "family/family.h"
#include "family/uboot/console.h"

struct ub_uboot_loader {
	const char *name;   /* "tftp", "ymodem" */
	/* Moves src into RAM at addr; *retries gets the resends it needed. */
	int (*load)(void *ctx, struct ub_console *con, const struct ub_src *src,
		    uint64_t addr, unsigned *retries, struct ub_progress *p, struct ub_err *e);
	void *ctx;
};

/* The TFTP loader (tftp.c), configured from the spec and profile. */
int ub_uboot_tftp_loader(struct ub_uboot_loader *out, const struct ub_device_spec *spec,
			 const json_t *profile, struct ub_err *e);
void ub_uboot_tftp_loader_free(struct ub_uboot_loader *l);
int ub_uboot_tftp_possible(const struct ub_uboot_loader *l);

#endif
