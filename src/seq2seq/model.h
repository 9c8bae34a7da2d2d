/*
 * The seq2seq model's parts and the two steps every entry point shares:
 * encoding a source batch (encoder.c) and one decoder step (decoder.c).
 * Training (train.c) and the searches (greedy.c, beam.c) are loops over them.
 */
#ifndef RC_SEQ2SEQ_MODEL_H
#define RC_SEQ2SEQ_MODEL_H

#include "core/tape.h"
#include "recur/attention.h"
#include "recur/nn.h"
#include "recur/seq2seq.h"

struct rc_seq2seq {
    rc_seq2seq_config cfg;      /* cfg.encoder.batch_first is true */
    int D, K;                   /* encoder directions; K = D·P_e, its output size */
    rc_embedding_module src_embed, tgt_embed;
    rc_rnn *encoder;
    rc_linear_module bridge_h;  /* LINEAR bridge, else empty */
    rc_linear_module bridge_c;  /* LINEAR bridge between two LSTMs, else empty */
    rc_rnn_cell *cell;
    rc_attention *attention;    /* NULL without attention */
    rc_linear_module concat;    /* Luong's attentional layer, else empty */
    rc_linear_module out;
};

/* Luong decoders attend with s_t and feed h̃_{t−1} back in. */
static inline bool rc_s2s_is_luong(rc_seq2seq_attention a)
{
    return a == RC_SEQ2SEQ_LUONG_DOT || a == RC_SEQ2SEQ_LUONG_GENERAL || a == RC_SEQ2SEQ_LUONG_CONCAT ||
           a == RC_SEQ2SEQ_SCALED_DOT || a == RC_SEQ2SEQ_MULTIHEAD;
}

/* What the decoder reads of the encoded source. */
typedef struct rc_s2s_memory {
    int B, S;
    rc_tensor *keys;    /* (B, S, K) the encoder's outputs */
    rc_tensor *values;  /* keys, or for RULE1 keys padded with zeros to (B, P, K) */
    const int *lengths; /* B source lengths in [1, S] */
    rc_tensor *context; /* (B, K) the fixed context: the last layer's final states */
} rc_s2s_memory;

/* The decoder's recurrent state between steps. */
typedef struct rc_s2s_state {
    rc_tensor *h;    /* (B, H_d) s_{t−1} */
    rc_tensor *c;    /* (B, H_d) the LSTM cell state, or NULL (zeros) */
    rc_tensor *feed; /* (B, H_d) h̃_{t−1} (Luong input feeding), else NULL */
} rc_s2s_state;

/* One decoder step's results. */
typedef struct rc_s2s_step {
    rc_tensor *logits;  /* (B, V_t) */
    rc_tensor *weights; /* (B, S) attention weights, or NULL without attention */
} rc_s2s_step;

/* RC_OK if src's sizes, lengths and ids are valid for m, else RC_E_INVALID
 * naming the field or the position [b, j] (recorded with rc_error only). */
rc_status rc_s2s_check_source(const rc_seq2seq *m, const char *op, const rc_seq2seq_source *src);

/* Encodes a checked source: the decoder's memory and initial state. Errors
 * are the graph's sticky error (returned). */
rc_status rc_s2s_encode(rc_seq2seq *m, rc_graph *g, const rc_seq2seq_source *src, rc_s2s_memory *mem,
                        rc_s2s_state *s0);

/* The decoder's initial state from the encoder's final states h_n
 * (D·L, B, P_e) and c_n (D·L, B, H_e) or NULL (bridge.c). */
rc_status rc_s2s_bridge(rc_seq2seq *m, rc_graph *g, rc_tensor *h_n, rc_tensor *c_n, rc_s2s_state *s0);

/* (B, D·W) = [x_fwd; x_rev] of the last layer's rows of final states x
 * (D·L, B, W): the fixed context and the LINEAR bridge's input. */
rc_tensor *rc_s2s_last_layer(const rc_seq2seq *m, rc_graph *g, rc_tensor *x);

/* One step with inputs ids (mem->B values in [0, V_t)): advances *st and
 * fills *out. Errors are the graph's sticky error (returned). */
rc_status rc_s2s_decoder_step(rc_seq2seq *m, rc_graph *g, const int *ids, const rc_s2s_memory *mem,
                              rc_s2s_state *st, rc_s2s_step *out);

#endif
