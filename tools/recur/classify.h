/*
 * The classify task: a label for each text.
 *
 *   tokens (words or characters) → encoder (encoder.h; with words, optional
 *   character features) → pool over the steps
 *   of each text → dropout → head (nn.Linear D·H → C)
 *
 * Pooling (padding never counts):
 *   last       the final states of the last layer: forward direction after
 *              the last token, backward direction after the first
 *   mean, max  over the outputs of the text's steps (rc_pool_time)
 *   attention  additive attention of a learned query vector (pool.query,
 *              D·H) over the outputs: score_t = Va(tanh(Wa q + Ua o_t)),
 *              masked by the lengths; the weighted sum of the outputs
 */
#ifndef RECUR_TOOL_CLASSIFY_H
#define RECUR_TOOL_CLASSIFY_H

#include "encoder.h"
#include "seqmodel.h"

int classify_main(int argc, char **argv);
int classify_train_main(int argc, char **argv);
int classify_eval_main(int argc, char **argv);
int classify_predict_main(int argc, char **argv);

typedef enum classify_pool { POOL_LAST, POOL_MEAN, POOL_MAX, POOL_ATTENTION, POOL_COUNT } classify_pool;

/* The options that define the network, stored in a model's "config". */
#define CLASSIFY_ARCH \
    "cell layers hidden embed dropout bidirectional tokens pool max-len char-features char-embed char-hidden"

typedef struct classify_arch {
    cli_common c;
    enc_opts e;
    int tokens; /* rc_token_kind */
    int pool;   /* classify_pool */
} classify_arch;

/* The documented defaults of the network options. */
classify_arch classify_arch_defaults(void);

/* Adds the classify entries of CLASSIFY_ARCH bound to a (the shared ones
 * must be added by the caller from a->c and a->e). */
void classify_add_opts(cli_table *t, classify_arch *a);

typedef struct classify_model {
    classify_arch arch;
    encoder enc;
    rc_tensor *query;     /* attention pooling: the learned query (D·H) */
    rc_attention *attn;
    rc_linear_module head;
    rc_params *params;
    seq_vocabs v; /* the classes are the labels */
} classify_model;

/* Builds a model with PyTorch's default init drawn from the INIT stream of
 * a->c.seed; it takes ownership of the vocabularies (also on failure).
 * Errors: those of the modules; *m is then empty. */
rc_status classify_model_create(classify_model *m, const classify_arch *a, seq_vocabs v);

/* Loads a model file written by `recur classify train`. Errors: RC_E_IO,
 * RC_E_FORMAT naming the file. */
rc_status classify_model_load(classify_model *m, const char *path);

void classify_model_free(classify_model *m);

/* The model's metadata (seqmodel.h), the classes under "labels". Errors:
 * RC_E_NOMEM. */
rc_status classify_meta_make(seq_meta *meta, classify_model *m);

/* Logits (B, C) of batch b. NULL with the graph's sticky error. */
rc_tensor *classify_forward(void *model, rc_graph *g, const seq_batch *b);

/* n texts as token ids of m's vocabulary, with their labels' ids as targets
 * (-100 for a label the model does not know, or for every text when labels
 * is NULL); *unknown_labels counts the unknown ones. name and lines (the
 * texts' line numbers) are for messages. */
rc_status classify_encode(const classify_model *m, char *const *texts, char *const *labels, const size_t *lines,
                          size_t n, const char *name, seq_data *out, size_t *unknown_labels);

#endif
