/* Byte streams: every transport ends up as one non-blocking descriptor that
 * poll() can wait on, so timeouts work the same way everywhere.  Serial
 * ports are configured through libserialport and then read through its
 * descriptor. */
#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <arpa/inet.h>
#include <libserialport.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "base/params.h"
#include "base/say.h"
#include "tcp_connect.h"
#include "telnet.h"

struct ub_stream {
	int fd;
	int log_fd;
	struct sp_port *port;   /* serial only */
	int datagrams;          /* udp: 1 receive only, 2 netconsole: both ways */
	struct in_addr from;    /* udp: that sender (0: any) */
	struct sockaddr_in to;  /* netconsole: where commands go */
	struct ub_telnet *tn;   /* telnet: the codec */
	uint8_t *pend;          /* telnet: data that came while negotiating */
	size_t pend_len, pend_off;
	int looked;             /* tcp: the first bytes were looked at */
	uint8_t first[160];     /* the first bytes that came, for a server that */
	size_t first_len;       /* refuses the session with a line and a close */
	unsigned long long got; /* every byte that came */
	char what[1100];        /* "unix:/path" for messages */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	return fl < 0 ? -1 : fcntl(fd, F_SETFL, fl | O_NONBLOCK);
}

static int open_unix(struct ub_stream *s, const char *path, struct ub_err *e)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (strlen(path) >= sizeof sa.sun_path)
		return ub_err_set(e, UB_EUSAGE, "usage", "socket path too long: %s", path);
	strcpy(sa.sun_path, path);
	s->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0 || connect(s->fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		return ub_err_errno(e, UB_ENODEV, "console-connect", errno,
				    "cannot connect to the console socket %s", path);
	return 0;
}

static int open_tcp(struct ub_stream *s, const char *hostport, struct ub_err *e)
{
	char host[256];
	const char *colon = strrchr(hostport, ':');
	int err, gai;

	if (!colon || colon == hostport || (size_t)(colon - hostport) >= sizeof host || !colon[1])
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "tcp address '%s' must be HOST:PORT", hostport);
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	s->fd = ub_tcp_connect(host, colon + 1, UB_TCP_CONNECT_MS, &err, &gai);
	if (gai)
		return ub_err_set(e, UB_ENODEV, "console-connect", "cannot resolve %s: %s",
				  hostport, gai_strerror(gai));
	if (s->fd < 0)
		return ub_err_errno(e, UB_ENODEV, "console-connect", err,
				    "cannot connect to %s%s", hostport,
				    err == ETIMEDOUT ? " (no answer in 10 s)" : "");
	return 0;
}

static int on_off(const char *params, const char *key, int *v, struct ub_err *e)
{
	char w[8];

	*v = -1;
	if (!ub_param_get(params, key, w, sizeof w))
		return 0;
	if (strcmp(w, "on") && strcmp(w, "off"))
		return ub_err_set(e, UB_EUSAGE, "usage", "%s=%s: say on or off", key, w);
	*v = strcmp(w, "on") == 0;
	return 0;
}

static int open_serial(struct ub_stream *s, const char *dev, const char *params,
		       struct ub_err *e)
{
	char v[32];
	int baud = UB_STREAM_DEFAULT_BAUD, dtr, rts, rc;
	enum sp_return r;

	if ((rc = on_off(params, "dtr", &dtr, e)) || (rc = on_off(params, "rts", &rts, e)))
		return rc;
	if (ub_param_get(params, "baud", v, sizeof v)) {
		char *end;

		baud = (int)strtol(v, &end, 10);
		if (*end || baud <= 0)
			return ub_err_set(e, UB_EUSAGE, "usage", "baud=%s is not a number", v);
	}
	if (sp_get_port_by_name(dev, &s->port) != SP_OK) {
		struct stat st;

		/* libserialport knows UARTs by their driver in sysfs; a
		 * pseudo-terminal has none, and "no such port" would send the
		 * user looking for a cable.  Told by its device number (Unix 98
		 * pty slaves are majors 136-143): opening a real UART to look
		 * could pulse DTR, which resets some boards. */
		if (stat(dev, &st) == 0 && S_ISCHR(st.st_mode) &&
		    major(st.st_rdev) >= 136 && major(st.st_rdev) <= 143)
			return ub_err_set(e, UB_EUSAGE, "usage",
					  "%s is a pseudo-terminal, not a serial port: "
					  "reach it with the pty transport, as in uboot:pty:%s", dev, dev);
		return ub_err_set(e, UB_ENODEV, "serial-missing",
				  "no serial port %s", dev);
	}
	r = sp_open(s->port, SP_MODE_READ_WRITE);
	if (r != SP_OK) {
		char *msg = sp_last_error_message();

		rc = ub_err_set(e, UB_ENODEV, "serial-busy", "cannot open %s: %s", dev,
				msg ? msg : "error");
		sp_free_error_message(msg);
		return rc;
	}
	if (sp_set_baudrate(s->port, baud) != SP_OK || sp_set_bits(s->port, 8) != SP_OK ||
	    sp_set_parity(s->port, SP_PARITY_NONE) != SP_OK ||
	    sp_set_stopbits(s->port, 1) != SP_OK ||
	    sp_set_flowcontrol(s->port, SP_FLOWCONTROL_NONE) != SP_OK)
		return ub_err_set(e, UB_ENODEV, "serial-busy",
				  "cannot set %s to %d 8N1", dev, baud);
	/* Some adapters wire DTR/RTS to reset or boot-mode pins. */
	if (dtr >= 0)
		sp_set_dtr(s->port, dtr ? SP_DTR_ON : SP_DTR_OFF);
	if (rts >= 0)
		sp_set_rts(s->port, rts ? SP_RTS_ON : SP_RTS_OFF);
	if (sp_get_port_handle(s->port, &s->fd) != SP_OK)
		return ub_err_set(e, UB_ENODEV, "serial-busy", "no descriptor for %s", dev);
	return 0;
}

/* A pseudo-terminal (QEMU's -serial pty, socat, a terminal server's
 * device): a tty without a UART behind it, so no baud rate, only raw mode
 * so that no byte is translated or held back for a line. */
static int open_pty(struct ub_stream *s, const char *path, struct ub_err *e)
{
	struct termios t;

	s->fd = open(path, O_RDWR | O_NOCTTY | O_CLOEXEC | O_NONBLOCK);
	if (s->fd < 0)
		return ub_err_errno(e, UB_ENODEV, errno == ENOENT ? "serial-missing" : "serial-busy",
				    errno, "cannot open %s", path);
	if (!isatty(s->fd))
		return ub_err_set(e, UB_EUSAGE, "usage", "%s is not a terminal device", path);
	if (tcgetattr(s->fd, &t) != 0)
		return ub_err_errno(e, UB_ENODEV, "serial-busy", errno, "%s", path);
	cfmakeraw(&t);
	t.c_cc[VMIN] = 0;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(s->fd, TCSANOW, &t) != 0)
		return ub_err_errno(e, UB_ENODEV, "serial-busy", errno, "%s", path);
	return 0;
}

/* Output a board sends as UDP datagrams (U-Boot's netconsole) to an
 * address of this machine, "IP:PORT"; params "from=IP" keeps only the
 * board's datagrams (another board on the same network may be talking to
 * the same port).  A board prints faster than the line of a console
 * carries, in datagrams of a few dozen bytes: the default socket buffer
 * holds a few hundred of them, milliseconds of output, so it is made as
 * big as the system allows. */
static int open_udp(struct ub_stream *s, const char *hostport, const char *params,
		    struct ub_err *e)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	const char *colon = strrchr(hostport, ':');
	char host[64], v[64];
	int big = 8 << 20;
	long port;
	char *end;

	if (!colon || (size_t)(colon - hostport) >= sizeof host)
		return ub_err_set(e, UB_EUSAGE, "usage", "udp address '%s' must be IP:PORT", hostport);
	memcpy(host, hostport, (size_t)(colon - hostport));
	host[colon - hostport] = '\0';
	port = strtol(colon + 1, &end, 10);
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1 || *end || port < 1 || port > 65535)
		return ub_err_set(e, UB_EUSAGE, "usage", "udp address '%s' must be IP:PORT (IPv4)", hostport);
	sa.sin_port = htons((uint16_t)port);
	if (ub_param_get(params, "from", v, sizeof v) && inet_pton(AF_INET, v, &s->from) != 1)
		return ub_err_set(e, UB_EUSAGE, "usage", "from=%s is not an IPv4 address", v);
	s->datagrams = 1;
	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return ub_err_errno(e, UB_EIO, "io", errno, "UDP socket");
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) != 0)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	if (bind(s->fd, (struct sockaddr *)&sa, sizeof sa) != 0)
		return ub_err_errno(e, UB_ENODEV, "udp-bind", errno,
				    "cannot receive on %s (not an address of this machine, or the port is taken)",
				    hostport);
	return 0;
}

/* U-Boot's netconsole as the console itself ("BOARD_IP[:PORT]", port
 * 6666 by default, U-Boot's ncinport and ncoutport): boards without a
 * serial header whose U-Boot turns it on before autoboot.  Output comes
 * to this machine's port of the same number, from the board only
 * (params "server_ip=IP" picks the local address; any by default). */
static int open_netconsole(struct ub_stream *s, const char *address, const char *params,
			   struct ub_err *e)
{
	struct sockaddr_in me = { .sin_family = AF_INET };
	char host[64], v[64];
	const char *colon = strrchr(address, ':');
	long port = 6666;
	int big = 8 << 20;

	if ((colon ? (size_t)(colon - address) : strlen(address)) >= sizeof host)
		return ub_err_set(e, UB_EUSAGE, "usage", "netconsole address '%s' must be IP[:PORT]", address);
	snprintf(host, sizeof host, "%.*s", colon ? (int)(colon - address) : (int)strlen(address), address);
	if (colon) {
		char *end;

		port = strtol(colon + 1, &end, 10);
		if (*end || port < 1 || port > 65535)
			port = -1;
	}
	s->to.sin_family = AF_INET;
	if (port < 0 || inet_pton(AF_INET, host, &s->to.sin_addr) != 1)
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "netconsole address '%s' must be the board's IPv4 address[:PORT]", address);
	s->to.sin_port = htons((uint16_t)port);
	s->from = s->to.sin_addr;
	me.sin_port = s->to.sin_port;
	if (ub_param_get(params, "server_ip", v, sizeof v) && inet_pton(AF_INET, v, &me.sin_addr) != 1)
		return ub_err_set(e, UB_EUSAGE, "usage", "server_ip=%s is not an IPv4 address", v);
	s->datagrams = 2;
	s->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return ub_err_errno(e, UB_EIO, "io", errno, "UDP socket");
	if (setsockopt(s->fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big) != 0)
		setsockopt(s->fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	if (bind(s->fd, (struct sockaddr *)&me, sizeof me) != 0)
		return ub_err_errno(e, UB_ENODEV, "udp-bind", errno,
				    "cannot receive the board's netconsole on port %ld", port);
	return 0;
}

static int raw_write(struct ub_stream *s, const void *buf, size_t len, long long deadline,
		     int timeout_ms, struct ub_err *e);

/* Telnet's own answers go out at once: a server waits for them. */
static int tn_flush(struct ub_stream *s, struct ub_err *e)
{
	int rc = raw_write(s, s->tn->out, s->tn->out_len, now_ms() + 2000, 2000, e);

	ub_telnet_sent(s->tn);
	return rc;
}

/* A telnet server answers a request within milliseconds; this is ample
 * across a slow VPN to a console server, and short for a person. */
#define TN_ANSWER_MS 2000

/* How long a session that has settled is watched for a close. */
#define TN_CLOSE_MS 200

/* The server dropped the session at once: a console server says why
 * before it closes (the port in use, the device missing), and that line
 * beats "connection reset".  Quotes the last line of what came, or
 * returns e's code as it is when nothing did. */
static int closed_saying(const uint8_t *b, size_t len, const char *what, struct ub_err *e)
{
	char said[160];
	size_t n = 0, i = len;

	while (i > 0 && (b[i - 1] == '\r' || b[i - 1] == '\n'))
		i--;
	while (i > 0 && b[i - 1] != '\n' && len - i < sizeof said - 1)
		i--;
	for (; i < len && n < sizeof said - 1; i++)
		if (b[i] >= ' ' && b[i] < 127)
			said[n++] = (char)b[i];
	said[n] = '\0';
	if (n)
		return ub_err_set(e, UB_ENODEV, "console-lost",
				  "%s closed the connection; it said \"%s\"", what, said);
	return e ? e->code : UB_ENODEV;
}

/* The link ended (e says how): a server that refused the session said
 * why in its first bytes; a board's session has said more than those. */
static int said_at_once(struct ub_stream *s, struct ub_err *e)
{
	ssize_t n;

	/* a write can fail on the close before the words were read */
	if (!s->tn && s->got == s->first_len && s->first_len < sizeof s->first &&
	    (n = recv(s->fd, s->first + s->first_len, sizeof s->first - s->first_len,
		      MSG_DONTWAIT)) > 0) {
		s->first_len += (size_t)n;
		s->got += (unsigned long long)n;
	}
	if (s->first_len && s->got == s->first_len)
		return closed_saying(s->first, s->first_len, s->what, e);
	return e ? e->code : UB_ENODEV;
}

/* An RFC 2217 value of one byte, or four for a rate. */
static void tn_set(struct ub_telnet *t, enum ub_tn_comport cmd, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };

	if (cmd == UB_TN_CP_SET_BAUDRATE)
		ub_telnet_comport(t, cmd, b, 4);
	else
		ub_telnet_comport(t, cmd, b + 3, 1);
}

/* A serial port behind a telnet console server ("HOST:PORT").  Binary
 * both ways, so YMODEM's bytes arrive as sent.  baud=, dtr= and rts= go
 * to the server's port through RFC 2217: the lines must be confirmed (a
 * board may have its reset on DTR), the rate is set when the server can
 * and otherwise only sizes the estimates.  What the board prints during
 * the negotiation is kept for the first reads. */
static int open_telnet(struct ub_stream *s, const char *hostport, const char *params,
		       struct ub_err *e)
{
	long long deadline;
	long baud = 0;
	int dtr, rts, rc, sent = 0, done = 0, controls = 0;
	char v[32];
	uint8_t ask[3];

	if (ub_param_get(params, "baud", v, sizeof v)) {
		char *end;

		baud = strtol(v, &end, 10);
		if (*end || baud <= 0 || baud > 100000000)
			return ub_err_set(e, UB_EUSAGE, "usage", "baud=%s is not a rate", v);
	}
	if ((rc = on_off(params, "dtr", &dtr, e)) || (rc = on_off(params, "rts", &rts, e)) ||
	    (rc = open_tcp(s, hostport, e)))
		return rc;
	if (set_nonblock(s->fd) != 0)
		return ub_err_errno(e, UB_EIO, "io", errno, "%s", s->what);
	if (!(s->tn = malloc(sizeof *s->tn)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	ub_telnet_init(s->tn, baud || dtr >= 0 || rts >= 0);
	deadline = now_ms() + TN_ANSWER_MS;
	for (;;) {
		uint8_t chunk[4096], *grown;
		struct pollfd pf = { .fd = s->fd, .events = POLLIN };
		long long left;
		ssize_t n;

		if (s->tn->us[UB_TN_OPT_COMPORT] == UB_TN_YES && !sent) {
			/* The serial transport's own settings: the rate,
			 * 8N1, no flow control; then the lines asked for. */
			sent = 1;
			if (baud) {
				tn_set(s->tn, UB_TN_CP_SET_BAUDRATE, (uint32_t)baud);
				tn_set(s->tn, UB_TN_CP_SET_DATASIZE, 8);
				tn_set(s->tn, UB_TN_CP_SET_PARITY, 1);
				tn_set(s->tn, UB_TN_CP_SET_STOPSIZE, 1);
				ask[controls++] = UB_TN_CTL_NO_FLOW;
			}
			if (dtr >= 0)
				ask[controls++] = dtr ? UB_TN_CTL_DTR_ON : UB_TN_CTL_DTR_OFF;
			if (rts >= 0)
				ask[controls++] = rts ? UB_TN_CTL_RTS_ON : UB_TN_CTL_RTS_OFF;
			for (int i = 0; i < controls; i++)
				tn_set(s->tn, UB_TN_CP_SET_CONTROL, ask[i]);
		}
		if (s->tn->out_len && tn_flush(s, e))
			return closed_saying(s->pend, s->pend_len, s->what, e);
		/* Settled: a moment more, for a server that refuses the
		 * session (the port in use) with a line and a close. */
		if (!done && ub_telnet_settled(s->tn) &&
		    (s->tn->us[UB_TN_OPT_COMPORT] != UB_TN_YES ||
		     ((!baud || s->tn->baud >= 0) && s->tn->control_answers >= controls))) {
			done = 1;
			deadline = now_ms() + TN_CLOSE_MS;
		}
		if ((left = deadline - now_ms()) <= 0)
			break;
		if (poll(&pf, 1, (int)left) <= 0)
			continue;
		n = read(s->fd, chunk, sizeof chunk);
		if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
			ub_err_errno(e, UB_ENODEV, "console-lost", n ? errno : ECONNRESET,
				     "%s closed the connection", s->what);
			return closed_saying(s->pend, s->pend_len, s->what, e);
		}
		if (n < 0)
			continue;
		n = (ssize_t)ub_telnet_decode(s->tn, chunk, (size_t)n, chunk);
		if (n && !(grown = realloc(s->pend, s->pend_len + (size_t)n)))
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		if (n) {
			s->pend = grown;
			memcpy(s->pend + s->pend_len, chunk, (size_t)n);
			s->pend_len += (size_t)n;
		}
	}
	if (!s->tn->negotiated)
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "%s answered no telnet negotiation in %d s: it is not a telnet server; "
				  "a raw TCP port is reached as tcp:%s", s->what, TN_ANSWER_MS / 1000, hostport);
	if ((dtr >= 0 || rts >= 0) && s->tn->us[UB_TN_OPT_COMPORT] != UB_TN_YES)
		return ub_err_set(e, UB_ENODEV, "console-rfc2217",
				  "%s does not take serial settings (RFC 2217), so %s cannot be set",
				  s->what, dtr >= 0 ? "dtr=" : "rts=");
	for (int i = baud ? 1 : 0; i < controls; i++)
		if (i >= s->tn->control_answers || s->tn->controls[i] != ask[i])
			return ub_err_set(e, UB_ENODEV, "console-rfc2217",
					  "%s did not confirm %s %s (its port may have no such line)",
					  s->what, ask[i] <= UB_TN_CTL_DTR_OFF ? "dtr" : "rts",
					  ask[i] == UB_TN_CTL_DTR_ON || ask[i] == UB_TN_CTL_RTS_ON ? "on" : "off");
	if (baud && s->tn->us[UB_TN_OPT_COMPORT] != UB_TN_YES)
		ub_say("  %s does not set its port's rate (no RFC 2217): baud=%ld is taken as the rate the server set\n",
		       s->what, baud);
	else if (baud && s->tn->baud < 0)
		ub_say("  %s did not confirm baud=%ld\n", s->what, baud);
	else if (baud && s->tn->baud != baud)
		ub_say("  %s runs its port at %ld baud, not %ld as asked\n", s->what,
		       s->tn->baud, baud);
	return 0;
}

int ub_stream_open(struct ub_stream **out, const char *transport,
		   const char *address, const char *params, struct ub_err *e)
{
	struct ub_stream *s = calloc(1, sizeof *s);
	int rc;

	*out = NULL;
	if (!s)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	s->fd = -1;
	s->log_fd = -1;
	snprintf(s->what, sizeof s->what, "%s:%s", transport, address);
	if (strcmp(transport, "unix") == 0) {
		rc = open_unix(s, address, e);
	} else if (strcmp(transport, "tcp") == 0) {
		rc = open_tcp(s, address, e);
	} else if (strcmp(transport, "telnet") == 0) {
		rc = open_telnet(s, address, params, e);
	} else if (strcmp(transport, "serial") == 0) {
		rc = open_serial(s, address, params, e);
	} else if (strcmp(transport, "pty") == 0) {
		rc = open_pty(s, address, e);
	} else if (strcmp(transport, "udp") == 0) {
		rc = open_udp(s, address, params, e);
	} else if (strcmp(transport, "netconsole") == 0) {
		rc = open_netconsole(s, address, params, e);
	} else if (strcmp(transport, "fd") == 0) {
		char *end;
		long fd = strtol(address, &end, 10);

		rc = 0;
		if (*end || fd < 0 || fcntl((int)fd, F_GETFD) < 0)
			rc = ub_err_set(e, UB_EUSAGE, "usage", "'%s' is not an open descriptor", address);
		else
			s->fd = (int)fd;
	} else {
		rc = ub_err_set(e, UB_EUSAGE, "usage",
				"unknown transport '%s' (use serial, pty, unix, tcp, telnet, netconsole)", transport);
	}
	if (!rc && set_nonblock(s->fd) != 0)
		rc = ub_err_errno(e, UB_EIO, "io", errno, "%s", s->what);
	if (rc) {
		ub_stream_close(s);
		return rc;
	}
	*out = s;
	return 0;
}

/* The datagrams waiting, as many whole ones as fit in len (at least the
 * first, cut if it must be): a board prints a line a datagram, and a
 * read per line would cost more than the board's printing.  0, or < 0
 * with errno, when nothing of the sender's was waiting. */
static ssize_t recv_datagrams(struct ub_stream *s, uint8_t *buf, size_t len)
{
	ssize_t got = 0;

	for (;;) {
		struct sockaddr_in src;
		socklen_t sl = sizeof src;
		ssize_t n;

		if (got) {
			/* the next one's size, to keep it whole for the next read */
			n = recv(s->fd, NULL, 0, MSG_PEEK | MSG_TRUNC | MSG_DONTWAIT);
			if (n < 0 || (size_t)n > len - (size_t)got)
				return got;
		}
		n = recvfrom(s->fd, buf + got, len - (size_t)got, got ? MSG_DONTWAIT : 0,
			     (struct sockaddr *)&src, &sl);
		if (n < 0)
			return got ? got : n;
		if (s->from.s_addr && src.sin_addr.s_addr != s->from.s_addr)
			continue;   /* another sender */
		got += n;
		if ((size_t)got == len)
			return got;
	}
}

long ub_stream_read(struct ub_stream *s, void *buf, size_t len, int timeout_ms,
		    struct ub_err *e)
{
	long long deadline = now_ms() + timeout_ms;

	if (s->pend_off < s->pend_len) {
		size_t n = s->pend_len - s->pend_off < len ? s->pend_len - s->pend_off : len;

		memcpy(buf, s->pend + s->pend_off, n);
		s->pend_off += n;
		if (s->log_fd >= 0 && write(s->log_fd, buf, n) < 0)
			s->log_fd = -1;
		return (long)n;
	}
	for (;;) {
		struct pollfd p = { .fd = s->fd, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t n;
		int r;

		r = poll(&p, 1, left > 0 ? (int)left : 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return ub_err_errno(e, UB_EIO, "io", errno, "%s", s->what);
		if (r == 0)
			return 0;
		if (s->datagrams) {
			n = recv_datagrams(s, buf, len);
			if (n == 0)
				continue;   /* another sender's, or empty: not the end of anything */
		} else {
			n = read(s->fd, buf, len);
		}
		if (n > 0 && !s->looked && !s->tn && !s->datagrams) {
			const uint8_t *b = buf;

			/* A telnet server speaks first, before any board
			 * could: its requests would reach the console as
			 * noise, and its escaping would spoil YMODEM. */
			s->looked = 1;
			if (n >= 2 && b[0] == UB_TN_IAC && b[1] >= 251 && strncmp(s->what, "tcp:", 4) == 0)
				return ub_err_set(e, UB_EUSAGE, "usage",
						  "%s is a telnet server (it opened with option negotiation): "
						  "put telnet:%s in the device spec", s->what, s->what + 4);
		}
		if (n > 0 && s->tn) {
			n = (ssize_t)ub_telnet_decode(s->tn, buf, (size_t)n, buf);
			if (s->tn->out_len) {
				int rc = tn_flush(s, e);

				if (rc)
					return rc;
			}
			if (n == 0)
				continue;   /* only telnet's own talk */
		}
		if (n > 0) {
			size_t keep = sizeof s->first - s->first_len;

			if (s->log_fd >= 0 && write(s->log_fd, buf, (size_t)n) < 0)
				s->log_fd = -1;   /* a full log disk must not stop a repair */
			memcpy(s->first + s->first_len, buf, (size_t)n < keep ? (size_t)n : keep);
			s->first_len += (size_t)n < keep ? (size_t)n : keep;
			s->got += (unsigned long long)n;
			return (long)n;
		}
		if (n == 0) {
			ub_err_set(e, UB_ENODEV, "console-lost", "%s closed the connection", s->what);
			return said_at_once(s, e);
		}
		if (errno != EAGAIN && errno != EINTR) {
			ub_err_errno(e, UB_ENODEV, "console-lost", errno, "%s", s->what);
			return said_at_once(s, e);
		}
	}
}

int ub_stream_collect(struct ub_stream *s, int seconds, size_t max, char **buf,
		      size_t *len, struct ub_err *e)
{
	long long end = now_ms() + (long long)seconds * 1000;
	char chunk[4096], *grown;
	int rc = 0;

	*len = 0;
	if (!(*buf = calloc(1, 1)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	while (now_ms() < end) {
		long n = ub_stream_read(s, chunk, sizeof chunk, (int)(end - now_ms()) + 1, e);

		if (n < 0) {
			if (n == UB_ENODEV && *len) {   /* the link closed: keep what came */
				ub_err_clear(e);
				break;
			}
			rc = (int)n;
			break;
		}
		if (n == 0 || *len + (size_t)n > max)
			continue;   /* a console that floods: the start is what matters */
		if (!(grown = realloc(*buf, *len + (size_t)n + 1))) {
			rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
			break;
		}
		*buf = grown;
		memcpy(*buf + *len, chunk, (size_t)n);
		*len += (size_t)n;
		(*buf)[*len] = '\0';
	}
	if (rc) {
		free(*buf);
		*buf = NULL;
		*len = 0;
	}
	return rc;
}

/* Sends all len bytes as they are, by deadline (a monotonic ms time). */
static int raw_write(struct ub_stream *s, const void *buf, size_t len, long long deadline,
		     int timeout_ms, struct ub_err *e)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = send(s->fd, p, len, MSG_NOSIGNAL);

		if (n < 0 && errno == ENOTSOCK)
			n = write(s->fd, p, len);
		if (n > 0) {
			p += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR) {
			ub_err_errno(e, UB_ENODEV, "console-lost", errno, "writing to %s", s->what);
			return said_at_once(s, e);
		}
		{
			struct pollfd pf = { .fd = s->fd, .events = POLLOUT };
			long long left = deadline - now_ms();

			if (left <= 0)
				return ub_err_set(e, UB_ETIMEOUT, "timeout",
						  "%s accepted no data for %d ms", s->what, timeout_ms);
			poll(&pf, 1, (int)left);
		}
	}
	return 0;
}

/* U-Boot's netconsole keeps 512 bytes of input: smaller datagrams, so
 * that one never overflows it while the board takes the one before. */
#define NC_DATAGRAM 256

static int nc_write(struct ub_stream *s, const void *buf, size_t len, long long deadline,
		    int timeout_ms, struct ub_err *e)
{
	const char *p = buf;

	while (len > 0) {
		size_t n = len < NC_DATAGRAM ? len : NC_DATAGRAM;
		ssize_t r = sendto(s->fd, p, n, MSG_NOSIGNAL, (const struct sockaddr *)&s->to,
				   sizeof s->to);

		if (r == (ssize_t)n) {
			p += n;
			len -= n;
			continue;
		}
		if (r < 0 && errno != EAGAIN && errno != EINTR)
			return ub_err_errno(e, UB_ENODEV, "console-lost", errno, "sending to %s", s->what);
		if (deadline - now_ms() <= 0)
			return ub_err_set(e, UB_ETIMEOUT, "timeout",
					  "%s accepted no data for %d ms", s->what, timeout_ms);
		poll(&(struct pollfd){ .fd = s->fd, .events = POLLOUT }, 1, 10);
	}
	return 0;
}

int ub_stream_write(struct ub_stream *s, const void *buf, size_t len,
		    int timeout_ms, struct ub_err *e)
{
	long long deadline = now_ms() + timeout_ms;
	const uint8_t *p = buf;
	uint8_t coded[4096];

	if (s->datagrams == 1)
		return ub_err_set(e, UB_EUSAGE, "usage", "%s only receives", s->what);
	if (s->datagrams)
		return nc_write(s, buf, len, deadline, timeout_ms, e);
	if (!s->tn)
		return raw_write(s, buf, len, deadline, timeout_ms, e);
	while (len > 0) {
		size_t n = len < sizeof coded / 2 ? len : sizeof coded / 2;
		int rc = raw_write(s, coded, ub_telnet_encode(s->tn, p, n, coded), deadline,
				   timeout_ms, e);

		if (rc)
			return rc;
		p += n;
		len -= n;
	}
	return 0;
}

void ub_stream_drain(struct ub_stream *s)
{
	uint8_t buf[512];
	ssize_t n;

	s->pend_off = s->pend_len;
	while ((n = read(s->fd, buf, sizeof buf)) > 0)
		if (s->tn) {   /* requests among the noise still get answers */
			struct ub_err ignored;

			ub_telnet_decode(s->tn, buf, (size_t)n, buf);
			if (s->tn->out_len)
				tn_flush(s, &ignored);
		}
}

int ub_stream_pending(const struct ub_stream *s)
{
	return s->pend_off < s->pend_len;
}

int ub_stream_fd(const struct ub_stream *s)
{
	return s->fd;
}

void ub_stream_tee(struct ub_stream *s, int log_fd)
{
	s->log_fd = log_fd;
}

void ub_stream_close(struct ub_stream *s)
{
	if (!s)
		return;
	if (s->port) {
		sp_close(s->port);
		sp_free_port(s->port);
	} else if (s->fd >= 0) {
		close(s->fd);
	}
	free(s->tn);
	free(s->pend);
	free(s);
}
