/* The families' options and device specs, as the families declare them:
 * an option such as --via is a spec parameter some family offers on the
 * command line too (ub_param_def.option).  Nothing here knows a family by
 * name; what a family takes is in its table. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "family/family.h"

#define MAX_FAMOPTS 32

static struct cli_famopt famopts[MAX_FAMOPTS];
static size_t nfamopts;
static int built;

size_t cli_famopts(struct cli_famopt **v)
{
	size_t f, i, k;

	if (!built) {
		for (f = 0; ub_families[f]; f++) {
			const struct ub_param_def *p = ub_families[f]->params;

			for (i = 0; p && p[i].name; i++) {
				if (!p[i].option)
					continue;
				for (k = 0; k < nfamopts; k++)
					if (strcmp(famopts[k].option, p[i].option) == 0)
						break;
				if (k == nfamopts && nfamopts < MAX_FAMOPTS)
					famopts[nfamopts++] = (struct cli_famopt){ p[i].option, &p[i],
										   ub_families[f], NULL };
			}
		}
		built = 1;
	}
	*v = famopts;
	return nfamopts;
}

int cli_famopt_for(const struct cli_cmd *cmd, const struct ub_param_def *d)
{
	if (!(cmd->flags & CLI_DEVICE))
		return 0;
	return !d->uses || ((d->uses & UB_PARAM_USE_WRITE) && (cmd->flags & CLI_WRITES)) ||
	       ((d->uses & UB_PARAM_USE_READ) && (cmd->flags & CLI_READS));
}

const char *cli_param_arg(const struct ub_param_def *d)
{
	if (strchr(d->type, '|'))
		return d->type;
	if (strcmp(d->type, "int") == 0)
		return "N";
	if (strcmp(d->type, "ipv4") == 0)
		return "IP";
	if (strcmp(d->type, "path") == 0)
		return "PATH";
	return "TEXT";
}

/* The family's parameter that option sets, or NULL. */
static const struct ub_param_def *param_for(const struct ub_family *fam, const char *option)
{
	const struct ub_param_def *p = fam->params;

	for (; p && p->name; p++)
		if (p->option && strcmp(p->option, option) == 0)
			return p;
	return NULL;
}

/* "uboot" or "uboot and net": the families that declare option. */
static void declared_by(const char *option, char *out, size_t len)
{
	size_t f, n = 0;

	out[0] = '\0';
	for (f = 0; ub_families[f]; f++)
		if (param_for(ub_families[f], option))
			snprintf(out + strlen(out), len - strlen(out), "%s%s", n++ ? ", " : "",
				 ub_families[f]->name);
}

int cli_device_spec(const char *cmd, const char *device, char *out, size_t len)
{
	struct ub_device_spec spec;
	const struct ub_family *fam;
	struct cli_famopt *fo;
	struct ub_err e;
	size_t i, n = cli_famopts(&fo);
	int w;

	ub_err_clear(&e);
	if (ub_device_spec_parse(device, &spec, &e))
		return cli_fail(&e);
	w = snprintf(out, len, "%s", device);
	fam = ub_family_find(spec.family);
	for (i = 0; i < n; i++) {
		const struct ub_param_def *d;
		char have[8], who[128];
		size_t used = (size_t)w;

		if (!fo[i].value)
			continue;
		if (!fam)
			break;   /* the session names the family that does not exist */
		if (!(d = param_for(fam, fo[i].option))) {
			declared_by(fo[i].option, who, sizeof who);
			return cli_usage_error(cmd, "--%s is for devices of the %s family; a %s device takes no --%s",
					       fo[i].option, who, fam->name, fo[i].option);
		}
		if (ub_device_spec_param(&spec, d->name, have, sizeof have))
			return cli_usage_error(cmd, "--%s and %s= in the device spec both say it: give one",
					       fo[i].option, d->name);
		/* a comma would end the parameter and start another */
		if (strchr(fo[i].value, ','))
			return cli_usage_error(cmd, "--%s takes one value, not '%s'", fo[i].option,
					       fo[i].value);
		w = snprintf(out + used, len - used, ",%s=%s", d->name, fo[i].value);
		if (w < 0 || (size_t)w >= len - used)
			return cli_usage_error(cmd, "the device spec is too long");
		w += (int)used;
	}
	if ((size_t)w >= len)
		return cli_usage_error(cmd, "the device spec is too long");
	/* the whole spec against its family now, before a profile is read or
	 * a device is opened: a typo costs nothing */
	if (fam && (ub_device_spec_parse(out, &spec, &e) || ub_device_spec_check(&spec, fam, &e)))
		return cli_fail(&e);
	return 0;
}

/* From column c (just printed) to col, on the next line when c is past it. */
static int pad_to(FILE *f, int c, int col)
{
	if (c >= col - 1)
		fprintf(f, "\n%*s", col, "");
	else
		fprintf(f, "%*s", col - c, "");
	return col;
}

void cli_help_famopts(FILE *f, const struct cli_cmd *cmd)
{
	struct cli_famopt *fo;
	size_t i, k, n = cli_famopts(&fo);

	for (i = k = 0; i < n; i++)
		k += (size_t)cli_famopt_for(cmd, fo[i].def);
	if (!k)
		return;
	fputs("Device options (each sets the device spec's parameter of the same name,\n"
	      "for the families named):\n", f);
	for (i = 0; i < n; i++) {
		char who[128], help[512], line[128];
		int c;

		if (!cli_famopt_for(cmd, fo[i].def))
			continue;
		declared_by(fo[i].option, who, sizeof who);
		snprintf(help, sizeof help, "%s [%s%s%s]", fo[i].def->help, who,
			 fo[i].def->def ? "; default: " : "", fo[i].def->def ? fo[i].def->def : "");
		c = snprintf(line, sizeof line, "      --%s %s", fo[i].option, cli_param_arg(fo[i].def));
		fputs(line, f);
		cli_wrap(f, help, pad_to(f, c, 26), 26);
	}
}

void cli_help_devices(FILE *f, int params)
{
	size_t i, k;

	fputs("\nDevice specs: FAMILY:TRANSPORT:ADDRESS[,NAME=VALUE...] ('unbrick devices' lists\n"
	      "what is attached now", f);
	fputs(params ? "):\n" : "; 'unbrick devices --help' lists the parameters):\n", f);
	for (i = 0; ub_families[i]; i++) {
		const struct ub_family *fam = ub_families[i];
		const struct ub_transport_def *t = fam->transports;
		const struct ub_param_def *p = fam->params;

		if (params) {
			fprintf(f, "%s%s: ", i ? "\n" : "", fam->name);
			cli_wrap(f, fam->what ? fam->what : "", (int)strlen(fam->name) + 2, 2);
		}
		for (k = 0; t && t[k].name; k++) {
			int c = fprintf(f, "  %s:%s:%s", fam->name, t[k].name, t[k].address);

			cli_wrap(f, t[k].help, pad_to(f, c, 32), 32);
		}
		if (!params)
			continue;
		for (k = 0; p && p[k].name; k++) {
			char left[96], help[512];
			int c;

			if (strcmp(p[k].type, "int") == 0)
				snprintf(left, sizeof left, "    %s=%ld..%ld", p[k].name, p[k].min, p[k].max);
			else
				snprintf(left, sizeof left, "    %s=%s", p[k].name, cli_param_arg(&p[k]));
			snprintf(help, sizeof help, "%s%s%s%s%s%s", p[k].help,
				 p[k].def ? " (default: " : "", p[k].def ? p[k].def : "", p[k].def ? ")" : "",
				 p[k].option ? "; also --" : "", p[k].option ? p[k].option : "");
			c = fprintf(f, "%s", left);
			cli_wrap(f, help, pad_to(f, c, 32), 32);
		}
		if (fam->passthrough) {
			fputs("    and ", f);
			cli_wrap(f, fam->passthrough, 8, 8);
		}
	}
}
