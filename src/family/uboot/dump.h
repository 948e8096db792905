/* Memory dumps over U-Boot's console: `md.b ADDR LEN` prints
 *     04040000: 27 05 19 56 9a cc ff 23 ...  '..V...#
 * sixteen bytes a line; `md.l ADDR WORDS` the same sixteen bytes as four
 * 32-bit words
 *     04040000: 56190527 23ffcc9a ...  '..V...#
 * which is 14% fewer characters for the serial line to carry.  The parser is strict (every line must carry the
 * address it should, every byte two hex digits) because a dump is only as
 * good as its worst line; callers cross-check it with the board's crc32. */
#ifndef UB_UBOOT_DUMP_H
#define UB_UBOOT_DUMP_H

#include <stddef.h>
#include <stdint.h>

struct ub_dump {
	uint64_t addr;    /* the next address expected */
	uint8_t *buf;     /* where bytes go */
	size_t want;      /* bytes expected in all */
	size_t got;
	int bad_lines;    /* lines that were not dump lines (noise) */
	unsigned width;   /* 4: md.l words, stored little-endian (the common
			   * board; ub_dump_swap32 turns them); else md.b bytes */
};

/* Parses one line of md.b output into d.  Returns 0 (bytes added, or the
 * line ignored as noise when it does not start with a hex address), or -1
 * when a dump line is malformed or out of sequence. */
int ub_dump_line(struct ub_dump *d, const char *line, size_t len);

/* A dump whose lines may come out of order, twice, or not at all (a
 * netconsole's datagrams, some lost on the way): each line's bytes go to
 * their place by its address, and have[] says which 16-byte lines of buf
 * arrived, for the missing ones to be asked for again. */
struct ub_dump_map {
	uint64_t base;      /* the address of buf[0] */
	uint8_t *buf;
	size_t len;
	unsigned width;     /* as in struct ub_dump */
	uint8_t *have;      /* ub_dump_map_lines(m) flags, zeroed by the caller */
	size_t lines_had;
};

/* Parses one line into m: 0 (stored, or noise without an address), -1
 * when it is malformed, outside [base, base + len) or off a line's start. */
int ub_dump_map_line(struct ub_dump_map *m, const char *line, size_t len);

/* How many 16-byte lines buf holds (the last may be short). */
size_t ub_dump_map_lines(const struct ub_dump_map *m);

/* The next run of missing lines at or after line k, as [*a, *b): runs
 * fewer than merge lines apart are one, so that one md brings them.  0
 * when none is missing. */
int ub_dump_map_next_run(const struct ub_dump_map *m, size_t k, size_t merge, size_t *a,
			 size_t *b);

/* Reverses the bytes of each 32-bit word in buf (len a multiple of 4):
 * an md.l dump of a big-endian board. */
void ub_dump_swap32(uint8_t *buf, size_t len);

#endif
