/* Test driver: serves FILE as NAME over TFTP on ADDR:PORT, one transfer,
 * and prints what happened as one JSON line, failed transfers included
 * (their "error" is the message, which may quote the client's).
 *   ub-tftp-serve ADDR PORT NAME FILE [MAX_BLKSIZE [MAX_WINDOW]] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proto/tftp_server.h"

/* A JSON string: the message can carry bytes a client sent. */
static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20 || c >= 0x7f)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

int main(int argc, char **argv)
{
	struct ub_tftp_opts o = { 0 };
	struct ub_tftp_server *s;
	struct ub_tftp_stats st = { 0 };
	struct ub_src src;
	struct ub_err e;
	int rc;

	if (argc < 5) {
		fprintf(stderr, "usage: ub-tftp-serve ADDR PORT NAME FILE [MAX_BLKSIZE [MAX_WINDOW]]\n");
		return 2;
	}
	if (ub_src_open(&src, argv[4], &e) != 0) {
		fprintf(stderr, "ub-tftp-serve: %s\n", e.msg);
		return 1;
	}
	o.bind_addr = argv[1];
	o.port = (unsigned)atoi(argv[2]);
	o.name = argv[3];
	o.src = &src;
	o.max_blksize = argc > 5 ? (unsigned)atoi(argv[5]) : 0;
	o.max_window = argc > 6 ? (unsigned)atoi(argv[6]) : 0;
	o.wait_ms = 30000;
	if ((rc = ub_tftp_server_start(&s, &o, NULL, &e)) == 0) {
		fprintf(stderr, "listening on %s:%u\n", argv[1], ub_tftp_server_port(s));
		rc = ub_tftp_server_finish(s, &st, &e);
	}
	ub_src_close(&src);
	printf("{\"bytes\": %llu, \"blocks\": %llu, \"retransmits\": %u, \"blksize\": %u, \"windowsize\": %u, \"seconds\": %.3f, \"unconfirmed\": %s",
	       (unsigned long long)st.bytes, (unsigned long long)st.blocks, st.retransmits, st.blksize,
	       st.windowsize, st.seconds, st.unconfirmed ? "true" : "false");
	if (rc) {
		printf(", \"error\": ");
		json_str(e.msg);
		printf(", \"advice\": ");
		json_str(e.advice_id ? e.advice_id : "");
		fprintf(stderr, "ub-tftp-serve: %s\n", e.msg);
	}
	printf("}\n");
	return rc ? 1 : 0;
}
