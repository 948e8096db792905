/* A fastboot device over TCP for the tests (no real one speaks TCP here):
 * AOSP's TCP framing ("FB01" both ways, then 8-byte big-endian lengths)
 * on a real socket, the commands a bootloader has, and partitions that
 * are ranges of a file.  It is checked against Debian's fastboot client
 * before unbrick is (tests/peer/fastboot_tcp.sh, fastboot_sets.sh).
 *
 *   ub-fastboot-device PORT FILE NAME:OFFSET:SIZE... [-m MAX_DOWNLOAD]
 *                      [-v NAME=VALUE]... [-p PIDFILE] [-r REBOOT_MS] [-x COMMAND] [-n]
 *
 * getvar answers -v variables first, then version, product, serialno,
 * max-download-size, partition-size:P, partition-type:P, has-slot:P,
 * is-userspace, and all (as INFO lines).  download takes up to
 * MAX_DOWNLOAD bytes; flash writes the download into a partition, raw or
 * Android sparse (its "don't care" left alone); erase writes zeros.
 *
 * As a phone's bootloader does:
 * - reboot and reboot-bootloader end the connection as a reset would; the
 *   device stops listening for REBOOT_MS (default 300) and comes back.
 * - version-bootloader and version-baseband are what the bootloader and
 *   radio partitions hold: the text after "UB-VERSION=" in them (up to a
 *   NUL or a line's end), read when the device starts and after each
 *   reboot, so a new bootloader's version shows once it runs.
 * - while unlocked is "no", flash and erase fail ("Flashing is not
 *   allowed in Lock State"); flashing unlock and flashing lock erase the
 *   userdata partition (zeros) and set unlocked.
 * set_active sets current-slot; continue answers OKAY.  -x COMMAND: the
 * device dies (exits, no answer) when it is sent COMMAND, as a phone
 * whose cable is pulled at that moment.  -n: reboot and reboot-bootloader
 * answer OKAY and nothing happens, as a bootloader that cannot reset.
 * One connection at a time, as long as it runs; a log line per command
 * on stderr. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "image/sparse.h"
#include "image/src.h"
#include "proto/fastboot_tcp.h"

#define MAX_PARTS 16
#define MAX_VARS 16

struct part {
	char name[32];
	uint64_t off, size;
};

static struct part parts[MAX_PARTS];
static int nparts;
static char vars[MAX_VARS][2][64];
static int nvars;
static uint64_t max_download = 1u << 20;
static int img_fd;
static uint8_t *dl;
static uint64_t dl_len;
static int reboot_ms = 300;
static const char *die_at;
static int no_reset;

static int read_all(int fd, void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n > 0) {
		ssize_t k = read(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n > 0) {
		ssize_t k = write(fd, p, n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int reply(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int reply(int fd, const char *fmt, ...)
{
	char r[300];
	uint8_t h[8];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(r, sizeof r, fmt, ap);
	va_end(ap);
	if (n > 256)
		n = 256;
	ub_fbtcp_put_length(h, (uint64_t)n);
	return write_all(fd, h, 8) || write_all(fd, r, (size_t)n) ? -1 : 0;
}

static struct part *find(const char *name)
{
	int i;

	for (i = 0; i < nparts; i++)
		if (strcmp(parts[i].name, name) == 0)
			return &parts[i];
	return NULL;
}

static const char *var(const char *name, char *buf, size_t len)
{
	struct part *p;
	int i;

	for (i = 0; i < nvars; i++)
		if (strcmp(vars[i][0], name) == 0)
			return vars[i][1];
	if (strcmp(name, "version") == 0)
		return "0.4";
	if (strcmp(name, "product") == 0)
		return "unbrick-sim";
	if (strcmp(name, "serialno") == 0)
		return "SIM0001";
	if (strcmp(name, "is-userspace") == 0)
		return "no";
	if (strcmp(name, "max-download-size") == 0) {
		snprintf(buf, len, "0x%08llx", (unsigned long long)max_download);
		return buf;
	}
	if (strncmp(name, "partition-size:", 15) == 0 && (p = find(name + 15))) {
		snprintf(buf, len, "0x%016llx", (unsigned long long)p->size);
		return buf;
	}
	if (strncmp(name, "partition-type:", 15) == 0 && find(name + 15))
		return "raw";
	if (strncmp(name, "has-slot:", 9) == 0 && find(name + 9))
		return "no";
	return NULL;
}

static void set_var(const char *name, const char *value)
{
	int i;

	for (i = 0; i < nvars && strcmp(vars[i][0], name) != 0; i++)
		;
	if (i == MAX_VARS)
		return;
	snprintf(vars[i][0], sizeof vars[i][0], "%s", name);
	snprintf(vars[i][1], sizeof vars[i][1], "%s", value);
	if (i == nvars)
		nvars++;
}

static int locked(void)
{
	char buf[8];
	const char *u = var("unlocked", buf, sizeof buf);

	return u && strcmp(u, "no") == 0;
}

static void zero_part(const struct part *p)
{
	static const uint8_t zero[4096];
	uint64_t at;

	for (at = 0; at < p->size; at += sizeof zero)
		if (pwrite(img_fd, zero, p->size - at < sizeof zero ? (size_t)(p->size - at) : sizeof zero,
			   (off_t)(p->off + at)) < 0)
			break;
	fdatasync(img_fd);
}

/* What the bootloader (or the radio) in partition name says it is, as
 * variable var, when the device starts. */
static void version_from(const char *name, const char *var_name)
{
	static const char mark[] = "UB-VERSION=";
	struct part *p = find(name);
	char buf[65536 + 64], *at;
	ssize_t n;
	size_t k;

	if (!p)
		return;
	n = pread(img_fd, buf, p->size < 65536 ? (size_t)p->size : 65536, (off_t)p->off);
	if (n <= 0)
		return;
	buf[n] = '\0';
	for (at = buf; at < buf + n; at++)
		if (*at == mark[0] && (size_t)(buf + n - at) > sizeof mark - 1 &&
		    memcmp(at, mark, sizeof mark - 1) == 0)
			break;
	if (at >= buf + n)
		return;
	at += sizeof mark - 1;
	for (k = 0; k < 60 && at + k < buf + n && at[k] && at[k] != '\n' && at[k] != '\r'; k++)
		;
	at[k] = '\0';
	set_var(var_name, at);
}

static void start_up(void)
{
	version_from("bootloader", "version-bootloader");
	version_from("radio", "version-baseband");
}

struct sink {
	struct part *p;
	uint64_t at;
	int bad;
};

static int to_part(void *ctx, const uint8_t *buf, size_t n, int hole)
{
	struct sink *s = ctx;

	if (s->at + n > s->p->size) {
		s->bad = 1;
		return -1;
	}
	if (!hole && pwrite(img_fd, buf, n, (off_t)(s->p->off + s->at)) != (ssize_t)n)
		return -1;
	s->at += n;
	return 0;
}

static int flash(int fd, const char *name)
{
	struct part *p = find(name);
	struct sink s = { p, 0, 0 };

	if (!p)
		return reply(fd, "FAILpartition '%s' does not exist", name);
	if (locked())
		return reply(fd, "FAILFlashing is not allowed in Lock State");
	if (!dl_len)
		return reply(fd, "FAILno image downloaded");
	if (dl_len >= 28 && dl[0] == 0x3a && dl[1] == 0xff && dl[2] == 0x26 && dl[3] == 0xed) {
		struct ub_src src;
		struct ub_err e;
		int mfd = memfd_create("download", MFD_CLOEXEC), rc;

		if (mfd < 0 || write_all(mfd, dl, (size_t)dl_len) || ub_src_from_fd(&src, mfd, "download", &e))
			return reply(fd, "FAILcannot keep the download");
		rc = ub_sparse_expand(&src, to_part, &s, &e);
		ub_src_close(&src);
		if (rc) {
			fprintf(stderr, "ub-fastboot-device: the sparse image: %s\n", s.bad ? "too large" : e.msg);
			return reply(fd, "FAIL%s", s.bad ? "sparse image too large for partition" : "bad sparse image");
		}
	} else {
		if (dl_len > p->size)
			return reply(fd, "FAILimage too large for partition");
		if (pwrite(img_fd, dl, (size_t)dl_len, (off_t)p->off) != (ssize_t)dl_len)
			return reply(fd, "FAILwrite failed");
	}
	fdatasync(img_fd);
	return reply(fd, "OKAY");
}

/* One connection; 0 when it ended, 1 when the device "reset". */
static int session(int fd)
{
	uint8_t h[8];
	char cmd[300], buf[80];

	if (read_all(fd, h, 4) || memcmp(h, "FB01", 4) != 0 || write_all(fd, "FB01", 4))
		return 0;
	while (read_all(fd, h, 8) == 0) {
		uint64_t n = ub_fbtcp_length(h);
		const char *v;

		if (n == 0 || n >= sizeof cmd)
			return 0;
		if (read_all(fd, cmd, (size_t)n))
			return 0;
		cmd[n] = '\0';
		fprintf(stderr, "ub-fastboot-device: %s\n", cmd);
		if (die_at && strcmp(cmd, die_at) == 0) {
			fprintf(stderr, "ub-fastboot-device: gone at %s (-x)\n", cmd);
			_exit(9);
		}
		if (strncmp(cmd, "getvar:", 7) == 0) {
			if (strcmp(cmd + 7, "all") == 0) {
				static const char *const names[] = { "version", "product", "serialno",
								     "max-download-size", "is-userspace" };
				size_t i;
				int k;

				for (i = 0; i < sizeof names / sizeof names[0]; i++)
					reply(fd, "INFO%s: %s", names[i], var(names[i], buf, sizeof buf));
				for (k = 0; k < nvars; k++) {
					for (i = 0; i < sizeof names / sizeof names[0] && strcmp(names[i], vars[k][0]); i++)
						;
					if (i == sizeof names / sizeof names[0])
						reply(fd, "INFO%s: %s", vars[k][0], vars[k][1]);
				}
				for (k = 0; k < nparts; k++)
					reply(fd, "INFOpartition-size:%s: 0x%016llx", parts[k].name,
					      (unsigned long long)parts[k].size);
				reply(fd, "OKAY");
			} else if ((v = var(cmd + 7, buf, sizeof buf))) {
				reply(fd, "OKAY%s", v);
			} else if (strncmp(cmd + 7, "partition-", 10) == 0 && strchr(cmd + 17, ':')) {
				reply(fd, "FAILpartition '%s' does not exist", strchr(cmd + 17, ':') + 1);
			} else {
				reply(fd, "FAILVariable not implemented");
			}
		} else if (strncmp(cmd, "download:", 9) == 0) {
			uint64_t want = strtoull(cmd + 9, NULL, 16), got = 0;

			if (want == 0 || want > max_download) {
				reply(fd, "FAILdata too large");
				continue;
			}
			free(dl);
			dl_len = 0;
			if (!(dl = malloc(want)))
				return 0;
			reply(fd, "DATA%08llx", (unsigned long long)want);
			while (got < want) {   /* data may come in several messages */
				uint64_t m;

				if (read_all(fd, h, 8))
					return 0;
				m = ub_fbtcp_length(h);
				if (m > want - got || read_all(fd, dl + got, (size_t)m))
					return 0;
				got += m;
			}
			dl_len = want;
			if (getenv("UB_FB_DUMP")) {
				static int count;
				char name[4200];
				FILE *f;

				snprintf(name, sizeof name, "%s.%d", getenv("UB_FB_DUMP"), ++count);
				f = fopen(name, "wb");

				if (f) {
					fwrite(dl, 1, (size_t)dl_len, f);
					fclose(f);
				}
			}
			reply(fd, "OKAY");
		} else if (strncmp(cmd, "flash:", 6) == 0) {
			flash(fd, cmd + 6);
		} else if (strncmp(cmd, "erase:", 6) == 0) {
			struct part *p = find(cmd + 6);

			if (!p) {
				reply(fd, "FAILpartition '%s' does not exist", cmd + 6);
				continue;
			}
			if (locked()) {
				reply(fd, "FAILErasing is not allowed in Lock State");
				continue;
			}
			zero_part(p);
			reply(fd, "OKAY");
		} else if (strcmp(cmd, "reboot") == 0 || strcmp(cmd, "reboot-bootloader") == 0) {
			reply(fd, "OKAY");
			if (!no_reset)
				return 1;
		} else if (strcmp(cmd, "flashing unlock") == 0 || strcmp(cmd, "flashing lock") == 0) {
			/* a phone wipes the owner's data either way */
			if (find("userdata")) {
				reply(fd, "INFOerasing userdata...");
				zero_part(find("userdata"));
			}
			set_var("unlocked", strcmp(cmd + 9, "unlock") == 0 ? "yes" : "no");
			reply(fd, "OKAY");
		} else if (strncmp(cmd, "set_active:", 11) == 0) {
			set_var("current-slot", cmd + 11 + (cmd[11] == '_'));
			reply(fd, "OKAY");
		} else if (strcmp(cmd, "continue") == 0) {
			reply(fd, "OKAY");
		} else {
			reply(fd, "FAILunknown command");
		}
	}
	return 0;
}

static int listen_on(const struct sockaddr_in *a)
{
	int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;

	setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (bind(s, (const struct sockaddr *)a, sizeof *a) || listen(s, 1)) {
		perror("ub-fastboot-device: listen");
		close(s);
		return -1;
	}
	return s;
}

int main(int argc, char **argv)
{
	struct sockaddr_in a = { 0 };
	const char *pidfile = NULL;
	int s, one = 1, c, i;

	while ((c = getopt(argc, argv, "m:v:p:r:x:n")) != -1) {
		switch (c) {
		case 'm': max_download = strtoull(optarg, NULL, 0); break;
		case 'v':
			if (strchr(optarg, '=')) {
				*strchr(optarg, '=') = '\0';
				set_var(optarg, optarg + strlen(optarg) + 1);
			}
			break;
		case 'p': pidfile = optarg; break;
		case 'r': reboot_ms = atoi(optarg); break;
		case 'x': die_at = optarg; break;
		case 'n': no_reset = 1; break;
		default: return 2;
		}
	}
	if (argc - optind < 3) {
		fprintf(stderr, "usage: ub-fastboot-device PORT FILE NAME:OFFSET:SIZE... [-m MAX] [-v N=V] [-p PIDFILE] [-r REBOOT_MS] [-x COMMAND] [-n]\n");
		return 2;
	}
	if ((img_fd = open(argv[optind + 1], O_RDWR | O_CLOEXEC)) < 0) {
		perror(argv[optind + 1]);
		return 1;
	}
	for (i = optind + 2; i < argc && nparts < MAX_PARTS; i++) {
		char *c1 = strchr(argv[i], ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;

		if (!c2)
			return 2;
		snprintf(parts[nparts].name, sizeof parts[nparts].name, "%.*s", (int)(c1 - argv[i]), argv[i]);
		parts[nparts].off = strtoull(c1 + 1, NULL, 0);
		parts[nparts].size = strtoull(c2 + 1, NULL, 0);
		nparts++;
	}
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(argv[optind]));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if ((s = listen_on(&a)) < 0)
		return 1;
	if (pidfile) {
		FILE *f = fopen(pidfile, "w");

		if (f) {
			fprintf(f, "%d\n", (int)getpid());
			fclose(f);
		}
	}
	start_up();
	for (;;) {
		int fd = accept(s, NULL, NULL);

		if (fd < 0)
			continue;
		/* a reply goes as its length and its text: no waiting between */
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
		if (session(fd) == 1) {
			/* a reset: nobody answers for a moment, then the
			 * bootloader that is in the partition now */
			close(fd);
			close(s);
			free(dl);
			dl = NULL;
			dl_len = 0;
			usleep((useconds_t)reboot_ms * 1000);
			start_up();
			while ((s = listen_on(&a)) < 0)
				usleep(50000);
			continue;
		}
		close(fd);
	}
}
