/*
 * Metrics records: the results a command prints on stdout. A record is a
 * JSON object built with jansson; with --json it is printed as one compact
 * object per line, otherwise as "key value" pairs on one line (reals with
 * four decimals, and the value of an "event" key first without its name):
 *
 *     {"event":"eval","step":200,"train_loss":2.0931,"valid_loss":2.0112}
 *     eval  step 200  train_loss 2.0931  valid_loss 2.0112
 */
#ifndef RECUR_TOOL_METRICS_H
#define RECUR_TOOL_METRICS_H

#include <stdio.h>

#include <jansson.h>

#include "recur/base.h"

/* Prints rec to fp in the chosen form and releases it (the reference is
 * stolen, so records can be built inline with json_pack). A NULL record
 * (json_pack out of memory) prints nothing and returns RC_E_NOMEM. */
rc_status cli_emit(json_t *rec, bool json, FILE *fp);

#endif
