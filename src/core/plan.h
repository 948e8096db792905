/* The plan of a recovery (--dry-run), printed and returned as JSON
 * ("plan", "would_refuse" in res), without reaching the device. */
#ifndef UB_PLAN_H
#define UB_PLAN_H

#include <jansson.h>

#include "base/err.h"
#include "core/recover.h"

/* Returns 0, UB_EREFUSED when a gate would refuse (advice of the first),
 * or the error that kept the plan from being made. */
int ub_recover_plan(const struct ub_recover_opts *o, json_t *res, struct ub_err *e);

#endif
