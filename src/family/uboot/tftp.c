/* Loading an image into a U-Boot board's RAM over TFTP: the classic
 * rescue, made safe.  The board's network settings (ipaddr, serverip,
 * netmask, tftpblocksize, tftpwindowsize, autoload) are read first, set
 * for the transfer, and put back as they were afterwards; nothing is
 * saved (no saveenv).  unbrick's own TFTP server serves the one image on
 * the server address, so no other TFTP server need run, under a random
 * name and to the board's address only. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/say.h"
#include "family/uboot/console.h"
#include "family/uboot/loader.h"
#include "family/uboot/net.h"
#include "proto/tftp_server.h"

#define TRANSFER_IDLE_MS 30000   /* U-Boot prints a '#' every few blocks */

struct tftp_ctx {
	struct ub_uboot_net net;
	unsigned blksize, window;
};

static const char *const vars[] = {
	"ipaddr", "serverip", "netmask", "tftpblocksize", "tftpwindowsize", "autoload",
};

static int set_env(struct ub_console *con, const struct tftp_ctx *t, struct ub_err *e)
{
	char cmd[320];
	int rc;

	snprintf(cmd, sizeof cmd, "setenv autoload no; setenv ipaddr %s; setenv serverip %s; setenv netmask %s",
		 t->net.device_ip, t->net.server_ip, t->net.netmask);
	if ((rc = ub_console_do(con, cmd, 5000, e)))
		return rc;
	snprintf(cmd, sizeof cmd, "setenv tftpblocksize %u; setenv tftpwindowsize %u", t->blksize, t->window);
	return ub_console_do(con, cmd, 5000, e);
}

static int load_tftp(void *ctx, struct ub_console *con, const struct ub_src *src,
		     uint64_t addr, unsigned *retries, struct ub_progress *p, struct ub_err *e)
{
	const struct tftp_ctx *t = ctx;
	struct ub_tftp_opts o = { 0 };
	struct ub_tftp_server *srv = NULL;
	struct ub_tftp_stats st;
	struct ub_uboot_env sv;
	struct ub_err re;
	char name[64], cmd[128];
	int rc, rrc;

	/* Anyone on the network may ask; the server answers only the board,
	 * for a name only the board is told (on its console). */
	if ((rc = ub_tftp_random_name(name, sizeof name, e)))
		return rc;
	if ((rc = ub_uboot_env_save(con, &sv, vars, sizeof vars / sizeof vars[0], e)) ||
	    (rc = set_env(con, t, e)))
		goto restore;
	o.bind_addr = t->net.server_ip;
	o.client_addr = t->net.device_ip;
	o.port = 69;
	o.name = name;
	o.src = src;
	o.max_blksize = t->blksize;
	o.max_window = t->window;
	o.wait_ms = 60000;
	if ((rc = ub_tftp_server_start(&srv, &o, p, e)))
		goto restore;
	snprintf(cmd, sizeof cmd, "tftpboot %llx %s", (unsigned long long)addr, name);
	rc = ub_console_do(con, cmd, TRANSFER_IDLE_MS, e);
	if (rc && t->window > 1) {
		/* U-Boot 2023.01 has been seen to receive and acknowledge a
		 * whole windowed transfer and still start over; one block at a
		 * time is slower but always completes */
		ub_tftp_server_cancel(srv);
		ub_say("  TFTP with window %u failed (%s); once more with window 1\n", t->window, e->msg);
		o.max_window = 1;
		ub_err_clear(e);
		if ((rc = ub_console_do(con, "setenv tftpwindowsize 1", 5000, e)) ||
		    (rc = ub_tftp_server_start(&srv, &o, p, e)))
			goto restore;
		rc = ub_console_do(con, cmd, TRANSFER_IDLE_MS, e);
	}
	if (rc) {
		ub_tftp_server_cancel(srv);
	} else if ((rc = ub_tftp_server_finish(srv, &st, e)) != 0 && st.unconfirmed) {
		/* tftpboot said it got everything and only its last ACK was
		 * lost; the crc32 of the load area that follows decides */
		ub_say("  TFTP: the board's last acknowledgement never came; its crc32 will tell\n");
		rc = 0;
	} else if (rc == 0) {
		*retries += st.retransmits;
		ub_say("  TFTP: %.1f MiB in %.1f s (%.1f MiB/s), blksize %u, window %u, %u windows sent again\n",
		       st.bytes / 1048576.0, st.seconds, st.seconds > 0 ? st.bytes / 1048576.0 / st.seconds : 0,
		       st.blksize, st.windowsize, st.retransmits);
		if (st.refused)
			ub_say("  TFTP: %u request%s from other addresses than the board's refused (the first from %s)\n",
			       st.refused, st.refused == 1 ? "" : "s", st.refused_from);
	}
restore:
	ub_err_clear(&re);
	rrc = ub_uboot_env_restore(con, &sv, &re);
	if (!rc && rrc) {
		*e = re;
		rc = rrc;
	}
	return rc;
}

/* The addresses: the device spec's server_ip=/device_ip= win over the
 * profile's recovery.network. */
int ub_uboot_tftp_loader(struct ub_uboot_loader *out, const struct ub_device_spec *spec,
			 const json_t *profile, struct ub_err *e)
{
	struct tftp_ctx *t = calloc(1, sizeof *t);
	char num[16];
	int rc;

	if (!t)
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	if ((rc = ub_uboot_net_addrs(spec, profile, "TFTP", &t->net, e))) {
		free(t);
		return e->code;
	}
	t->blksize = 1468;   /* fits an Ethernet frame: no IP fragments */
	t->window = 8;
	if (ub_device_spec_param(spec, "tftp_blksize", num, sizeof num))
		t->blksize = (unsigned)atoi(num);
	if (ub_device_spec_param(spec, "tftp_window", num, sizeof num))
		t->window = (unsigned)atoi(num);
	if (t->blksize < 8 || t->blksize > 65464 || t->window < 1 || t->window > 65535) {
		free(t);
		return ub_err_set(e, UB_EUSAGE, "usage", "tftp_blksize must be 8..65464 and tftp_window 1..65535");
	}
	*out = (struct ub_uboot_loader){ "tftp", load_tftp, t };
	return 0;
}

void ub_uboot_tftp_loader_free(struct ub_uboot_loader *l)
{
	if (l && l->load == load_tftp)
		free(l->ctx);
}

/* Whether TFTP can be served here: the server address is on this machine
 * and port 69 may be bound (root or CAP_NET_BIND_SERVICE). */
int ub_uboot_tftp_possible(const struct ub_uboot_loader *l)
{
	const struct tftp_ctx *t = l->ctx;
	struct sockaddr_in a = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0), ok;

	a.sin_family = AF_INET;
	a.sin_port = htons(69);
	inet_pton(AF_INET, t->net.server_ip, &a.sin_addr);
	ok = fd >= 0 && bind(fd, (struct sockaddr *)&a, sizeof a) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}
