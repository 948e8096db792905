/* The SPI family's own rules, on a chip made of memory: the chip layer
 * (ub_chip_*) is replaced at link time (-Wl,--wrap), as flashrom's own
 * tests replace hardware.  What a real programmer does is covered by the
 * peer test against flashrom's dummy chip; here are the faults a dummy chip
 * cannot make: reads that disagree, writes that do not stick, and write
 * protection. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/blocks.h"
#include "family/spi/spi.h"
#include "image/src.h"
#include "family/spi/flashrom.h"

#define SIZE (256u * 1024)
#define EB 4096u

static struct fake {
	uint8_t mem[SIZE];
	unsigned reads;          /* calls to ub_chip_read */
	uint64_t noisy_page;     /* reads of this page come back flipped... */
	unsigned noisy_reads;    /* ...this many times (every other read) */
	int noisy_always;        /* ...or garbage every time */
	uint64_t stuck_block;    /* writes to this block do not stick... */
	unsigned stuck_writes;   /* ...this many times */
	int wp;                  /* write protection over the whole chip */
	unsigned writes;
	uint64_t bytes_written;
} chip;

static struct ub_chip_info info = { "Fake", "CHIP256", SIZE, "fake" };

int __wrap_ub_chip_open(struct ub_chip **out, const char *programmer, const char *params,
			const char *chip_name, struct ub_err *e);
const struct ub_chip_info *__wrap_ub_chip_info(const struct ub_chip *c);
int __wrap_ub_chip_read(struct ub_chip *c, uint64_t off, uint64_t len, uint8_t *buf,
			struct ub_err *e);
int __wrap_ub_chip_write(struct ub_chip *c, const struct ub_chip_range *v, size_t n,
			 const uint8_t *want, const uint8_t *have, struct ub_err *e);
int __wrap_ub_chip_protected(struct ub_chip *c, uint64_t off, uint64_t len,
			     uint64_t *wp_off, uint64_t *wp_len);
int __wrap_ub_chip_fmap_area(struct ub_chip *c, const char *name, uint64_t *off, uint64_t *len);
void __wrap_ub_chip_close(struct ub_chip *c);

int __wrap_ub_chip_open(struct ub_chip **out, const char *programmer, const char *params,
			const char *chip_name, struct ub_err *e)
{
	(void)programmer; (void)params; (void)chip_name; (void)e;
	*out = (struct ub_chip *)&chip;
	return 0;
}

const struct ub_chip_info *__wrap_ub_chip_info(const struct ub_chip *c)
{
	(void)c;
	return &info;
}

int __wrap_ub_chip_read(struct ub_chip *c, uint64_t off, uint64_t len, uint8_t *buf,
			struct ub_err *e)
{
	(void)c; (void)e;
	assert_true(off + len <= SIZE);
	memcpy(buf, chip.mem + off, len);
	chip.reads++;
	if (chip.noisy_page >= off && chip.noisy_page < off + len) {
		if (chip.noisy_always)
			buf[chip.noisy_page - off] ^= (uint8_t)(chip.reads * 37 + 1);
		else if (chip.noisy_reads && chip.reads % 2 == 0) {
			buf[chip.noisy_page - off] ^= 0x10;
			chip.noisy_reads--;
		}
	}
	return 0;
}

int __wrap_ub_chip_write(struct ub_chip *c, const struct ub_chip_range *v, size_t n,
			 const uint8_t *want, const uint8_t *have, struct ub_err *e)
{
	size_t i;

	(void)c; (void)have; (void)e;
	chip.writes++;
	for (i = 0; i < n; i++) {
		memcpy(chip.mem + v[i].off, want + v[i].off, v[i].len);
		chip.bytes_written += v[i].len;
		if (chip.stuck_writes && chip.stuck_block >= v[i].off &&
		    chip.stuck_block < v[i].off + v[i].len) {
			chip.mem[chip.stuck_block] ^= 0x01;
			chip.stuck_writes--;
		}
	}
	return 0;
}

int __wrap_ub_chip_protected(struct ub_chip *c, uint64_t off, uint64_t len,
			     uint64_t *wp_off, uint64_t *wp_len)
{
	(void)c; (void)off; (void)len;
	*wp_off = 0;
	*wp_len = chip.wp ? SIZE : 0;
	return chip.wp;
}

int __wrap_ub_chip_fmap_area(struct ub_chip *c, const char *name, uint64_t *off, uint64_t *len)
{
	(void)c; (void)name; (void)off; (void)len;
	return 2;
}

void __wrap_ub_chip_close(struct ub_chip *c)
{
	(void)c;
}

static const char profile_text[] =
	"{\"name\":\"t\",\"family\":\"spi\",\"chip\":{\"size\":\"256K\"},\"flash\":["
	"{\"name\":\"boot\",\"storage\":\"chip\",\"offset\":0,\"size\":\"64K\",\"erase_block\":\"4K\",\"flags\":[\"protected\"]},"
	"{\"name\":\"firmware\",\"storage\":\"chip\",\"offset\":\"64K\",\"size\":\"192K\",\"erase_block\":\"4K\",\"flags\":[\"firmware\"]}]}";

struct rig {
	json_t *profile;
	struct ub_flash_map map;
	struct ub_device *dev;
	struct ub_progress root;
};

static int setup(void **state)
{
	static struct rig r;
	struct ub_device_spec spec;
	struct ub_err e;
	size_t i;

	memset(&chip, 0, sizeof chip);
	chip.noisy_page = chip.stuck_block = UINT64_MAX;
	for (i = 0; i < SIZE; i++)
		chip.mem[i] = (uint8_t)(i * 7 + i / 4096);
	memset(&r, 0, sizeof r);
	r.profile = json_loads(profile_text, 0, NULL);
	assert_non_null(r.profile);
	assert_int_equal(ub_flash_map_parse(json_object_get(r.profile, "flash"), "t.json", &r.map, &e), 0);
	assert_int_equal(ub_device_spec_parse("spi:flashrom:fake", &spec, &e), 0);
	assert_int_equal(ub_family_spi.open(&r.dev, &spec, &r.map, r.profile, &e), 0);
	ub_progress_root(&r.root, "t", NULL, NULL);
	*state = &r;
	return 0;
}

static int teardown(void **state)
{
	struct rig *r = *state;

	ub_family_spi.close(r->dev);
	ub_flash_map_free(&r->map);
	json_decref(r->profile);
	return 0;
}

struct buf {
	uint8_t *p;
	size_t n;
};

static int collect(void *ctx, const uint8_t *b, size_t n)
{
	struct buf *x = ctx;

	x->p = realloc(x->p, x->n + n);
	memcpy(x->p + x->n, b, n);
	x->n += n;
	return 0;
}

static int read_region(struct rig *r, const char *name, struct buf *out, struct ub_err *e)
{
	const struct ub_region *g = ub_flash_map_find(&r->map, name);

	memset(out, 0, sizeof *out);
	return ub_family_spi.read(r->dev, g, 0, g->size, collect, out, &r->root, e);
}

static void backup_reads_twice(void **state)
{
	struct rig *r = *state;
	struct buf b;
	struct ub_err e;

	assert_int_equal(read_region(r, "firmware", &b, &e), 0);
	assert_int_equal(b.n, 192 * 1024);
	assert_memory_equal(b.p, chip.mem + 64 * 1024, b.n);
	assert_int_equal(chip.reads, 2);   /* one first read and one to agree */
	free(b.p);
}

static void majority_of_three(void **state)
{
	struct rig *r = *state;
	struct buf b;
	struct ub_err e;

	chip.noisy_page = 64 * 1024 + 5000;   /* the second read of it is wrong */
	chip.noisy_reads = 1;
	assert_int_equal(read_region(r, "firmware", &b, &e), 0);
	assert_int_equal(chip.reads, 3);
	assert_memory_equal(b.p, chip.mem + 64 * 1024, b.n);   /* the true contents */
	free(b.p);
}

static void reads_that_never_agree(void **state)
{
	struct rig *r = *state;
	struct buf b;
	struct ub_err e;

	chip.noisy_page = 64 * 1024 + 9;
	chip.noisy_always = 1;
	assert_int_equal(read_region(r, "firmware", &b, &e), UB_EFAIL);
	assert_string_equal(e.advice_id, "spi-read-unstable");
	assert_non_null(strstr(e.msg, "0x10000"));   /* the page is named */
	free(b.p);
}

static int image(struct ub_src *src, const uint8_t *data, size_t n)
{
	FILE *f = tmpfile();
	struct ub_err e;
	int rc;

	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, n, f), n);
	fflush(f);
	rc = ub_src_from_fd(src, dup(fileno(f)), "image", &e);
	fclose(f);
	return rc;
}

/* A write as the workflow makes it: the core compares, the family
 * writes the blocks that differ. */
static int write_region(struct rig *r, const struct ub_region *g, const struct ub_src *src,
			struct ub_err *e)
{
	struct ub_session s = { .fam = &ub_family_spi, .dev = r->dev, .caps = ub_family_spi.caps };
	struct ub_compare c;
	int rc = ub_blocks_compare(&s, g, 0, src, 0, &c, NULL, e);

	if (rc)
		return rc;
	rc = ub_family_spi.write(r->dev, g, 0, src, &c.set, &r->root, e);
	ub_compare_free(&c);
	return rc;
}

static void writes_only_changed_blocks(void **state)
{
	struct rig *r = *state;
	const struct ub_region *g = ub_flash_map_find(&r->map, "firmware");
	struct ub_write_stats ws;
	static uint8_t want[192 * 1024];
	struct ub_src src;
	struct ub_err e;
	struct buf b;

	assert_int_equal(read_region(r, "firmware", &b, &e), 0);   /* the backup */
	free(b.p);
	memcpy(want, chip.mem + g->offset, sizeof want);
	want[3 * EB + 1] ^= 0xff;
	want[40 * EB] ^= 0xff;
	want[41 * EB + 7] ^= 0xff;
	assert_int_equal(image(&src, want, sizeof want), 0);
	chip.reads = 0;
	assert_int_equal(write_region(r, g, &src, &e), 0);
	ub_family_spi.write_stats(r->dev, &ws);
	assert_int_equal(ws.blocks_total, 48);
	assert_int_equal(ws.blocks_written, 3);
	assert_int_equal(ws.blocks_skipped, 45);
	assert_int_equal(chip.bytes_written, 3 * EB);
	assert_int_equal(chip.reads, 2);   /* read-back of the two runs; no reference read */
	assert_memory_equal(chip.mem + g->offset, want, sizeof want);
	ub_src_close(&src);
}

static void write_that_does_not_stick(void **state)
{
	struct rig *r = *state;
	const struct ub_region *g = ub_flash_map_find(&r->map, "firmware");
	static uint8_t want[8 * EB];
	struct ub_write_stats ws;
	struct ub_src src;
	struct ub_err e;

	memset(want, 0x42, sizeof want);
	assert_int_equal(image(&src, want, sizeof want), 0);
	/* once: the retry fixes it */
	chip.stuck_block = g->offset + 2 * EB + 10;
	chip.stuck_writes = 1;
	assert_int_equal(write_region(r, g, &src, &e), 0);
	ub_family_spi.write_stats(r->dev, &ws);
	assert_int_equal(ws.retries, 1);
	assert_memory_equal(chip.mem + g->offset, want, sizeof want);
	/* twice: reported, naming the block */
	memset(want, 0x43, sizeof want);
	ub_src_close(&src);
	assert_int_equal(image(&src, want, sizeof want), 0);
	chip.stuck_writes = 2;
	assert_int_equal(write_region(r, g, &src, &e), UB_EFAIL);
	assert_string_equal(e.advice_id, "verify-failed");
	assert_non_null(strstr(e.msg, "0x12000"));   /* the block that failed */
	ub_src_close(&src);
}

static void write_protected_chip(void **state)
{
	struct rig *r = *state;
	const struct ub_region *g = ub_flash_map_find(&r->map, "firmware");
	static uint8_t want[4 * EB], before[SIZE];
	struct ub_src src;
	struct ub_err e;

	memcpy(before, chip.mem, SIZE);
	memset(want, 0x99, sizeof want);
	chip.wp = 1;
	assert_int_equal(image(&src, want, sizeof want), 0);
	assert_int_equal(write_region(r, g, &src, &e), UB_EREFUSED);
	assert_string_equal(e.advice_id, "spi-write-protected");
	assert_int_equal(chip.writes, 0);
	assert_memory_equal(chip.mem, before, SIZE);
	ub_src_close(&src);
}

static void too_big_for_region(void **state)
{
	struct rig *r = *state;
	const struct ub_region *g = ub_flash_map_find(&r->map, "boot");
	static uint8_t want[64 * 1024 + 1];
	struct ub_src src;
	struct ub_err e;

	assert_int_equal(image(&src, want, sizeof want), 0);
	assert_int_equal(write_region(r, g, &src, &e), UB_EREFUSED);
	assert_int_equal(chip.writes, 0);
	ub_src_close(&src);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(backup_reads_twice, setup, teardown),
		cmocka_unit_test_setup_teardown(majority_of_three, setup, teardown),
		cmocka_unit_test_setup_teardown(reads_that_never_agree, setup, teardown),
		cmocka_unit_test_setup_teardown(writes_only_changed_blocks, setup, teardown),
		cmocka_unit_test_setup_teardown(write_that_does_not_stick, setup, teardown),
		cmocka_unit_test_setup_teardown(write_protected_chip, setup, teardown),
		cmocka_unit_test_setup_teardown(too_big_for_region, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
