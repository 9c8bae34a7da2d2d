/*
 * The encoder: source embedding and the recurrent layer over a padded batch,
 * run batch first so that its outputs are the attention's (B, S, K) keys.
 */
#include "seq2seq/model.h"

rc_status rc_s2s_check_source(const rc_seq2seq *m, const char *op, const rc_seq2seq_source *src)
{
    if (src->batch < 1) return rc_error(RC_E_INVALID, "%s: src.batch = %d, expected >= 1", op, src->batch);
    if (src->len < 1) return rc_error(RC_E_INVALID, "%s: src.len = %d, expected >= 1", op, src->len);
    if (!src->ids || !src->lengths)
        return rc_error(RC_E_INVALID, "%s: src.%s is NULL, expected %s", op, src->ids ? "lengths" : "ids",
                        src->ids ? "batch lengths" : "(batch, len) ids");
    if (m->cfg.attention == RC_SEQ2SEQ_RULE1 && src->len > m->cfg.attention_positions)
        return rc_error(RC_E_INVALID,
                        "%s: src.len = %d, expected <= config.attention_positions = %d (rule1 attention scores a "
                        "fixed number of source positions)",
                        op, src->len, m->cfg.attention_positions);
    int V = m->cfg.src_vocab;
    for (int b = 0; b < src->batch; b++) {
        int n = src->lengths[b];
        if (n < 1 || n > src->len)
            return rc_error(RC_E_INVALID, "%s: src.lengths[%d] = %d, expected 1 <= length <= src.len = %d", op, b, n,
                            src->len);
        for (int j = 0; j < n; j++) {
            int id = src->ids[(size_t)b * src->len + j];
            if (id < 0 || id >= V)
                return rc_error(RC_E_INVALID, "%s: src.ids[%d, %d] = %d, expected 0 <= id < src_vocab = %d", op, b,
                                j, id, V);
        }
    }
    return RC_OK;
}

rc_tensor *rc_s2s_last_layer(const rc_seq2seq *m, rc_graph *g, rc_tensor *x)
{
    int D = m->D, L = m->cfg.encoder.num_layers, B = x->shape[1], W = x->shape[2];
    rc_tensor *last = rc_slice(g, x, 0, D * (L - 1), D * L);
    if (D == 2) last = rc_transpose(g, last, 0, 1);
    return rc_reshape(g, last, 2, (int[]){B, D * W});
}

/* The encoder's outputs h (B, S, K) padded with zeros to (B, P, K): rule 1
 * scores P positions, and the masked ones past S get weight 0. */
static rc_tensor *pad_positions(const rc_seq2seq *m, rc_graph *g, rc_tensor *h)
{
    int B = h->shape[0], S = h->shape[1], P = m->cfg.attention_positions;
    if (S == P) return h;
    rc_tensor *parts[2] = {h, rc_graph_tensor(g, 3, (int[]){B, P - S, m->K}, false)};
    return parts[1] ? rc_concat(g, 2, parts, 1) : NULL;
}

rc_status rc_s2s_encode(rc_seq2seq *m, rc_graph *g, const rc_seq2seq_source *src, rc_s2s_memory *mem,
                        rc_s2s_state *s0)
{
    int B = src->batch, S = src->len;
    size_t n = (size_t)B * S;
    int *ids = rc_tape_alloc(g, n * sizeof *ids);
    int *lengths = rc_tape_alloc(g, (size_t)B * sizeof *lengths);
    if (!ids || !lengths) return rc_graph_status(g);
    /* Positions past a length are never computed but still looked up: any valid id will do. */
    int filler = m->cfg.src_pad >= 0 ? m->cfg.src_pad : 0;
    for (int b = 0; b < B; b++) {
        lengths[b] = src->lengths[b];
        for (int j = 0; j < S; j++) ids[(size_t)b * S + j] = j < lengths[b] ? src->ids[(size_t)b * S + j] : filler;
    }
    rc_tensor *e = rc_embedding_forward(&m->src_embed, g, ids, 2, (int[]){B, S});
    rc_rnn_result r;
    rc_status s = rc_rnn_forward(m->encoder, g, e, NULL, NULL, lengths, &r);
    if (s != RC_OK) return s;
    rc_tensor *values = m->cfg.attention == RC_SEQ2SEQ_RULE1 ? pad_positions(m, g, r.output) : r.output;
    *mem = (rc_s2s_memory){.B = B, .S = S, .keys = r.output, .values = values, .lengths = lengths,
                           .context = rc_s2s_last_layer(m, g, r.h_n)};
    s = rc_s2s_bridge(m, g, r.h_n, r.c_n, s0);
    return s != RC_OK ? s : rc_graph_status(g);
}
