/*
 * rc_seq2seq_decode: argument checks, the inference graph and the output
 * arrays around the searches.
 */
#include <math.h>

#include "seq2seq/search.h"

#define OP "seq2seq decode"

rc_seq2seq_decode_config rc_seq2seq_decode_config_default(rc_seq2seq_search search, int max_len)
{
    return (rc_seq2seq_decode_config){.search = search, .max_len = max_len, .temperature = 1, .top_k = 0,
                                      .rng = NULL, .beam_size = 5, .n_best = 1, .length_alpha = 1,
                                      .attention = false};
}

static rc_status check_config(const rc_seq2seq *m, const rc_seq2seq_decode_config *c)
{
    if ((int)c->search < 0 || c->search >= RC_SEQ2SEQ_SEARCH_COUNT)
        return rc_error(RC_E_INVALID, OP ": search = %d is not an rc_seq2seq_search", (int)c->search);
    if (c->max_len < 1) return rc_error(RC_E_INVALID, OP ": max_len = %d, expected >= 1", c->max_len);
    if (!(c->length_alpha >= 0 && isfinite(c->length_alpha)))
        return rc_error(RC_E_INVALID, OP ": length_alpha = %g, expected a finite value >= 0", c->length_alpha);
    if (c->attention && !m->attention)
        return rc_error(RC_E_INVALID, OP ": attention weights asked of a model without attention (attention = none)");
    if (c->search == RC_SEQ2SEQ_SAMPLE) {
        if (!(c->temperature > 0 && isfinite(c->temperature)))
            return rc_error(RC_E_INVALID, OP ": temperature = %g, expected a finite value > 0", c->temperature);
        if (c->top_k < 0) return rc_error(RC_E_INVALID, OP ": top_k = %d, expected >= 0 (0 = every token)", c->top_k);
        if (!c->rng) return rc_error(RC_E_INVALID, OP ": rng is NULL, expected a generator for sampling");
    }
    if (c->search == RC_SEQ2SEQ_BEAM) {
        if (c->beam_size < 1) return rc_error(RC_E_INVALID, OP ": beam_size = %d, expected >= 1", c->beam_size);
        if (c->n_best < 1 || c->n_best > c->beam_size)
            return rc_error(RC_E_INVALID, OP ": n_best = %d, expected 1 <= n_best <= beam_size = %d", c->n_best,
                            c->beam_size);
    } else if (c->n_best != 1) {
        return rc_error(RC_E_INVALID, OP ": n_best = %d, expected 1 for %s", c->n_best,
                        c->search == RC_SEQ2SEQ_GREEDY ? "greedy decoding" : "sampling");
    }
    return RC_OK;
}

rc_status rc_seq2seq_decode(rc_seq2seq *m, const rc_seq2seq_source *src, const rc_seq2seq_decode_config *cfg,
                            rc_seq2seq_output *out)
{
    RC_ASSERT(m != NULL && src != NULL && cfg != NULL && out != NULL);
    *out = (rc_seq2seq_output){0};
    rc_status s = check_config(m, cfg);
    if (s == RC_OK) s = rc_s2s_check_source(m, OP, src);
    if (s != RC_OK) return s;
    rc_graph *g;
    s = rc_graph_create(&g);
    if (s != RC_OK) return s;
    rc_graph_set_training(g, false);
    rc_graph_set_grad_enabled(g, false);
    s = rc_s2s_output_alloc(out, src->batch, cfg->n_best, cfg->max_len, src->len, cfg->attention, m->cfg.tgt_pad);
    if (s == RC_OK)
        s = cfg->search == RC_SEQ2SEQ_BEAM ? rc_s2s_beam(m, g, src, cfg, out) : rc_s2s_greedy(m, g, src, cfg, out);
    if (s != RC_OK) rc_seq2seq_output_free(out);
    rc_graph_free(g);
    return s;
}
