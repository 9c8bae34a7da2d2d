/*
 * Greedy decoding and sampling: the whole batch steps together; a sentence
 * that has produced eos stops growing while the others go on, and the loop
 * ends when every sentence has stopped or after max_len steps.
 */
#include <stdlib.h>
#include <string.h>

#include "seq2seq/search.h"

rc_status rc_s2s_greedy(rc_seq2seq *m, rc_graph *g, const rc_seq2seq_source *src, const rc_seq2seq_decode_config *cfg,
                        rc_seq2seq_output *out)
{
    int B = src->batch, V = m->cfg.tgt_vocab, S = src->len;
    bool sample = cfg->search == RC_SEQ2SEQ_SAMPLE;
    int *ids = malloc((size_t)B * sizeof *ids);
    bool *done = calloc((size_t)B, sizeof *done);
    double *score = calloc((size_t)B, sizeof *score);
    rc_s2s_ranked *scratch = sample ? malloc((size_t)V * sizeof *scratch) : NULL;
    rc_s2s_memory mem;
    rc_s2s_state st;
    rc_status s = !ids || !done || !score || (sample && !scratch) ? rc_error(RC_E_NOMEM, "seq2seq decode: out of memory")
                                                                  : rc_s2s_encode(m, g, src, &mem, &st);
    for (int b = 0; s == RC_OK && b < B; b++) ids[b] = m->cfg.bos;
    int n_done = 0;
    for (int t = 0; s == RC_OK && t < cfg->max_len && n_done < B; t++) {
        rc_s2s_step step;
        s = rc_s2s_decoder_step(m, g, ids, &mem, &st, &step);
        for (int b = 0; s == RC_OK && b < B; b++) {
            if (done[b]) continue;
            const rc_real *l = step.logits->data + (size_t)b * V;
            int y = sample ? rc_s2s_sample(l, V, cfg->temperature, cfg->top_k, cfg->rng, scratch)
                           : rc_s2s_argmax(l, V);
            score[b] += (double)l[y] - rc_s2s_log_norm(l, V);
            rc_s2s_out_ids(out, b)[t] = y;
            rc_s2s_put_score(out, b, t + 1, score[b], cfg->length_alpha);
            if (out->attention)
                memcpy(rc_s2s_out_attention(out, b, t), step.weights->data + (size_t)b * S,
                       (size_t)S * sizeof(rc_real));
            ids[b] = y;
            if (y == m->cfg.eos) {
                done[b] = true;
                n_done++;
            }
        }
    }
    free(ids);
    free(done);
    free(score);
    free(scratch);
    return s;
}
