/* TFTP packets arrive from anything on the board's network. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "proto/tftp_server.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ub_tftp_pkt k;

	if (ub_tftp_parse(data, size, &k) == 0 && (k.op == UB_TFTP_RRQ || k.op == UB_TFTP_WRQ)) {
		/* the strings the server compares must end inside the packet */
		volatile size_t n = strlen(k.file) + strlen(k.mode);

		(void)n;
	}
	if (ub_tftp_parse(data, size, &k) == 0 && k.op == UB_TFTP_ERROR) {
		/* the message is shown to the user: it too must end inside */
		volatile size_t n = strlen(k.error_msg);

		(void)n;
	}
	return 0;
}
