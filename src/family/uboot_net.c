#include "uboot_net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "family/uboot.h"

static void copy_addr(char *dst, size_t len, const json_t *net, const char *key,
		      const char *def)
{
	const char *v = json_string_value(json_object_get(net, key));

	snprintf(dst, len, "%s", v ? v : def);
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
	if (inet_pton(AF_INET, out->server_ip, &a) == 1 && inet_pton(AF_INET, out->device_ip, &a) == 1 &&
	    inet_pton(AF_INET, out->netmask, &a) == 1)
		return 0;
	ub_err_set(e, UB_EUSAGE, "usage",
		   "%s needs the server and board addresses: the profile's recovery.network, or server_ip= and device_ip= in the device spec (--server-ip, --device-ip)",
		   what);
	return !*out->server_ip && !*out->device_ip ? 1 : UB_EUSAGE;
}

int ub_uboot_env_save(struct ub_device *d, struct ub_uboot_env *env,
		      const char *const *names, size_t n, struct ub_err *e)
{
	size_t i;
	int rc;

	if (n > UB_UBOOT_ENV_MAX)
		return ub_err_set(e, UB_EUSAGE, NULL, "too many variables to save");
	env->n = 0;
	for (i = 0; i < n; i++) {
		rc = ub_uboot_getenv(d, names[i], env->val[i], sizeof env->val[i], e);
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

int ub_uboot_env_restore(struct ub_device *d, const struct ub_uboot_env *env,
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
		rc = ub_uboot_command(d, cmd, 5000, e);
	}
	return rc;
}
