/* Device specs: FAMILY:TRANSPORT:ADDRESS[,key=value...].  The address may
 * itself contain ':' (tcp host:port, IPv6), so only the first two colons
 * split; parameters start at the first ',' after the address begins. */
#include <stdio.h>
#include <string.h>

#include "base/params.h"
#include "family/family.h"

static const char shape[] =
	"expected FAMILY:TRANSPORT:ADDRESS[,key=value...], e.g. "
	"uboot:unix:/run/board.sock or uboot:serial:/dev/ttyUSB0,baud=115200";

static int copy_part(char *dst, size_t cap, const char *src, size_t len)
{
	if (len == 0 || len >= cap)
		return -1;
	memcpy(dst, src, len);
	dst[len] = '\0';
	return 0;
}

static int valid_word(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
		      *s == '_' || *s == '-'))
			return 0;
	return 1;
}

/* key=value pairs: non-empty keys of word characters. */
static int valid_params(const char *p)
{
	while (*p) {
		const char *comma = strchr(p, ',');
		const char *eq = strchr(p, '=');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);

		if (!eq || eq >= p + len || eq == p)
			return 0;
		p += len;
		if (*p == ',')
			p++;
		if (comma && !*p)
			return 0;
	}
	return 1;
}

int ub_device_spec_parse(const char *text, struct ub_device_spec *out,
			 struct ub_err *e)
{
	const char *c1, *c2, *addr, *comma;

	memset(out, 0, sizeof *out);
	c1 = strchr(text, ':');
	c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	if (!c1 || !c2)
		return ub_err_set(e, UB_EUSAGE, "usage", "device '%s': %s",
				  text, shape);
	if (copy_part(out->family, sizeof out->family, text, (size_t)(c1 - text)) ||
	    !valid_word(out->family))
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "device '%s': the family must be a short word (uboot, spi, ...); %s",
				  text, shape);
	if (copy_part(out->transport, sizeof out->transport, c1 + 1,
		      (size_t)(c2 - c1 - 1)) || !valid_word(out->transport))
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "device '%s': the transport must be a short word (serial, unix, tcp, ...); %s",
				  text, shape);
	addr = c2 + 1;
	comma = strchr(addr, ',');
	if (copy_part(out->address, sizeof out->address, addr,
		      comma ? (size_t)(comma - addr) : strlen(addr)))
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "device '%s': the address is empty or too long; %s",
				  text, shape);
	if (comma) {
		if (copy_part(out->params, sizeof out->params, comma + 1,
			      strlen(comma + 1)) || !valid_params(out->params))
			return ub_err_set(e, UB_EUSAGE, "usage",
					  "device '%s': parameters must be key=value pairs separated by ','",
					  text);
	}
	return 0;
}

int ub_device_spec_param(const struct ub_device_spec *spec, const char *key,
			 char *out, size_t len)
{
	return ub_param_get(spec->params, key, out, len);
}
