/*
 * One decoder step for each kind of decoder (the equations are in
 * seq2seq.h): the embedding of the previous token, the recurrent cell, the
 * attention (before the cell with Bahdanau and rule 1, after it with Luong)
 * and the output layer.
 */
#include "seq2seq/model.h"

/* The attention's output and α_t of query q over the encoder outputs,
 * padding masked. */
static rc_tensor *attend(rc_seq2seq *m, rc_graph *g, rc_tensor *q, const rc_s2s_memory *mem, rc_tensor **weights)
{
    rc_attention_mask mask = {.src_lengths = mem->lengths};
    rc_attention_result r;
    if (rc_attention_forward(m->attention, g, q, mem->keys, mem->keys, &mask, &r) != RC_OK) return NULL;
    *weights = r.weights;
    return r.output;
}

/* Rule 1: x_t = relu(attn_combine([e; c_t])) with α_t from [e; s_{t−1}]
 * over the P padded positions, of which the S real ones are returned. */
static rc_tensor *attend_rule1(rc_seq2seq *m, rc_graph *g, rc_tensor *e, const rc_s2s_state *st,
                               const rc_s2s_memory *mem, rc_tensor **weights)
{
    rc_attention_mask mask = {.src_lengths = mem->lengths};
    rc_attention_result r;
    if (rc_attention_forward(m->attention, g, e, st->h, mem->values, &mask, &r) != RC_OK) return NULL;
    *weights = r.weights->shape[1] == mem->S ? r.weights : rc_slice(g, r.weights, 1, 0, mem->S);
    return rc_relu(g, r.output);
}

/* s_t (and the LSTM's cell state) from the cell input x and s_{t−1}. */
static rc_tensor *advance(rc_seq2seq *m, rc_graph *g, rc_tensor *x, rc_s2s_state *st)
{
    rc_tensor *h, *c = NULL;
    if (rc_rnn_cell_forward(m->cell, g, x, st->h, st->c, &h, m->cfg.decoder_mode == RC_LSTM ? &c : NULL) != RC_OK)
        return NULL;
    st->h = h;
    st->c = c;
    return h;
}

static rc_tensor *cat2(rc_graph *g, rc_tensor *a, rc_tensor *b)
{
    rc_tensor *xs[2] = {a, b};
    return rc_concat(g, 2, xs, 1);
}

rc_status rc_s2s_decoder_step(rc_seq2seq *m, rc_graph *g, const int *ids, const rc_s2s_memory *mem,
                              rc_s2s_state *st, rc_s2s_step *out)
{
    *out = (rc_s2s_step){NULL, NULL};
    rc_tensor *e = rc_embedding_forward(&m->tgt_embed, g, ids, 1, &mem->B);
    rc_tensor *s, *c;
    switch (m->cfg.attention) {
    case RC_SEQ2SEQ_NO_ATTENTION:
        s = advance(m, g, cat2(g, e, mem->context), st);
        out->logits = rc_linear_forward(&m->out, g, s);
        break;
    case RC_SEQ2SEQ_BAHDANAU:
        c = attend(m, g, st->h, mem, &out->weights);
        s = advance(m, g, cat2(g, e, c), st);
        out->logits = rc_linear_forward(&m->out, g, s);
        break;
    case RC_SEQ2SEQ_RULE1:
        s = advance(m, g, attend_rule1(m, g, e, st, mem, &out->weights), st);
        out->logits = rc_linear_forward(&m->out, g, s);
        break;
    default: /* Luong */
        s = advance(m, g, cat2(g, e, st->feed), st);
        c = attend(m, g, s, mem, &out->weights);
        st->feed = rc_tanh(g, rc_linear_forward(&m->concat, g, cat2(g, c, s)));
        out->logits = rc_linear_forward(&m->out, g, st->feed);
        break;
    }
    return rc_graph_status(g);
}
