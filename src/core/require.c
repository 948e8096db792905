#include "require.h"

#include <stdio.h>
#include <string.h>

void ub_req_where(const struct ub_req *r, char *out, size_t len)
{
	if (r->line)
		snprintf(out, len, "%.150s line %u (%.180s)", r->from, r->line, r->text);
	else
		snprintf(out, len, "%.150s (%.180s)", r->from, r->text);
}

/* "'a' or 'b*'" */
static void values(const struct ub_req *r, char *out, size_t len)
{
	unsigned i;

	out[0] = '\0';
	for (i = 0; i < r->nvalues && strlen(out) + 8 < len; i++)
		snprintf(out + strlen(out), len - strlen(out), "%s'%s'", i ? " or " : "", r->values[i]);
}

int ub_req_judge(const struct ub_req *r, const char *product, const char *value, const char *said,
		 char *why, size_t len)
{
	char want[400];

	values(r, want, sizeof want);
	if (r->product[0]) {
		if (!product) {
			snprintf(why, len, "it is only for product '%s', and the device does not say its product", r->product);
			return UB_REQ_UNREPORTED;
		}
		if (strcmp(product, r->product) != 0) {
			snprintf(why, len, "not for this device: only for product '%s' (this one is '%.60s')", r->product,
				 product);
			return UB_REQ_OTHER_PRODUCT;
		}
	}
	if (!value) {
		snprintf(why, len, "the device does not report %s%s%.80s%s", r->var, said && *said ? " (it answers '" : "",
			 said ? said : "", said && *said ? "')" : "");
		return UB_REQ_UNREPORTED;
	}
	if (ub_req_value_matches(r, value) != r->reject) {
		snprintf(why, len, "%s is '%.80s'", r->var, value);
		return UB_REQ_HOLDS;
	}
	snprintf(why, len, "the device's %s is '%.80s'; the set %s %.200s", r->var, value,
		 r->reject ? "rejects" : "requires", want);
	return UB_REQ_FAILS;
}
