/*
 * The bridge from the encoder's final states to the decoder's initial state
 * (the rules are in seq2seq.h). Only the last encoder layer's states cross
 * it: lower layers reach the decoder through the outputs they feed upward.
 */
#include "seq2seq/model.h"

/* (B, W) = Σ over directions of the last layer's rows of x (D·L, B, W) */
static rc_tensor *sum_directions(const rc_seq2seq *m, rc_graph *g, rc_tensor *x)
{
    int first = m->D * (m->cfg.encoder.num_layers - 1), shape[2] = {x->shape[1], x->shape[2]};
    rc_tensor *sum = rc_reshape(g, rc_slice(g, x, 0, first, first + 1), 2, shape);
    if (m->D == 2) sum = rc_add(g, sum, rc_reshape(g, rc_slice(g, x, 0, first + 1, first + 2), 2, shape));
    return sum;
}

/* A (B, H_d) tensor of zeros without gradient. */
static rc_tensor *zeros(const rc_seq2seq *m, rc_graph *g, int B)
{
    return rc_graph_tensor(g, 2, (int[]){B, m->cfg.decoder_hidden}, false);
}

rc_status rc_s2s_bridge(rc_seq2seq *m, rc_graph *g, rc_tensor *h_n, rc_tensor *c_n, rc_s2s_state *s0)
{
    const rc_seq2seq_config *cfg = &m->cfg;
    int B = h_n->shape[1];
    bool carry_c = cfg->encoder.mode == RC_LSTM && cfg->decoder_mode == RC_LSTM;
    *s0 = (rc_s2s_state){NULL, NULL, NULL};
    switch (cfg->bridge) {
    case RC_SEQ2SEQ_BRIDGE_LINEAR:
        s0->h = rc_tanh(g, rc_linear_forward(&m->bridge_h, g, rc_s2s_last_layer(m, g, h_n)));
        if (carry_c) s0->c = rc_tanh(g, rc_linear_forward(&m->bridge_c, g, rc_s2s_last_layer(m, g, c_n)));
        break;
    case RC_SEQ2SEQ_BRIDGE_SUM:
        s0->h = sum_directions(m, g, h_n);
        if (carry_c) s0->c = sum_directions(m, g, c_n);
        break;
    default:
        s0->h = zeros(m, g, B);
        break;
    }
    if (rc_s2s_is_luong(cfg->attention)) s0->feed = zeros(m, g, B);
    return rc_graph_status(g);
}
