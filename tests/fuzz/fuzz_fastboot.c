/* Everything a fastboot device sends: replies, UDP packets (header, query
 * and init answers), the TCP handshake and message lengths; then the UDP
 * and TCP transports themselves, fed the input as the device's side of a
 * session (datagrams of a one-byte length each, or one byte stream),
 * through a handshake, a getvar and a small download. */
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "proto/fastboot.h"
#include "proto/fastboot_tcp.h"
#include "proto/fastboot_udp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int zeros(void *ctx, uint64_t off, uint8_t *buf, size_t n, struct ub_err *e)
{
	(void)ctx;
	(void)off;
	(void)e;
	memset(buf, 0, n);
	return 0;
}

static void session(struct ub_fb_transport *t)
{
	struct ub_fb fb = { t, NULL, NULL, 0 };
	struct ub_err e;
	char v[64];

	ub_fb_getvar(&fb, "product", v, sizeof v, 1, &e);
	ub_fb_download(&fb, 3000, zeros, NULL, NULL, 1, &e);
	ub_fb_do(&fb, "flash", "boot", 1, &e);
	ub_fb_close(&fb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_fbudp_opts o = { 1, 1, 1, 0 };
	struct ub_fbudp_header h;
	struct ub_fb_transport *t;
	struct ub_fb_reply r;
	struct ub_err e;
	unsigned a, b;
	uint16_t seq;
	size_t at;
	int sv[2];

	ub_fb_reply_parse(data, size, &r, &e);
	(void)strlen(r.text);
	ub_fbudp_header(data, size, &h);
	ub_fbudp_query_answer(data, size, &seq, &e);
	ub_fbudp_init_answer(data, size, &a, &b, &e);
	ub_fbtcp_handshake_answer(data, size, &a, &e);
	if (size >= 8)
		(void)ub_fbtcp_length(data);

	/* UDP: the input as the device's datagrams, all waiting at once */
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sv) == 0) {
		fcntl(sv[1], F_SETFL, O_NONBLOCK);
		for (at = 0; at < size;) {
			size_t n = data[at++];

			if (n > size - at)
				n = size - at;
			if (send(sv[1], data + at, n, 0) < 0)
				break;
			at += n;
		}
		if (ub_fbudp_open_fd(&t, sv[0], "fuzz", &o, &e) == 0)
			session(t);
		close(sv[1]);
	}
	/* TCP: the input as the device's byte stream, then the end */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0) {
		fcntl(sv[1], F_SETFL, O_NONBLOCK);
		if (size && write(sv[1], data, size) < 0)
			(void)0;
		shutdown(sv[1], SHUT_WR);
		if (ub_fbtcp_open_fd(&t, sv[0], "fuzz", 1, &e) == 0)
			session(t);
		close(sv[1]);
	}
	return 0;
}
