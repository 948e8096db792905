/* The flash map of a device: named regions on its storages, from the device
 * profile.  Flags carry the policy the workflow enforces: protected regions
 * (bootloader, radio calibration) are never written without --unlock;
 * config regions hold the owner's settings, backed up and restored. */
#ifndef UB_REGION_H
#define UB_REGION_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "base/err.h"

enum ub_region_flags {
	UB_REGION_PROTECTED = 1u << 0,
	UB_REGION_CONFIG = 1u << 1,
	UB_REGION_FIRMWARE = 1u << 2,   /* the default target of an image */
	UB_REGION_NOREAD = 1u << 3,     /* cannot be read back (skip in backup) */
};

/* When the settings a config region holds may go back after a new firmware
 * was written (the profile's "restore": "same-major" by default). */
enum ub_restore_rule {
	UB_RESTORE_SAME_MAJOR = 0,   /* the backup's firmware and the new one share a major version */
	UB_RESTORE_ANY,              /* every firmware reads them */
	UB_RESTORE_SAME_VERSION,     /* only the very firmware that wrote them */
	UB_RESTORE_NEVER,            /* only by hand (unbrick restore) */
};

/* The rule's name in profiles. */
const char *ub_restore_rule_name(unsigned rule);

struct ub_region {
	char name[32];
	char storage[16];      /* "nor", "sf", "virtio", "usb", "scsi", "nvme", "mmc", "chip" */
	unsigned dev;          /* device number on that storage (block devices; sf: chip select) */
	uint64_t offset;       /* bytes: an address for nor, a byte offset otherwise */
	uint64_t size;
	uint64_t erase_block;  /* bytes, never 0 (4096 when the profile is silent);
	                        * also the unit of compare-and-skip */
	unsigned flags;
	unsigned restore;      /* enum ub_restore_rule */
};

struct ub_flash_map {
	struct ub_region *v;
	size_t n;
};

/* Parses the profile's "flash" array:
 *   [{"name": "u-boot", "storage": "nor", "offset": "0x0", "size": "0x100000",
 *     "erase_block": "0x40000", "flags": ["protected"]}, ...]
 * A config region may say when its settings survive a new firmware:
 *   "restore": "same-major" (the default), "any", "same-version", "never".
 * Numbers may be JSON integers or strings (hex "0x..", or with K/M/G
 * suffixes).  Rejects overlapping regions on the same storage, sizes not a
 * multiple of the erase block, duplicate names.  Errors name the region and
 * the field ("profile-invalid"). */
int ub_flash_map_parse(json_t *flash, const char *path,
		       struct ub_flash_map *map, struct ub_err *e);

const struct ub_region *ub_flash_map_find(const struct ub_flash_map *map,
					  const char *name);

void ub_flash_map_free(struct ub_flash_map *map);

/* "0x1000", "4096", "64K", "16M" -> bytes; returns 0 or UB_EFORMAT. */
int ub_parse_size(const char *s, uint64_t *out);

#endif
