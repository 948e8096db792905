#include "redact.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"

/* ---- the tables: what is a secret (unbrick(1), REDACTION, lists them) ---- */

enum where { ANYWHERE, LAST_PART };

/* Names of secrets, matched without regard to case.  ANYWHERE: inside the
 * name (wpa_psk, wifi_password, rootpasswd, X-Auth-Token).  LAST_PART: the
 * name's last part, after '_', '-', '.' or a change to upper case
 * (api_key, mqtt_pass, authKey, root_pw), so that keyboard, bypass,
 * key-name-hint or pwd (a shell's working folder) are not secrets. */
static const struct {
	const char *pattern;
	enum where where;
} secret_names[] = {
	{ "password", ANYWHERE },
	{ "passwd", ANYWHERE },
	{ "passphrase", ANYWHERE },
	{ "psk", ANYWHERE },
	{ "secret", ANYWHERE },
	{ "token", ANYWHERE },
	{ "credential", ANYWHERE },
	{ "privkey", ANYWHERE },
	{ "apikey", ANYWHERE },
	{ "authorization", ANYWHERE },
	{ "wps_pin", ANYWHERE },
	{ "pass", LAST_PART },
	{ "pw", LAST_PART },
	{ "key", LAST_PART },
	{ "auth", LAST_PART },
	{ "cookie", LAST_PART },
	{ "community", LAST_PART },
};

/* crypt(3) hash ids: $id$ then salt and hash ([./0-9A-Za-z] and the
 * parameters some carry: $argon2id$v=19$m=65536,t=3,p=4$...). */
static const char *const hash_ids[] = {
	"1", "2a", "2b", "2x", "2y", "5", "6", "7", "y", "gy", "sha1", "md5", "apr1",
	"argon2i", "argon2d", "argon2id",
};

/* ---- names ---- */

static int name_char(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '-' || c == '.';
}

static int blank(char c)
{
	return c == ' ' || c == '\t';
}

int ub_redact_secret_name(const char *name, size_t n)
{
	char low[128];
	size_t i, len = n < sizeof low ? n : sizeof low - 1, last = 0;
	const char *s = name + (n - len);   /* a very long name: its end */

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		low[i] = (char)tolower(c);
		if (c == '_' || c == '-' || c == '.')
			last = i + 1;
		else if (i > 0 && isupper(c) && islower((unsigned char)s[i - 1]))
			last = i;
	}
	low[len] = '\0';
	if (memchr(s, '\0', len))
		return 0;   /* not a name */
	for (i = 0; i < sizeof secret_names / sizeof secret_names[0]; i++)
		if (secret_names[i].where == ANYWHERE ? strstr(low, secret_names[i].pattern) != NULL :
		    strcmp(low + last, secret_names[i].pattern) == 0)
			return 1;
	return 0;
}

/* ---- spans of one line to replace ---- */

#define MAX_SPANS 32

struct spans {
	size_t n, end;   /* end: the line without its "\r\n" */
	struct span {
		size_t a, b;
		int counts;   /* a new value (not the next line of a key) */
	} v[MAX_SPANS];
};

/* A line with more secrets than spans loses the rest of itself: too much
 * hidden beats one shown. */
static void add(struct spans *sp, size_t a, size_t b, int counts)
{
	struct span *last = &sp->v[MAX_SPANS - 1];

	if (a >= b)
		return;
	if (sp->n < MAX_SPANS) {
		sp->v[sp->n++] = (struct span){ a, b, counts };
		return;
	}
	last->a = a < last->a ? a : last->a;
	last->b = sp->end;
	last->counts = 1;
}

/* ---- the rules ---- */

/* Where a quoted value that starts (with its quote) at q ends: its
 * closing quote (a backslash escapes one in double quotes), or the end. */
static size_t close_quote(const char *s, size_t q, size_t end)
{
	size_t k;

	for (k = q + 1; k < end; k++) {
		if (s[q] == '"' && s[k] == '\\')
			k++;
		else if (s[k] == s[q])
			return k;
	}
	return end;
}

/* Where an unquoted value that starts at v ends: the end of the line, or
 * before the next assignment (" root=/dev/mtd2", a URL's "&"), or in
 * JSON at the end of a number or word. */
static size_t value_end(const char *s, size_t v, size_t end, int json)
{
	size_t k, t, u;

	for (k = v; k < end; k++) {
		if (s[k] == '&' || (json && (s[k] == ',' || s[k] == '}' || s[k] == ']' || blank(s[k]))))
			return k;
		if (!blank(s[k]))
			continue;
		for (t = k; t < end && blank(s[t]); t++)
			;
		for (u = t; u < end && name_char(s[u]); u++)
			;
		if (u > t && u < end && s[u] == '=')
			return k;
	}
	return end;
}

/* name=value, name: value, name = value, "name": "value", 'name'='value' */
static void assignments(const char *s, struct spans *sp)
{
	size_t i, j, ns, vs, ve, done = 0, end = sp->end;
	char q;

	for (i = 0; i < end; i++) {
		if ((s[i] != '=' && s[i] != ':') || i < done)
			continue;
		if (s[i] == ':' && i + 1 < end && (s[i + 1] == '/' || s[i + 1] == ':'))
			continue;   /* a URL's scheme, or "::" */
		if (s[i] == '=' && ((i + 1 < end && s[i + 1] == '=') ||
				    (i > 0 && (s[i - 1] == '=' || s[i - 1] == '!' || s[i - 1] == '<' || s[i - 1] == '>'))))
			continue;   /* a comparison */
		for (j = i; j > 0 && blank(s[j - 1]); j--)
			;
		q = j > 0 && (s[j - 1] == '"' || s[j - 1] == '\'') ? s[j - 1] : 0;
		if (q)
			j--;
		for (ns = j; ns > 0 && name_char(s[ns - 1]); ns--)
			;
		if (ns == j || (q && (ns == 0 || s[ns - 1] != q)) || !ub_redact_secret_name(s + ns, j - ns))
			continue;
		for (vs = i + 1; vs < end && blank(s[vs]); vs++)
			;
		if (vs >= end)
			continue;   /* nothing after it (a prompt) */
		if (s[vs] == '"' || s[vs] == '\'') {
			ve = close_quote(s, vs, end);
			add(sp, vs + 1, ve, 1);
		} else {
			ve = value_end(s, vs, end, q != 0);
			add(sp, vs, ve, 1);
		}
		done = ve;
	}
}

/* U-Boot's "setenv NAME VALUE..." ("env set", "setenv -f", and Linux's
 * fw_setenv): the value is the rest of the command, up to a ';' outside
 * quotes. */
static void commands(const char *s, struct spans *sp)
{
	size_t i = 0, h, k, ns, ne, vs, end = sp->end;
	const char *hit;
	char q;

	while (i < end && (hit = memmem(s + i, end - i, "set", 3)) != NULL) {
		h = (size_t)(hit - s);
		i = h + 3;
		if (h + 6 <= end && memcmp(s + h, "setenv", 6) == 0 &&
		    (h == 0 || !isalnum((unsigned char)s[h - 1])))
			k = h + 6;
		else if (h >= 4 && memcmp(s + h - 4, "env ", 4) == 0 &&
			 (h == 4 || !isalnum((unsigned char)s[h - 5])))
			k = h + 3;
		else
			continue;
		if (k >= end || !blank(s[k]))
			continue;
		while (k < end && blank(s[k]))
			k++;
		if (k + 2 < end && s[k] == '-' && s[k + 1] == 'f' && blank(s[k + 2]))
			for (k += 2; k < end && blank(s[k]); k++)
				;
		for (ns = ne = k; ne < end && !blank(s[ne]) && s[ne] != ';'; ne++)
			;
		if (ne == ns || !ub_redact_secret_name(s + ns, ne - ns))
			continue;
		for (vs = ne; vs < end && blank(s[vs]); vs++)
			;
		for (k = vs, q = 0; k < end && (q || s[k] != ';'); k++)
			if (q ? s[k] == q : (s[k] == '"' || s[k] == '\''))
				q = q ? 0 : s[k];
		add(sp, vs, k, 1);
		i = k;
	}
}

static int hash_char(char c)
{
	return isalnum((unsigned char)c) || c == '.' || c == '/' || c == '$' || c == '=' ||
	       c == ',' || c == '+' || c == '-';
}

/* $id$salt$hash, anywhere in the line */
static void hashes(const char *s, struct spans *sp)
{
	size_t i, k, n, L, end = sp->end;

	for (i = 0; i < end; i++) {
		if (s[i] != '$')
			continue;
		for (n = 0; n < sizeof hash_ids / sizeof hash_ids[0]; n++) {
			L = strlen(hash_ids[n]);
			if (i + 2 + L > end || memcmp(s + i + 1, hash_ids[n], L) != 0 || s[i + 1 + L] != '$')
				continue;
			for (k = i + 2 + L; k < end && hash_char(s[k]); k++)
				;
			if (k - (i + 2 + L) >= 8) {
				add(sp, i, k, 1);
				i = k - 1;
			}
			break;
		}
	}
}

/* A passwd or shadow line: NAME:PASSWORD:DIGITS:...  The password field
 * goes unless it only says there is none here (x, *, !, !!). */
static void shadow(const char *s, struct spans *sp)
{
	size_t i = 0, a, b, k, end = sp->end;

	while (i < end && blank(s[i]))
		i++;
	if (i >= end || !(isalpha((unsigned char)s[i]) || s[i] == '_'))
		return;
	while (i < end && name_char(s[i]))
		i++;
	if (i < end && s[i] == '$')
		i++;
	if (i >= end || s[i] != ':')
		return;
	for (a = ++i; i < end && s[i] != ':' && !blank(s[i]); i++)
		;
	if (i >= end || s[i] != ':')
		return;
	for (b = i++; i < end && isdigit((unsigned char)s[i]); i++)
		;
	if (i >= end || s[i] != ':')
		return;
	for (k = a; k < b && (s[k] == 'x' || s[k] == '*' || s[k] == '!'); k++)
		;
	if (k < b)
		add(sp, a, b, 1);
}

/* scheme://user:password@host */
static void urls(const char *s, struct spans *sp)
{
	size_t i = 0, k, c, end = sp->end;
	const char *hit;

	while (i < end && (hit = memmem(s + i, end - i, "://", 3)) != NULL) {
		k = (size_t)(hit - s) + 3;
		i = k;
		while (k < end && s[k] != '/' && s[k] != '@' && s[k] != ':' && !blank(s[k]))
			k++;
		if (k >= end || s[k] != ':')
			continue;
		for (c = ++k; k < end && s[k] != '/' && s[k] != '@' && !blank(s[k]); k++)
			;
		if (k < end && s[k] == '@')
			add(sp, c, k, 1);
	}
}

/* Where a PEM private key's marker ("-----BEGIN " or "-----END ") is in
 * s[from..end), and (*after) where the marker's line part ends; end when
 * there is none. */
static size_t key_marker(const char *s, size_t from, size_t end, const char *which, size_t *after)
{
	static const char tail[] = "PRIVATE KEY-----";
	size_t w = strlen(which);
	const char *m;

	while (from < end && (m = memmem(s + from, end - from, which, w)) != NULL) {
		size_t at = (size_t)(m - s), lim = at + w + 40 < end ? at + w + 40 : end;
		const char *t = memmem(s + at + w, lim - (at + w), tail, sizeof tail - 1);

		if (t && !memchr(s + at, '\n', (size_t)(t - (s + at)))) {
			*after = (size_t)(t - s) + sizeof tail - 1;
			return at;
		}
		from = at + 1;
	}
	*after = end;
	return end;
}

/* The body of a private key: between its BEGIN and END lines, which may
 * be lines apart (r->in_key carries it) or on one line (a key in JSON). */
static void keys(struct ub_redact *r, const char *s, struct spans *sp)
{
	size_t pos = 0, body, e, after, end = sp->end;

	if (r->in_key) {
		e = key_marker(s, 0, end, "-----END ", &after);
		/* the key counts once, at its first line of body */
		add(sp, 0, e, r->in_key == 2 && e > 0);
		if (e > 0)
			r->in_key = 1;
		if (e == end)
			return;
		r->in_key = 0;
		pos = after;
	}
	while (key_marker(s, pos, end, "-----BEGIN ", &body) < end) {
		e = key_marker(s, body, end, "-----END ", &after);
		add(sp, body, e, 1);
		if (e == end) {
			r->in_key = body < end ? 1 : 2;
			return;
		}
		pos = after;
	}
}

/* ---- lines ---- */

static void emit(struct ub_redact *r, const char *s, size_t n, struct spans *sp,
		 struct ub_strbuf *b)
{
	static const char mark[] = UB_REDACTED;
	size_t i, j, pos = 0, m = 0;

	for (i = 1; i < sp->n; i++)   /* a few spans: insertion sort */
		for (j = i; j > 0 && sp->v[j - 1].a > sp->v[j].a; j--) {
			struct span t = sp->v[j];

			sp->v[j] = sp->v[j - 1];
			sp->v[j - 1] = t;
		}
	for (i = 0; i < sp->n; i++) {   /* merge overlaps */
		if (m > 0 && sp->v[i].a <= sp->v[m - 1].b) {
			if (sp->v[i].b > sp->v[m - 1].b)
				sp->v[m - 1].b = sp->v[i].b;
			sp->v[m - 1].counts |= sp->v[i].counts;
		} else {
			sp->v[m++] = sp->v[i];
		}
	}
	for (i = 0; i < m; i++) {
		const struct span *v = &sp->v[i];

		ub_sb_put(b, s + pos, v->a - pos);
		ub_sb_put(b, mark, sizeof mark - 1);
		/* already redacted (a report bundled again): not counted */
		if (v->counts && !(v->b - v->a == sizeof mark - 1 && memcmp(s + v->a, mark, sizeof mark - 1) == 0))
			r->count++;
		pos = v->b;
	}
	ub_sb_put(b, s + pos, n - pos);
}

void ub_redact_line(struct ub_redact *r, const char *line, size_t n, struct ub_strbuf *b)
{
	struct spans sp;

	sp.n = 0;
	sp.end = n;
	if (sp.end > 0 && line[sp.end - 1] == '\n')
		sp.end--;
	if (sp.end > 0 && line[sp.end - 1] == '\r')
		sp.end--;
	keys(r, line, &sp);
	assignments(line, &sp);
	commands(line, &sp);
	hashes(line, &sp);
	shadow(line, &sp);
	urls(line, &sp);
	emit(r, line, n, &sp, b);
}

void ub_redact_text(struct ub_redact *r, const char *s, size_t n, struct ub_strbuf *b)
{
	while (n > 0) {
		const char *nl = memchr(s, '\n', n);
		size_t len = nl ? (size_t)(nl - s) + 1 : n;

		ub_redact_line(r, s, len, b);
		s += len;
		n -= len;
	}
}

void ub_redact_tail_start(struct ub_redact *r, const char *s, size_t n)
{
	size_t after, begin = key_marker(s, 0, n, "-----BEGIN ", &after);

	r->in_key = key_marker(s, 0, n, "-----END ", &after) < begin ? 2 : 0;
}

/* ---- JSON ---- */

json_t *ub_redact_json(const json_t *v, unsigned *count)
{
	json_t *out = NULL, *m;
	const char *k;
	size_t i;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (!(out = json_object()))
			return NULL;
		json_object_foreach((json_t *)v, k, m) {
			json_t *c;

			if (ub_redact_secret_name(k, strlen(k)) && !json_is_null(m) &&
			    !(json_is_string(m) && strcmp(json_string_value(m), UB_REDACTED) == 0)) {
				c = json_string(UB_REDACTED);
				if (count)
					(*count)++;
			} else {
				c = ub_redact_json(m, count);
			}
			if (json_object_set_new(out, k, c) != 0) {
				json_decref(out);
				return NULL;
			}
		}
		return out;
	case JSON_ARRAY:
		if (!(out = json_array()))
			return NULL;
		for (i = 0; i < json_array_size(v); i++)
			if (json_array_append_new(out, ub_redact_json(json_array_get(v, i), count)) != 0) {
				json_decref(out);
				return NULL;
			}
		return out;
	case JSON_STRING: {
		struct ub_redact r = { 0, 0 };
		struct ub_strbuf b = { 0 };

		ub_redact_text(&r, json_string_value(v), json_string_length(v), &b);
		if (r.count == 0) {
			free(b.p);
			return json_deep_copy(v);
		}
		if (count)
			*count += r.count;
		/* spans end on ASCII, so UTF-8 stays valid; if not, the whole */
		out = b.failed ? NULL : json_stringn(b.p ? b.p : "", b.len);
		free(b.p);
		return out ? out : json_string(UB_REDACTED);
	}
	default:
		return json_deep_copy(v);
	}
}
