#include "diagnose.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_LINE 1024   /* longer lines are cut: consoles wrap long before */

const char *const ub_symptoms[] = {
	"no-boot", "boot-loop", "corrupt-message", "erratic-after-update",
	"stuck-in-recovery", "no-output", NULL,
};

const char *ub_path_name(enum ub_path p)
{
	switch (p) {
	case UB_PATH_CONSOLE: return "console";
	case UB_PATH_PROGRAMMER: return "programmer";
	case UB_PATH_HARDWARE: return "hardware";
	default: return "unknown";
	}
}

static int path_from_name(const char *s, enum ub_path *out)
{
	static const enum ub_path all[] = { UB_PATH_UNKNOWN, UB_PATH_CONSOLE, UB_PATH_PROGRAMMER,
					     UB_PATH_HARDWARE };
	size_t i;

	for (i = 0; i < sizeof all / sizeof all[0]; i++)
		if (strcmp(ub_path_name(all[i]), s) == 0) {
			*out = all[i];
			return 0;
		}
	return -1;
}

/* A rule being applied: built in or from the profile. */
struct live {
	struct ub_diag_rule r;
	enum ub_path path;   /* r.path, parsed */
	regex_t re;
	int compiled;
	struct ub_finding f;
	double t_first, t_last;
	int led;   /* matched against what the user says the lights do, not the log */
};

static int add_finding(struct ub_diagnosis *d, const struct ub_finding *f)
{
	struct ub_finding *v = realloc(d->v, (d->n + 1) * sizeof *v);

	if (!v)
		return UB_ENOMEM;
	d->v = v;
	d->v[d->n++] = *f;
	return 0;
}

static void finding_text(struct ub_finding *f, const char *id, enum ub_path path,
			 const char *finding, const char *advice)
{
	snprintf(f->id, sizeof f->id, "%s", id);
	f->path = path;
	snprintf(f->finding, sizeof f->finding, "%s", finding);
	snprintf(f->advice, sizeof f->advice, "%s", advice);
	f->interval = -1;
}

/* Profile rules: [{"id", "pattern", "path", "finding", "advice",
 * "min_count"?, "note"?, "on"?}].  "on": "led" makes a rule about the
 * board's lights, matched (ignoring case) against the text of a led:TEXT
 * symptom: what a blinking pattern means is the board's own, so only a
 * profile can say it.  Every field is checked, so a typo in a profile is
 * named rather than silently matching nothing. */
static int profile_rules(const json_t *profile, struct live **v, size_t *n, struct ub_err *e)
{
	const json_t *arr = json_object_get(profile, "diagnose"), *r;
	size_t i;

	if (!arr)
		return 0;
	if (!json_is_array(arr))
		return ub_err_set(e, UB_EFORMAT, "profile-invalid", "profile: \"diagnose\" must be an array of rules");
	json_array_foreach(arr, i, r) {
		const char *id = json_string_value(json_object_get(r, "id"));
		const char *pat = json_string_value(json_object_get(r, "pattern"));
		const char *path = json_string_value(json_object_get(r, "path"));
		const char *fnd = json_string_value(json_object_get(r, "finding"));
		const char *adv = json_string_value(json_object_get(r, "advice"));
		const json_t *mc = json_object_get(r, "min_count");
		const json_t *on = json_object_get(r, "on");
		struct live *x;

		if (!id || !pat || !path || !fnd || !adv || (mc && !json_is_integer(mc)))
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "profile: diagnose rule %zu needs id, pattern, path, finding and advice (strings) and an optional min_count",
					  i);
		if (on && !(json_is_string(on) && (strcmp(json_string_value(on), "log") == 0 ||
						   strcmp(json_string_value(on), "led") == 0)))
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "profile: diagnose rule %s: \"on\" must be \"log\" (the default) or \"led\"", id);
		if (!(x = realloc(*v, (*n + 1) * sizeof **v)))
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		*v = x;
		x = &(*v)[(*n)++];
		memset(x, 0, sizeof *x);
		x->r = (struct ub_diag_rule){ id, "profile", pat, mc ? (unsigned)json_integer_value(mc) : 0,
					      path, fnd, adv,
					      json_is_true(json_object_get(r, "note")) };
		x->led = on && strcmp(json_string_value(on), "led") == 0;
		if (path_from_name(path, &x->path) != 0)
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "profile: diagnose rule %s: path '%.40s' is not one of console, programmer, hardware, unknown",
					  id, path);
	}
	return 0;
}

static int add_rules(const struct ub_diag_rule *rules, struct live **v, size_t *n,
		     struct ub_err *e)
{
	size_t i;

	for (i = 0; rules[i].id; i++) {
		struct live *x = realloc(*v, (*n + 1) * sizeof **v);

		if (!x)
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
		*v = x;
		x = &(*v)[(*n)++];
		memset(x, 0, sizeof *x);
		x->r = rules[i];
		if (path_from_name(rules[i].path ? rules[i].path : "unknown", &x->path) != 0)
			return ub_err_set(e, UB_EFORMAT, NULL, "diagnose rule %s: unknown path %s",
					  rules[i].id, rules[i].path);
	}
	return 0;
}

/* What shows a bootloader talking in a log: every family's banners and
 * prompts. */
struct talk {
	regex_t re[32];
	size_t n;
};

static int compile_talk(struct talk *t, struct ub_err *e)
{
	size_t i, k;

	for (i = 0; ub_families[i]; i++) {
		const char *const *lists[2] = { ub_families[i]->banners, ub_families[i]->prompts };

		for (k = 0; k < 2; k++) {
			const char *const *p = lists[k];

			for (; p && *p && t->n < sizeof t->re / sizeof t->re[0]; p++) {
				if (regcomp(&t->re[t->n], *p, REG_EXTENDED | REG_NOSUB) != 0)
					return ub_err_set(e, UB_EFORMAT, NULL, "the %s family's pattern %s does not compile",
							  ub_families[i]->name, *p);
				t->n++;
			}
		}
	}
	return 0;
}

static int compile_all(struct live *v, size_t n, struct ub_err *e)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (regcomp(&v[i].re, v[i].r.pattern, REG_EXTENDED | (v[i].led ? REG_ICASE : 0)) != 0)
			return ub_err_set(e, UB_EFORMAT, "profile-invalid",
					  "diagnose rule %s: the pattern is not a valid regular expression",
					  v[i].r.id);
		v[i].compiled = 1;
		finding_text(&v[i].f, v[i].r.id, v[i].path, v[i].r.finding, v[i].r.advice);
		v[i].f.note = v[i].r.note;
	}
	return 0;
}

/* "[12:34:56.789] ..." or "12:34:56.789 ..." (terminal programs' time
 * stamps): seconds into the day, or < 0; *skip gets the prefix's length so
 * rules see the line as the device printed it. */
static double stamp(const char *s, size_t *skip)
{
	unsigned h, m;
	double sec;
	int used = 0, br = *s == '[';

	*skip = 0;
	if (sscanf(s + br, "%2u:%2u:%lf%n", &h, &m, &sec, &used) != 3 || used < 8 || h > 23 || m > 59)
		return -1;
	used += br;
	if (br && s[used] == ']')
		used++;
	while (s[used] == ' ')
		used++;
	*skip = (size_t)used;
	return h * 3600.0 + m * 60.0 + sec;
}

static void apply(struct live *x, const char *line, double t, unsigned lineno)
{
	regmatch_t m[2];

	if (regexec(&x->re, line, 2, m, 0) != 0)
		return;
	if (x->f.count++ == 0) {
		regoff_t a = m[1].rm_so >= 0 ? m[1].rm_so : m[0].rm_so;
		regoff_t b = m[1].rm_so >= 0 ? m[1].rm_eo : m[0].rm_eo;

		x->f.line = lineno;
		snprintf(x->f.evidence, sizeof x->f.evidence, "%.*s", (int)(b - a), line + a);
		x->t_first = t;
	}
	x->t_last = t;
}

/* Console text is mostly printable; a wrong baud rate gives mostly not. */
static int garbled(const char *log, size_t len)
{
	size_t i, bad = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)log[i];

		bad += !(isprint(c) || c == '\n' || c == '\r' || c == '\t' || c == 0x1b);
	}
	return len >= 32 && bad * 5 > len;
}

static void scan(struct live *v, size_t n, const struct talk *talk, const char *log, size_t len,
		 struct ub_diagnosis *d, int *prompt_last, int *autoboot)
{
	size_t at = 0, i, skip;
	char line[MAX_LINE];
	double t;

	while (at < len) {
		const char *nl = memchr(log + at, '\n', len - at);
		size_t end = nl ? (size_t)(nl - log) : len, k = 0, j;

		/* a NUL or carriage return inside a line ends nothing; drop them */
		for (j = at; j < end && k + 1 < sizeof line; j++)
			if (log[j] != '\r' && log[j] != '\0')
				line[k++] = log[j];
		line[k] = '\0';
		at = end + 1;
		d->lines++;
		t = stamp(line, &skip);
		for (i = 0; i < n; i++)
			if (!v[i].led)
				apply(&v[i], line + skip, t, d->lines);
		if (strstr(line, "Hit any key to stop autoboot") || strstr(line, "autoboot in"))
			*autoboot = 1;
		for (i = 0; i < talk->n && !d->bootloader_seen; i++)
			d->bootloader_seen = regexec(&talk->re[i], line + skip, 0, NULL, 0) == 0;
		if (k) {
			/* the last line with text decides whether the log ends at a prompt */
			size_t e = k;

			while (e && isspace((unsigned char)line[e - 1]))
				e--;
			*prompt_last = e > 0 && (line[e - 1] == '>' || line[e - 1] == '#') && e <= 16;
		}
	}
}

/* The profile's LED rule the user's words match, or NULL. */
static const struct live *led_rule(const struct live *v, size_t n, const char *text)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (v[i].led && regexec(&v[i].re, text, 0, NULL, 0) == 0)
			return &v[i];
	return NULL;
}

static int symptom_findings(const struct live *v, size_t nv, const char *const *sym, size_t n,
			    struct ub_diagnosis *d, struct ub_err *e)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		struct ub_finding f;
		int known = strncmp(sym[i], "led:", 4) == 0 && sym[i][4];

		for (k = 0; !known && ub_symptoms[k]; k++)
			known = strcmp(sym[i], ub_symptoms[k]) == 0;
		if (!known)
			return ub_err_set(e, UB_EUSAGE, "usage",
					  "unknown symptom '%.60s' (known: no-boot, boot-loop, corrupt-message, erratic-after-update, stuck-in-recovery, no-output, led:TEXT)",
					  sym[i]);
		memset(&f, 0, sizeof f);
		if (strncmp(sym[i], "led:", 4) == 0 && led_rule(v, nv, sym[i] + 4)) {
			f = led_rule(v, nv, sym[i] + 4)->f;
			f.count = 1;
		} else if (strcmp(sym[i], "boot-loop") == 0 || strcmp(sym[i], "corrupt-message") == 0 ||
		    strcmp(sym[i], "erratic-after-update") == 0 || strcmp(sym[i], "stuck-in-recovery") == 0)
			finding_text(&f, sym[i], UB_PATH_CONSOLE, "reported: the device starts but its firmware does not work",
				     "Connect the serial console: if the bootloader answers, recover through it (unbrick diagnose --device ... listens first).");
		else if (strcmp(sym[i], "no-output") == 0)
			finding_text(&f, sym[i], UB_PATH_PROGRAMMER, "reported: nothing at all on the serial console",
				     "Check the console wiring (TX/RX crossed, GND) and the baud rate first; if the wiring is right and nothing prints, the bootloader is gone: use a programmer on the flash chip.");
		else
			finding_text(&f, strcmp(sym[i], "no-boot") == 0 ? sym[i] : "led", UB_PATH_UNKNOWN,
				     strcmp(sym[i], "no-boot") == 0 ? "reported: the device does not boot" :
				     "reported: an LED pattern the profile does not describe",
				     "Connect the serial console and run unbrick diagnose --device ... to see where it stops.");
		snprintf(f.evidence, sizeof f.evidence, "%s", sym[i]);
		if (add_finding(d, &f))
			return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	}
	return 0;
}

/* The verdict: the gravest path any finding points to. */
static void decide(struct ub_diagnosis *d)
{
	static const enum ub_path order[] = { UB_PATH_HARDWARE, UB_PATH_PROGRAMMER, UB_PATH_CONSOLE };
	size_t i, k;

	d->path = UB_PATH_UNKNOWN;
	for (k = 0; k < 3 && d->path == UB_PATH_UNKNOWN; k++)
		for (i = 0; i < d->n; i++)
			if (d->v[i].path == order[k]) {
				d->path = order[k];
				snprintf(d->verdict, sizeof d->verdict, "%s: %s",
					 order[k] == UB_PATH_HARDWARE ? "stop, this looks like a hardware fault" :
					 order[k] == UB_PATH_PROGRAMMER ? "use a programmer on the flash chip" :
					 "recover through the bootloader's console",
					 d->v[i].finding);
				break;
			}
	if (d->path == UB_PATH_UNKNOWN)
		snprintf(d->verdict, sizeof d->verdict, "%s", d->n ?
			 "not enough to choose a path: capture the console while the device powers on" :
			 "nothing wrong found in what was given");
}

int ub_diagnose(const char *log, size_t len, const json_t *profile,
		const char *const *symptoms, size_t nsymptoms,
		struct ub_diagnosis *out, struct ub_err *e)
{
	struct live *v = NULL;
	struct talk talk = { .n = 0 };
	size_t n = 0, i, firm = 0;
	int rc = 0, prompt_last = 0, autoboot = 0;

	memset(out, 0, sizeof *out);
	if ((rc = add_rules(ub_diag_rules, &v, &n, e)))
		goto done;
	for (i = 0; ub_families[i]; i++)
		if (ub_families[i]->rules && (rc = add_rules(ub_families[i]->rules, &v, &n, e)))
			goto done;
	if ((rc = profile_rules(profile, &v, &n, e)) || (rc = compile_all(v, n, e)) ||
	    (rc = compile_talk(&talk, e)) ||
	    (rc = symptom_findings(v, n, symptoms, nsymptoms, out, e)))
		goto done;
	if (log && garbled(log, len)) {
		struct ub_finding f = { 0 };

		finding_text(&f, "garbled", UB_PATH_UNKNOWN, "the console output is mostly unreadable",
			     "Set the right baud rate (115200 on most boards; some use 57600 or 1500000) and check GND is connected.");
		rc = add_finding(out, &f);
		goto verdict;
	}
	if (log)
		scan(v, n, &talk, log, len, out, &prompt_last, &autoboot);
	for (i = 0; !rc && i < n; i++) {
		struct ub_finding *f = &v[i].f;

		if (f->count < (v[i].r.min_count ? v[i].r.min_count : 1))
			continue;
		if (f->count > 1 && v[i].t_first >= 0 && v[i].t_last > v[i].t_first)
			f->interval = (v[i].t_last - v[i].t_first) / (f->count - 1);
		rc = add_finding(out, f);
	}
	for (i = nsymptoms; i < out->n; i++)
		firm += out->v[i].path != UB_PATH_UNKNOWN;
	if (!rc && log && out->lines && !out->bootloader_seen && len > 0 && !firm) {
		struct ub_finding f = { 0 };
		size_t k, text = 0;

		for (k = 0; k < len; k++)
			text += isalnum((unsigned char)log[k]) != 0;
		if (text == 0) {
			finding_text(&f, "no-output", UB_PATH_PROGRAMMER, "the console shows nothing at all",
				     "Check the console wiring (TX/RX crossed, GND) and the baud rate first; if the wiring is right and nothing prints, the bootloader is gone: use a programmer on the flash chip.");
			rc = add_finding(out, &f);
		}
	}
	if (!rc && autoboot && prompt_last && !firm) {
		struct ub_finding f = { 0 };

		finding_text(&f, "bootloader-only", UB_PATH_CONSOLE,
			     "autoboot ran and came back to the bootloader's prompt: it found nothing it could boot",
			     "The firmware is missing or unreadable; recover through the bootloader's console.");
		rc = add_finding(out, &f);
	}
	if (!rc && log && len == 0) {
		struct ub_finding f = { 0 };

		finding_text(&f, "no-output", UB_PATH_PROGRAMMER, "the console log is empty",
			     "Check the console wiring (TX/RX crossed, GND) and the baud rate first; if the wiring is right and nothing prints, the bootloader is gone: use a programmer on the flash chip.");
		rc = add_finding(out, &f);
	}
verdict:
	if (rc)
		rc = ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	else
		decide(out);
done:
	for (i = 0; i < n; i++)
		if (v[i].compiled)
			regfree(&v[i].re);
	for (i = 0; i < talk.n; i++)
		regfree(&talk.re[i]);
	free(v);
	if (rc)
		ub_diagnosis_free(out);
	return rc;
}

json_t *ub_diagnosis_json(const struct ub_diagnosis *d)
{
	json_t *arr = json_array();
	size_t i;

	for (i = 0; i < d->n; i++) {
		const struct ub_finding *f = &d->v[i];
		json_t *o = json_pack("{s:s, s:s, s:i, s:i, s:s, s:s, s:s, s:b}", "id", f->id,
				      "path", ub_path_name(f->path), "count", (int)f->count,
				      "line", (int)f->line, "evidence", f->evidence,
				      "finding", f->finding, "advice", f->advice, "note", f->note);

		if (o && f->interval >= 0)
			json_object_set_new(o, "interval_s", json_real(f->interval));
		json_array_append_new(arr, o);
	}
	return json_pack("{s:s, s:s, s:o, s:i, s:b}", "path", ub_path_name(d->path),
			 "verdict", d->verdict, "findings", arr, "lines", (int)d->lines,
			 "bootloader_seen", d->bootloader_seen);
}

void ub_diagnosis_free(struct ub_diagnosis *d)
{
	free(d->v);
	memset(d, 0, sizeof *d);
}
