#include "family/region.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

int ub_parse_size(const char *s, uint64_t *out)
{
	unsigned long long v;
	char *end;
	int shift = 0;

	if (!s || !isdigit((unsigned char)*s))
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
	return ub_err_set(e, UB_EFORMAT, "profile-invalid",
			  "profile %s: flash region %zu (%s): %s", path, i,
			  name && *name ? name : "unnamed", what);
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

static int parse_flags(json_t *flags, unsigned *out)
{
	static const struct { const char *name; unsigned bit; } names[] = {
		{ "protected", UB_REGION_PROTECTED },
		{ "config", UB_REGION_CONFIG },
		{ "firmware", UB_REGION_FIRMWARE },
		{ "noread", UB_REGION_NOREAD },
	};
	json_t *f;
	size_t i, k;

	*out = 0;
	if (!flags)
		return 0;
	if (!json_is_array(flags))
		return UB_EFORMAT;
	json_array_foreach(flags, i, f) {
		unsigned bit = 0;

		for (k = 0; json_is_string(f) && k < sizeof names / sizeof names[0]; k++)
			if (strcmp(json_string_value(f), names[k].name) == 0)
				bit = names[k].bit;
		if (!bit)
			return UB_EFORMAT;
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

static int parse_one(json_t *o, size_t i, const char *path,
		     struct ub_region *r, struct ub_err *e)
{
	json_t *name = json_object_get(o, "name");
	json_t *storage = json_object_get(o, "storage");
	json_t *dev = json_object_get(o, "dev");

	memset(r, 0, sizeof *r);
	if (!json_is_object(o))
		return bad(e, path, i, NULL, "must be an object");
	if (!json_is_string(name) || !*json_string_value(name) ||
	    strlen(json_string_value(name)) >= sizeof r->name)
		return bad(e, path, i, NULL, "\"name\" must be a string of 1-31 characters");
	strcpy(r->name, json_string_value(name));
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
	if (parse_flags(json_object_get(o, "flags"), &r->flags))
		return bad(e, path, i, r->name, "\"flags\" must be a list of protected, config, firmware, noread");
	if (parse_restore(json_object_get(o, "restore"), &r->restore))
		return bad(e, path, i, r->name, "\"restore\" must be one of same-major, any, same-version, never");
	return 0;
}

int ub_flash_map_parse(json_t *flash, const char *path,
		       struct ub_flash_map *map, struct ub_err *e)
{
	size_t i, j;
	int rc;

	memset(map, 0, sizeof *map);
	if (!json_is_array(flash) || json_array_size(flash) == 0)
		return ub_err_set(e, UB_EFORMAT, "profile-invalid",
				  "profile %s: \"flash\" must be a non-empty list of regions",
				  path);
	if (json_array_size(flash) > 64)
		return ub_err_set(e, UB_EFORMAT, "profile-invalid",
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
				rc = ub_err_set(e, UB_EFORMAT, "profile-invalid",
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
