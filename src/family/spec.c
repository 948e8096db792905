/* Device specs: FAMILY:TRANSPORT:ADDRESS[,key=value...].  The address may
 * itself contain ':' (tcp host:port, IPv6), so only the first two colons
 * split; parameters start at the first ',' after the address begins. */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/params.h"
#include "base/suggest.h"
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

/* One value against its declared type. */
static int value_ok(const struct ub_param_def *d, const char *v, char *why, size_t len)
{
	struct in_addr a;
	char *end;
	long n;

	if (!*v) {
		snprintf(why, len, "is empty");
		return 0;
	}
	if (strcmp(d->type, "int") == 0) {
		n = strtol(v, &end, 10);
		if (*end || end == v || n < d->min || n > d->max) {
			snprintf(why, len, "takes a whole number from %ld to %ld", d->min, d->max);
			return 0;
		}
		return 1;
	}
	if (strcmp(d->type, "ipv4") == 0) {
		if (inet_pton(AF_INET, v, &a) != 1) {
			snprintf(why, len, "takes an IPv4 address such as 192.168.1.10");
			return 0;
		}
		return 1;
	}
	if (strcmp(d->type, "path") == 0 || strcmp(d->type, "text") == 0)
		return 1;
	/* choices: "a|b|c" */
	{
		const char *p = d->type;
		size_t vl = strlen(v);

		while (*p) {
			size_t n2 = strcspn(p, "|");

			if (n2 == vl && strncmp(p, v, vl) == 0)
				return 1;
			p += n2;
			if (*p == '|')
				p++;
		}
		snprintf(why, len, "takes one of %s", d->type);
		return 0;
	}
}

static void list_names(const struct ub_param_def *v, char *out, size_t len)
{
	size_t i;

	out[0] = '\0';
	for (i = 0; v && v[i].name; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s%s", i ? ", " : "", v[i].name);
}

int ub_device_spec_check(const struct ub_device_spec *spec, const struct ub_family *fam,
			 struct ub_err *e)
{
	const char *p = spec->params;
	const char *names[64];
	char known[512];
	size_t i, n = 0;

	if (fam->transports) {
		for (i = 0; fam->transports[i].name; i++) {
			if (strcmp(fam->transports[i].name, spec->transport) == 0)
				break;
			if (n < sizeof names / sizeof names[0])
				names[n++] = fam->transports[i].name;
		}
		if (!fam->transports[i].name) {
			const char *near = ub_suggest(spec->transport, names, n);

			known[0] = '\0';
			for (i = 0; fam->transports[i].name; i++)
				snprintf(known + strlen(known), sizeof known - strlen(known), "%s%s:%s",
					 i ? ", " : "", fam->transports[i].name, fam->transports[i].address);
			return ub_err_set(e, UB_EUSAGE, "usage",
					  "the %s family has no transport '%s'%s%s%s (it takes %s)", fam->name,
					  spec->transport, near ? "; did you mean '" : "", near ? near : "",
					  near ? "'?" : "", known);
		}
	}
	n = 0;
	for (i = 0; fam->params && fam->params[i].name && n < sizeof names / sizeof names[0]; i++)
		names[n++] = fam->params[i].name;
	while (*p) {
		size_t len = strcspn(p, ","), klen = strcspn(p, "=");
		char key[64], val[1024], why[128];
		const struct ub_param_def *d = NULL;

		snprintf(key, sizeof key, "%.*s", (int)(klen < len ? klen : len), p);
		snprintf(val, sizeof val, "%.*s", klen < len ? (int)(len - klen - 1) : 0, p + klen + 1);
		for (i = 0; fam->params && fam->params[i].name; i++)
			if (strcmp(fam->params[i].name, key) == 0)
				d = &fam->params[i];
		if (!d && !fam->passthrough) {
			const char *near = ub_suggest(key, names, n);

			list_names(fam->params, known, sizeof known);
			return ub_err_set(e, UB_EUSAGE, "usage",
					  "the %s family takes no parameter '%s'%s%s%s (it takes %s)",
					  fam->name, key, near ? "; did you mean '" : "", near ? near : "",
					  near ? "'?" : "", known[0] ? known : "none");
		}
		if (d && !value_ok(d, val, why, sizeof why))
			return ub_err_set(e, UB_EUSAGE, "usage", "parameter %s=%s: %s %s", key, val, key, why);
		p += len;
		if (*p == ',')
			p++;
	}
	return 0;
}

/* A path resolved when it names something that exists, as it is when not. */
static void canonical(const char *path, char *out, size_t len)
{
	char *real = realpath(path, NULL);

	snprintf(out, len, "%s", real ? real : path);
	free(real);
}

/* Whether the spec's transport takes a network host (its family says
 * "HOST..." for the address). */
static int network_address(const struct ub_device_spec *spec)
{
	const struct ub_family *f = ub_family_find(spec->family);
	const struct ub_transport_def *t;

	for (t = f ? f->transports : NULL; t && t->name; t++)
		if (strcmp(t->name, spec->transport) == 0)
			return strncmp(t->address, "HOST", 4) == 0;
	return 0;
}

/* A host as one text whatever way it was written: "localhost",
 * "127.0.0.1" and "[::1]" are all "loopback"; a name is its first
 * address.  One that does not resolve stays as written. */
static void canonical_host(const char *address, char *out, size_t len)
{
	struct addrinfo hints, *res = NULL;
	char host[256], num[INET6_ADDRSTRLEN];
	const char *colon = strrchr(address, ':'), *port = "";
	size_t n = strlen(address);

	if (address[0] == '[' && strchr(address, ']')) {   /* [v6]:port */
		n = (size_t)(strchr(address, ']') - address - 1);
		port = address[n + 2] == ':' ? address + n + 2 : "";
		address++;
	} else if (colon && strchr(address, ':') == colon) {   /* host:port */
		n = (size_t)(colon - address);
		port = colon;
	}
	snprintf(host, sizeof host, "%.*s", (int)(n < sizeof host ? n : sizeof host - 1), address);
	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, NULL, &hints, &res) != 0 || !res) {
		snprintf(out, len, "%s%s", host, port);
		return;
	}
	if ((res->ai_family == AF_INET &&
	     (ntohl(((struct sockaddr_in *)res->ai_addr)->sin_addr.s_addr) >> 24) == 127) ||
	    (res->ai_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&((struct sockaddr_in6 *)res->ai_addr)->sin6_addr)))
		snprintf(num, sizeof num, "loopback");
	else if (getnameinfo(res->ai_addr, res->ai_addrlen, num, sizeof num, NULL, 0, NI_NUMERICHOST) != 0)
		snprintf(num, sizeof num, "%.45s", host);
	freeaddrinfo(res);
	snprintf(out, len, "%s%s", num, port);
}

void ub_device_spec_key(const struct ub_device_spec *spec, char *out, size_t len)
{
	char buf[4096], *r;
	const char *p = spec->params;

	/* Not the family: two families on one serial port are one device;
	 * nor the way its host was written. */
	if (network_address(spec))
		canonical_host(spec->address, buf, sizeof buf);
	else
		canonical(spec->address, buf, sizeof buf);
	snprintf(out, len, "%s:%s", spec->transport, buf);
	while (*p) {
		size_t n = strcspn(p, ","), k = strcspn(p, "=");
		char val[1024];

		if (k < n) {
			snprintf(val, sizeof val, "%.*s", (int)(n - k - 1), p + k + 1);
			/* a parameter naming a file (flashrom's image=) is part of
			 * which device it is */
			if ((r = realpath(val, NULL)) != NULL) {
				snprintf(out + strlen(out), len - strlen(out), ",%.*s=%s", (int)k, p, r);
				free(r);
			}
		}
		p += n;
		if (*p == ',')
			p++;
	}
}
