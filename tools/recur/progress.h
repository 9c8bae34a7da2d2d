/*
 * The training progress line on stderr: step, epoch, loss, tokens per second
 * and the estimated time left. On a terminal one line is redrawn in place a
 * few times a second; otherwise (a log file, a pipe) a plain line is printed
 * every PLAIN_INTERVAL seconds. --quiet prints nothing.
 */
#ifndef RECUR_TOOL_PROGRESS_H
#define RECUR_TOOL_PROGRESS_H

#include <stdio.h>

#include "recur/base.h"

typedef struct cli_progress {
    FILE *fp;
    bool live, quiet, drawn;
    double start, last;   /* monotonic seconds */
    int64_t first_step;   /* the step this run started from (a resumed run starts late) */
} cli_progress;

/* Seconds on a monotonic clock. */
double cli_now(void);

void cli_progress_start(cli_progress *p, FILE *fp, bool quiet, int64_t first_step);

/* Reports that `step` steps are done. total is the step count at which
 * training ends, or 0 if unknown; time_limit (seconds of this run) or 0.
 * Throttled: cheap to call after every step. */
void cli_progress_update(cli_progress *p, int64_t step, int64_t total, double epoch, double loss, double tokens_per_step,
                         double time_limit);

/* Ends the live line, so that other output starts on a fresh line. Call
 * before printing anything else to the same terminal. */
void cli_progress_break(cli_progress *p);

#endif
