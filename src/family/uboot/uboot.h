/* The U-Boot family: boards whose bootloader still answers on a console.
 * The registry needs only ub_family_uboot; the rest is for this folder:
 * the diagnosis data in rules.c, the ops in files of their own. */
#ifndef UB_FAMILY_UBOOT_H
#define UB_FAMILY_UBOOT_H

#include "family/family.h"

extern const struct ub_family ub_family_uboot;

/* Diagnosis data (rules.c). */
extern const struct ub_diag_rule ub_uboot_rules[];
extern const char *const ub_uboot_banners[];
extern const char *const ub_uboot_prompts[];

/* The ops that live in files of their own: listening to the console
 * for diagnosis (capture.c), the serial ports attached now (list.c). */
int ub_uboot_capture(const struct ub_device_spec *spec, int seconds, char **log, size_t *len,
		     struct ub_err *e);
int ub_uboot_list(void (*found)(void *ctx, const struct ub_found *f), void *ctx,
		  struct ub_err *e);

/* For a family that starts a U-Boot itself and hands the board over (the
 * gdb family loads one into RAM through a debug probe, then writes flash
 * through this family's ops on its console).  The console's stream, to
 * watch the started bootloader's first words on: */
struct ub_stream *ub_uboot_stream(struct ub_device *d);
/* Images then reach the board's RAM through load (a probe writes RAM far
 * faster than TFTP or YMODEM); the board's crc32 still checks what
 * arrived.  name is what the journal says they went by. */
void ub_uboot_set_ram_loader(struct ub_device *d, const char *name,
			     int (*load)(void *ctx, const struct ub_src *src, uint64_t addr,
					 struct ub_progress *p, struct ub_err *e),
			     void *ctx);

#endif
