/* The flash map of a device: named regions on its storages, from the device
 * profile.  Flags carry the policy the workflow enforces: protected regions
 * (bootloader, radio calibration) are never written without --unlock;
 * config regions hold the owner's settings, backed up and restored.
 *
 * Critical regions are protected by their nature, not only by a flag: a
 * region whose role is bootloader, calibration, factory or partition-table
 * (the profile's "role", else its well-known name: u-boot, spl, art,
 * caldata, factory, nvram, gpt, mbr, ...) is protected unless the profile
 * says "protected": false in so many words.  A forgotten or misspelt flag
 * therefore never makes a bootloader writable. */
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

/* What a region holds.  The first four are critical. */
enum ub_region_role {
	UB_ROLE_NONE = 0,           /* not said, and the name tells nothing */
	UB_ROLE_BOOTLOADER,
	UB_ROLE_CALIBRATION,        /* radio calibration (ART, caldata) */
	UB_ROLE_FACTORY,            /* per-unit factory data, NVRAM */
	UB_ROLE_PARTITION_TABLE,    /* GPT, MBR */
	UB_ROLE_FIRMWARE,
	UB_ROLE_KERNEL,
	UB_ROLE_ROOTFS,
	UB_ROLE_CONFIG,
	UB_ROLE_DATA,
};

/* Where the role came from. */
enum ub_role_source {
	UB_ROLE_FROM_NONE = 0,
	UB_ROLE_FROM_KEY,           /* the region's "role" */
	UB_ROLE_FROM_NAME,          /* a well-known name */
};

/* Why a region is protected, or is not. */
enum ub_protect_reason {
	UB_PROTECT_NO = 0,          /* not critical, not flagged */
	UB_PROTECT_FLAG,            /* "flags": ["protected"] */
	UB_PROTECT_KEY,             /* "protected": true */
	UB_PROTECT_ROLE,            /* a critical role, nothing said */
	UB_PROTECT_WAIVED,          /* a critical role and "protected": false */
};

/* The role's name in profiles ("partition-table"; "" for none), and
 * whether it is critical. */
const char *ub_region_role_name(unsigned role);
int ub_region_role_critical(unsigned role);

/* The role a well-known region name tells (u-boot, spl, art, caldata,
 * factory, nvram, gpt, mbr, ...; case, '-' and '_' ignored), or
 * UB_ROLE_NONE. */
unsigned ub_region_role_of_name(const char *name);

/* The keys a region may have; anything else is refused with a suggestion. */
extern const char *const ub_region_keys[];
extern const size_t ub_region_nkeys;

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
	unsigned flags;        /* UB_REGION_PROTECTED here is the decision, whatever its reason */
	unsigned restore;      /* enum ub_restore_rule */
	unsigned role;         /* enum ub_region_role */
	unsigned role_from;    /* enum ub_role_source */
	unsigned protect_why;  /* enum ub_protect_reason */
};

struct ub_flash_map {
	struct ub_region *v;
	size_t n;
};

/* Parses the profile's "flash" array:
 *   [{"name": "u-boot", "storage": "nor", "offset": "0x0", "size": "0x100000",
 *     "erase_block": "0x40000", "role": "bootloader", "flags": ["protected"]}, ...]
 * A config region may say when its settings survive a new firmware:
 *   "restore": "same-major" (the default), "any", "same-version", "never".
 * Numbers may be JSON integers or strings (hex "0x..", or with K/M/G
 * suffixes).  Rejects unknown keys and flag words (naming the closest
 * known one), "protected": false beside the protected flag, overlapping
 * regions on the same storage, sizes not a multiple of the erase block,
 * duplicate names.  Errors are UB_EUSAGE, "profile-invalid", naming the
 * region as flash[I] (NAME) and the field. */
int ub_flash_map_parse(json_t *flash, const char *path,
		       struct ub_flash_map *map, struct ub_err *e);

const struct ub_region *ub_flash_map_find(const struct ub_flash_map *map,
					  const char *name);

void ub_flash_map_free(struct ub_flash_map *map);

/* "0x1000", "4096", "64K", "16M" -> bytes; returns 0 or UB_EFORMAT.  A
 * leading 0 before a digit is refused: strtoull would read "0400000" as
 * octal, and it is more likely hex without its 0x. */
int ub_parse_size(const char *s, uint64_t *out);

#endif
