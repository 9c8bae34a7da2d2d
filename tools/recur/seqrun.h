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

/* The share of the n_targets targets of d that pred gets right (targets the
 * model does not know, -100, count as wrong). */
double seq_accuracy(const seq_data *d, bool per_token, const int *pred);

/* A classify or tag training run. The shared loop of train.h does the
 * training: the batches of each epoch (batch.h) come from the seed of
 * --seed's SHUFFLE stream, each step is the mean cross-entropy of one
 * batch (with word dropout drawn from the graph's generator, saved in
 * checkpoints), and validation is the mean cross-entropy per target,
 * reporting "valid_accuracy" too. */
typedef struct seq_train_run {
    cli_table *t;          /* the command: its name starts messages, its options are logged and make the identity */
    const char *task;      /* the model file's "task" */
    const char *identity;  /* the options a resumed run must share (see cli_run_identity) */
    const char *count_key; /* the identity's key for count, the number of training examples */
    size_t count;
    uint64_t fingerprint;  /* of all the data read (cli_fnv1a) */
    seq_runner runner;
    const seq_data *train, *valid; /* valid: NULL without validation data */
    rc_params *params;
    const rc_st_kv *meta;  /* the model file's task metadata */
    size_t n_meta;
    /* Logs the data and the network after the effective command line
     * (unless --quiet). */
    void (*log)(const struct seq_train_run *r, size_t steps_per_epoch);
    const void *data; /* the task's own, for log */
} seq_train_run;

/* Sets up the batches, a graph and the run's identity, logs, and trains.
 * Returns the exit status (see train.h), after printing an error of the
 * set-up. */
int seq_train(const seq_train_run *r, const cli_common *c);

#endif
