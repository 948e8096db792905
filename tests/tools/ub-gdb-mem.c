/* Test driver: target memory through unbrick's GDB remote protocol client,
 * so that peer tests and bench/gdb can compare it with gdb-multiarch on
 * the same stub:
 *   ub-gdb-mem HOST:PORT write ADDR FILE   FILE's bytes to ADDR
 *   ub-gdb-mem HOST:PORT read ADDR LEN FILE
 * It says on stderr how long the transfer took (connecting not counted)
 * and leaves the connection without resuming the target. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/progress.h"
#include "io/stream.h"
#include "proto/gdb_rsp.h"

int main(int argc, char **argv)
{
	struct ub_stream *s;
	struct ub_rsp r;
	struct ub_err e;
	unsigned long long addr, len = 0;
	uint8_t *buf = NULL;
	FILE *f;
	double t0;
	int rc, writing;

	if (argc < 5 || (strcmp(argv[2], "write") && strcmp(argv[2], "read")) ||
	    (strcmp(argv[2], "read") == 0 && argc != 6) || (strcmp(argv[2], "write") == 0 && argc != 5)) {
		fprintf(stderr, "usage: ub-gdb-mem HOST:PORT write ADDR FILE | read ADDR LEN FILE\n");
		return 2;
	}
	writing = strcmp(argv[2], "write") == 0;
	addr = strtoull(argv[3], NULL, 0);
	if (writing) {
		if (!(f = fopen(argv[4], "rb")) || fseek(f, 0, SEEK_END) || (long)(len = (unsigned long long)ftell(f)) < 0 ||
		    fseek(f, 0, SEEK_SET) || !(buf = malloc(len ? len : 1)) || fread(buf, 1, len, f) != len) {
			perror(argv[4]);
			return 1;
		}
		fclose(f);
	} else {
		len = strtoull(argv[4], NULL, 0);
		if (!(buf = malloc(len ? len : 1)))
			return 1;
	}
	if ((rc = ub_stream_open(&s, "tcp", argv[1], NULL, &e)) || (rc = ub_rsp_open(&r, s, &e))) {
		fprintf(stderr, "ub-gdb-mem: %s\n", e.msg);
		return 1;
	}
	t0 = ub_now();
	rc = writing ? ub_rsp_write_mem(&r, addr, buf, len, NULL, &e) : ub_rsp_read_mem(&r, addr, buf, len, NULL, &e);
	if (!rc)
		fprintf(stderr, "%s %llu bytes in %.3f s (%llu packets of up to %zu bytes%s)\n", writing ? "wrote" : "read",
			len, ub_now() - t0, (unsigned long long)r.stats.packets, r.packet_size,
			r.acks ? ", acknowledged" : "");
	else
		fprintf(stderr, "ub-gdb-mem: %s\n", e.msg);
	ub_rsp_close(&r);
	if (!rc && !writing) {
		if (!(f = fopen(argv[5], "wb")) || fwrite(buf, 1, len, f) != len || fclose(f)) {
			perror(argv[5]);
			rc = 1;
		}
	}
	free(buf);
	return rc ? 1 : 0;
}
