#include "family/uboot/net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "family/uboot/console.h"

static void copy_addr(char *dst, size_t len, const json_t *net, const char *key,
		      const char *def)
{
	const char *v = json_string_value(json_object_get(net, key));

	snprintf(dst, len, "%s", v ? v : def);
}

/* A board reached through its netconsole is at the spec's address, and
 * this machine is wherever the route to it leaves from; the spec's
 * device_ip= and server_ip= still win. */
static void netconsole_addrs(const struct ub_device_spec *spec, struct ub_uboot_net *out)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(6666) }, me;
	socklen_t ml = sizeof me;
	char given[64];
	int fd;

	if (!ub_device_spec_param(spec, "device_ip", given, sizeof given))
		snprintf(out->device_ip, sizeof out->device_ip, "%.*s",
			 (int)strcspn(spec->address, ":"), spec->address);
	if (ub_device_spec_param(spec, "server_ip", given, sizeof given) ||
	    inet_pton(AF_INET, out->device_ip, &to.sin_addr) != 1)
		return;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	/* connect on UDP sends nothing: it only picks the route */
	if (fd >= 0 && connect(fd, (struct sockaddr *)&to, sizeof to) == 0 &&
	    getsockname(fd, (struct sockaddr *)&me, &ml) == 0)
		inet_ntop(AF_INET, &me.sin_addr, out->server_ip, sizeof out->server_ip);
	if (fd >= 0)
		close(fd);
}

int ub_uboot_net_addrs(const struct ub_device_spec *spec, const json_t *profile,
		       const char *what, struct ub_uboot_net *out, struct ub_err *e)
{
	const json_t *net = json_object_get(json_object_get(profile, "recovery"), "network");
	struct in_addr a;

	copy_addr(out->server_ip, sizeof out->server_ip, net, "server_ip", "");
	copy_addr(out->device_ip, sizeof out->device_ip, net, "device_ip", "");
	copy_addr(out->netmask, sizeof out->netmask, net, "netmask", "255.255.255.0");
	ub_device_spec_param(spec, "server_ip", out->server_ip, sizeof out->server_ip);
	ub_device_spec_param(spec, "device_ip", out->device_ip, sizeof out->device_ip);
	if (strcmp(spec->transport, "netconsole") == 0)
		netconsole_addrs(spec, out);
	if (inet_pton(AF_INET, out->server_ip, &a) == 1 && inet_pton(AF_INET, out->device_ip, &a) == 1 &&
	    inet_pton(AF_INET, out->netmask, &a) == 1)
		return 0;
	ub_err_set(e, UB_EUSAGE, "usage",
		   "%s needs the server and board addresses: the profile's recovery.network, or server_ip= and device_ip= in the device spec (--server-ip, --device-ip)",
		   what);
	return !*out->server_ip && !*out->device_ip ? 1 : UB_EUSAGE;
}

int ub_uboot_env_save(struct ub_console *con, struct ub_uboot_env *env,
		      const char *const *names, size_t n, struct ub_err *e)
{
	size_t i;
	int rc;

	if (n > UB_UBOOT_ENV_MAX)
		return ub_err_set(e, UB_EUSAGE, NULL, "too many variables to save");
	env->n = 0;
	for (i = 0; i < n; i++) {
		rc = ub_console_getenv(con, names[i], env->val[i], sizeof env->val[i], e);
		if (rc < 0)
			return rc;
		if (rc == 0 && strlen(env->val[i]) > UB_UBOOT_ENV_VAL)
			return ub_err_set(e, UB_EFAIL, NULL,
					  "the board's %s is longer than %d characters, too long to put back exactly; "
					  "shorten it (setenv %s ...) and run the command again",
					  names[i], UB_UBOOT_ENV_VAL, names[i]);
		env->name[i] = names[i];
		env->set[i] = rc == 0;
		env->n = i + 1;
	}
	return 0;
}

int ub_uboot_env_restore(struct ub_console *con, const struct ub_uboot_env *env,
			 struct ub_err *e)
{
	char cmd[1024];
	size_t i;
	int rc = 0;

	for (i = 0; i < env->n && !rc; i++) {
		size_t n = (size_t)snprintf(cmd, sizeof cmd, "setenv %s", env->name[i]);

		/* In single quotes hush takes everything as it is, but a
		 * quote: that closes, goes as \', and opens again. */
		if (env->set[i]) {
			cmd[n++] = ' ';
			cmd[n++] = '\'';
			for (const char *v = env->val[i]; *v; v++) {
				if (*v == '\'') {
					memcpy(cmd + n, "'\\''", 4);
					n += 4;
				} else {
					cmd[n++] = *v;
				}
			}
			cmd[n++] = '\'';
			cmd[n] = '\0';
		}
		rc = ub_console_do(con, cmd, 5000, e);
	}
	return rc;
}
