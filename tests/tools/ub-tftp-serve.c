/* Test driver: serves FILE as NAME over TFTP on ADDR:PORT, one transfer,
 * and prints what happened as one JSON line, failed transfers included
 * (their "error" is the message, which may quote the client's).  With -r,
 * receives a write of NAME instead, exactly SIZE bytes, into FILE.
 *   ub-tftp-serve ADDR PORT NAME FILE [MAX_BLKSIZE [MAX_WINDOW]]
 *   ub-tftp-serve -r SIZE ADDR PORT NAME FILE [MAX_BLKSIZE] */
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
	struct ub_src src = { 0 };
	struct ub_err e;
	const char *file;
	uint8_t *got = NULL;
	int rc;

	if (argc > 2 && strcmp(argv[1], "-r") == 0) {
		o.sink_len = (size_t)strtoull(argv[2], NULL, 10);
		if (!(o.sink = got = malloc(o.sink_len + 1)))
			return 1;
		argv += 2;
		argc -= 2;
	}
	if (argc < 5) {
		fprintf(stderr, "usage: ub-tftp-serve [-r SIZE] ADDR PORT NAME FILE [MAX_BLKSIZE [MAX_WINDOW]]\n");
		return 2;
	}
	file = argv[4];
	if (!got && ub_src_open(&src, file, &e) != 0) {
		fprintf(stderr, "ub-tftp-serve: %s\n", e.msg);
		return 1;
	}
	o.bind_addr = argv[1];
	o.port = (unsigned)atoi(argv[2]);
	o.name = argv[3];
	o.src = got ? NULL : &src;
	o.max_blksize = argc > 5 ? (unsigned)atoi(argv[5]) : 0;
	o.max_window = argc > 6 ? (unsigned)atoi(argv[6]) : 0;
	o.wait_ms = 30000;
	if ((rc = ub_tftp_server_start(&s, &o, NULL, &e)) == 0) {
		fprintf(stderr, "listening on %s:%u\n", argv[1], ub_tftp_server_port(s));
		rc = ub_tftp_server_finish(s, &st, &e);
	}
	if (got) {
		FILE *f = rc ? NULL : fopen(file, "wb");

		if (f) {
			int bad = fwrite(got, 1, o.sink_len, f) != o.sink_len;

			if (fclose(f) != 0 || bad)
				f = NULL;
		}
		if (!rc && !f)
			rc = ub_err_set(&e, UB_EIO, NULL, "cannot write %s", file);
		free(got);
	} else {
		ub_src_close(&src);
	}
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
