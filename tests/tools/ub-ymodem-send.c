/* Test driver: sends FILE over the descriptor FD with unbrick's YMODEM
 * sender, so that peer tests can put lrzsz's receiver on the other end. */
#include <stdio.h>
#include <string.h>

#include "image/src.h"
#include "proto/ymodem.h"

int main(int argc, char **argv)
{
	struct ub_stream *s;
	struct ub_src src;
	struct ub_ymodem_stats st;
	struct ub_err e;
	const char *base;
	int rc;

	if (argc != 3) {
		fprintf(stderr, "usage: ub-ymodem-send FD FILE\n");
		return 2;
	}
	base = strrchr(argv[2], '/') ? strrchr(argv[2], '/') + 1 : argv[2];
	if ((rc = ub_src_open(&src, argv[2], &e)) ||
	    (rc = ub_stream_open(&s, "fd", argv[1], NULL, &e))) {
		fprintf(stderr, "ub-ymodem-send: %s\n", e.msg);
		return 1;
	}
	rc = ub_ymodem_send(s, base, &src, 20000, NULL, &st, &e);
	if (rc)
		fprintf(stderr, "ub-ymodem-send: %s\n", e.msg);
	else
		fprintf(stderr, "sent %llu bytes in %u blocks, %u resent\n",
			(unsigned long long)st.bytes, st.blocks, st.resends);
	ub_stream_close(s);
	ub_src_close(&src);
	return rc ? 1 : 0;
}
