/* The board's network as a recovery uses it: the addresses of this
 * machine and of the board, and the board's own network variables, saved
 * before unbrick sets them and put back afterwards (never saved to flash).
 * TFTP loads and netconsole reads share both. */
#ifndef UB_FAMILY_UBOOT_NET_H
#define UB_FAMILY_UBOOT_NET_H

#include <stddef.h>

#include <jansson.h>

#include "family/family.h"
#include "family/uboot/console.h"

struct ub_uboot_net {
	char server_ip[64];   /* this machine, as the board reaches it */
	char device_ip[64];   /* the board, while unbrick works on it */
	char netmask[64];
};

/* The profile's recovery.network, with the spec's server_ip= and
 * device_ip= winning.  Returns 0 with both addresses, else sets e (a
 * usage error naming what needs them, as "TFTP") and returns 1 when
 * neither gives any address, UB_EUSAGE when one is missing or not IPv4. */
int ub_uboot_net_addrs(const struct ub_device_spec *spec, const json_t *profile,
		       const char *what, struct ub_uboot_net *out, struct ub_err *e);

#define UB_UBOOT_ENV_MAX 8

/* The longest value kept: restored into a console command line, which
 * U-Boot's default CONFIG_SYS_CBSIZE caps at 256 characters. */
#define UB_UBOOT_ENV_VAL 200

/* Environment variables as the board had them. */
struct ub_uboot_env {
	size_t n;
	const char *name[UB_UBOOT_ENV_MAX];
	char val[UB_UBOOT_ENV_MAX][UB_UBOOT_ENV_VAL + 2];
	int set[UB_UBOOT_ENV_MAX];
};

/* Reads the n variables names (at most UB_UBOOT_ENV_MAX, the strings kept
 * by reference) into env.  A value too long to be put back exactly is an
 * error: nothing is changed then. */
int ub_uboot_env_save(struct ub_console *con, struct ub_uboot_env *env,
		      const char *const *names, size_t n, struct ub_err *e);

/* Sets every variable back to its old value, or unsets it; stops at the
 * first failure (a console that is gone would make each wait out its
 * timeout). */
int ub_uboot_env_restore(struct ub_console *con, const struct ub_uboot_env *env,
			 struct ub_err *e);

#endif
