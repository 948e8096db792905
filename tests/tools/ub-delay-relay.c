/* Test helper: a link with added delay between QEMU and a tap device, for
 * kernels without netem.  QEMU's NIC is `-netdev stream` on a unix socket
 * this program listens on (each Ethernet frame prefixed by its length, 4
 * bytes big-endian); the other end is the tap device TAP, opened here (run
 * it inside the tap's network namespace).  Every frame, either way, is held
 * DELAY_US microseconds after it arrived, so a round trip grows by twice
 * DELAY_US.  Nothing is dropped and the order is kept: frames wait in one
 * queue per direction, and with one delay for all, arrival order is due
 * order.
 *   ub-delay-relay [-p PIDFILE] TAP SOCKET DELAY_US
 * PIDFILE is written once SOCKET accepts connections (so a script may
 * start QEMU then).  Ends on SIGTERM/SIGINT, when QEMU closes the socket
 * or the tap goes away; prints the frames it carried on stderr. */
#include <errno.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

/* QEMU's largest frame (NET_BUFSIZE is 4096 + 65536); a tap frame is
 * smaller still. */
#define MAX_FRAME (4096 + 65536)

struct frame {
	struct frame *next;
	uint64_t due;        /* CLOCK_MONOTONIC, microseconds */
	size_t len;
	unsigned char data[];
};

/* A FIFO of held frames.  `sent` counts bytes of the head already written
 * (a stream socket may take part of a frame). */
struct queue {
	struct frame *head, *tail;
	size_t sent;
	unsigned long long frames, bytes;
};

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void usage(void)
{
	fprintf(stderr, "usage: ub-delay-relay [-p PIDFILE] TAP SOCKET DELAY_US\n"
		"  relays Ethernet frames between the tap device TAP and QEMU's\n"
		"  `-netdev stream,addr.type=unix,addr.path=SOCKET`, holding each\n"
		"  DELAY_US microseconds each way (the round trip grows by 2*DELAY_US)\n");
	exit(2);
}

static int push(struct queue *q, const unsigned char *p, size_t n, uint64_t due)
{
	struct frame *f = malloc(sizeof *f + n);

	if (!f) {
		fprintf(stderr, "ub-delay-relay: out of memory\n");
		return -1;
	}
	f->next = NULL;
	f->due = due;
	f->len = n;
	memcpy(f->data, p, n);
	if (q->tail)
		q->tail->next = f;
	else
		q->head = f;
	q->tail = f;
	return 0;
}

static void pop(struct queue *q)
{
	struct frame *f = q->head;

	q->head = f->next;
	if (!q->head)
		q->tail = NULL;
	q->sent = 0;
	q->frames++;
	q->bytes += f->len;
	free(f);
}

static void drain(struct queue *q)
{
	while (q->head) {
		struct frame *f = q->head;

		q->head = f->next;
		free(f);
	}
	q->tail = NULL;
}

static int open_tap(const char *name)
{
	struct ifreq ifr;
	int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0) {
		perror("ub-delay-relay: /dev/net/tun");
		return -1;
	}
	memset(&ifr, 0, sizeof ifr);
	/* IFF_NO_PI: bare frames, as QEMU's stream netdev carries them */
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		fprintf(stderr, "ub-delay-relay: tap %s: %s\n", name, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static int listen_unix(const char *path)
{
	struct sockaddr_un a;
	int fd;

	memset(&a, 0, sizeof a);
	a.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof a.sun_path) {
		fprintf(stderr, "ub-delay-relay: socket path too long: %s\n", path);
		return -1;
	}
	memcpy(a.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		perror("ub-delay-relay: socket");
		return -1;
	}
	unlink(path);   /* a stale socket file from a killed run */
	if (bind(fd, (struct sockaddr *)&a, sizeof a) < 0 || listen(fd, 1) < 0) {
		fprintf(stderr, "ub-delay-relay: %s: %s\n", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* Writes due frames to QEMU, length first.  Returns 1 when the socket is
 * full (wait for POLLOUT), 0 when nothing more is due, -1 when QEMU is
 * gone. */
static int flush_to_qemu(int fd, struct queue *q, uint64_t now)
{
	while (q->head && q->head->due <= now) {
		struct frame *f = q->head;
		unsigned char hdr[4] = {
			(unsigned char)(f->len >> 24), (unsigned char)(f->len >> 16),
			(unsigned char)(f->len >> 8), (unsigned char)f->len,
		};
		struct iovec iov[2] = { { hdr, 4 }, { f->data, f->len } };
		size_t skip = q->sent;
		ssize_t n;
		int i = 0;

		/* resume a frame the socket took part of */
		if (skip >= 4) {
			i = 1;
			skip -= 4;
		}
		iov[i].iov_base = (unsigned char *)iov[i].iov_base + skip;
		iov[i].iov_len -= skip;
		n = writev(fd, iov + i, 2 - i);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			return -1;
		}
		q->sent += (size_t)n;
		if (q->sent < 4 + f->len)
			return 1;
		pop(q);
	}
	return 0;
}

/* Writes due frames to the tap.  A tap takes a whole frame or none; when
 * the kernel has no room (ENOBUFS/EAGAIN) the frame stays first in line
 * and the caller retries shortly.  Returns 1 then, 0 when nothing more is
 * due, -1 when the tap is gone. */
static int flush_to_tap(int fd, struct queue *q, uint64_t now)
{
	while (q->head && q->head->due <= now) {
		ssize_t n = write(fd, q->head->data, q->head->len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ENOBUFS)
				return 1;
			if (errno == EINVAL) {
				/* the kernel refuses this frame (malformed): no
				 * retry can deliver it */
				fprintf(stderr, "ub-delay-relay: tap refused a %zu-byte frame\n",
					q->head->len);
				pop(q);
				continue;
			}
			return -1;
		}
		pop(q);
	}
	return 0;
}

/* Reads what QEMU sent into buf (holding *have bytes) and queues every
 * complete frame.  Returns -1 when QEMU closed the connection or sent a
 * length no frame has. */
static int read_qemu(int fd, unsigned char *buf, size_t *have, struct queue *q, uint64_t due)
{
	ssize_t n = read(fd, buf + *have, 4 + MAX_FRAME - *have);
	size_t at = 0;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	*have += (size_t)n;
	while (*have - at >= 4) {
		size_t len = (size_t)buf[at] << 24 | (size_t)buf[at + 1] << 16 |
			     (size_t)buf[at + 2] << 8 | buf[at + 3];

		if (len > MAX_FRAME) {
			fprintf(stderr, "ub-delay-relay: QEMU sent a %zu-byte frame length\n", len);
			return -1;
		}
		if (*have - at < 4 + len)
			break;
		if (push(q, buf + at + 4, len, due) < 0)
			return -1;
		at += 4 + len;
	}
	memmove(buf, buf + at, *have - at);
	*have -= at;
	return 0;
}

/* Reads every frame the tap has.  Returns -1 when the tap is gone. */
static int read_tap(int fd, unsigned char *buf, struct queue *q, uint64_t due)
{
	for (;;) {
		ssize_t n = read(fd, buf, MAX_FRAME);

		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		if (n == 0 || push(q, buf, (size_t)n, due) < 0)
			return -1;
	}
}

static int write_pidfile(const char *path)
{
	char tmp[4096];
	FILE *f;

	if (!path)
		return 0;
	/* write a temporary then rename: a reader never sees half a pid */
	snprintf(tmp, sizeof tmp, "%s.tmp", path);
	if (!(f = fopen(tmp, "w")) || fprintf(f, "%ld\n", (long)getpid()) < 0 || fclose(f) != 0 ||
	    rename(tmp, path) != 0) {
		fprintf(stderr, "ub-delay-relay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const char *pidfile = NULL, *tap_name, *sock_path;
	static unsigned char qbuf[4 + MAX_FRAME], tbuf[MAX_FRAME];
	struct queue to_tap = { 0 }, to_qemu = { 0 };
	size_t have = 0;
	uint64_t delay;
	struct sigaction sa;
	sigset_t block, orig;
	int tap, lsn, qemu = -1, rc = 1, opt;
	char *end;

	while ((opt = getopt(argc, argv, "p:")) != -1) {
		if (opt != 'p')
			usage();
		pidfile = optarg;
	}
	if (argc - optind != 3)
		usage();
	tap_name = argv[optind];
	sock_path = argv[optind + 1];
	errno = 0;
	delay = strtoull(argv[optind + 2], &end, 10);
	if (errno || end == argv[optind + 2] || *end || argv[optind + 2][0] == '-' ||
	    delay > 10000000u)
		usage();

	/* SIGTERM only between ppoll's checks: a stop is never missed, and
	 * no call but ppoll sees EINTR */
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);   /* QEMU gone shows as EPIPE from writev */
	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigprocmask(SIG_BLOCK, &block, &orig);
	/* the default 50 us timer slack would add to every frame's delay */
	prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);

	if ((tap = open_tap(tap_name)) < 0)
		return 1;
	if ((lsn = listen_unix(sock_path)) < 0) {
		close(tap);
		return 1;
	}
	if (write_pidfile(pidfile) < 0)
		goto out;

	while (!stop) {
		struct pollfd p[2];
		struct timespec ts, *tsp = NULL;
		uint64_t t = now_us(), next = UINT64_MAX;
		int want_out = 0, tap_busy = 0, r;

		if (qemu < 0) {
			/* the tap is left unread until QEMU is there: the
			 * kernel holds or drops frames as for a NIC that is off */
			p[0] = (struct pollfd){ .fd = lsn, .events = POLLIN };
			p[1] = (struct pollfd){ .fd = -1 };
		} else {
			if ((r = flush_to_qemu(qemu, &to_qemu, t)) < 0)
				break;
			want_out = r;
			if ((tap_busy = flush_to_tap(tap, &to_tap, t)) < 0) {
				fprintf(stderr, "ub-delay-relay: tap: %s\n", strerror(errno));
				break;
			}
			if (to_qemu.head && !want_out)
				next = to_qemu.head->due;
			if (to_tap.head && (tap_busy ? t + 1000 : to_tap.head->due) < next)
				next = tap_busy ? t + 1000 : to_tap.head->due;
			p[0] = (struct pollfd){ .fd = qemu, .events = POLLIN | (want_out ? POLLOUT : 0) };
			p[1] = (struct pollfd){ .fd = tap, .events = POLLIN };
		}
		if (next != UINT64_MAX) {
			uint64_t wait = next > t ? next - t : 0;

			ts.tv_sec = (time_t)(wait / 1000000u);
			ts.tv_nsec = (long)(wait % 1000000u) * 1000;
			tsp = &ts;
		}
		r = ppoll(p, 2, tsp, &orig);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			perror("ub-delay-relay: ppoll");
			goto out;
		}
		t = now_us();
		if (qemu < 0) {
			if (p[0].revents & POLLIN) {
				qemu = accept4(lsn, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
				if (qemu < 0 && errno != EINTR && errno != EAGAIN) {
					perror("ub-delay-relay: accept");
					goto out;
				}
			}
			continue;
		}
		if (p[0].revents & (POLLIN | POLLHUP | POLLERR) &&
		    read_qemu(qemu, qbuf, &have, &to_tap, t + delay) < 0)
			break;   /* QEMU closed its end: the board is off */
		if (p[1].revents & (POLLIN | POLLERR | POLLHUP) &&
		    read_tap(tap, tbuf, &to_qemu, t + delay) < 0) {
			fprintf(stderr, "ub-delay-relay: tap: %s\n", strerror(errno));
			break;
		}
	}
	rc = 0;
out:
	fprintf(stderr, "ub-delay-relay: %llu frames (%llu bytes) to the tap, %llu (%llu bytes) to QEMU; "
		"%s\n", to_tap.frames, to_tap.bytes, to_qemu.frames, to_qemu.bytes,
		stop ? "stopped" : "link closed");
	drain(&to_tap);
	drain(&to_qemu);
	if (qemu >= 0)
		close(qemu);
	close(lsn);
	close(tap);
	unlink(sock_path);
	if (pidfile)
		unlink(pidfile);
	return rc;
}
