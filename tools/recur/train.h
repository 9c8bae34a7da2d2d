/*
 * The training loop shared by every task of the recur program. A task
 * provides its parameters, a function that builds one step's loss and runs
 * its backward pass, and a validation function; the loop does the rest the
 * same way for all of them:
 *
 *   - the optimizer (--optimizer, --lr) and gradient clipping (--clip);
 *   - the limit: --steps, --epochs, or --time seconds of this run;
 *   - validation every --eval-every steps and at the end, saving the model
 *     with the lowest validation loss (or other validation metric the task
 *     names) to --model (without a validation set, the latest evaluated
 *     model);
 *   - a checkpoint MODEL.ckpt every --checkpoint-every steps, at the end, and
 *     when stopped by SIGINT, SIGTERM or --stop-after: model, optimizer
 *     state, the task's carried state, the dropout generator, the step, the
 *     best validation loss so far and the options the run depends on;
 *     `--resume MODEL.ckpt` with the same options continues it, and the
 *     final model is bit-identical to that of an uninterrupted run with the
 *     same seed and thread count;
 *   - a NaN or infinite loss or gradient norm stops the run before the
 *     update, reporting the step and the tensor; nothing is saved, so the
 *     model file and the last checkpoint stay as they were. With --on-nan
 *     skip the batch is dropped instead (no update, the carried state reset)
 *     and counted, up to 9 in a row;
 *   - progress on stderr and metrics records on stdout.
 *
 * Exit statuses: 0 done (or stopped by --stop-after), 1 error, 128 + signal
 * number when stopped by a signal.
 */
#ifndef RECUR_TOOL_TRAIN_H
#define RECUR_TOOL_TRAIN_H

#include "common.h"
#include "recur/safetensors.h"

typedef struct cli_train_task {
    const char *cmd;          /* "recur lm train", prefix of messages */
    const char *name;         /* the model file's "task" */
    void *self;               /* passed to the callbacks */
    rc_params *params;        /* the model's parameters, saved in model files */
    rc_params *state;         /* tensors carried from step to step (restored by --resume), or NULL */
    const rc_st_kv *meta;     /* the model file's task metadata ("config", "vocab") */
    size_t n_meta;
    const json_t *identity;   /* what a resumed run must share: options and a data fingerprint */
    int64_t steps_per_epoch;
    double tokens_per_step;   /* for the tokens/s of the progress line */
    bool has_valid;
    /* The key of the evaluation record whose lowest value picks the model
     * kept, one the validate callback sets; NULL for "valid_loss". */
    const char *best_by;
    /* Builds the loss of step `step` (counting from 0) in g, which the loop
     * has reset, runs its backward pass and stores its value in *loss. */
    rc_status (*step)(void *self, rc_graph *g, int64_t step, double *loss);
    /* The mean validation loss, computed with g in evaluation mode without
     * gradients; may add task metrics (e.g. "valid_bpc") to rec. */
    rc_status (*validate)(void *self, rc_graph *g, double *loss, json_t *rec);
} cli_train_task;

/* Trains per the options in c; returns the exit status. The graph's random
 * generator (dropout) is seeded from c->seed here. */
int cli_train_run(const cli_train_task *task, const cli_common *c, rc_graph *g);

#endif
