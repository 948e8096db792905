/* What U-Boot prints, parsed: the `sf probe` line, md.b and md.l dumps, failure
 * lines and a command's conclusion.  Samples are as boards print them
 * (u-boot-imx on QEMU's sabrelite for sf), with the noise a serial line
 * adds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "family/uboot/console.h"
#include "family/uboot/dump.h"
#include "family/uboot/flinfo.h"
#include "family/uboot/sf_probe.h"
#include "family/uboot/sf.h"

static int probe(const char *text, struct ub_sf_chip *c)
{
	return ub_sf_parse_probe(text, strlen(text), c);
}

static void sf_probe_lines(void **state)
{
	struct ub_sf_chip c;

	(void)state;
	assert_int_equal(probe("SF: Detected sst25vf016b with page size 256 Bytes, erase size 4 KiB, total 2 MiB\n", &c), 0);
	assert_string_equal(c.name, "sst25vf016b");
	assert_int_equal(c.page, 256);
	assert_int_equal(c.erase, 4096);
	assert_int_equal(c.size, 2u << 20);

	/* after other output, without a final newline, 64 KiB sectors */
	assert_int_equal(probe("mxc_spi: speed 20000000\nSF: Detected w25q128 with page size 256 Bytes, erase size 64 KiB, total 16 MiB", &c), 0);
	assert_string_equal(c.name, "w25q128");
	assert_int_equal(c.erase, 65536);
	assert_int_equal(c.size, 16u << 20);

	/* a rounded size is unknown, not guessed; so is an unknown unit */
	assert_int_equal(probe("SF: Detected odd with page size 256 Bytes, erase size 4 KiB, total 1.5 MiB\n", &c), 0);
	assert_int_equal(c.size, 0);
	assert_int_equal(c.erase, 4096);
	assert_int_equal(probe("SF: Detected odd with page size 256 Bytes, erase size 4 QiB, total 8 GiB\n", &c), 0);
	assert_int_equal(c.erase, 0);
	assert_int_equal(c.size, 8ull << 30);

	/* sizes that overflow are unknown */
	assert_int_equal(probe("SF: Detected x with page size 256 Bytes, erase size 4 KiB, total 99999999999999999999 EiB\n", &c), 0);
	assert_int_equal(c.size, 0);
	assert_int_equal(probe("SF: Detected x with page size 256 Bytes, erase size 4 KiB, total 17179869184 GiB\n", &c), 0);
	assert_int_equal(c.size, 0);

	/* a line that is cut short keeps what it said */
	assert_int_equal(probe("SF: Detected n25q256 with page size 256 Bytes, erase si", &c), 0);
	assert_string_equal(c.name, "n25q256");
	assert_int_equal(c.page, 256);
	assert_int_equal(c.erase, 0);

	/* no chip: the failure is not a chip */
	assert_int_equal(probe("Invalid bus 1 (err=-19)\nFailed to initialize SPI flash at 1:0 (error -19)\n", &c), -1);
	assert_int_equal(probe("", &c), -1);
	/* the tag must start the line */
	assert_int_equal(probe("echo SF: Detected fake with page size 1 Bytes\n", &c), -1);
}

/* What identify and the report say of the chip: sizes the board rounded
 * are left out rather than shown wrong. */
static void sf_described(void **state)
{
	struct ub_sf_state st;
	char buf[112];

	(void)state;
	memset(&st, 0, sizeof st);
	ub_uboot_sf_describe(&st, buf, sizeof buf);
	assert_string_equal(buf, "");
	st.cs = 1;
	assert_int_equal(probe("SF: Detected sst25vf016b with page size 256 Bytes, erase size 4 KiB, total 2 MiB\n", &st.chip), 0);
	ub_uboot_sf_describe(&st, buf, sizeof buf);
	assert_string_equal(buf, "SPI NOR sst25vf016b, 2048 KiB, 4 KiB erase blocks, chip select 0");
	st.cs = 3;
	assert_int_equal(probe("SF: Detected odd with page size 256 Bytes, erase size 4 KiB, total 1.5 MiB\n", &st.chip), 0);
	ub_uboot_sf_describe(&st, buf, sizeof buf);
	assert_string_equal(buf, "SPI NOR odd, 4 KiB erase blocks, chip select 2");
	/* cut to the buffer, never past it */
	ub_uboot_sf_describe(&st, buf, 12);
	assert_string_equal(buf, "SPI NOR odd");
}

/* flinfo as QEMU's virt board prints it (bank 2 cut to 1 MiB), and a
 * bottom-boot chip: eight 8 KiB sectors, then 64 KiB ones. */
static const char flinfo_virt[] =
	"\nBank # 2: CFI conformant flash (16 x 16)  Size: 1 MB in 8 Sectors\n"
	"  Intel Extended command set, Manufacturer ID: 0x89, Device ID: 0x0018\n"
	"  Erase timeout: 16384 ms, write timeout: 3 ms\n"
	"  Buffer write timeout: 3 ms, buffer size: 2048 bytes\n\n"
	"  Sector Start Addresses:\n"
	"  04000000   RO   04020000   RO   04040000        04060000        04080000      \n"
	"  040A0000        040C0000        040E0000      \n";
static const char flinfo_boot[] =
	"Bank # 1: CFI conformant flash (8 x 8)  Size: 512 kB in 15 Sectors\n"
	"  AMD Standard command set, Manufacturer ID: 0x01, Device ID: 0x22BA\n"
	"  Sector Start Addresses:\n"
	"  BF000000   RO   BF002000   RO   BF004000 E      BF006000        BF008000\r\n"
	"  BF00A000        BF00C000        BF00E000        BF010000        BF020000\r\n"
	"  BF030000        BF040000        BF050000        BF060000        BF070000\r\n"
	"Bank # 2: missing or unknown FLASH type\n";

static void flinfo_banks(void **state)
{
	struct ub_flinfo f;
	uint64_t bad, sec;

	(void)state;
	assert_int_equal(ub_flinfo_parse(flinfo_virt, strlen(flinfo_virt), &f), 0);
	assert_int_equal(f.nbanks, 1);
	assert_int_equal(f.bank[0].base, 0x04000000);
	assert_int_equal(f.bank[0].size, 1u << 20);
	assert_int_equal(f.bank[0].n, 8);
	/* whole sectors, and two at a time (QEMU's real erase size) */
	assert_int_equal(ub_flinfo_fits(&f, 0x04040000, 0x40000, 0x20000, &bad, &sec), 0);
	assert_int_equal(ub_flinfo_fits(&f, 0x04040000, 0xc0000, 0x40000, &bad, &sec), 0);
	/* 64 KiB blocks on 128 KiB sectors: the first block's end is mid-sector */
	assert_int_equal(ub_flinfo_fits(&f, 0x04040000, 0x40000, 0x10000, &bad, &sec), -1);
	assert_int_equal(bad, 0x04050000);
	assert_int_equal(sec, 0x20000);
	/* a start inside a sector */
	assert_int_equal(ub_flinfo_fits(&f, 0x04050000, 0x20000, 0x20000, &bad, &sec), -1);
	assert_int_equal(bad, 0x04050000);
	/* past the bank's end, and not in any bank */
	assert_int_equal(ub_flinfo_fits(&f, 0x040c0000, 0x80000, 0x40000, &bad, &sec), -1);
	assert_int_equal(bad, 0x04100000);
	assert_int_equal(sec, 0);
	assert_int_equal(ub_flinfo_fits(&f, 0x08000000, 0x20000, 0x20000, &bad, &sec), -1);
	assert_int_equal(sec, 0);
	ub_flinfo_free(&f);

	/* flags after starts, "\r\n" line ends, kB, a missing bank left out */
	assert_int_equal(ub_flinfo_parse(flinfo_boot, strlen(flinfo_boot), &f), 0);
	assert_int_equal(f.nbanks, 1);
	assert_int_equal(f.bank[0].n, 15);
	assert_int_equal(f.bank[0].size, 512u << 10);
	assert_int_equal(ub_flinfo_fits(&f, 0xBF000000, 0x10000, 0x10000, &bad, &sec), 0);
	assert_int_equal(ub_flinfo_fits(&f, 0xBF010000, 0x70000, 0x10000, &bad, &sec), 0);
	/* 64 KiB blocks from the boot sectors' middle */
	assert_int_equal(ub_flinfo_fits(&f, 0xBF008000, 0x10000, 0x10000, &bad, &sec), -1);
	assert_int_equal(bad, 0xBF008000 + 0x10000);
	assert_int_equal(sec, 0x10000);
	ub_flinfo_free(&f);
}

static int parse_str(const char *text, struct ub_flinfo *f)
{
	return ub_flinfo_parse(text, strlen(text), f);
}

static void flinfo_cut_or_wrong(void **state)
{
	struct ub_flinfo f;
	char cut[sizeof flinfo_virt];

	(void)state;
	/* a list shorter than the bank says: the bank is not known */
	memcpy(cut, flinfo_virt, sizeof cut);
	*strstr(cut, "040C0000") = '\0';
	assert_int_equal(ub_flinfo_parse(cut, strlen(cut), &f), -1);
	/* a list longer, or out of order */
	assert_int_equal(parse_str("Bank # 1: CFI conformant flash (8 x 8)  Size: 1 MB in 2 Sectors\n"
					 "  Sector Start Addresses:\n  00000000  00080000  000C0000\n", &f), -1);
	assert_int_equal(parse_str("Bank # 1: CFI conformant flash (8 x 8)  Size: 1 MB in 2 Sectors\n"
					 "  Sector Start Addresses:\n  00080000  00000000\n", &f), -1);
	/* a last sector past the size, an unknown unit, nothing at all */
	assert_int_equal(parse_str("Bank # 1: CFI (8 x 8)  Size: 1 MB in 2 Sectors\n"
					 "  Sector Start Addresses:\n  00000000  00100000\n", &f), -1);
	assert_int_equal(parse_str("Bank # 1: CFI (8 x 8)  Size: 1 GB in 1 Sectors\n"
					 "  Sector Start Addresses:\n  00000000\n", &f), -1);
	assert_int_equal(parse_str("Unknown command 'flinfo' - try 'help'\n", &f), -1);
	assert_int_equal(parse_str("", &f), -1);
}

static void dump_lines(void **state)
{
	uint8_t buf[20];
	struct ub_dump d = { 0x40000, buf, sizeof buf, 0, 0, 1 };
	const char *l1 = "00040000: 27 05 19 56 9a cc ff 23 00 01 02 03 04 05 06 07    '..V...#........";
	const char *l2 = "00040010: aa bb cc dd                                        ....";

	(void)state;
	assert_int_equal(ub_dump_line(&d, "noise without an address", 24), 0);
	assert_int_equal(d.bad_lines, 1);
	assert_int_equal(ub_dump_line(&d, l1, strlen(l1)), 0);
	assert_int_equal(d.got, 16);
	assert_int_equal(buf[0], 0x27);
	assert_int_equal(buf[15], 0x07);
	/* out of sequence: the line of an address already read */
	assert_int_equal(ub_dump_line(&d, l1, strlen(l1)), -1);
	assert_int_equal(ub_dump_line(&d, l2, strlen(l2)), 0);
	assert_int_equal(d.got, 20);
	assert_int_equal(buf[19], 0xdd);
	/* nothing more is wanted */
	assert_int_equal(ub_dump_line(&d, "00040014: 00", 12), -1);
}

static void dump_words(void **state)
{
	uint8_t buf[20];
	struct ub_dump d = { 0x40000, buf, sizeof buf, 0, 0, 4 };
	const char *l1 = "00040000: 56190527 23ffcc9a 03020100 07060504    '..V...#........";
	const char *l2 = "00040010: ddccbbaa                               ....";
	const uint8_t want[20] = { 0x27, 0x05, 0x19, 0x56, 0x9a, 0xcc, 0xff, 0x23, 0, 1, 2, 3, 4, 5, 6, 7,
				   0xaa, 0xbb, 0xcc, 0xdd };

	(void)state;
	assert_int_equal(ub_dump_line(&d, l1, strlen(l1)), 0);
	assert_int_equal(ub_dump_line(&d, l2, strlen(l2)), 0);
	assert_int_equal(d.got, 20);
	assert_memory_equal(buf, want, 20);
	/* a big-endian board printed the same words: the bytes turn */
	ub_dump_swap32(buf, 20);
	assert_int_equal(buf[0], 0x56);
	assert_int_equal(buf[3], 0x27);
	assert_int_equal(buf[19], 0xaa);
}

static void bad_dump_words(void **state)
{
	uint8_t buf[16];
	struct ub_dump d = { 0x1000, buf, sizeof buf, 0, 0, 4 };
	struct ub_dump odd = { 0x1000, buf, 6, 0, 0, 4 };
	const char *shortw = "00001000: 5619052 23ffcc9a 03020100 07060504";
	const char *bytes = "00001000: 27 05 19 56 9a cc ff 23 00 01 02 03 04 05 06 07";
	const char *good = "00001000: 56190527 23ffcc9a";

	(void)state;
	assert_int_equal(ub_dump_line(&d, shortw, strlen(shortw)), -1);
	/* bytes where words were asked for */
	assert_int_equal(ub_dump_line(&d, bytes, strlen(bytes)), -1);
	/* a length that is not whole words cannot be read as words */
	assert_int_equal(ub_dump_line(&odd, good, strlen(good)), -1);
}

/* Netconsole order: lines out of order, twice, missing, run together when
 * the datagram with a line's end was lost. */
static void dump_map_lines(void **state)
{
	uint8_t buf[40], have[3] = { 0 };
	struct ub_dump_map m = { 0x14000000, buf, sizeof buf, 4, have, 0 };
	const char *l2 = "14000010: 03020100 07060504 0b0a0908 0f0e0d0c  ................";

	(void)state;
	assert_int_equal(ub_dump_map_lines(&m), 3);
	assert_int_equal(ub_dump_map_line(&m, l2, strlen(l2)), 0);
	assert_int_equal(m.lines_had, 1);
	assert_int_equal(buf[16], 0x00);
	assert_int_equal(buf[31], 0x0f);
	assert_int_equal(ub_dump_map_line(&m, l2, strlen(l2)), 0);   /* twice: counted once */
	assert_int_equal(m.lines_had, 1);
	/* the short last line: two words */
	assert_int_equal(ub_dump_map_line(&m, "14000020: 11223344 55667788    D3\"wU", 36), 0);
	assert_int_equal(m.lines_had, 2);
	assert_int_equal(buf[32], 0x44);
	assert_int_equal(buf[39], 0x55);
	assert_true(have[1] && have[2] && !have[0]);
	/* outside the range, off a line's start, malformed: refused, and a
	 * bad copy never spoils a good one */
	assert_int_equal(ub_dump_map_line(&m, "14000030: 00000000 00000000", 27), -1);
	assert_int_equal(ub_dump_map_line(&m, "13fffff0: 00000000 00000000 00000000 00000000", 45), -1);
	assert_int_equal(ub_dump_map_line(&m, "14000004: 00000000 00000000 00000000 00000000", 45), -1);
	assert_int_equal(ub_dump_map_line(&m, "14000010: 03020100 0706", 23), -1);
	assert_int_equal(buf[20], 0x04);
	/* noise is not a line */
	assert_int_equal(ub_dump_map_line(&m, "__UB3_END=0__", 13), 0);
	assert_int_equal(m.lines_had, 2);
	/* a line whose end was lost runs into the next: the first line
	 * stands, the next is in its text column and still missing */
	assert_int_equal(ub_dump_map_line(&m, "14000000: 00000001 00000002 00000003 00000004  ................14000010: 03020100", 82), 0);
	assert_int_equal(m.lines_had, 3);
	assert_int_equal(buf[0], 0x01);
}

static void bad_dump_bytes(void **state)
{
	uint8_t buf[16];
	struct ub_dump d = { 0x1000, buf, sizeof buf, 0, 0, 1 };
	const char *l = "00001000: 27 05 1x 56";

	(void)state;
	assert_int_equal(ub_dump_line(&d, l, strlen(l)), -1);
}

static void failures_and_conclusions(void **state)
{
	struct ub_console_out out = { 0 };
	char last[64];
	size_t len = 0;
	const char *bad;

	(void)state;
	out.text = (char *)"mxc_spi spi@2008000: Invalid chip select 0:1 (err=-19)\n"
			   "dev_get_uclass_priv: null device\n"
			   "Failed to initialize SPI flash at 0:1 (error -19)\n  \n";
	out.len = strlen(out.text);
	ub_console_last_line(&out, last, sizeof last);
	assert_string_equal(last, "Failed to initialize SPI flash at 0:1 (error -19)");

	out.text = (char *)"SF: 4096 bytes @ 0x1001 Erased: ERROR -22\n";
	bad = ub_console_failure(&out, &len);
	assert_non_null(bad);
	assert_int_equal(len, strlen("SF: 4096 bytes @ 0x1001 Erased: ERROR -22"));

	out.text = (char *)"SF: 2097152 bytes @ 0x0 Read: OK\n";
	assert_null(ub_console_failure(&out, &len));
	ub_console_last_line(&out, last, sizeof last);
	assert_string_equal(last, "SF: 2097152 bytes @ 0x0 Read: OK");

	out.text = NULL;
	ub_console_last_line(&out, last, sizeof last);
	assert_string_equal(last, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(sf_probe_lines),
		cmocka_unit_test(sf_described),
		cmocka_unit_test(flinfo_banks),
		cmocka_unit_test(flinfo_cut_or_wrong),
		cmocka_unit_test(dump_lines),
		cmocka_unit_test(dump_words),
		cmocka_unit_test(bad_dump_words),
		cmocka_unit_test(bad_dump_bytes),
		cmocka_unit_test(dump_map_lines),
		cmocka_unit_test(failures_and_conclusions),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
