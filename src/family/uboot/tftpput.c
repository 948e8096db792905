#include "family/uboot/tftpput.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "base/say.h"
#include "proto/tftp_server.h"

#define PUT_IDLE_MS 30000   /* ARP, then blocks: U-Boot prints as it sends */

/* tftpput takes the server's address on its command line; the board's
 * own address, mask and block size come from its environment. */
static const char *const vars[] = { "ipaddr", "netmask", "tftpblocksize" };

int ub_uboot_put_config(struct ub_uboot_put *put, const struct ub_device_spec *spec,
			const json_t *profile, struct ub_err *e)
{
	char v[32];

	memset(put, 0, sizeof *put);
	if (ub_device_spec_param(spec, "read_via", v, sizeof v))
		put->mode = strcmp(v, "tftpput") == 0 ? 1 : -1;   /* the netconsole checks the rest */
	if (ub_uboot_net_addrs(spec, profile, "read_via=tftpput", &put->net, e)) {
		if (put->mode == 1)
			return e->code;
		ub_err_clear(e);
		put->state = -1;   /* no network to send on */
	}
	if (put->mode < 0)
		put->state = -1;
	return 0;
}

/* tftpput cannot be used: an error when it was asked for, else a note
 * and dumps from here on. */
static int give_up(struct ub_uboot_put *put, struct ub_err *e, const char *fmt, ...)
	UB_PRINTF(3, 4);

static int give_up(struct ub_uboot_put *put, struct ub_err *e, const char *fmt, ...)
{
	char why[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof why, fmt, ap);
	va_end(ap);
	put->gave_up = put->state == 1;
	put->state = -1;
	if (put->mode == 1)
		return ub_err_set(e, UB_ENODEV, "tftpput", "tftpput: %s", why);
	ub_say("  tftpput: %s; reading over the console\n", why);
	ub_err_clear(e);   /* said; the read goes on */
	return 0;
}

static int probe(struct ub_uboot_put *put, struct ub_console *con, struct ub_err *e)
{
	struct ub_console_out out;
	int rc, has;

	/* help answers with the usage and status 1 (cmd_usage's), known
	 * command or not: only the words tell */
	if ((rc = ub_console_run(con, "help tftpput", 3000, NULL, NULL, &out, e)))
		return rc;
	has = out.text && strstr(out.text, "tftpput Address") && !strstr(out.text, "Unknown command");
	ub_console_out_free(&out);
	if (!has) {
		/* most builds have none: nothing to say unless it was asked for */
		if (put->mode == 1)
			return give_up(put, e, "this U-Boot has no tftpput command");
		put->state = -1;
		return 0;
	}
	put->state = 1;
	return 0;
}

int ub_uboot_put_begin(struct ub_uboot_put *put, struct ub_console *con, struct ub_err *e)
{
	char cmd[256];
	int rc;

	if (put->state == 0 && (rc = probe(put, con, e)))
		return rc;
	if (put->state != 1 || put->env_set)
		return 0;
	if ((rc = ub_uboot_env_save(con, &put->saved, vars, sizeof vars / sizeof vars[0], e)))
		return rc;
	put->env_set = 1;
	/* 1468 bytes a block fill an Ethernet frame without IP fragments */
	snprintf(cmd, sizeof cmd, "setenv ipaddr %s; setenv netmask %s; setenv tftpblocksize 1468",
		 put->net.device_ip, put->net.netmask);
	return ub_console_do(con, cmd, 5000, e);
}

int ub_uboot_put_on(const struct ub_uboot_put *put)
{
	return put->state == 1;
}

int ub_uboot_put_read(struct ub_uboot_put *put, struct ub_console *con, uint64_t addr,
		      uint8_t *buf, size_t len, int *got, struct ub_err *e)
{
	struct ub_tftp_opts o = { 0 };
	struct ub_tftp_server *srv;
	struct ub_tftp_stats st;
	struct ub_err se;
	char name[64], cmd[160];
	int rc, src;

	*got = 0;
	snprintf(name, sizeof name, "unbrick-%d-%llx.bin", (int)getpid(), (unsigned long long)addr);
	o.bind_addr = put->net.server_ip;
	o.port = 69;   /* U-Boot sends to 69 (tftpdstp is a build option) */
	o.name = name;
	o.sink = buf;
	o.sink_len = len;
	o.client_addr = put->net.device_ip;
	o.max_blksize = 1468;
	o.wait_ms = PUT_IDLE_MS;
	if (ub_tftp_server_start(&srv, &o, NULL, &se))
		return give_up(put, e, "%s", se.msg);
	snprintf(cmd, sizeof cmd, "tftpput %llx %zx %s:%s", (unsigned long long)addr, len,
		 put->net.server_ip, name);
	rc = ub_console_do(con, cmd, PUT_IDLE_MS, e);
	if (rc) {
		/* the board is done with it either way: no waiting for a
		 * request that will not come */
		ub_tftp_server_cancel(srv);
		if (rc == UB_ENODEV || rc == UB_ETIMEOUT)
			return rc;   /* the console is gone or wedged: that is the error */
		return give_up(put, e, "the board's upload failed: %s", e->msg);
	}
	if ((src = ub_tftp_server_finish(srv, &st, &se)))
		return give_up(put, e, "%s", se.msg);
	put->bytes += st.bytes;
	put->seconds += st.seconds;
	put->transfers++;
	*got = 1;
	return 0;
}

int ub_uboot_put_mismatch(struct ub_uboot_put *put, uint64_t addr, struct ub_err *e)
{
	return give_up(put, e, "what came of %llx does not match the board's crc32",
		       (unsigned long long)addr);
}

int ub_uboot_put_end(struct ub_uboot_put *put, struct ub_console *con, struct ub_err *e)
{
	int rc = 0;

	if (put->bytes)
		ub_say("  tftpput: %.1f MiB in %.1f s (%.1f MiB/s)\n", put->bytes / 1048576.0,
		       put->seconds, put->seconds > 0 ? put->bytes / 1048576.0 / put->seconds : 0.0);
	put->bytes = 0;
	put->seconds = 0;
	if (put->env_set) {
		put->env_set = 0;
		rc = ub_uboot_env_restore(con, &put->saved, e);
	}
	return rc;
}
