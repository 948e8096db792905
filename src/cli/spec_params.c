/* Options that travel to the family inside the device spec, as its
 * parameters: --via, --server-ip, --device-ip, --read-via. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_spec_params(char *out, size_t len, const char *device, const char *cmd,
		    const char *const *kv)
{
	size_t used;
	int n = snprintf(out, len, "%s", device);

	for (; n >= 0 && (size_t)n < len && kv[0]; kv += 2) {
		char opt[32];
		size_t i;

		if (!kv[1])
			continue;
		snprintf(opt, sizeof opt, "%s", kv[0]);
		for (i = 0; opt[i]; i++)
			if (opt[i] == '_')
				opt[i] = '-';
		/* a programmer's spec passes its parameters on to libflashrom,
		 * which would stumble over these with a message of its own */
		if (strncmp(device, "uboot:", 6) != 0)
			return cli_usage_error(cmd, "--%s is for U-Boot boards (a uboot:... device)", opt);
		/* a comma would end the parameter and start another */
		if (strchr(kv[1], ',') || !*kv[1])
			return cli_usage_error(cmd, "--%s takes one value, not '%s'", opt, kv[1]);
		used = (size_t)n;
		n = snprintf(out + used, len - used, ",%s=%s", kv[0], kv[1]);
		if (n >= 0)
			n += (int)used;
	}
	if (n < 0 || (size_t)n >= len)
		return cli_usage_error(cmd, "the device spec is too long");
	return 0;
}
