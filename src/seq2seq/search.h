/*
 * What the searches (and the training pass's own predictions) share:
 * per-row scoring of logits, token choice, output rows and the reordering
 * of decoder states. Decoding runs without gradients, so the graph tensors
 * made here need no backward pass.
 */
#ifndef RC_SEQ2SEQ_SEARCH_H
#define RC_SEQ2SEQ_SEARCH_H

#include "seq2seq/model.h"

/* log Σ_v e^{l_v} of a row l (V), in double: log p(v) = l_v − this. */
double rc_s2s_log_norm(const rc_real *l, int V);

/* The index of the largest of l (V), the lowest on ties. */
int rc_s2s_argmax(const rc_real *l, int V);

/* A token and its logit, for ranking. */
typedef struct rc_s2s_ranked {
    rc_real value;
    int id;
} rc_s2s_ranked;

/* Draws a token from softmax(l / temperature) restricted to the top_k
 * largest logits (all if top_k is 0 or >= V; ties ranked by lower id).
 * scratch holds V entries. */
int rc_s2s_sample(const rc_real *l, int V, double temperature, int top_k, rc_rng *rng, rc_s2s_ranked *scratch);

/* (n, ...) rows[i] of t (N, ...) as a new graph tensor without gradient. */
rc_tensor *rc_s2s_gather_rows(rc_graph *g, const rc_tensor *t, const int *rows, int n);

/* The same rows of every tensor of a decoder state (NULL stays NULL). */
void rc_s2s_gather_state(rc_graph *g, rc_s2s_state *st, const int *rows, int n);

/* Allocates out for batch·n_best hypotheses of max_len tokens over src_len
 * source steps, ids set to pad, with attention weights if asked.
 * Errors: RC_E_NOMEM, leaving *out empty. */
rc_status rc_s2s_output_alloc(rc_seq2seq_output *out, int batch, int n_best, int max_len, int src_len, bool attention,
                              int pad);

/* Records hypothesis row r's length, score and normalised score. */
void rc_s2s_put_score(rc_seq2seq_output *out, int r, int len, double score, double alpha);

/* Row r's max_len token slots, and the S weights of its token t. */
static inline int *rc_s2s_out_ids(const rc_seq2seq_output *out, int r) { return out->ids + (size_t)r * out->max_len; }
static inline rc_real *rc_s2s_out_attention(const rc_seq2seq_output *out, int r, int t)
{
    return out->attention + ((size_t)r * out->max_len + t) * out->src_len;
}

/* Greedy and sampling (greedy.c); beam search (beam.c). Both fill out (its
 * arrays allocated and zeroed by the caller, ids set to tgt_pad) from a
 * checked source, in the graph g set for inference. */
rc_status rc_s2s_greedy(rc_seq2seq *m, rc_graph *g, const rc_seq2seq_source *src, const rc_seq2seq_decode_config *cfg,
                        rc_seq2seq_output *out);
rc_status rc_s2s_beam(rc_seq2seq *m, rc_graph *g, const rc_seq2seq_source *src, const rc_seq2seq_decode_config *cfg,
                      rc_seq2seq_output *out);

#endif
