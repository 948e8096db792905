#include "fastboot.h"
#include "base/hex.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const kinds[] = { "OKAY", "FAIL", "INFO", "TEXT", "DATA" };

const char *ub_fb_kind_name(enum ub_fb_kind k)
{
	return (unsigned)k < sizeof kinds / sizeof kinds[0] ? kinds[k] : "?";
}

int ub_fb_reply_parse(const uint8_t *buf, size_t n, struct ub_fb_reply *out, struct ub_err *e)
{
	size_t i, len;

	memset(out, 0, sizeof *out);
	if (n < 4)
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "the device's reply is %zu bytes, shorter than its four-letter kind", n);
	for (i = 0; i < sizeof kinds / sizeof kinds[0]; i++)
		if (memcmp(buf, kinds[i], 4) == 0)
			break;
	if (i == sizeof kinds / sizeof kinds[0])
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "the device's reply starts with neither OKAY, FAIL, INFO, TEXT nor DATA (%02x %02x %02x %02x)",
				  buf[0], buf[1], buf[2], buf[3]);
	out->kind = (enum ub_fb_kind)i;
	len = n - 4 < UB_FB_REPLY_MAX ? n - 4 : UB_FB_REPLY_MAX;
	for (i = 0; i < len; i++) {
		uint8_t c = buf[4 + i];

		out->text[i] = (char)(c < 0x20 || c == 0x7f ? '?' : c);
	}
	out->text[len] = '\0';
	if (out->kind == UB_FB_DATA) {
		uint32_t v = 0;

		if (n != 12)
			return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
					  "the device's DATA reply is %zu bytes, not DATA and eight hex digits", n);
		for (i = 0; i < 8; i++) {
			int h = ub_hex_digit(buf[4 + i]);

			if (h < 0)
				return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
						  "the device's DATA reply has a size that is not hex: '%s'", out->text);
			v = v << 4 | (uint32_t)h;
		}
		out->data_len = v;
	}
	return 0;
}

static int command_ok(const char *cmd, struct ub_err *e)
{
	size_t i, n = strlen(cmd);

	if (n == 0 || n > UB_FB_COMMAND_MAX)
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "the fastboot command '%.80s' is %zu bytes; the protocol takes 1 to %d",
				  cmd, n, UB_FB_COMMAND_MAX);
	for (i = 0; i < n; i++)
		if ((unsigned char)cmd[i] < 0x20 || (unsigned char)cmd[i] > 0x7e)
			return ub_err_set(e, UB_EUSAGE, "usage",
					  "the fastboot command '%.80s' holds a byte that is not printable ASCII", cmd);
	return 0;
}

/* Replies until one ends the command; INFO and TEXT are passed on. */
static int replies(struct ub_fb *fb, const char *cmd, int timeout_ms, struct ub_fb_reply *r,
		   struct ub_err *e)
{
	uint8_t buf[UB_FB_REPLY_MAX + 64];
	long n;
	int rc;

	for (;;) {
		n = fb->t->ops->recv(fb->t, buf, sizeof buf, timeout_ms, e);
		if (n < 0) {
			ub_err_prefix(e, cmd);
			return (int)n;
		}
		if ((rc = ub_fb_reply_parse(buf, (size_t)n, r, e))) {
			ub_err_prefix(e, cmd);
			return rc;
		}
		if (r->kind == UB_FB_INFO || r->kind == UB_FB_TEXT) {
			if (fb->note)
				fb->note(fb->note_ctx, r->kind, r->text);
			continue;
		}
		if (r->kind == UB_FB_FAIL)
			return ub_err_set(e, UB_EFAIL, "fastboot-fail", "the device refused '%s': FAIL %s", cmd,
					  r->text[0] ? r->text : "(no reason given)");
		return 0;
	}
}

int ub_fb_command(struct ub_fb *fb, const char *cmd, int timeout_ms, struct ub_fb_reply *out,
		  struct ub_err *e)
{
	struct ub_fb_reply r;
	int rc;

	if (!out)
		out = &r;
	memset(out, 0, sizeof *out);
	if ((rc = command_ok(cmd, e)))
		return rc;
	if ((rc = fb->t->ops->send(fb->t, (const uint8_t *)cmd, strlen(cmd), e))) {
		ub_err_prefix(e, cmd);
		return rc;
	}
	return replies(fb, cmd, timeout_ms, out, e);
}

int ub_fb_getvar(struct ub_fb *fb, const char *name, char *out, size_t len, int timeout_ms,
		 struct ub_err *e)
{
	struct ub_fb_reply r;
	char cmd[UB_FB_COMMAND_MAX + 16];
	int rc;

	if (len)
		out[0] = '\0';
	snprintf(cmd, sizeof cmd, "getvar:%s", name);
	if ((rc = ub_fb_command(fb, cmd, timeout_ms, &r, e)))
		return rc;
	if (r.kind != UB_FB_OKAY)
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol", "getvar:%s: the device answered %s", name,
				  ub_fb_kind_name(r.kind));
	if (len)
		snprintf(out, len, "%s", r.text);
	return 0;
}

static const struct verb {
	const char *name;
	char sep;          /* between verb and argument; 0: no argument */
} verbs[] = {
	{ "flash", ':' }, { "erase", ':' }, { "set_active", ':' }, { "reboot", 0 },
	{ "reboot-bootloader", 0 }, { "continue", 0 }, { "boot", 0 }, { "oem", ' ' },
	{ "flashing", ' ' },
};

static int arg_ok(const char *verb, const char *arg)
{
	static const char *const flashing[] = { "lock", "unlock", "lock_critical", "unlock_critical" };
	size_t i;

	if (strcmp(verb, "set_active") == 0)
		return strcmp(arg, "a") == 0 || strcmp(arg, "b") == 0 || strcmp(arg, "_a") == 0 ||
		       strcmp(arg, "_b") == 0;
	if (strcmp(verb, "flashing") == 0) {
		for (i = 0; i < sizeof flashing / sizeof flashing[0]; i++)
			if (strcmp(arg, flashing[i]) == 0)
				return 1;
		return 0;
	}
	/* a partition name has no separator or space in it */
	if (strcmp(verb, "oem") != 0)
		return !strpbrk(arg, ": ");
	return 1;
}

int ub_fb_do(struct ub_fb *fb, const char *verb, const char *arg, int timeout_ms, struct ub_err *e)
{
	char cmd[UB_FB_COMMAND_MAX + 2];
	size_t i;

	for (i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
		if (strcmp(verbs[i].name, verb) == 0)
			break;
	if (i == sizeof verbs / sizeof verbs[0])
		return ub_err_set(e, UB_EUSAGE, "usage", "'%.40s' is not a fastboot command unbrick sends", verb);
	if (!verbs[i].sep != !(arg && *arg))
		return ub_err_set(e, UB_EUSAGE, "usage", "fastboot %s %s", verb,
				  verbs[i].sep ? "needs an argument" : "takes no argument");
	if (arg && !arg_ok(verb, arg))
		return ub_err_set(e, UB_EUSAGE, "usage", "fastboot %s: '%.60s' is not an argument it takes", verb, arg);
	if (arg)
		snprintf(cmd, sizeof cmd, "%s%c%.*s", verb, verbs[i].sep, UB_FB_COMMAND_MAX, arg);
	else
		snprintf(cmd, sizeof cmd, "%s", verb);
	return ub_fb_command(fb, cmd, timeout_ms, NULL, e);
}

int ub_fb_download(struct ub_fb *fb, uint64_t size, ub_fb_fill fill, void *ctx,
		   struct ub_progress *p, int timeout_ms, struct ub_err *e)
{
	struct ub_fb_reply r;
	char cmd[32];
	size_t chunk = fb->t->chunk ? fb->t->chunk : 65536;
	uint64_t done = 0;
	uint8_t *buf;
	int rc;

	if (size == 0 || size > 0xffffffffu)
		return ub_err_set(e, UB_EUSAGE, "usage",
				  "a fastboot download is 1 to 4294967295 bytes, not %llu", (unsigned long long)size);
	snprintf(cmd, sizeof cmd, "download:%08llx", (unsigned long long)size);
	if ((rc = ub_fb_command(fb, cmd, timeout_ms, &r, e)))
		return rc;
	if (r.kind != UB_FB_DATA || r.data_len != size)
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "%s: the device answered %s%s instead of DATA%08llx", cmd,
				  ub_fb_kind_name(r.kind), r.text, (unsigned long long)size);
	if (!(buf = malloc(chunk)))
		return ub_err_set(e, UB_ENOMEM, NULL, "out of memory");
	while (done < size) {
		size_t n = size - done < chunk ? (size_t)(size - done) : chunk;

		if ((rc = fill(ctx, done, buf, n, e)))
			break;
		if ((rc = fb->t->ops->send(fb->t, buf, n, e))) {
			char where[96];

			snprintf(where, sizeof where, "the download, after %llu of %llu bytes",
				 (unsigned long long)done, (unsigned long long)size);
			ub_err_prefix(e, where);
			break;
		}
		done += n;
		fb->bytes_sent += n;
		ub_progress_update(p, done);
	}
	free(buf);
	if (rc)
		return rc;
	if ((rc = replies(fb, "the end of the download", timeout_ms, &r, e)))
		return rc;
	if (r.kind != UB_FB_OKAY)
		return ub_err_set(e, UB_EFORMAT, "fastboot-protocol",
				  "after the download's %llu bytes the device answered %s, not OKAY",
				  (unsigned long long)size, ub_fb_kind_name(r.kind));
	return 0;
}

void ub_fb_close(struct ub_fb *fb)
{
	if (fb && fb->t) {
		fb->t->ops->close(fb->t);
		fb->t = NULL;
	}
}
