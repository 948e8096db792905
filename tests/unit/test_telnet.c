/* Console servers: the telnet codec against byte sequences a server
 * sends (ser2net's own opening among them), and the telnet and tcp streams
 * against scripted servers on loopback.  ser2net itself is in
 * tests/peer/console_telnet.sh. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "io/stream.h"
#include "io/telnet.h"

#define B(s) ((const uint8_t *)(s)), (sizeof(s) - 1)
#define IAC "\xff"
#define WILL "\xfb"
#define WONT "\xfc"
#define DO "\xfd"
#define DONT "\xfe"
#define SB "\xfa"
#define SE "\xf0"

static void expect_out(struct ub_telnet *t, const char *want, size_t len)
{
	assert_int_equal(t->out_len, len);
	assert_memory_equal(t->out, want, len);
	ub_telnet_sent(t);
}
#define EXPECT_OUT(t, s) expect_out((t), (s), sizeof(s) - 1)

static void opening(void **state)
{
	struct ub_telnet t;

	(void)state;
	ub_telnet_init(&t, 0);
	EXPECT_OUT(&t, IAC DO "\0" IAC WILL "\0" IAC DO "\3" IAC WILL "\3");
	assert_false(ub_telnet_settled(&t));
	ub_telnet_init(&t, 1);
	EXPECT_OUT(&t, IAC DO "\0" IAC WILL "\0" IAC DO "\3" IAC WILL "\3" IAC WILL ",");
}

/* What ser2net 4.3 sends on connecting to a telnet(rfc2217) port, crossing
 * this side's own requests: only the new things get an answer. */
static void ser2net_opening(void **state)
{
	static const char ser2net[] = IAC WILL "\3" IAC DO "\3" IAC WILL "\1" IAC DONT "\1"
		IAC DO "\0" IAC WILL "\0" IAC DO ",";
	struct ub_telnet t;
	uint8_t out[64];

	(void)state;
	ub_telnet_init(&t, 0);
	ub_telnet_sent(&t);
	assert_int_equal(ub_telnet_decode(&t, B(ser2net), out), 0);
	/* it will echo (the board's echo passes through it): yes; it asks
	 * for RFC 2217, which nothing here asked for: no */
	EXPECT_OUT(&t, IAC DO "\1" IAC WONT ",");
	assert_true(ub_telnet_settled(&t));
	assert_int_equal(t.us[UB_TN_OPT_BINARY], UB_TN_YES);
	assert_int_equal(t.him[UB_TN_OPT_BINARY], UB_TN_YES);
	assert_int_equal(t.him[UB_TN_OPT_ECHO], UB_TN_YES);
	assert_int_equal(t.us[UB_TN_OPT_COMPORT], UB_TN_NO);

	/* agreements repeated change nothing, so nothing is answered (no
	 * loop); a request refused and made again is refused again */
	assert_int_equal(ub_telnet_decode(&t, B(IAC WILL "\3" IAC DO "\0" IAC WILL "\1"), out), 0);
	EXPECT_OUT(&t, "");
	ub_telnet_decode(&t, B(IAC DO ","), out);
	EXPECT_OUT(&t, IAC WONT ",");

	/* with RFC 2217 wanted, its DO is the answer to our WILL */
	ub_telnet_init(&t, 1);
	ub_telnet_sent(&t);
	ub_telnet_decode(&t, B(ser2net), out);
	EXPECT_OUT(&t, IAC DO "\1");
	assert_int_equal(t.us[UB_TN_OPT_COMPORT], UB_TN_YES);
}

static void refusals(void **state)
{
	struct ub_telnet t;
	uint8_t out[64];

	(void)state;
	ub_telnet_init(&t, 0);
	ub_telnet_sent(&t);
	/* terminal type, window size, linemode: none of them */
	ub_telnet_decode(&t, B(IAC DO "\x18" IAC DO "\x1f" IAC WILL "\x22"), out);
	EXPECT_OUT(&t, IAC WONT "\x18" IAC WONT "\x1f" IAC DONT "\x22");
	/* a server that refuses binary: a refusal, not something to answer */
	ub_telnet_decode(&t, B(IAC DONT "\0" IAC WONT "\0" IAC WONT "\3" IAC DONT "\3"), out);
	EXPECT_OUT(&t, "");
	assert_true(ub_telnet_settled(&t));
	assert_int_equal(t.us[UB_TN_OPT_BINARY], UB_TN_NO);
	/* it turns echo on and off again: each change is acknowledged */
	ub_telnet_decode(&t, B(IAC WILL "\1" IAC WONT "\1"), out);
	EXPECT_OUT(&t, IAC DO "\1" IAC DONT "\1");
}

static void data_and_escapes(void **state)
{
	struct ub_telnet t;
	uint8_t out[64];
	size_t n;

	(void)state;
	ub_telnet_init(&t, 0);
	ub_telnet_sent(&t);
	n = ub_telnet_decode(&t, B("=> " IAC IAC "x" IAC "\xf1" IAC "\xf9" "y"), out);
	assert_int_equal(n, 6);
	assert_memory_equal(out, "=> \xffxy", 6);
	/* an escape cut between two reads */
	n = ub_telnet_decode(&t, B("a" IAC), out);
	assert_int_equal(n, 1);
	n = ub_telnet_decode(&t, B(IAC "b"), out);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "\xff" "b", 2);
	/* a request cut after its verb */
	n = ub_telnet_decode(&t, B("c" IAC DO), out);
	assert_int_equal(n, 1);
	n = ub_telnet_decode(&t, B("\x18" "d"), out);
	assert_int_equal(n, 1);
	EXPECT_OUT(&t, IAC WONT "\x18");
	/* decoding in place */
	memcpy(out, "ab" IAC IAC "c", 5);
	assert_int_equal(ub_telnet_decode(&t, out, 5, out), 4);
	assert_memory_equal(out, "ab\xff" "c", 4);
}

/* Without binary, telnet's NVT rules: CR goes as CR NUL unless LF follows,
 * and a CR NUL that comes is a CR.  With binary, bytes are bytes. */
static void nvt_and_binary(void **state)
{
	struct ub_telnet t;
	uint8_t out[64];
	size_t n;

	(void)state;
	ub_telnet_init(&t, 0);
	n = ub_telnet_encode(&t, B("a\rb\r\n" "\xff" "\r"), out);
	assert_int_equal(n, 10);
	assert_memory_equal(out, "a\r\0b\r\n\xff\xff\r\0", 10);
	n = ub_telnet_decode(&t, B("x\r\0y\r\n"), out);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "x\ry\r\n", 5);
	/* a CR NUL cut between two reads */
	n = ub_telnet_decode(&t, B("z\r"), out);
	assert_int_equal(n, 2);
	n = ub_telnet_decode(&t, B("\0w"), out);
	assert_int_equal(n, 1);
	assert_memory_equal(out, "w", 1);

	ub_telnet_decode(&t, B(IAC DO "\0" IAC WILL "\0"), out);
	n = ub_telnet_encode(&t, B("a\r\0\xff"), out);
	assert_int_equal(n, 5);
	assert_memory_equal(out, "a\r\0\xff\xff", 5);
	n = ub_telnet_decode(&t, B("x\r\0y"), out);
	assert_int_equal(n, 4);
	assert_memory_equal(out, "x\r\0y", 4);
}

static void rfc2217(void **state)
{
	struct ub_telnet t;
	uint8_t out[64];
	const uint8_t rate[4] = { 0, 0, 0xff, 0 };   /* 65280: an escape inside a value */

	(void)state;
	ub_telnet_init(&t, 1);
	ub_telnet_sent(&t);
	ub_telnet_comport(&t, UB_TN_CP_SET_BAUDRATE, rate, 4);
	EXPECT_OUT(&t, IAC SB ",\1\0\0\xff\xff\0" IAC SE);

	/* the answers, cut anywhere, with a modem-state notice between */
	assert_int_equal(ub_telnet_decode(&t, B("a" IAC SB ",e\0\0"), out), 1);
	assert_int_equal(t.baud, -1);
	assert_int_equal(ub_telnet_decode(&t, B(IAC IAC "\0" IAC SE "b"), out), 1);
	assert_int_equal(t.baud, 65280);
	ub_telnet_decode(&t, B(IAC SB ",k\x30" IAC SE IAC SB ",i\x08" IAC SE IAC SB ",i\x0b" IAC SE), out);
	assert_int_equal(t.control_answers, 2);
	assert_int_equal(t.controls[0], 8);
	assert_int_equal(t.controls[1], 11);
	/* answers for another option, or too short, are not RFC 2217's */
	ub_telnet_decode(&t, B(IAC SB "\x18" "e\0\0\0\1" IAC SE IAC SB ",e\1" IAC SE), out);
	assert_int_equal(t.baud, 65280);
	EXPECT_OUT(&t, "");
}

static void broken_subnegotiation(void **state)
{
	struct ub_telnet t;
	uint8_t out[256], in[200];
	size_t n;

	(void)state;
	ub_telnet_init(&t, 1);
	/* longer than the codec keeps: ignored, and the data after it kept */
	memcpy(in, IAC SB ",e", 4);
	memset(in + 4, 7, 180);
	memcpy(in + 184, IAC SE "ok", 4);
	n = ub_telnet_decode(&t, in, 188, out);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "ok", 2);
	assert_int_equal(t.baud, -1);
	/* a command where SE belongs: the subnegotiation is dropped and the
	 * command taken */
	ub_telnet_sent(&t);
	n = ub_telnet_decode(&t, B(IAC SB ",e\0\0\1\0" IAC DO "\x18" "z"), out);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 'z');
	assert_int_equal(t.baud, -1);
	EXPECT_OUT(&t, IAC WONT "\x18");
}

/* A server that talks first and prints while negotiating (a board
 * already running): nothing it printed is lost, and what unbrick writes
 * arrives escaped. */
static void *script_server(void *arg)
{
	int l = *(int *)arg, c = accept(l, NULL, NULL);
	uint8_t buf[256];
	size_t got = 0;
	ssize_t n;

	static const char hello[] = IAC WILL "\1" IAC DO "\0" IAC WILL "\0" "U-Boot 2023\r\n";
	if (c < 0)
		return NULL;
	(void)!write(c, hello, sizeof hello - 1);
	/* answer the client's four requests, then print the prompt */
	usleep(100 * 1000);
	(void)!write(c, IAC WILL "\3" IAC DO "\3" "=> ", 9);
	while (got < sizeof buf && (n = read(c, buf + got, sizeof buf - got)) > 0) {
		got += (size_t)n;
		if (memmem(buf, got, "END", 3))
			break;
	}
	/* what came after the negotiation: the client's data */
	{
		uint8_t *d = memmem(buf, got, "cmd", 3);

		if (d && memcmp(d, "cmd\xff\xff" "END", 8) == 0)
			(void)!write(c, "good", 4);
	}
	usleep(200 * 1000);
	close(c);
	return NULL;
}

static void stream_over_loopback(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct ub_stream *s;
	struct ub_err e = { 0 };
	pthread_t th;
	char addr[64], got[256] = "";
	size_t len = 0;
	long n;

	(void)state;
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(l, 1), 0);
	getsockname(l, (struct sockaddr *)&sa, &sl);
	snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(sa.sin_port));
	pthread_create(&th, NULL, script_server, &l);
	assert_int_equal(ub_stream_open(&s, "telnet", addr, NULL, &e), 0);
	/* the banner came while negotiating: it waits to be read */
	assert_true(ub_stream_pending(s));
	while (!strstr(got, "=> ") && (n = ub_stream_read(s, got + len, sizeof got - 1 - len, 2000, &e)) > 0)
		len += (size_t)n;
	assert_string_equal(got, "U-Boot 2023\r\n=> ");
	assert_false(ub_stream_pending(s));
	assert_int_equal(ub_stream_write(s, "cmd\xff" "END", 7, 1000, &e), 0);
	len = 0;
	while (len < 4 && (n = ub_stream_read(s, got + len, sizeof got - 1 - len, 2000, &e)) > 0)
		len += (size_t)n;
	got[len] = '\0';
	assert_string_equal(got, "good");
	ub_stream_close(s);
	pthread_join(th, NULL);
	close(l);
}

/* A raw TCP port answers nothing to telnet's requests. */
static void *silent_server(void *arg)
{
	int c = accept(*(int *)arg, NULL, NULL);

	usleep(2500 * 1000);
	if (c >= 0)
		close(c);
	return NULL;
}

static void not_a_telnet_server(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct ub_stream *s;
	struct ub_err e = { 0 };
	pthread_t th;
	char addr[64];

	(void)state;
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(l, 1), 0);
	getsockname(l, (struct sockaddr *)&sa, &sl);
	snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(sa.sin_port));
	pthread_create(&th, NULL, silent_server, &l);
	assert_int_equal(ub_stream_open(&s, "telnet", addr, NULL, &e), UB_EUSAGE);
	assert_non_null(strstr(e.msg, "not a telnet server"));
	assert_int_equal(ub_stream_open(&s, "telnet", addr, "dtr=yes", &e), UB_EUSAGE);
	assert_non_null(strstr(e.msg, "dtr=yes: say on or off"));
	pthread_join(th, NULL);
	close(l);
}

/* A raw TCP server that refuses the session with a line and a close. */
static void *busy_server(void *arg)
{
	int c = accept(*(int *)arg, NULL, NULL);

	if (c >= 0) {
		(void)!write(c, "Port already in use\r\n", 21);
		close(c);
	}
	return NULL;
}

static void raw_server_refuses(void **state)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t sl = sizeof sa;
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct ub_stream *s;
	struct ub_err e = { 0 };
	pthread_t th;
	char addr[64], buf[64];
	long n, r;

	(void)state;
	assert_int_equal(bind(l, (struct sockaddr *)&sa, sizeof sa), 0);
	assert_int_equal(listen(l, 1), 0);
	getsockname(l, (struct sockaddr *)&sa, &sl);
	snprintf(addr, sizeof addr, "127.0.0.1:%d", ntohs(sa.sin_port));
	pthread_create(&th, NULL, busy_server, &l);
	assert_int_equal(ub_stream_open(&s, "tcp", addr, NULL, &e), 0);
	pthread_join(th, NULL);
	for (n = 0; (r = ub_stream_read(s, buf, sizeof buf, 2000, &e)) > 0; n += r)
		;
	assert_int_equal(n, 21);
	assert_int_equal(r, UB_ENODEV);
	assert_non_null(strstr(e.msg, "closed the connection; it said \"Port already in use\""));
	ub_stream_close(s);
	close(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(opening),
		cmocka_unit_test(ser2net_opening),
		cmocka_unit_test(refusals),
		cmocka_unit_test(data_and_escapes),
		cmocka_unit_test(nvt_and_binary),
		cmocka_unit_test(rfc2217),
		cmocka_unit_test(broken_subnegotiation),
		cmocka_unit_test(stream_over_loopback),
		cmocka_unit_test(not_a_telnet_server),
		cmocka_unit_test(raw_server_refuses),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
