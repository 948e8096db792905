/* Listening to a U-Boot board without taking it over: what its console
 * prints for some seconds (a power-on, a boot loop), for diagnosis.
 * Nothing is sent: no prompt is hunted, no key pressed, so the board
 * boots (or fails) as it does on its own. */
#include "family/uboot/uboot.h"
#include "io/stream.h"

#define MAX_LOG (16u << 20)   /* a boot log is kilobytes; more is a loop */

int ub_uboot_capture(const struct ub_device_spec *spec, int seconds, char **log, size_t *len,
		     struct ub_err *e)
{
	struct ub_stream *s;
	int rc;

	*log = NULL;
	*len = 0;
	if ((rc = ub_stream_open(&s, spec->transport, spec->address, spec->params, e)))
		return rc;
	rc = ub_stream_collect(s, seconds, MAX_LOG, log, len, e);
	ub_stream_close(s);
	return rc;
}
