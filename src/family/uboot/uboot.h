/* The U-Boot family: boards whose bootloader still answers on a console.
 * The registry needs only ub_family_uboot; the rest is for this folder:
 * the diagnosis data in rules.c. */
#ifndef UB_FAMILY_UBOOT_H
#define UB_FAMILY_UBOOT_H

#include "family/family.h"

extern const struct ub_family ub_family_uboot;

/* Diagnosis data (rules.c). */
extern const struct ub_diag_rule ub_uboot_rules[];
extern const char *const ub_uboot_banners[];
extern const char *const ub_uboot_prompts[];

#endif
