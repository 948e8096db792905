#include "err.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static void vset(struct ub_err *e, int code, const char *advice_id,
		 const char *fmt, va_list ap)
{
	e->code = code;
	e->advice_id = advice_id;
	vsnprintf(e->msg, sizeof e->msg, fmt, ap);
}

int ub_err_set(struct ub_err *e, int code, const char *advice_id,
	       const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return code;
	va_start(ap, fmt);
	vset(e, code, advice_id, fmt, ap);
	va_end(ap);
	return code;
}

int ub_err_errno(struct ub_err *e, int code, const char *advice_id,
		 int errno_value, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (!e)
		return code;
	va_start(ap, fmt);
	vset(e, code, advice_id, fmt, ap);
	va_end(ap);
	len = strlen(e->msg);
	if (len < sizeof e->msg)
		snprintf(e->msg + len, sizeof e->msg - len, ": %s",
			 strerror(errno_value));
	return code;
}

void ub_err_prefix(struct ub_err *e, const char *prefix)
{
	char old[UB_ERR_MSG_MAX];
	size_t n;

	if (!e || !prefix)
		return;
	memcpy(old, e->msg, sizeof old);
	n = strlen(prefix);
	if (n > sizeof e->msg - 3)
		n = sizeof e->msg - 3;
	memcpy(e->msg, prefix, n);
	memcpy(e->msg + n, ": ", 2);
	n += 2;
	memcpy(e->msg + n, old, sizeof e->msg - n - 1);
	e->msg[sizeof e->msg - 1] = '\0';
}

void ub_err_clear(struct ub_err *e)
{
	if (!e)
		return;
	e->code = UB_OK;
	e->advice_id = NULL;
	e->msg[0] = '\0';
}

int ub_exit_code(int code)
{
	switch (code) {
	case UB_OK:
		return UB_EXIT_OK;
	case UB_EUSAGE:
		return UB_EXIT_USAGE;
	case UB_EREFUSED:
		return UB_EXIT_REFUSED;
	case UB_ENODEV:
	case UB_ETIMEOUT:
		return UB_EXIT_NODEV;
	case UB_EINTR:
		return UB_EXIT_INTERRUPTED;
	default:
		return UB_EXIT_FAIL;
	}
}

const char *ub_code_name(int code)
{
	switch (code) {
	case UB_OK: return "ok";
	case UB_EFAIL: return "failed";
	case UB_EUSAGE: return "usage";
	case UB_EREFUSED: return "refused";
	case UB_ENODEV: return "no-device";
	case UB_EIO: return "io";
	case UB_ENOMEM: return "no-memory";
	case UB_EFORMAT: return "format";
	case UB_ETIMEOUT: return "timeout";
	case UB_EINTR: return "interrupted";
	default: return "unknown";
	}
}

const char *ub_err_advice(const struct ub_err *e)
{
	const char *a = NULL;

	if (e->advice_id)
		a = ub_advice(e->advice_id);
	if (!a)
		a = ub_advice(ub_code_name(e->code));
	return a;
}
