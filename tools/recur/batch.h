/*
 * Padded batches of token sequences, and the order they are drawn in.
 *
 * Training order: each epoch shuffles the sequences (a generator seeded from
 * --seed and the epoch, so a resumed run draws the same batches), cuts the
 * order into pools of BATCH_POOL batches, sorts each pool by length and cuts
 * it into batches, then shuffles the batches: a batch holds sequences of
 * similar length, so little of it is padding, and the batches still come in
 * random order. Evaluation runs over the sequences sorted by length.
 *
 * A batch of B sequences is padded to T, the longest of them: ids (B, T)
 * hold RC_TOKEN_PAD past each length. With character features, the
 * distinct words of the batch are listed once each, U of them in groups of
 * equal length (so that their recurrent layer runs without padding), and
 * word_of maps every position to its word's row in that list.
 */
#ifndef RECUR_TOOL_BATCH_H
#define RECUR_TOOL_BATCH_H

#include "seqdata.h"

typedef struct seq_batch {
    int B, T;
    int *ids;          /* (B, T) */
    int *lengths;      /* B, each in [1, T] */
    int *targets;      /* B labels, or (B, T) tags with -100 past each length */
    int U;             /* character features: distinct words */
    int groups;        /* groups of words of equal length, shortest first */
    int group_size[SEQ_WORD_CHARS], group_len[SEQ_WORD_CHARS];
    int *chars;        /* group after group, each (size, len) character ids */
    int *word_of;      /* (B, T) rows of the word list, 0 past each length */
    /* scratch */
    int *stamp;        /* per type of the data: the batch that last listed it */
    int *slot;         /* per type: its place in that batch, then its row */
    int *listed;       /* the batch's types in the order first seen */
    int count;
} seq_batch;

/* Buffers for batches of at most max_b sequences of d. per_token: targets
 * are (B, T). Errors: RC_E_NOMEM. */
rc_status seq_batch_alloc(seq_batch *b, const seq_data *d, int max_b, bool per_token);
void seq_batch_free(seq_batch *b);

/* Fills b with the n sequences idx[0..n) of d (n <= max_b). */
void seq_batch_fill(seq_batch *b, const seq_data *d, const size_t *idx, int n, bool per_token);

/* The batches of one pass: batch k is order[bounds[k] .. bounds[k + 1]). */
typedef struct seq_plan {
    size_t n, n_batches;
    size_t *order;  /* n sequence indices */
    size_t *bounds; /* n_batches + 1 */
    /* scratch */
    uint64_t *keys;
    size_t *perm, *copy;
} seq_plan;

/* ⌈n / B⌉ batches of at most B sequences (n < 2^32). Errors: RC_E_NOMEM. */
rc_status seq_plan_alloc(seq_plan *p, size_t n, int B);
void seq_plan_free(seq_plan *p);

/* The batches of training epoch `epoch` (see above); d has the n sequences
 * of seq_plan_alloc. */
void seq_plan_epoch(seq_plan *p, const seq_data *d, int B, uint64_t seed, int64_t epoch);

/* The batches of an evaluation: sequences by length. */
void seq_plan_sorted(seq_plan *p, const seq_data *d, int B);

#endif
