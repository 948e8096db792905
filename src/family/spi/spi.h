/* The SPI family: a flash chip read and written through a programmer with
 * libflashrom, for boards whose bootloader no longer answers. */
#ifndef UB_FAMILY_SPI_H
#define UB_FAMILY_SPI_H

#include "family/family.h"

extern const struct ub_family ub_family_spi;

/* The programmers reachable now (list.c). */
int ub_spi_list(void (*found)(void *ctx, const struct ub_found *f), void *ctx,
		struct ub_err *e);

#endif
