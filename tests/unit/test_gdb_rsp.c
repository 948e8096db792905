/* The GDB remote protocol: the packet parser and decoders fed byte
 * streams, the replies' meaning, the XML a probe gives, and the client
 * against a scripted stub on a socket pair (its replies written before
 * the client asks, what the client sent read back after).  QEMU's own
 * gdbstub and gdb-multiarch are in tests/peer/gdb_rescue.sh; the byte
 * strings here marked "QEMU 7.2" are what its gdbstub sent. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "proto/gdb_rsp.h"
#include "proto/gdb_xml.h"

#define B(s) ((const uint8_t *)(s)), (sizeof(s) - 1)
#define S(s) (s), (sizeof(s) - 1)

/* Feeds a string; returns the last event, *count the events seen. */
static enum ub_rsp_event feed(struct ub_rsp_parser *p, const char *s, size_t len, int *count)
{
	enum ub_rsp_event last = UB_RSP_EV_NONE, ev;
	size_t i;

	*count = 0;
	for (i = 0; i < len; i++)
		if ((ev = ub_rsp_parser_feed(p, (uint8_t)s[i])) != UB_RSP_EV_NONE) {
			last = ev;
			(*count)++;
		}
	return last;
}
#define FEED(p, s, n) feed((p), (s), sizeof(s) - 1, (n))

static void parser_packets(void **state)
{
	struct ub_rsp_parser p;
	int n;

	(void)state;
	ub_rsp_parser_init(&p, 80);
	/* QEMU 7.2's answer to qSupported, with the ack before it */
	assert_int_equal(FEED(&p, "+", &n), UB_RSP_EV_ACK);
	assert_int_equal(FEED(&p, "$PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+#92", &n),
			 UB_RSP_EV_PACKET);
	assert_int_equal(n, 1);
	assert_int_equal(p.len, 66);
	assert_memory_equal(p.data, "PacketSize=1000;", 16);
	/* the empty packet: "not supported" */
	assert_int_equal(FEED(&p, "$#00", &n), UB_RSP_EV_PACKET);
	assert_int_equal(p.len, 0);
	/* a wrong checksum, a checksum that is no hex: both bad */
	assert_int_equal(FEED(&p, "$OK#9b", &n), UB_RSP_EV_BADSUM);
	assert_int_equal(FEED(&p, "$OK#g0", &n), UB_RSP_EV_BADSUM);
	assert_int_equal(FEED(&p, "$OK#9A", &n), UB_RSP_EV_PACKET);   /* either case */
	/* '-', the interrupt byte, a notification, noise between packets */
	assert_int_equal(FEED(&p, "-", &n), UB_RSP_EV_NAK);
	assert_int_equal(FEED(&p, "\003", &n), UB_RSP_EV_INTERRUPT);
	assert_int_equal(FEED(&p, "%Stop:T05#99", &n), UB_RSP_EV_NOTIFY);
	assert_int_equal(FEED(&p, "xyz\r\n", &n), UB_RSP_EV_NONE);
	assert_int_equal(n, 0);
	/* a packet started over: the first part is dropped */
	assert_int_equal(FEED(&p, "$garb$OK#9a", &n), UB_RSP_EV_PACKET);
	assert_int_equal(n, 1);
	assert_int_equal(p.len, 2);
	/* several in one read, as QEMU sends O packets */
	assert_int_equal(FEED(&p, "$O0d0a#74$O43505523300d0a#72", &n), UB_RSP_EV_PACKET);
	assert_int_equal(n, 2);
	/* longer than the limit: too big, not cut short and taken */
	{
		char big[100] = "$";
		unsigned sum = 0;
		int i;

		for (i = 1; i <= 88; i++) {
			big[i] = 'a';
			sum += 'a';
		}
		snprintf(big + 89, sizeof big - 89, "#%02x", sum & 255);
		assert_int_equal(feed(&p, big, strlen(big), &n), UB_RSP_EV_TOOBIG);
	}
	assert_int_equal(FEED(&p, "$OK#9a", &n), UB_RSP_EV_PACKET);
	ub_rsp_parser_free(&p);
}

static void decode(void **state)
{
	uint8_t out[64];
	size_t n;

	(void)state;
	/* a run: 0 and (' ' - 29) = 3 more */
	assert_int_equal(ub_rsp_decode(B("0* "), 0, out, sizeof out, &n), 0);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "0000", 4);
	assert_int_equal(ub_rsp_decode(B("ab*\"c"), 0, out, sizeof out, &n), 0);
	assert_int_equal(n, 8);
	assert_memory_equal(out, "abbbbbbc", 8);
	/* escapes in binary data; in text } is itself */
	assert_int_equal(ub_rsp_decode(B("l}\x03}]}\x04}\x0a"), 1, out, sizeof out, &n), 0);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "l#}$*", 5);
	assert_int_equal(ub_rsp_decode(B("a}b"), 0, out, sizeof out, &n), 0);
	assert_int_equal(n, 3);
	/* a run of an escaped byte repeats the byte */
	assert_int_equal(ub_rsp_decode(B("}\x03* "), 1, out, sizeof out, &n), 0);
	assert_memory_equal(out, "####", 4);
	/* nonsense: a run with nothing before it, at the end, a count out
	 * of range, an escape at the end, more than fits */
	assert_int_equal(ub_rsp_decode(B("* "), 0, out, sizeof out, &n), -1);
	assert_int_equal(ub_rsp_decode(B("a*"), 0, out, sizeof out, &n), -1);
	assert_int_equal(ub_rsp_decode(B("a*\x10"), 0, out, sizeof out, &n), -1);
	assert_int_equal(ub_rsp_decode(B("a}"), 1, out, sizeof out, &n), -1);
	assert_int_equal(ub_rsp_decode(B("a*~"), 0, out, 8, &n), -1);
}

static void escape_and_frame(void **state)
{
	static const uint8_t raw[] = { 0x00, '#', '$', '}', '*', 0xff, 'a' };
	uint8_t esc[2 * sizeof raw], back[sizeof raw], framed[64];
	size_t n, m;

	(void)state;
	n = ub_rsp_escape(raw, sizeof raw, esc);
	assert_int_equal(n, sizeof raw + 4);
	assert_null(memchr(esc, '#', n));
	assert_null(memchr(esc, '$', n));
	assert_null(memchr(esc, '*', n));
	assert_int_equal(ub_rsp_decode(esc, n, 1, back, sizeof back, &m), 0);
	assert_int_equal(m, sizeof raw);
	assert_memory_equal(back, raw, sizeof raw);
	/* gdb's own: "$qSupported#37" */
	n = ub_rsp_frame(B("qSupported"), framed);
	assert_int_equal(n, 14);
	assert_memory_equal(framed, "$qSupported#37", 14);
	n = ub_rsp_frame(B(""), framed);
	assert_memory_equal(framed, "$#00", n);
}

static void supported_and_stops(void **state)
{
	struct ub_rsp_stop st;
	unsigned f;
	size_t size;

	(void)state;
	ub_rsp_parse_supported(S("PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+"), &f, &size);
	assert_int_equal(size, 0x1000);
	assert_int_equal(f, UB_RSP_F_FEATURES | UB_RSP_F_VCONT);
	/* OpenOCD's kind of answer */
	ub_rsp_parse_supported(S("PacketSize=3fff;qXfer:memory-map:read+;qXfer:features:read+;QStartNoAckMode+"),
			       &f, &size);
	assert_int_equal(size, 0x3fff);
	assert_int_equal(f, UB_RSP_F_MEMORY_MAP | UB_RSP_F_FEATURES | UB_RSP_F_NOACK);
	/* a feature turned off, a size that is no number, a prefix alone */
	ub_rsp_parse_supported(S("QStartNoAckMode-;PacketSize=zz;qXfer:features:read"), &f, &size);
	assert_int_equal(f, 0);
	assert_int_equal(size, 0);

	/* QEMU 7.2 halted at start, and after an interrupt */
	assert_int_equal(ub_rsp_parse_stop(S("T05thread:01;"), &st), 0);
	assert_int_equal(st.kind, 'T');
	assert_int_equal(st.signal, 5);
	assert_string_equal(st.thread, "01");
	assert_string_equal(ub_rsp_signal_name(st.signal), "SIGTRAP");
	assert_int_equal(ub_rsp_parse_stop(S("T02thread:p01.01;0f:00008060;"), &st), 0);
	assert_string_equal(st.thread, "p01.01");
	assert_int_equal(ub_rsp_parse_stop(S("S0b"), &st), 0);
	assert_string_equal(ub_rsp_signal_name(st.signal), "SIGSEGV");
	assert_int_equal(ub_rsp_parse_stop(S("W00;process:1"), &st), 0);
	assert_int_equal(st.kind, 'W');
	assert_int_equal(ub_rsp_parse_stop(S("X09"), &st), 0);
	/* not stop replies */
	assert_int_equal(ub_rsp_parse_stop(S("OK"), &st), -1);
	assert_int_equal(ub_rsp_parse_stop(S("S0"), &st), -1);
	assert_int_equal(ub_rsp_parse_stop(S("S05x"), &st), -1);
	assert_int_equal(ub_rsp_parse_stop(S("E01"), &st), -1);
	assert_int_equal(st.kind, 0);
}

/* --- the XML ------------------------------------------------------------------- */

/* QEMU 7.2's target.xml for the virt machine's Cortex-A15 */
static const char qemu_target[] = "<?xml version=\"1.0\"?><!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
	"<target><architecture>arm</architecture><xi:include href=\"arm-core.xml\"/>"
	"<xi:include href=\"arm-neon.xml\"/></target>";
static const char arm_core[] = "<?xml version=\"1.0\"?><!DOCTYPE feature SYSTEM \"gdb-target.dtd\">"
	"<feature name=\"org.gnu.gdb.arm.core\">"
	"<reg name=\"r0\" bitsize=\"32\"/><reg name=\"r1\" bitsize=\"32\"/><reg name=\"r2\" bitsize=\"32\"/>"
	"<reg name=\"r3\" bitsize=\"32\"/><reg name=\"r4\" bitsize=\"32\"/><reg name=\"r5\" bitsize=\"32\"/>"
	"<reg name=\"r6\" bitsize=\"32\"/><reg name=\"r7\" bitsize=\"32\"/><reg name=\"r8\" bitsize=\"32\"/>"
	"<reg name=\"r9\" bitsize=\"32\"/><reg name=\"r10\" bitsize=\"32\"/><reg name=\"r11\" bitsize=\"32\"/>"
	"<reg name=\"r12\" bitsize=\"32\"/><reg name=\"sp\" bitsize=\"32\" type=\"data_ptr\"/>"
	"<reg name=\"lr\" bitsize=\"32\"/><reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\"/>"
	"<reg name=\"cpsr\" bitsize=\"32\" regnum=\"25\"/></feature>";
static const char arm_neon[] = "<feature name=\"org.gnu.gdb.arm.vfp\">"
	"<reg name=\"d0\" bitsize=\"64\" type=\"float\"/><reg name=\"d1\" bitsize=\"64\"/>"
	"<reg name=\"fpscr\" bitsize=\"32\" type=\"int\" group=\"float\"/></feature>";

static int fetch_file(void *ctx, const char *href, char **xml, size_t *len, struct ub_err *e)
{
	int *calls = ctx;
	const char *s = strcmp(href, "arm-core.xml") == 0 ? arm_core :
			strcmp(href, "arm-neon.xml") == 0 ? arm_neon :
			strcmp(href, "self.xml") == 0 ? "<target><xi:include href=\"self.xml\"/></target>" : NULL;

	(*calls)++;
	if (!s)
		return ub_err_set(e, UB_EFAIL, "probe-error", "no such file %s", href);
	*xml = strdup(s);
	*len = strlen(s);
	return 0;
}

static void target_description(void **state)
{
	struct ub_gdb_tdesc t;
	struct ub_err e;
	int calls = 0;

	(void)state;
	memset(&t, 0, sizeof t);
	assert_int_equal(ub_gdb_tdesc_parse(&t, qemu_target, strlen(qemu_target), fetch_file, &calls, &e), 0);
	assert_int_equal(calls, 2);
	assert_string_equal(t.arch, "arm");
	assert_string_equal(t.features, "org.gnu.gdb.arm.core, org.gnu.gdb.arm.vfp");
	assert_int_equal(t.n, 20);
	assert_int_equal(ub_gdb_tdesc_reg(&t, "pc")->regnum, 15);
	assert_int_equal(ub_gdb_tdesc_reg(&t, "cpsr")->regnum, 25);
	/* numbering goes on after an explicit regnum, across files */
	assert_int_equal(ub_gdb_tdesc_reg(&t, "d0")->regnum, 26);
	assert_int_equal(ub_gdb_tdesc_reg(&t, "fpscr")->regnum, 28);
	/* the g packet: registers in number order, the gap 16..24 is not in
	 * it (QEMU's g is 17 words: r0..pc, cpsr) */
	assert_int_equal(ub_gdb_tdesc_g_offset(&t, 15), 60);
	assert_int_equal(ub_gdb_tdesc_g_offset(&t, 25), 64);
	assert_int_equal(ub_gdb_tdesc_g_offset(&t, 26), 68);
	assert_int_equal(ub_gdb_tdesc_g_offset(&t, 20), -1);
	assert_null(ub_gdb_tdesc_reg(&t, "rip"));
	ub_gdb_tdesc_free(&t);

	/* without a fetch the file is read alone */
	memset(&t, 0, sizeof t);
	assert_int_equal(ub_gdb_tdesc_parse(&t, qemu_target, strlen(qemu_target), NULL, NULL, &e), 0);
	assert_int_equal(t.n, 0);
	ub_gdb_tdesc_free(&t);

	/* a file the probe cannot give: its error, named */
	memset(&t, 0, sizeof t);
	calls = 0;
	assert_int_equal(ub_gdb_tdesc_parse(&t, S("<target><xi:include href=\"gone.xml\"/></target>"),
					    fetch_file, &calls, &e), UB_EFAIL);
	assert_non_null(strstr(e.msg, "gone.xml"));
	ub_gdb_tdesc_free(&t);

	/* includes that never end, one that leaves the description, two
	 * registers with one number, a bitsize that is no bytes, an entity */
	memset(&t, 0, sizeof t);
	assert_int_equal(ub_gdb_tdesc_parse(&t, S("<target><xi:include href=\"self.xml\"/></target>"),
					    fetch_file, &calls, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "nested deeper"));
	ub_gdb_tdesc_free(&t);
	memset(&t, 0, sizeof t);
	assert_int_equal(ub_gdb_tdesc_parse(&t, S("<target><xi:include href=\"/etc/passwd\"/></target>"),
					    fetch_file, &calls, &e), UB_EFORMAT);
	ub_gdb_tdesc_free(&t);
	memset(&t, 0, sizeof t);
	assert_int_equal(ub_gdb_tdesc_parse(&t, S("<feature><reg name=\"a\" bitsize=\"32\" regnum=\"3\"/>"
						  "<reg name=\"b\" bitsize=\"32\" regnum=\"3\"/></feature>"),
					    NULL, NULL, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "number 3"));
	ub_gdb_tdesc_free(&t);
	memset(&t, 0, sizeof t);
	assert_int_equal(ub_gdb_tdesc_parse(&t, S("<feature><reg name=\"a\" bitsize=\"12\"/></feature>"),
					    NULL, NULL, &e), UB_EFORMAT);
	ub_gdb_tdesc_free(&t);
	memset(&t, 0, sizeof t);
	assert_int_equal(ub_gdb_tdesc_parse(&t, S("<!DOCTYPE t [<!ENTITY a \"aaaa\">]><target>&a;</target>"),
					    NULL, NULL, &e), UB_EFORMAT);
	assert_non_null(strstr(e.msg, "entity"));
	ub_gdb_tdesc_free(&t);
	memset(&t, 0, sizeof t);
	assert_int_equal(ub_gdb_tdesc_parse(&t, S("<target><architecture>arm</architecture>"
						  "<architecture>aarch64</architecture></target>"),
					    NULL, NULL, &e), UB_EFORMAT);
	ub_gdb_tdesc_free(&t);
}

static void memory_map(void **state)
{
	/* as OpenOCD gives an STM32F4's */
	static const char map[] = "<?xml version=\"1.0\"?>\n<!DOCTYPE memory-map PUBLIC \"+//IDN gnu.org//DTD GDB Memory Map V1.0//EN\" "
		"\"http://sourceware.org/gdb/gdb-memory-map.dtd\">\n<memory-map>\n"
		"<memory type=\"flash\" start=\"0x08000000\" length=\"0x10000\">\n"
		"<property name=\"blocksize\">0x4000</property>\n</memory>\n"
		"<memory type=\"ram\" start=\"0x20000000\" length=\"0x20000\"/>\n"
		"<memory type=\"rom\" start=\"4294901760\" length=\"65536\"/>\n</memory-map>\n";
	struct ub_gdb_memmap m = { 0 };
	const struct ub_gdb_mem *r;
	struct ub_err e;

	(void)state;
	assert_int_equal(ub_gdb_memmap_parse(&m, map, strlen(map), &e), 0);
	assert_int_equal(m.n, 3);
	assert_int_equal(m.v[0].type, UB_GDB_FLASH);
	assert_int_equal(m.v[0].blocksize, 0x4000);
	assert_int_equal(m.v[2].start, 0xffff0000u);
	r = ub_gdb_memmap_find(&m, 0x20000000, 0x20000);
	assert_non_null(r);
	assert_int_equal(r->type, UB_GDB_RAM);
	assert_null(ub_gdb_memmap_find(&m, 0x20000000, 0x20001));   /* runs past the end */
	assert_null(ub_gdb_memmap_find(&m, 0x1fffffff, 2));
	assert_null(ub_gdb_memmap_find(&m, 0x30000000, 1));
	ub_gdb_memmap_free(&m);

	/* flash without its block size, ranges that overlap, a range that
	 * wraps, an unknown type, memory inside memory */
	assert_int_equal(ub_gdb_memmap_parse(&m, S("<memory-map><memory type=\"flash\" start=\"0\" length=\"16\"/></memory-map>"), &e),
			 UB_EFORMAT);
	assert_int_equal(ub_gdb_memmap_parse(&m, S("<memory-map><memory type=\"ram\" start=\"0\" length=\"16\"/>"
						 "<memory type=\"ram\" start=\"8\" length=\"16\"/></memory-map>"), &e),
			 UB_EFORMAT);
	assert_non_null(strstr(e.msg, "overlap"));
	assert_int_equal(ub_gdb_memmap_parse(&m, S("<memory-map><memory type=\"ram\" start=\"0xffffffffffffff00\" length=\"0x200\"/></memory-map>"), &e),
			 UB_EFORMAT);
	assert_int_equal(ub_gdb_memmap_parse(&m, S("<memory-map><memory type=\"io\" start=\"0\" length=\"1\"/></memory-map>"), &e),
			 UB_EFORMAT);
	assert_int_equal(ub_gdb_memmap_parse(&m, S("<memory-map><memory type=\"ram\" start=\"0\" length=\"1\">"
						 "<memory type=\"ram\" start=\"8\" length=\"1\"/></memory></memory-map>"), &e),
			 UB_EFORMAT);
	assert_int_equal(m.n, 0);
}

/* --- the client against a scripted stub --------------------------------------- */

struct stub {
	int fd;            /* the stub's end */
	struct ub_rsp r;   /* the client, on the other end */
};

/* A packet as the stub sends it, framed. */
static void stub_send(struct stub *s, const char *data)
{
	uint8_t buf[8192];
	size_t n = ub_rsp_frame((const uint8_t *)data, strlen(data), buf);

	assert_int_equal(write(s->fd, buf, n), (ssize_t)n);
}

static void stub_raw(struct stub *s, const char *bytes)
{
	assert_int_equal(write(s->fd, bytes, strlen(bytes)), (ssize_t)strlen(bytes));
}

/* What the client sent since the last call. */
static char *stub_heard(struct stub *s)
{
	static char buf[65536];
	ssize_t n = recv(s->fd, buf, sizeof buf - 1, MSG_DONTWAIT);

	buf[n > 0 ? n : 0] = '\0';
	return buf;
}

/* Connects a client to a stub that offers what supported says (acks on
 * until QStartNoAckMode, which the stub accepts when it offers it). */
static void stub_open(struct stub *s, const char *supported)
{
	struct ub_stream *st;
	struct ub_err e;
	char addr[16];
	int sv[2];

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	s->fd = sv[0];
	snprintf(addr, sizeof addr, "%d", sv[1]);
	assert_int_equal(ub_stream_open(&st, "fd", addr, NULL, &e), 0);
	stub_raw(s, "+");
	stub_send(s, supported);
	if (strstr(supported, "QStartNoAckMode+")) {
		stub_raw(s, "+");
		stub_send(s, "OK");
		stub_send(s, "vCont;c;C;s;S");
	} else {
		stub_raw(s, "+");
		stub_send(s, "vCont;c;C;s;S");
	}
	assert_int_equal(ub_rsp_open(&s->r, st, &e), 0);
}

static void stub_close(struct stub *s)
{
	ub_rsp_close(&s->r);
	close(s->fd);
}

static void client_opening(void **state)
{
	struct stub s;

	(void)state;
	/* QEMU 7.2: no QStartNoAckMode, so acks go on */
	stub_open(&s, "PacketSize=1000;qXfer:features:read+;vContSupported+;multiprocess+");
	assert_string_equal(stub_heard(&s), "+$qSupported:swbreak+;hwbreak+;vContSupported+#0b+$vCont?#49+");
	assert_int_equal(s.r.acks, 1);
	assert_int_equal(s.r.packet_size, 0x1000);
	assert_int_equal(s.r.vcont, 1);
	stub_close(&s);
	/* a stub that offers it: acks end after its OK */
	stub_open(&s, "PacketSize=400;QStartNoAckMode+");
	assert_string_equal(stub_heard(&s),
			    "+$qSupported:swbreak+;hwbreak+;vContSupported+#0b+$QStartNoAckMode#b0+$vCont?#49");
	assert_int_equal(s.r.acks, 0);
	assert_int_equal(s.r.packet_size, 0x400);
	stub_close(&s);
}

static void client_memory(void **state)
{
	struct ub_err e;
	struct stub s;
	uint8_t buf[64], data[40];
	const char *heard;
	int i;

	(void)state;
	/* a stub taking 64-byte packets: reads of 32 bytes */
	stub_open(&s, "PacketSize=40;QStartNoAckMode+");
	stub_heard(&s);
	stub_send(&s, "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
	stub_send(&s, "f* ");   /* a run: f and 3 more, erased flash */
	assert_int_equal(ub_rsp_read_mem(&s.r, 0x1000, buf, 34, NULL, &e), 0);
	assert_string_equal(stub_heard(&s), "$m1000,20#bc$m1020,2#8e");
	for (i = 0; i < 32; i++)
		assert_int_equal(buf[i], i);
	assert_int_equal(buf[32], 0xff);
	assert_int_equal(buf[33], 0xff);
	/* a stub that gives less than asked: the rest is asked for again */
	stub_send(&s, "aabb");
	stub_send(&s, "cc");
	assert_int_equal(ub_rsp_read_mem(&s.r, 0x10, buf, 3, NULL, &e), 0);
	assert_string_equal(stub_heard(&s), "$m10,3#2d$m12,1#2d");
	assert_memory_equal(buf, "\xaa\xbb\xcc", 3);
	/* an error names the address */
	stub_send(&s, "E14");
	assert_int_equal(ub_rsp_read_mem(&s.r, 0xdead0000, buf, 4, NULL, &e), UB_EFAIL);
	assert_non_null(strstr(e.msg, "0xdead0000"));
	assert_string_equal(e.advice_id, "probe-error");
	stub_heard(&s);

	/* writes: X is tried (empty: not known), then M with hex, in pieces
	 * of what fits (64 - 32 of header room: 16 bytes) */
	for (i = 0; i < 40; i++)
		data[i] = (uint8_t)i;
	stub_send(&s, "");
	stub_send(&s, "OK");
	stub_send(&s, "OK");
	stub_send(&s, "OK");
	assert_int_equal(ub_rsp_write_mem(&s.r, 0x40000000, data, 40, NULL, &e), 0);
	heard = stub_heard(&s);
	assert_non_null(strstr(heard, "$X40000000,0:#"));
	assert_non_null(strstr(heard, "$M40000000,10:000102030405060708090a0b0c0d0e0f#"));
	assert_non_null(strstr(heard, "$M40000020,8:"));
	assert_int_equal(s.r.x_state, -1);
	stub_close(&s);

	/* a stub with X: binary, escaped */
	stub_open(&s, "PacketSize=100;QStartNoAckMode+");
	stub_heard(&s);
	stub_send(&s, "OK");
	stub_send(&s, "OK");
	memcpy(data, "a#b$c}d*", 8);
	assert_int_equal(ub_rsp_write_mem(&s.r, 0x20, data, 8, NULL, &e), 0);
	assert_string_equal(stub_heard(&s), "$X20,0:#50$X20,8:a}\x03" "b}\x04" "c}]d}\x0a#44");
	/* refused: said, with the address */
	stub_send(&s, "E01");
	assert_int_equal(ub_rsp_write_mem(&s.r, 0x30, data, 2, NULL, &e), UB_EFAIL);
	assert_non_null(strstr(e.msg, "0x30"));
	stub_close(&s);
}

static void client_acks(void **state)
{
	struct ub_err e;
	struct stub s;
	uint8_t buf[4];

	(void)state;
	stub_open(&s, "PacketSize=1000");
	stub_heard(&s);
	/* the stub asks again once (-), then takes it; its reply arrives
	 * damaged first: the client asks again (-) and takes the good one */
	stub_raw(&s, "-+$0102#00$0102#c3");
	assert_int_equal(ub_rsp_read_mem(&s.r, 0, buf, 2, NULL, &e), 0);
	assert_string_equal(stub_heard(&s), "$m0,2#fb$m0,2#fb-+");
	assert_int_equal(s.r.stats.resends, 2);
	/* a stub that never acks: a timeout, said */
	s.r.timeout_ms = 50;
	assert_int_equal(ub_rsp_read_mem(&s.r, 0, buf, 2, NULL, &e), UB_ETIMEOUT);
	assert_string_equal(e.advice_id, "probe-silent");
	stub_close(&s);
}

static void client_run_and_halt(void **state)
{
	struct ub_rsp_stop st;
	struct ub_err e;
	struct stub s;
	char *out;
	size_t len;

	(void)state;
	stub_open(&s, "PacketSize=1000;QStartNoAckMode+");
	stub_heard(&s);
	assert_int_equal(ub_rsp_continue(&s.r, &e), 0);
	assert_string_equal(stub_heard(&s), "$vCont;c#a8");
	assert_int_equal(s.r.running, 1);
	/* nothing else is asked of a running target */
	assert_int_equal(ub_rsp_read_mem(&s.r, 0, (uint8_t[4]){ 0 }, 4, NULL, &e), UB_EUSAGE);
	/* still running: nothing came */
	assert_int_equal(ub_rsp_wait_stop(&s.r, 10, &st, &e), 1);
	/* console output on the way, then the stop after the interrupt */
	stub_send(&s, "O48690a");
	stub_send(&s, "T02thread:01;");
	assert_int_equal(ub_rsp_interrupt(&s.r, 1000, &st, &e), 0);
	assert_string_equal(stub_heard(&s), "\003");
	assert_int_equal(st.signal, 2);
	assert_int_equal(s.r.running, 0);
	assert_string_equal(s.r.out, "Hi\n");
	/* halted: an interrupt asks why, sends no 0x03 */
	stub_send(&s, "T02thread:01;");
	assert_int_equal(ub_rsp_interrupt(&s.r, 1000, &st, &e), 0);
	assert_string_equal(stub_heard(&s), "$?#3f");

	/* a monitor command: O packets, then OK (QEMU) */
	stub_send(&s, "O0d0a");
	stub_send(&s, "O43505523300d0a");
	stub_send(&s, "OK");
	assert_int_equal(ub_rsp_monitor(&s.r, "info registers", &out, &len, &e), 0);
	assert_string_equal(stub_heard(&s), "$qRcmd,696e666f20726567697374657273#5a");
	assert_string_equal(out, "\r\nCPU#0\r\n");
	free(out);
	/* the output as the reply itself; a stub without a monitor */
	stub_send(&s, "6f6b0a");
	assert_int_equal(ub_rsp_monitor(&s.r, "reset halt", &out, &len, &e), 0);
	assert_string_equal(out, "ok\n");
	free(out);
	stub_send(&s, "");
	assert_int_equal(ub_rsp_monitor(&s.r, "reset halt", &out, &len, &e), UB_EUSAGE);
	assert_string_equal(e.advice_id, "probe-no-monitor");
	stub_close(&s);
}

static void client_registers_and_xfer(void **state)
{
	struct ub_err e;
	struct stub s;
	uint8_t v[8];
	size_t len;
	char *xml;

	(void)state;
	stub_open(&s, "PacketSize=40;QStartNoAckMode+");
	stub_heard(&s);
	/* QEMU's cpsr at reset, little-endian */
	stub_send(&s, "d3010040");
	assert_int_equal(ub_rsp_read_reg(&s.r, 25, v, sizeof v, &len, &e), 0);
	assert_string_equal(stub_heard(&s), "$p19#da");
	assert_int_equal(len, 4);
	assert_memory_equal(v, "\xd3\x01\x00\x40", 4);
	stub_send(&s, "OK");
	assert_int_equal(ub_rsp_write_reg(&s.r, 15, (const uint8_t *)"\x00\x00\x80\x60", 4, &e), 0);
	assert_string_equal(stub_heard(&s), "$Pf=00008060#81");
	/* no p/P: 1, for g/G */
	stub_send(&s, "");
	assert_int_equal(ub_rsp_write_reg(&s.r, 15, (const uint8_t *)"\0\0\0\0", 4, &e), 1);
	stub_send(&s, "xxxxxxxx");
	assert_int_equal(ub_rsp_read_reg(&s.r, 3, v, sizeof v, &len, &e), UB_EFAIL);
	stub_heard(&s);

	/* a target description in pieces of packet size - 8 (0x38), escaped */
	stub_send(&s, "m<target>");
	stub_send(&s, "l}]</target>");
	assert_int_equal(ub_rsp_xfer(&s.r, "features", "target.xml", 4096, &xml, &len, &e), 0);
	assert_string_equal(stub_heard(&s), "$qXfer:features:read:target.xml:0,38#b6"
			    "$qXfer:features:read:target.xml:8,38#be");
	assert_string_equal(xml, "<target>}</target>");
	assert_int_equal(len, 18);
	free(xml);
	/* not offered; larger than the caller takes */
	stub_send(&s, "");
	assert_int_equal(ub_rsp_xfer(&s.r, "memory-map", "", 4096, &xml, &len, &e), UB_EUSAGE);
	stub_send(&s, "m0123456789");
	assert_int_equal(ub_rsp_xfer(&s.r, "memory-map", "", 4, &xml, &len, &e), UB_EFAIL);
	stub_close(&s);
}

static void client_link_lost(void **state)
{
	struct ub_err e;
	struct stub s;
	uint8_t buf[4];

	(void)state;
	stub_open(&s, "PacketSize=1000;QStartNoAckMode+");
	close(s.fd);
	assert_int_equal(ub_rsp_read_mem(&s.r, 0, buf, 4, NULL, &e), UB_ENODEV);
	assert_string_equal(e.advice_id, "probe-lost");
	ub_rsp_close(&s.r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(parser_packets),
		cmocka_unit_test(decode),
		cmocka_unit_test(escape_and_frame),
		cmocka_unit_test(supported_and_stops),
		cmocka_unit_test(target_description),
		cmocka_unit_test(memory_map),
		cmocka_unit_test(client_opening),
		cmocka_unit_test(client_memory),
		cmocka_unit_test(client_acks),
		cmocka_unit_test(client_run_and_halt),
		cmocka_unit_test(client_registers_and_xfer),
		cmocka_unit_test(client_link_lost),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
