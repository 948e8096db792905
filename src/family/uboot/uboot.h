/* The U-Boot family: boards whose bootloader still answers on a console.
 * Besides the ops table it lets the workflow say how image bytes reach the
 * board's memory (TFTP or YMODEM), since that is the board's business but
 * the user's choice. */
#ifndef UB_FAMILY_UBOOT_H
#define UB_FAMILY_UBOOT_H

#include <stdint.h>

#include <jansson.h>

#include "family/family.h"

extern const struct ub_family ub_family_uboot;

/* Diagnosis data (rules.c). */
extern const struct ub_diag_rule ub_uboot_rules[];
extern const char *const ub_uboot_banners[];
extern const char *const ub_uboot_prompts[];

/* Moves len bytes of src into the board's RAM at addr.  The family checks
 * the result with the board's crc32, so a loader need not. */
struct ub_uboot_loader {
	const char *name;   /* "tftp", "ymodem" */
	int (*load)(void *ctx, struct ub_device *dev, const struct ub_src *src,
		    uint64_t addr, struct ub_progress *p, struct ub_err *e);
	void *ctx;
};

void ub_uboot_set_loader(struct ub_device *dev,
			 const struct ub_uboot_loader *loader);

/* Chooses a built-in loader by name: "ymodem" (over the console). */
int ub_uboot_use(struct ub_device *dev, const char *via, struct ub_err *e);

/* For loaders: run a console command on the board (its output discarded). */
int ub_uboot_command(struct ub_device *dev, const char *cmd, int idle_ms,
		     struct ub_err *e);

/* For loaders: an environment variable (0, 1 when unset, < 0 on failure). */
int ub_uboot_getenv(struct ub_device *dev, const char *name, char *val, size_t len,
		    struct ub_err *e);

/* For loaders: resends they needed, counted in the write's statistics. */
void ub_uboot_add_retries(struct ub_device *dev, unsigned n);

/* The TFTP loader (uboot_tftp.c), configured from the spec and profile. */
int ub_uboot_tftp_loader(struct ub_uboot_loader *out, const struct ub_device_spec *spec,
			 const json_t *profile, struct ub_err *e);
void ub_uboot_tftp_loader_free(struct ub_uboot_loader *l);
int ub_uboot_tftp_possible(const struct ub_uboot_loader *l);

#endif
