/* "key=value,key=value" lists, as device specs carry them. */
#ifndef UB_PARAMS_H
#define UB_PARAMS_H

#include <stddef.h>

/* The value of key in params (may be NULL), copied into out (cut to len);
 * returns 1 when present, 0 when not. */
int ub_param_get(const char *params, const char *key, char *out, size_t len);

#endif
