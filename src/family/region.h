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

struct ub_region {
	char name[32];
	char storage[16];      /* "nor", "virtio", "usb", "scsi", "nvme", "mmc", "chip" */
	unsigned dev;          /* device number on that storage (block devices) */
	uint64_t offset;       /* bytes: an address for nor, a byte offset otherwise */
	uint64_t size;
	uint64_t erase_block;  /* bytes; also the unit of compare-and-skip */
	unsigned flags;
};

struct ub_flash_map {
	struct ub_region *v;
	size_t n;
};

/* Parses the profile's "flash" array:
 *   [{"name": "u-boot", "storage": "nor", "offset": "0x0", "size": "0x100000",
 *     "erase_block": "0x40000", "flags": ["protected"]}, ...]
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
