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

#endif
