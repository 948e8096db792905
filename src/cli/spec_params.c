/* Options that travel to the family inside the device spec, as its
 * parameters: --via, --server-ip, --device-ip, --read-via. */
#include <stdio.h>
#include <string.h>

#include "cli.h"

int cli_spec_params(char *out, size_t len, const char *device, const char *cmd,
		    const char *const *kv)
{
	size_t used = 0;
	int n = snprintf(out, len, "%s", device);

	for (; n >= 0 && (size_t)n < len && kv[0]; kv += 2) {
		if (!kv[1])
			continue;
		/* a comma would end the parameter and start another */
		if (strchr(kv[1], ',') || !*kv[1]) {
			char opt[32];
			size_t i;

			snprintf(opt, sizeof opt, "%s", kv[0]);
			for (i = 0; opt[i]; i++)
				if (opt[i] == '_')
					opt[i] = '-';
			return cli_usage_error(cmd, "--%s takes one value, not '%s'", opt, kv[1]);
		}
		used = (size_t)n;
		n = snprintf(out + used, len - used, ",%s=%s", kv[0], kv[1]);
		if (n >= 0)
			n += (int)used;
	}
	if (n < 0 || (size_t)n >= len)
		return cli_usage_error(cmd, "the device spec is too long");
	return 0;
}
