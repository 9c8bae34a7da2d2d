/*
 * The training forward pass: teacher forcing over the target steps and the
 * padding-aware cross-entropy of all steps' logits at once.
 */
#include "seq2seq/search.h"

#define OP "seq2seq forward"

static rc_status check_target(const rc_seq2seq *m, const rc_seq2seq_batch *b)
{
    if (b->tgt_len < 1) return rc_error(RC_E_INVALID, OP ": tgt_len = %d, expected >= 1", b->tgt_len);
    if (!b->tgt) return rc_error(RC_E_INVALID, OP ": tgt is NULL, expected (batch, tgt_len) ids");
    int V = m->cfg.tgt_vocab;
    for (int i = 0; i < b->src.batch; i++)
        for (int t = 0; t < b->tgt_len; t++) {
            int id = b->tgt[(size_t)i * b->tgt_len + t];
            if (id < 0 || id >= V)
                return rc_error(RC_E_INVALID, OP ": tgt[%d, %d] = %d, expected 0 <= id < tgt_vocab = %d", i, t, id,
                                V);
        }
    return RC_OK;
}

/* The argmax of each of the B rows of logits (B, V). */
static void argmax_rows(int *ids, const rc_tensor *logits)
{
    int B = logits->shape[0], V = logits->shape[1];
    for (int b = 0; b < B; b++) ids[b] = rc_s2s_argmax(logits->data + (size_t)b * V, V);
}

/* One draw per step, and none when the ratio decides alone. */
static bool use_gold(double ratio, rc_rng *rng)
{
    return ratio >= 1 || (ratio > 0 && rc_rng_uniform(rng) < ratio);
}

/* The T step tensors (B, W) stacked as (T, B, W). */
static rc_tensor *stack_steps(rc_graph *g, int T, rc_tensor **steps)
{
    rc_tensor *flat = rc_concat(g, T, steps, 0);
    return flat ? rc_reshape(g, flat, 3, (int[]){T, steps[0]->shape[0], steps[0]->shape[1]}) : NULL;
}

rc_status rc_seq2seq_forward(rc_seq2seq *m, rc_graph *g, const rc_seq2seq_batch *batch, double teacher_forcing,
                             rc_rng *rng, rc_seq2seq_result *out)
{
    RC_ASSERT(m != NULL && g != NULL && batch != NULL && out != NULL);
    *out = (rc_seq2seq_result){NULL, NULL, NULL};
    if (rc_graph_status(g) != RC_OK) return rc_graph_status(g);
    rc_status s = rc_s2s_check_source(m, OP, &batch->src);
    if (s == RC_OK) s = check_target(m, batch);
    if (s == RC_OK && !(teacher_forcing >= 0 && teacher_forcing <= 1))
        s = rc_error(RC_E_INVALID, OP ": teacher_forcing = %g, expected 0 <= teacher_forcing <= 1", teacher_forcing);
    if (s != RC_OK) return rc_tape_fail_status(g, s);
    if (!rng) rng = rc_graph_rng(g);

    int B = batch->src.batch, T = batch->tgt_len;
    rc_s2s_memory mem;
    rc_s2s_state st;
    s = rc_s2s_encode(m, g, &batch->src, &mem, &st);
    if (s != RC_OK) return s;
    int *ids = rc_tape_alloc(g, (size_t)B * sizeof *ids);
    int *gold = rc_tape_alloc(g, (size_t)T * B * sizeof *gold); /* time-major, as the stacked logits */
    rc_tensor **logits = rc_tape_alloc(g, (size_t)T * sizeof *logits);
    rc_tensor **weights = rc_tape_alloc(g, (size_t)T * sizeof *weights);
    if (!ids || !gold || !logits || !weights) return rc_graph_status(g);
    for (int t = 0; t < T; t++)
        for (int b = 0; b < B; b++) gold[(size_t)t * B + b] = batch->tgt[(size_t)b * T + t];

    for (int t = 0; t < T; t++) {
        if (t == 0)
            for (int b = 0; b < B; b++) ids[b] = m->cfg.bos;
        else if (use_gold(teacher_forcing, rng))
            for (int b = 0; b < B; b++) ids[b] = gold[(size_t)(t - 1) * B + b];
        else
            argmax_rows(ids, logits[t - 1]);
        rc_s2s_step step;
        s = rc_s2s_decoder_step(m, g, ids, &mem, &st, &step);
        if (s != RC_OK) return s;
        logits[t] = step.logits;
        weights[t] = step.weights;
    }
    out->logits = stack_steps(g, T, logits);
    if (m->attention) out->attention = stack_steps(g, T, weights);
    rc_tensor *flat = rc_reshape(g, out->logits, 2, (int[]){T * B, m->cfg.tgt_vocab});
    out->loss = rc_cross_entropy(g, flat, gold, m->cfg.tgt_pad, RC_REDUCTION_MEAN);
    s = rc_graph_status(g);
    if (s != RC_OK) *out = (rc_seq2seq_result){NULL, NULL, NULL};
    return s;
}
