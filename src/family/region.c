#include "family/region.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base/suggest.h"

int ub_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s) || (s[0] == '0' && isdigit((unsigned char)s[1])))
		return UB_EFORMAT;
	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s)
		return UB_EFORMAT;
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	default: break;
	}
	if ((*end == 'i' || *end == 'B') && shift) {
		if (*end == 'i')
			end++;
		if (*end == 'B')
			end++;
	}
	if (*end)
		return UB_EFORMAT;
	if (shift && v > (UINT64_MAX >> shift))
		return UB_EFORMAT;
	*out = (uint64_t)v << shift;
	return 0;
}

static int bad(struct ub_err *e, const char *path, size_t i, const char *name,
	       const char *what)
{
	return ub_err_set(e, UB_EUSAGE, "profile-invalid",
			  "profile %s: flash[%zu] (%s): %s", path, i,
			  name && *name ? name : "unnamed", what);
}

/* A word from the profile as it may be shown: printable, at most 40. */
static const char *shown(const char *s, char *buf, size_t len)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len && i < 40; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\'' ? s[i] : '?';
	buf[i] = '\0';
	return buf;
}

/* "profile P: flash[I].FIELD (NAME): 'WORD' is not a known KIND; did you
 * mean 'X'?"; field is the word itself for an unknown key. */
static int bad_word(struct ub_err *e, const char *path, size_t i, const char *name,
		    const char *field, const char *word, const char *kind,
		    const char *const *known, size_t n)
{
	const char *near = ub_suggest(word, known, n);
	char w[48], f[48];

	shown(field ? field : word, f, sizeof f);
	return ub_err_set(e, UB_EUSAGE, "profile-invalid",
			  "profile %s: flash[%zu].%s (%s): '%s' is not a known %s%s%s%s", path, i, f,
			  name && *name ? name : "unnamed", shown(word, w, sizeof w), kind,
			  near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "");
}

const char *const ub_region_keys[] = {
	"name", "storage", "dev", "offset", "size", "erase_block", "role", "protected", "flags", "restore",
};
const size_t ub_region_nkeys = sizeof ub_region_keys / sizeof ub_region_keys[0];

static const char *const role_names[] = {
	[UB_ROLE_NONE] = "",
	[UB_ROLE_BOOTLOADER] = "bootloader",
	[UB_ROLE_CALIBRATION] = "calibration",
	[UB_ROLE_FACTORY] = "factory",
	[UB_ROLE_PARTITION_TABLE] = "partition-table",
	[UB_ROLE_FIRMWARE] = "firmware",
	[UB_ROLE_KERNEL] = "kernel",
	[UB_ROLE_ROOTFS] = "rootfs",
	[UB_ROLE_CONFIG] = "config",
	[UB_ROLE_DATA] = "data",
};
#define NROLES (sizeof role_names / sizeof role_names[0])

const char *ub_region_role_name(unsigned role)
{
	return role < NROLES ? role_names[role] : "";
}

int ub_region_role_critical(unsigned role)
{
	return role >= UB_ROLE_BOOTLOADER && role <= UB_ROLE_PARTITION_TABLE;
}

/* Names the boards' own flash maps (device trees, OpenWrt, vendor
 * layouts) give their critical regions.  Only whole names: "u-boot-env"
 * is the bootloader's settings, not the bootloader. */
static const struct { const char *name; unsigned role; } known_names[] = {
	{ "u-boot", UB_ROLE_BOOTLOADER }, { "uboot", UB_ROLE_BOOTLOADER },
	{ "u-boot-spl", UB_ROLE_BOOTLOADER }, { "spl", UB_ROLE_BOOTLOADER },
	{ "tpl", UB_ROLE_BOOTLOADER }, { "bootloader", UB_ROLE_BOOTLOADER },
	{ "boot-loader", UB_ROLE_BOOTLOADER }, { "preloader", UB_ROLE_BOOTLOADER },
	{ "fsbl", UB_ROLE_BOOTLOADER }, { "boot0", UB_ROLE_BOOTLOADER },
	{ "bl2", UB_ROLE_BOOTLOADER }, { "bootblock", UB_ROLE_BOOTLOADER },
	{ "cfe", UB_ROLE_BOOTLOADER }, { "redboot", UB_ROLE_BOOTLOADER },
	{ "barebox", UB_ROLE_BOOTLOADER },
	{ "art", UB_ROLE_CALIBRATION }, { "caldata", UB_ROLE_CALIBRATION },
	{ "calibration", UB_ROLE_CALIBRATION }, { "radio", UB_ROLE_CALIBRATION },
	{ "factory", UB_ROLE_FACTORY }, { "nvram", UB_ROLE_FACTORY },
	{ "mfginfo", UB_ROLE_FACTORY }, { "bdinfo", UB_ROLE_FACTORY },
	{ "hwinfo", UB_ROLE_FACTORY }, { "devinfo", UB_ROLE_FACTORY },
	{ "gpt", UB_ROLE_PARTITION_TABLE }, { "mbr", UB_ROLE_PARTITION_TABLE },
	{ "partition-table", UB_ROLE_PARTITION_TABLE }, { "partitions", UB_ROLE_PARTITION_TABLE },
	{ "ptable", UB_ROLE_PARTITION_TABLE }, { "primary-gpt", UB_ROLE_PARTITION_TABLE },
};

unsigned ub_region_role_of_name(const char *name)
{
	char n[32];
	size_t i;

	for (i = 0; name[i] && i + 1 < sizeof n; i++)
		n[i] = name[i] == '_' ? '-' : (char)tolower((unsigned char)name[i]);
	if (name[i])
		return UB_ROLE_NONE;
	n[i] = '\0';
	for (i = 0; i < sizeof known_names / sizeof known_names[0]; i++)
		if (strcmp(known_names[i].name, n) == 0)
			return known_names[i].role;
	return UB_ROLE_NONE;
}

static int get_size(json_t *obj, const char *key, int required, uint64_t *out)
{
	json_t *v = json_object_get(obj, key);

	if (!v)
		return required ? UB_EFORMAT : 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		*out = (uint64_t)json_integer_value(v);
		return 0;
	}
	if (json_is_string(v))
		return ub_parse_size(json_string_value(v), out);
	return UB_EFORMAT;
}

static const char *const flag_names[] = { "protected", "config", "firmware", "noread" };
static const unsigned flag_bits[] = {
	UB_REGION_PROTECTED, UB_REGION_CONFIG, UB_REGION_FIRMWARE, UB_REGION_NOREAD,
};
#define NFLAGS (sizeof flag_names / sizeof flag_names[0])

/* Returns 0, UB_EFORMAT (not a list of strings), or 1 with *unknown set to
 * the first word that is not a flag. */
static int parse_flags(json_t *flags, unsigned *out, const char **unknown)
{
	json_t *f;
	size_t i, k;

	*out = 0;
	if (!flags)
		return 0;
	if (!json_is_array(flags))
		return UB_EFORMAT;
	json_array_foreach(flags, i, f) {
		unsigned bit = 0;

		if (!json_is_string(f))
			return UB_EFORMAT;
		for (k = 0; k < NFLAGS; k++)
			if (strcmp(json_string_value(f), flag_names[k]) == 0)
				bit = flag_bits[k];
		if (!bit) {
			*unknown = json_string_value(f);
			return 1;
		}
		*out |= bit;
	}
	return 0;
}

static const char *const restore_rules[] = {
	[UB_RESTORE_SAME_MAJOR] = "same-major",
	[UB_RESTORE_ANY] = "any",
	[UB_RESTORE_SAME_VERSION] = "same-version",
	[UB_RESTORE_NEVER] = "never",
};

const char *ub_restore_rule_name(unsigned rule)
{
	return rule < sizeof restore_rules / sizeof restore_rules[0] ? restore_rules[rule] : "?";
}

static int parse_restore(json_t *v, unsigned *out)
{
	unsigned k;

	*out = UB_RESTORE_SAME_MAJOR;
	if (!v)
		return 0;
	for (k = 0; json_is_string(v) && k < sizeof restore_rules / sizeof restore_rules[0]; k++)
		if (strcmp(json_string_value(v), restore_rules[k]) == 0) {
			*out = k;
			return 0;
		}
	return UB_EFORMAT;
}

/* The region's role, then whether it is protected and why.  A critical
 * role protects unless "protected": false says otherwise; the protected
 * flag and "protected": true protect whatever the role. */
static int decide_protection(json_t *o, size_t i, const char *path, struct ub_region *r,
			     struct ub_err *e)
{
	json_t *role = json_object_get(o, "role"), *prot = json_object_get(o, "protected");
	unsigned k;

	if (prot && !json_is_boolean(prot))
		return bad(e, path, i, r->name, "\"protected\" must be true or false");
	if (role) {
		for (k = 1; json_is_string(role) && k < NROLES; k++)
			if (strcmp(json_string_value(role), role_names[k]) == 0)
				break;
		if (!json_is_string(role))
			return bad(e, path, i, r->name, "\"role\" must be a string");
		if (k == NROLES)
			return bad_word(e, path, i, r->name, "role", json_string_value(role), "role",
					role_names + 1, NROLES - 1);
		r->role = k;
		r->role_from = UB_ROLE_FROM_KEY;
	} else if ((r->role = ub_region_role_of_name(r->name)) != UB_ROLE_NONE) {
		r->role_from = UB_ROLE_FROM_NAME;
	}
	if (json_is_false(prot) && (r->flags & UB_REGION_PROTECTED))
		return bad(e, path, i, r->name,
			   "\"protected\": false and the flag protected say opposite things; keep the one you mean");
	if (r->flags & UB_REGION_PROTECTED) {
		r->protect_why = UB_PROTECT_FLAG;
	} else if (json_is_true(prot)) {
		r->protect_why = UB_PROTECT_KEY;
	} else if (ub_region_role_critical(r->role)) {
		r->protect_why = json_is_false(prot) ? UB_PROTECT_WAIVED : UB_PROTECT_ROLE;
	}
	if (r->protect_why == UB_PROTECT_KEY || r->protect_why == UB_PROTECT_ROLE)
		r->flags |= UB_REGION_PROTECTED;
	return 0;
}

static int parse_one(json_t *o, size_t i, const char *path,
		     struct ub_region *r, struct ub_err *e)
{
	json_t *name = json_object_get(o, "name");
	json_t *storage = json_object_get(o, "storage");
	json_t *dev = json_object_get(o, "dev");
	const char *key, *unknown = NULL;
	json_t *v;
	size_t k;
	int rc;

	memset(r, 0, sizeof *r);
	if (!json_is_object(o))
		return bad(e, path, i, NULL, "must be an object");
	if (!json_is_string(name) || !*json_string_value(name) ||
	    strlen(json_string_value(name)) >= sizeof r->name)
		return bad(e, path, i, NULL, "\"name\" must be a string of 1-31 characters");
	strcpy(r->name, json_string_value(name));
	/* The schema refuses unknown keys before this runs; the map refuses
	 * them too, so no caller can skip that check and lose a flag. */
	json_object_foreach(o, key, v) {
		for (k = 0; k < ub_region_nkeys && strcmp(key, ub_region_keys[k]); k++)
			;
		if (k == ub_region_nkeys)
			return bad_word(e, path, i, r->name, NULL, key, "key", ub_region_keys, ub_region_nkeys);
	}
	if (!json_is_string(storage) ||
	    strlen(json_string_value(storage)) >= sizeof r->storage ||
	    !*json_string_value(storage))
		return bad(e, path, i, r->name, "\"storage\" must name the storage (nor, virtio, mmc, sf, nand, chip...)");
	strcpy(r->storage, json_string_value(storage));
	if (dev && !(json_is_integer(dev) && json_integer_value(dev) >= 0 &&
		     json_integer_value(dev) < 256))
		return bad(e, path, i, r->name, "\"dev\" must be a small number");
	r->dev = dev ? (unsigned)json_integer_value(dev) : 0;
	if (get_size(o, "offset", 1, &r->offset))
		return bad(e, path, i, r->name, "\"offset\" must be a size (4096, \"0x1000\", \"64K\")");
	if (get_size(o, "size", 1, &r->size) || r->size == 0)
		return bad(e, path, i, r->name, "\"size\" must be a size above 0");
	if (r->offset + r->size < r->offset)
		return bad(e, path, i, r->name, "offset + size overflows");
	if (get_size(o, "erase_block", 0, &r->erase_block))
		return bad(e, path, i, r->name, "\"erase_block\" must be a size");
	if (!r->erase_block)
		r->erase_block = 4096;
	if (r->size % r->erase_block || r->offset % r->erase_block)
		return bad(e, path, i, r->name, "offset and size must be multiples of erase_block");
	rc = parse_flags(json_object_get(o, "flags"), &r->flags, &unknown);
	if (rc == 1)
		return bad_word(e, path, i, r->name, "flags", unknown, "flag", flag_names, NFLAGS);
	if (rc)
		return bad(e, path, i, r->name, "\"flags\" must be a list of protected, config, firmware, noread");
	if (parse_restore(json_object_get(o, "restore"), &r->restore))
		return bad(e, path, i, r->name, "\"restore\" must be one of same-major, any, same-version, never");
	return decide_protection(o, i, path, r, e);
}

int ub_flash_map_parse(json_t *flash, const char *path,
		       struct ub_flash_map *map, struct ub_err *e)
{
	size_t i, j;
	int rc;

	memset(map, 0, sizeof *map);
	if (!json_is_array(flash) || json_array_size(flash) == 0)
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "profile %s: \"flash\" must be a non-empty list of regions",
				  path);
	if (json_array_size(flash) > 64)
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "profile %s: more than 64 flash regions", path);
	map->v = calloc(json_array_size(flash), sizeof *map->v);
	if (!map->v)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	for (i = 0; i < json_array_size(flash); i++) {
		struct ub_region *r = &map->v[i];

		if ((rc = parse_one(json_array_get(flash, i), i, path, r, e)))
			goto fail;
		map->n++;
		for (j = 0; j < i; j++) {
			const struct ub_region *q = &map->v[j];

			if (strcmp(q->name, r->name) == 0) {
				rc = bad(e, path, i, r->name, "the name is used twice");
				goto fail;
			}
			if (strcmp(q->storage, r->storage) == 0 && q->dev == r->dev &&
			    r->offset < q->offset + q->size &&
			    q->offset < r->offset + r->size) {
				rc = ub_err_set(e, UB_EUSAGE, "profile-invalid",
						"profile %s: flash regions %s and %s overlap",
						path, q->name, r->name);
				goto fail;
			}
		}
	}
	return 0;
fail:
	ub_flash_map_free(map);
	return rc;
}

const struct ub_region *ub_flash_map_find(const struct ub_flash_map *map,
					  const char *name)
{
	size_t i;

	for (i = 0; i < map->n; i++)
		if (strcmp(map->v[i].name, name) == 0)
			return &map->v[i];
	return NULL;
}

void ub_flash_map_free(struct ub_flash_map *map)
{
	free(map->v);
	map->v = NULL;
	map->n = 0;
}
