#include "family/spi/flashrom.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libflashrom.h>

#include "base/say.h"
#include "base/suggest.h"

#define MAX_FOUND 8

struct ub_chip {
	/* libflashrom 1.3 leaves this NULL even on success (its programmer
	 * state is global); prog_up says whether shutdown is owed. */
	struct flashrom_programmer *prog;
	int prog_up;
	struct flashrom_flashctx *ctx;
	struct ub_chip_info info;
	struct flashrom_layout *fmap;   /* read on first use */
	int fmap_state;                 /* 0 not looked, 1 found, 2 none */
	uint8_t *scratch;   /* libflashrom reads and writes whole-chip buffers */
};

/* libflashrom has one global log callback and no getter for the probed
 * chip, so its messages are the only place the chip's name appears; they
 * are kept here while a call runs.  Errors are kept for our own message. */
static struct {
	char found[MAX_FOUND][160];
	unsigned nfound;
	char last_error[256];
	/* an unknown programmer's name makes libflashrom list the ones it
	 * knows (its only way to tell): kept here, a piece per call */
	int unknown;
	char known[2048];
} log_state;

static int on_log(enum flashrom_log_level level, const char *fmt, va_list ap)
{
	static int debug = -1;
	char line[512];
	size_t n;

	/* flashrom calls this for every debug line of every SPI command; most
	 * must cost nothing. */
	if (debug < 0)
		debug = getenv("UB_DEBUG_FLASHROM") != NULL;
	if (level > (debug ? FLASHROM_MSG_DEBUG : FLASHROM_MSG_INFO))
		return 0;
	vsnprintf(line, sizeof line, fmt, ap);
	if (debug)
		ub_say("flashrom: %s", line);
	if (level > FLASHROM_MSG_INFO)
		return 0;
	if (log_state.unknown) {
		n = strlen(log_state.known);
		snprintf(log_state.known + n, sizeof log_state.known - n, "%s", line);
		return 0;
	}
	if (strstr(line, "Unknown programmer")) {
		log_state.unknown = 1;
		return 0;
	}
	n = strcspn(line, "\n");
	line[n] = '\0';
	if (strncmp(line, "Found ", 6) == 0 && strstr(line, " flash chip \"")) {
		if (log_state.nfound < MAX_FOUND)
			snprintf(log_state.found[log_state.nfound++], sizeof log_state.found[0], "%.150s", line + 6);
	} else if (level <= FLASHROM_MSG_WARN && n > 0 && !log_state.last_error[0]) {
		/* the first complaint of a call says what went wrong; later ones say whom to tell */
		snprintf(log_state.last_error, sizeof log_state.last_error, "%.250s", line);
	}
	return 0;
}

static void log_reset(void)
{
	memset(&log_state, 0, sizeof log_state);
}

/* "Winbond flash chip "W25Q128.V" (16384 kB, SPI) " -> its parts. */
static void parse_found(const char *s, struct ub_chip_info *info)
{
	const char *q1 = strstr(s, " flash chip \""), *q2, *kb;

	snprintf(info->vendor, sizeof info->vendor, "%.*s", (int)(q1 - s), s);
	q1 += 13;
	q2 = strchr(q1, '"');
	if (!q2)
		return;
	snprintf(info->name, sizeof info->name, "%.*s", (int)(q2 - q1), q1);
	kb = strchr(q2, '(');
	if (kb)
		info->size = strtoull(kb + 1, NULL, 10) * 1024;
}

/* The names in log_state.known ("internal, dummy, ...\n...") into out,
 * separated by ", "; returns how many. */
static size_t known_names(char *out, size_t len)
{
	const char *p = log_state.known;
	size_t n = 0;

	out[0] = '\0';
	while (*p) {
		size_t w = strspn(p, "abcdefghijklmnopqrstuvwxyz0123456789_");

		if (w) {
			snprintf(out + strlen(out), len - strlen(out), "%s%.*s", n ? ", " : "", (int)w, p);
			n++;
			p += w;
		} else {
			p++;
		}
	}
	return n;
}

size_t ub_chip_programmers(char *out, size_t len)
{
	struct flashrom_programmer *p = NULL;

	out[0] = '\0';
	log_reset();
	flashrom_set_log_callback(on_log);
	if (flashrom_init(1) != 0)
		return 0;
	/* no programmer has this name: libflashrom answers with its list and
	 * starts nothing */
	if (flashrom_programmer_init(&p, "?", "") == 0) {
		flashrom_programmer_shutdown(p);
		return 0;
	}
	return known_names(out, len);
}

/* The programmer's name is not one libflashrom knows: a usage error with
 * the near name and the list. */
static int unknown_programmer(const char *programmer, struct ub_err *e)
{
	char list[2048], *names[64], *p;
	const char *near;
	size_t n = 0;

	known_names(list, sizeof list);
	if (!list[0])
		return ub_err_set(e, UB_EUSAGE, "spi-programmer-unknown",
				  "libflashrom knows no programmer '%.64s'", programmer);
	{
		char copy[2048];

		snprintf(copy, sizeof copy, "%s", list);
		for (p = strtok(copy, ", "); p && n < 64; p = strtok(NULL, ", "))
			names[n++] = p;
		near = ub_suggest(programmer, (const char *const *)names, n);
		return ub_err_set(e, UB_EUSAGE, "spi-programmer-unknown",
				  "libflashrom knows no programmer '%.64s'%s%.64s%s (it knows %.1200s)", programmer,
				  near ? "; did you mean '" : "", near ? near : "", near ? "'?" : "", list);
	}
}

static int busy_error(struct ub_err *e, const char *what)
{
	return ub_err_set(e, UB_EFAIL, "spi-io", "%s failed%s%s", what,
			  log_state.last_error[0] ? ": " : "", log_state.last_error);
}

int ub_chip_open(struct ub_chip **out, const char *programmer,
		 const char *params, const char *chip_name, struct ub_err *e)
{
	struct ub_chip *c = calloc(1, sizeof *c);
	char names[MAX_FOUND * 70] = "";
	unsigned i;
	int rc;

	*out = NULL;
	if (!c)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	log_reset();
	flashrom_set_log_callback(on_log);
	if (flashrom_init(1) != 0) {
		free(c);
		return ub_err_set(e, UB_EFAIL, "failed", "libflashrom did not start (its self-check failed)");
	}
	snprintf(c->info.programmer, sizeof c->info.programmer, "%s", programmer);
	if (flashrom_programmer_init(&c->prog, programmer, params ? params : "") != 0) {
		if (log_state.unknown) {
			rc = unknown_programmer(programmer, e);
			goto fail;
		}
		rc = ub_err_set(e, UB_ENODEV, "spi-programmer",
				"programmer %s did not start%s%.200s", programmer,
				log_state.last_error[0] ? ": " : "", log_state.last_error);
		goto fail;
	}
	c->prog_up = 1;
	rc = flashrom_flash_probe(&c->ctx, c->prog, chip_name && *chip_name ? chip_name : NULL);
	if (rc == 3) {
		for (i = 0; i < log_state.nfound; i++) {
			struct ub_chip_info x = { 0 };

			parse_found(log_state.found[i], &x);
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s\"%s\"",
				 i ? ", " : "", x.name);
		}
		c->ctx = NULL;
		rc = ub_err_set(e, UB_EUSAGE, "spi-chip-ambiguous",
				"the chip answers like several chip definitions: %.400s; add chip=NAME to the device spec",
				names);
		goto fail;
	}
	if (rc != 0) {
		c->ctx = NULL;
		if (chip_name && *chip_name)
			rc = ub_err_set(e, UB_ENODEV, "spi-chip-named", "no chip %.64s answers on programmer %s",
					chip_name, programmer);
		else
			rc = ub_err_set(e, UB_ENODEV, "spi-no-chip", "no flash chip answers on programmer %s",
					programmer);
		goto fail;
	}
	if (log_state.nfound)
		parse_found(log_state.found[log_state.nfound - 1], &c->info);
	c->info.size = flashrom_flash_getsize(c->ctx);
	/* flashrom verifies whole regions after writing; we read back only
	 * the blocks we wrote. */
	flashrom_flag_set(c->ctx, FLASHROM_FLAG_VERIFY_AFTER_WRITE, false);
	c->scratch = malloc(c->info.size ? c->info.size : 1);
	if (!c->scratch) {
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory for a %llu-byte chip",
				(unsigned long long)c->info.size);
		goto fail;
	}
	*out = c;
	return 0;
fail:
	ub_chip_close(c);
	return rc;
}

const struct ub_chip_info *ub_chip_info(const struct ub_chip *c)
{
	return &c->info;
}

/* A layout holding the ranges, all included; NULL when out of memory. */
static struct flashrom_layout *layout_of(const struct ub_chip_range *v, size_t n)
{
	struct flashrom_layout *l;
	size_t i;

	if (flashrom_layout_new(&l) != 0)
		return NULL;
	for (i = 0; i < n; i++) {
		char name[32];

		snprintf(name, sizeof name, "r%zu", i);
		if (flashrom_layout_add_region(l, (size_t)v[i].off, (size_t)(v[i].off + v[i].len - 1), name) ||
		    flashrom_layout_include_region(l, name)) {
			flashrom_layout_release(l);
			return NULL;
		}
	}
	return l;
}

static int in_chip(const struct ub_chip *c, uint64_t off, uint64_t len)
{
	return len > 0 && off <= c->info.size && len <= c->info.size - off;
}

int ub_chip_read(struct ub_chip *c, uint64_t off, uint64_t len, uint8_t *buf,
		 struct ub_err *e)
{
	struct ub_chip_range r = { off, len };
	struct flashrom_layout *l;
	int rc;

	if (!in_chip(c, off, len))
		return ub_err_set(e, UB_EUSAGE, "profile-invalid",
				  "range 0x%llx+0x%llx is outside the %llu-byte chip",
				  (unsigned long long)off, (unsigned long long)len,
				  (unsigned long long)c->info.size);
	if (!(l = layout_of(&r, 1)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	log_state.last_error[0] = '\0';
	flashrom_layout_set(c->ctx, l);
	rc = flashrom_image_read(c->ctx, c->scratch, (size_t)c->info.size);
	flashrom_layout_set(c->ctx, NULL);
	flashrom_layout_release(l);
	if (rc)
		return busy_error(e, "reading the chip");
	memcpy(buf, c->scratch + off, (size_t)len);
	return 0;
}

int ub_chip_write(struct ub_chip *c, const struct ub_chip_range *ranges,
		  size_t n, const uint8_t *want, const uint8_t *have,
		  struct ub_err *e)
{
	struct flashrom_layout *l;
	size_t i;
	int rc;

	for (i = 0; i < n; i++)
		if (!in_chip(c, ranges[i].off, ranges[i].len))
			return ub_err_set(e, UB_EUSAGE, "profile-invalid", "write range outside the chip");
	if (n == 0)
		return 0;
	if (!(l = layout_of(ranges, n)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	/* flashrom takes a non-const buffer; it is copied to keep want intact. */
	memcpy(c->scratch, want, (size_t)c->info.size);
	log_state.last_error[0] = '\0';
	flashrom_layout_set(c->ctx, l);
	rc = flashrom_image_write(c->ctx, c->scratch, (size_t)c->info.size, have);
	flashrom_layout_set(c->ctx, NULL);
	flashrom_layout_release(l);
	/* A read-back that silently read nothing must not find want here. */
	for (i = 0; i < n; i++)
		memset(c->scratch + ranges[i].off, 0, (size_t)ranges[i].len);
	return rc ? busy_error(e, "writing the chip") : 0;
}

int ub_chip_protected(struct ub_chip *c, uint64_t off, uint64_t len,
		      uint64_t *wp_off, uint64_t *wp_len)
{
	struct flashrom_wp_cfg *cfg;
	size_t s = 0, n = 0;
	int hit = 0;

	*wp_off = *wp_len = 0;
	if (flashrom_wp_cfg_new(&cfg) != FLASHROM_WP_OK)
		return 0;
	if (flashrom_wp_read_cfg(cfg, c->ctx) == FLASHROM_WP_OK &&
	    flashrom_wp_get_mode(cfg) != FLASHROM_WP_MODE_DISABLED) {
		flashrom_wp_get_range(&s, &n, cfg);
		hit = n > 0 && s < off + len && off < s + n;
		*wp_off = s;
		*wp_len = n;
	}
	flashrom_wp_cfg_release(cfg);
	return hit;
}

int ub_chip_fmap_area(struct ub_chip *c, const char *name, uint64_t *off,
		      uint64_t *len)
{
	unsigned start = 0, n = 0;

	if (c->fmap_state == 0)
		c->fmap_state = flashrom_layout_read_fmap_from_rom(&c->fmap, c->ctx, 0,
								   (size_t)c->info.size) == 0 ? 1 : 2;
	if (c->fmap_state != 1)
		return 2;
	if (flashrom_layout_get_region_range(c->fmap, name, &start, &n) != 0)
		return 1;
	*off = start;
	*len = n;
	return 0;
}

void ub_chip_close(struct ub_chip *c)
{
	if (!c)
		return;
	if (c->fmap)
		flashrom_layout_release(c->fmap);
	if (c->ctx)
		flashrom_flash_release(c->ctx);
	/* the dummy programmer writes its image file back here */
	if (c->prog_up)
		flashrom_programmer_shutdown(c->prog);
	flashrom_shutdown();
	free(c->scratch);
	free(c);
}
