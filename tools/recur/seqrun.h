/*
 * Running a classify or tag model over data: training steps (the batches of
 * an epoch and their mean cross-entropy) and predictions over a whole data
 * set (batches by length, results in data order). The task gives its
 * forward pass: logits (B, C) for a batch of sequences, or (B·T, C), one row
 * per position, for a tagger.
 */
#ifndef RECUR_TOOL_SEQRUN_H
#define RECUR_TOOL_SEQRUN_H

#include "batch.h"
#include "recur.h"
#include "train.h"

typedef rc_tensor *(*seq_forward_fn)(void *model, rc_graph *g, const seq_batch *b);

typedef struct seq_runner {
    void *model;
    seq_forward_fn forward;
    bool per_token; /* one target per token (tagger) or per sequence */
    int batch;      /* sequences per batch */
    double word_dropout; /* training: each token reads as <unk> with this probability */
} seq_runner;

/* The results of a pass over data: for every target (n per sequence, or one
 * per token in data order) the predicted class and its probability, and
 * the cross-entropy summed over the targets that are classes of the model
 * (others, -100, count for nothing). */
typedef struct seq_output {
    int *pred;
    float *prob;
    double loss_sum;
    size_t counted;
} seq_output;

/* Buffers for the outputs of d. Errors: RC_E_NOMEM. */
rc_status seq_output_alloc(seq_output *o, const seq_data *d, bool per_token);
void seq_output_free(seq_output *o);

/* Runs the model over d with g in evaluation mode without gradients (the
 * caller's modes are restored). Errors: the graph's, RC_E_NOMEM. */
rc_status seq_predict(const seq_runner *r, rc_graph *g, const seq_data *d, seq_output *out);

/* One training step on the sequences order[0..n): the mean cross-entropy
 * in *loss, its gradients accumulated by a backward pass. b holds the batch.
 * Word dropout draws from the graph's generator (saved in checkpoints). */
rc_status seq_train_step(const seq_runner *r, rc_graph *g, const seq_data *d, const size_t *order, int n, seq_batch *b,
                         double *loss);

/* The share of the n_targets targets of d that pred gets right (targets the
 * model does not know, -100, count as wrong). */
double seq_accuracy(const seq_data *d, bool per_token, const int *pred);

/* Training with the shared loop of train.h: the batches of each epoch
 * (batch.h) from the seed of --seed's ORDER stream, and validation by the
 * mean cross-entropy per target, reporting "valid_accuracy" too.
 *
 *     seq_fit fit;
 *     seq_fit_init(&fit, &runner, &train, has_valid ? &valid : NULL, &c);
 *     cli_train_task task = {.cmd = ..., .params = ..., ...};
 *     seq_fit_task(&fit, &task);          // step, validate, self, steps per epoch ...
 *     rc = cli_train_run(&task, &c, g);
 *     seq_fit_free(&fit);
 */
typedef struct seq_fit {
    seq_runner runner;
    const seq_data *train, *valid;
    uint64_t seed;
    seq_plan plan;
    int64_t epoch; /* of plan, -1 before the first */
    seq_batch batch;
    seq_output out;
} seq_fit;

/* Errors: RC_E_NOMEM. */
rc_status seq_fit_init(seq_fit *f, const seq_runner *r, const seq_data *train, const seq_data *valid, const cli_common *c);
void seq_fit_free(seq_fit *f);

/* Sets task's self, step, validate, steps_per_epoch, tokens_per_step and
 * has_valid. */
void seq_fit_task(seq_fit *f, cli_train_task *task);

#endif
