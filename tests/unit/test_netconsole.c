/* The pieces of a read through U-Boot's netconsole: coninfo's device list
 * (as u-boot-imx prints it on QEMU's sabrelite, and as older U-Boots
 * print it), a command whose output comes on another stream in datagrams
 * that cut lines anywhere and may come after the console's own marker,
 * and the UDP stream that hears one sender only. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "io/stream.h"
#include "family/uboot/coninfo.h"
#include "family/uboot/console.h"
#include "family/uboot/dump.h"

static void coninfo_devices(void **state)
{
	struct ub_coninfo ci;
	const char *imx =
		"List of available devices:\r\n"
		"serial   00000003 IO stdin stdout stderr \r\n"
		"nulldev  00000003 IO \r\n"
		"mxc_serial 00000003 IO \r\n"
		"nc       00000003 IO \r\n";
	const char *old =
		"List of available devices:\n"
		"serial   80000003 SIO stdin stderr\n"
		"vga      00000002 .O stdout\n";
	const char *none = "List of available devices:\nserial   00000003 IO stdin stdout stderr\n";
	const char *nc_only =
		"List of available devices:\n"
		"vga      00000002 .O \n"
		"serial@2020000 00000003 IO \n"
		"nc       00000003 IO stdin stdout stderr\n";

	(void)state;
	assert_int_equal(ub_coninfo_parse(imx, strlen(imx), &ci), 0);
	assert_true(ci.has_nc);
	assert_string_equal(ci.stdout_dev, "serial");
	assert_string_equal(ci.other_in, "nulldev");   /* no noise can come from it */

	assert_int_equal(ub_coninfo_parse(old, strlen(old), &ci), 0);
	assert_false(ci.has_nc);
	assert_string_equal(ci.stdout_dev, "vga");
	assert_string_equal(ci.other_in, "serial");

	/* a board whose console is its netconsole: the input it could take
	 * instead is the first device with I, not the output-only vga */
	assert_int_equal(ub_coninfo_parse(nc_only, strlen(nc_only), &ci), 0);
	assert_string_equal(ci.stdout_dev, "nc");
	assert_string_equal(ci.other_in, "serial@2020000");

	assert_int_equal(ub_coninfo_parse(none, strlen(none), &ci), 0);
	assert_false(ci.has_nc);

	/* "nc" inside another name, a flags column that is not hex, a name
	 * a shell would read differently: none of them a device */
	assert_int_equal(ub_coninfo_parse("ncx 00000003 IO\n", 16, &ci), 0);
	assert_false(ci.has_nc);
	assert_int_equal(ub_coninfo_parse("nc 0000000g IO\n", 15, &ci), -1);
	assert_int_equal(ub_coninfo_parse("se;rial 00000003 IO stdout\n", 27, &ci), -1);
	assert_int_equal(ub_coninfo_parse("Unknown command 'coninfo' - try 'help'\n", 39, &ci), -1);
	assert_int_equal(ub_coninfo_parse("", 0, &ci), -1);
}

/* A console whose board side is already written (the echo, what stderr
 * said, the marker) and a side of datagrams, both read by the real
 * streams. */
struct rig {
	int con[2], side[2];
	struct ub_stream *cs, *ss;
	struct ub_console c;
};

static void rig_open(struct rig *r, const char *console_text)
{
	char fd[16];
	struct ub_err e;

	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, r->con), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM, 0, r->side), 0);
	assert_int_equal(write(r->con[1], console_text, strlen(console_text)), (ssize_t)strlen(console_text));
	snprintf(fd, sizeof fd, "%d", r->con[0]);
	assert_int_equal(ub_stream_open(&r->cs, "fd", fd, NULL, &e), 0);
	snprintf(fd, sizeof fd, "%d", r->side[0]);
	assert_int_equal(ub_stream_open(&r->ss, "fd", fd, NULL, &e), 0);
	ub_console_init(&r->c, r->cs, "=> ");
}

static void rig_send(struct rig *r, const char *text, size_t piece)
{
	size_t at, n;

	for (at = 0; at < strlen(text); at += n) {
		n = strlen(text) - at < piece ? strlen(text) - at : piece;
		assert_int_equal(send(r->side[1], text + at, n, 0), (ssize_t)n);
	}
}

static void rig_close(struct rig *r)
{
	ub_console_free(&r->c);
	ub_stream_close(r->cs);
	ub_stream_close(r->ss);
	close(r->con[1]);
	close(r->side[1]);
}

static int to_dump(void *ctx, const char *line, size_t len)
{
	return ub_dump_line(ctx, line, len) ? -1 : 0;
}

/* The dump of split_whole's DUMP through the rig. */
static int run_dump(struct rig *r, int idle_ms, struct ub_dump *d,
		    struct ub_console_out *out, struct ub_console_side *side)
{
	struct ub_err e;

	return ub_console_run_split(&r->c, r->ss, "setenv stdout nc; md.l 1000 8", "setenv stdout serial",
				    idle_ms, to_dump, d, out, side, &e);
}

#define ECHO "=> setenv stdout nc; md.l 1000 8; echo __UB1_END=$?__; setenv stdout serial; echo __UB1_RC=$?__\r\n"
#define DUMP "00001000: 56190527 23ffcc9a 00000000 ffffffff  '..V...#........\n" \
	     "00001010: 03020100 07060504 0b0a0908 0f0e0d0c  ................\n"

static void split_whole(void **state)
{
	struct rig r;
	struct ub_console_out out;
	struct ub_console_side side;
	uint8_t buf[32];
	struct ub_dump d = { 0x1000, buf, sizeof buf, 0, 0, 4 };

	(void)state;
	/* the console's marker is there before any datagram: the side's
	 * output is still waited for */
	rig_open(&r, ECHO "__UB1_RC=0__\r\n=> ");
	rig_send(&r, DUMP "__UB1_END=0__\n", 31);
	assert_int_equal(run_dump(&r, 2000, &d, &out, &side), 0);
	assert_int_equal(side.status, 0);
	assert_int_equal(side.bytes, strlen(DUMP "__UB1_END=0__\n"));
	assert_int_equal(d.got, 32);
	assert_int_equal(buf[0], 0x27);
	assert_int_equal(buf[31], 0x0f);
	assert_int_equal(out.status, 0);
	ub_console_out_free(&out);
	rig_close(&r);
}

static void split_lost(void **state)
{
	struct rig r;
	struct ub_console_out out;
	struct ub_console_side side;
	uint8_t buf[32];
	struct ub_dump d = { 0x1000, buf, sizeof buf, 0, 0, 4 };

	(void)state;
	/* the end never comes: the first line only, then silence */
	rig_open(&r, ECHO "__UB1_RC=0__\r\n=> ");
	rig_send(&r, "00001000: 56190527 23ffcc9a 00000000 ffffffff  '..V...#........\n", 64);
	assert_int_equal(run_dump(&r, 2000, &d, &out, &side), 0);
	assert_int_equal(side.status, -1);
	assert_int_equal(d.got, 16);
	ub_console_out_free(&out);
	rig_close(&r);

	/* nothing on the side at all, and the board's complaint on the
	 * console is kept for the message */
	rig_open(&r, ECHO "Error: ethernet@2188000 address not set.\r\n__UB1_RC=0__\r\n=> ");
	assert_int_equal(run_dump(&r, 2000, &d, &out, &side), 0);
	assert_int_equal(side.bytes, 0);
	assert_int_equal(side.status, -1);
	assert_non_null(strstr(out.text, "address not set"));
	ub_console_out_free(&out);
	rig_close(&r);

	/* the console falls silent too: a timeout, not a pass, and what it
	 * said before is kept for the message */
	rig_open(&r, ECHO "Error: ethernet@2188000 address not set.\r\n");
	assert_int_equal(run_dump(&r, 300, &d, &out, &side), UB_ETIMEOUT);
	assert_int_equal(side.bytes, 0);
	assert_non_null(out.text);
	assert_non_null(strstr(out.text, "address not set"));
	ub_console_out_free(&out);
	rig_close(&r);
}

/* A free UDP port on loopback, for a stream to bind. */
static int free_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t l = sizeof a;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &l), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static void send_from(const char *src, int port, const char *text)
{
	struct sockaddr_in a = { .sin_family = AF_INET }, to = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	inet_pton(AF_INET, src, &a.sin_addr);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
	to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	to.sin_port = htons((uint16_t)port);
	assert_int_equal(sendto(fd, text, strlen(text), 0, (struct sockaddr *)&to, sizeof to), (ssize_t)strlen(text));
	close(fd);
}

static void udp_one_sender(void **state)
{
	struct ub_stream *s, *twice;
	struct ub_err e;
	char addr[32], buf[64];
	int port = free_port();

	(void)state;
	snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
	assert_int_equal(ub_stream_open(&s, "udp", addr, "from=127.0.0.1", &e), 0);
	/* another board on the same network first: not heard */
	send_from("127.0.0.2", port, "other board\n");
	send_from("127.0.0.1", port, "ours\n");
	assert_int_equal(ub_stream_read(s, buf, sizeof buf, 1000, &e), 5);
	assert_memory_equal(buf, "ours\n", 5);
	assert_int_equal(ub_stream_read(s, buf, sizeof buf, 100, &e), 0);
	assert_int_equal(ub_stream_write(s, "x", 1, 100, &e), UB_EUSAGE);
	/* the port is taken: said, with what to check */
	assert_int_equal(ub_stream_open(&twice, "udp", addr, NULL, &e), UB_ENODEV);
	assert_non_null(strstr(e.msg, "not an address of this machine, or the port is taken"));
	assert_int_equal(ub_stream_open(&twice, "udp", "127.0.0.1", NULL, &e), UB_EUSAGE);
	assert_int_equal(ub_stream_open(&twice, "udp", "127.0.0.1:6666", "from=board", &e), UB_EUSAGE);
	ub_stream_close(s);
}

/* A line a datagram: a read takes every whole datagram that fits. */
static void udp_whole_datagrams(void **state)
{
	struct ub_stream *s;
	struct ub_err e;
	char addr[32], buf[64];
	int port = free_port();

	(void)state;
	snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
	assert_int_equal(ub_stream_open(&s, "udp", addr, "from=127.0.0.1", &e), 0);
	send_from("127.0.0.1", port, "line1\n");
	send_from("127.0.0.2", port, "other\n");
	send_from("127.0.0.1", port, "line2\n");
	send_from("127.0.0.1", port, "0123456789");
	/* room for one and a bit: the second stays whole for the next read */
	assert_int_equal(ub_stream_read(s, buf, 8, 1000, &e), 6);
	assert_memory_equal(buf, "line1\n", 6);
	assert_int_equal(ub_stream_read(s, buf, sizeof buf, 1000, &e), 16);
	assert_memory_equal(buf, "line2\n0123456789", 16);
	ub_stream_close(s);
}

/* The netconsole as the console: commands go out in datagrams U-Boot's
 * 512-byte input takes whole.  Sent to this machine's own port, they come
 * back as a board's output would. */
static void netconsole_console(void **state)
{
	struct ub_stream *s, *bad;
	struct ub_err e;
	char addr[32], buf[1024], cmd[600];
	int port = free_port();
	long n, total = 0;

	(void)state;
	snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
	assert_int_equal(ub_stream_open(&s, "netconsole", addr, "server_ip=127.0.0.1", &e), 0);
	memset(cmd, 'a', sizeof cmd);
	assert_int_equal(ub_stream_write(s, cmd, sizeof cmd, 1000, &e), 0);
	/* room for 300: one datagram of 256, the next kept whole */
	assert_int_equal(ub_stream_read(s, buf, 300, 1000, &e), 256);
	while (total < 344 && (n = ub_stream_read(s, buf, sizeof buf, 1000, &e)) > 0)
		total += n;
	assert_int_equal(total, 344);
	ub_stream_close(s);
	assert_int_equal(ub_stream_open(&bad, "netconsole", "board", NULL, &e), UB_EUSAGE);
	assert_non_null(strstr(e.msg, "the board's IPv4 address[:PORT]"));
	assert_int_equal(ub_stream_open(&bad, "netconsole", "10.0.0.1:99999", NULL, &e), UB_EUSAGE);
	assert_int_equal(ub_stream_open(&bad, "netconsole", "10.0.0.1", "server_ip=me", &e), UB_EUSAGE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(coninfo_devices),
		cmocka_unit_test(split_whole),
		cmocka_unit_test(split_lost),
		cmocka_unit_test(udp_one_sender),
		cmocka_unit_test(udp_whole_datagrams),
		cmocka_unit_test(netconsole_console),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
