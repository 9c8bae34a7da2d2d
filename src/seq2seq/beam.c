/*
 * Beam search, one sentence at a time (the rules are in seq2seq.h). The
 * sentence's encoding is repeated over K = beam_size rows; at step t row k
 * extends live hypothesis k. Hypotheses are kept as back-pointers: after
 * step t, live row k holds token tok[t, k] appended to the hypothesis that
 * row par[t, k] extended at step t, so a path is read backwards at the end.
 *
 * Plain beam search can end below greedy decoding: the greedy prefix can
 * fall out of the beam, and with length normalisation the search can stop
 * before a longer, better-normalised hypothesis appears. So the sentence is
 * first decoded greedily and that hypothesis competes in the final ranking
 * (once: it is dropped if the beam found the same tokens).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "seq2seq/search.h"

/* An extension: the hypothesis of row `row` followed by token tok. */
typedef struct cand {
    double score;
    int row, tok;
} cand;

/* A finished hypothesis of t + 1 tokens, the last one tok, chosen at step t
 * by row `row`; row −1 marks the greedy hypothesis. */
typedef struct ended {
    double score, norm;
    int t, row, tok;
} ended;

typedef struct beam {
    int K, V, S, max_len, eos;
    double alpha;
    int *tok, *par;     /* (max_len, K) */
    rc_real *att;       /* (max_len, K, S) every row's attention weights per step, or NULL */
    double *cum, *next; /* (K) scores of the live hypotheses and of their successors */
    int *ids, *rows;    /* (K) the next step's inputs and the rows they extend */
    cand *cands;        /* (2K) a step's best extensions, best first */
    ended *pool;        /* (3K + 1): < K before a step, + K ended by eos, + K at max_len, + greedy */
    int n_pool;
    int *path, *path_row; /* (max_len) a traced hypothesis: its tokens and the row choosing each */
    rc_seq2seq_output greedy; /* the sentence's greedy hypothesis */
} beam;

static void beam_free(beam *bm)
{
    free(bm->tok);
    free(bm->par);
    free(bm->att);
    free(bm->cum);
    free(bm->next);
    free(bm->ids);
    free(bm->rows);
    free(bm->cands);
    free(bm->pool);
    free(bm->path);
    free(bm->path_row);
    rc_seq2seq_output_free(&bm->greedy);
}

/* Allocates bm's buffers; on failure some stay NULL and beam_free() still applies. */
static rc_status beam_alloc(beam *bm, const rc_seq2seq *m, const rc_seq2seq_source *src,
                            const rc_seq2seq_decode_config *cfg, bool attention)
{
    int K = cfg->beam_size, L = cfg->max_len;
    size_t steps = (size_t)L * K;
    *bm = (beam){.K = K, .V = m->cfg.tgt_vocab, .S = src->len, .max_len = L, .eos = m->cfg.eos,
                 .alpha = cfg->length_alpha};
    bm->tok = malloc(steps * sizeof *bm->tok);
    bm->par = malloc(steps * sizeof *bm->par);
    bm->att = attention ? malloc(steps * (size_t)bm->S * sizeof *bm->att) : NULL;
    bm->cum = malloc((size_t)K * sizeof *bm->cum);
    bm->next = malloc((size_t)K * sizeof *bm->next);
    bm->ids = malloc((size_t)K * sizeof *bm->ids);
    bm->rows = malloc((size_t)K * sizeof *bm->rows);
    bm->cands = malloc((size_t)2 * K * sizeof *bm->cands);
    bm->pool = malloc(((size_t)3 * K + 1) * sizeof *bm->pool);
    bm->path = malloc((size_t)L * sizeof *bm->path);
    bm->path_row = malloc((size_t)L * sizeof *bm->path_row);
    if (!bm->tok || !bm->par || (attention && !bm->att) || !bm->cum || !bm->next || !bm->ids || !bm->rows ||
        !bm->cands || !bm->pool || !bm->path || !bm->path_row)
        return rc_error(RC_E_NOMEM, "seq2seq decode: out of memory for a beam of %d over %d steps", K, L);
    return rc_s2s_output_alloc(&bm->greedy, 1, 1, L, bm->S, attention, m->cfg.tgt_pad);
}

/* The min(2K, live·V) best extensions of the live rows of logits (K, V) by
 * score, ties kept in (row, token) order, into bm->cands; returns how many. */
static int select_candidates(beam *bm, const rc_real *logits, int live)
{
    int cap = 2 * bm->K, n = 0;
    for (int k = 0; k < live; k++) {
        const rc_real *l = logits + (size_t)k * bm->V;
        double lse = rc_s2s_log_norm(l, bm->V);
        for (int v = 0; v < bm->V; v++) {
            double score = bm->cum[k] + ((double)l[v] - lse);
            if (n == cap && !(score > bm->cands[n - 1].score)) continue;
            int i = n < cap ? n++ : n - 1;
            for (; i > 0 && bm->cands[i - 1].score < score; i--) bm->cands[i] = bm->cands[i - 1];
            bm->cands[i] = (cand){score, k, v};
        }
    }
    return n;
}

static void end_hypothesis(beam *bm, int t, int row, int tok, double score)
{
    bm->pool[bm->n_pool++] = (ended){score, score / pow((double)(t + 1), bm->alpha), t, row, tok};
}

/* Follows beam hypothesis h's back-pointers: its tokens into bm->path and
 * the row that chose each into bm->path_row (whose attention it was). */
static void trace(beam *bm, const ended *h)
{
    int row = h->row, tok = h->tok;
    for (int t = h->t; t >= 0; t--) {
        bm->path[t] = tok;
        bm->path_row[t] = row;
        if (t > 0) {
            tok = bm->tok[(size_t)(t - 1) * bm->K + row];
            row = bm->par[(size_t)(t - 1) * bm->K + row];
        }
    }
}

/* Adds the greedy hypothesis to the pool unless a beam hypothesis has the same tokens. */
static void add_greedy(beam *bm)
{
    const rc_seq2seq_output *g = &bm->greedy;
    int len = g->lengths[0];
    for (int i = 0; i < bm->n_pool; i++) {
        if (bm->pool[i].t != len - 1) continue;
        trace(bm, &bm->pool[i]);
        if (!memcmp(bm->path, g->ids, (size_t)len * sizeof *g->ids)) return;
    }
    bm->pool[bm->n_pool++] = (ended){g->scores[0], g->norm_scores[0], len - 1, -1, g->ids[len - 1]};
}

/* Writes hypothesis h into output row r. */
static void put_hypothesis(beam *bm, const ended *h, rc_seq2seq_output *out, int r)
{
    int len = h->t + 1, *ids = rc_s2s_out_ids(out, r);
    size_t row_bytes = (size_t)bm->S * sizeof(rc_real);
    if (h->row < 0) {
        memcpy(ids, bm->greedy.ids, (size_t)len * sizeof *ids);
        if (out->attention) memcpy(rc_s2s_out_attention(out, r, 0), bm->greedy.attention, len * row_bytes);
    } else {
        trace(bm, h);
        memcpy(ids, bm->path, (size_t)len * sizeof *ids);
        for (int t = 0; out->attention && t < len; t++)
            memcpy(rc_s2s_out_attention(out, r, t), bm->att + ((size_t)t * bm->K + bm->path_row[t]) * bm->S,
                   row_bytes);
    }
    rc_s2s_put_score(out, r, len, h->score, bm->alpha);
}

/* The n_best ended hypotheses by normalised score (earlier ones first on
 * ties) into sentence b's output rows; missing ones get length 0, score −∞. */
static void put_best(beam *bm, rc_seq2seq_output *out, int b)
{
    add_greedy(bm);
    for (int i = 1; i < bm->n_pool; i++) {
        ended h = bm->pool[i];
        int j = i;
        for (; j > 0 && bm->pool[j - 1].norm < h.norm; j--) bm->pool[j] = bm->pool[j - 1];
        bm->pool[j] = h;
    }
    for (int i = 0; i < out->n_best; i++) {
        int r = b * out->n_best + i;
        if (i < bm->n_pool) {
            put_hypothesis(bm, &bm->pool[i], out, r);
        } else {
            out->lengths[r] = 0;
            out->scores[r] = out->norm_scores[r] = -INFINITY;
        }
    }
}

/* The sentence's encoding and initial state, repeated over the K rows. */
static rc_status start(rc_seq2seq *m, rc_graph *g, const rc_seq2seq_source *one, beam *bm, rc_s2s_memory *mem,
                       rc_s2s_state *st)
{
    rc_s2s_memory enc;
    rc_status s = rc_s2s_encode(m, g, one, &enc, st);
    if (s != RC_OK) return s;
    int K = bm->K, *lengths = rc_tape_alloc(g, (size_t)K * sizeof *lengths);
    if (!lengths) return rc_graph_status(g);
    for (int k = 0; k < K; k++) {
        bm->rows[k] = 0;
        bm->ids[k] = m->cfg.bos;
        lengths[k] = one->lengths[0];
    }
    rc_tensor *keys = rc_s2s_gather_rows(g, enc.keys, bm->rows, K);
    *mem = (rc_s2s_memory){.B = K, .S = enc.S, .keys = keys,
                           .values = enc.values == enc.keys ? keys : rc_s2s_gather_rows(g, enc.values, bm->rows, K),
                           .lengths = lengths, .context = rc_s2s_gather_rows(g, enc.context, bm->rows, K)};
    rc_s2s_gather_state(g, st, bm->rows, K);
    bm->cum[0] = 0;
    bm->n_pool = 0;
    return rc_graph_status(g);
}

/* The live rows after step t become the next step's rows; rows past the
 * live ones repeat the first and are never read. */
static void advance(beam *bm, int t, int live)
{
    const int *tok = bm->tok + (size_t)t * bm->K, *par = bm->par + (size_t)t * bm->K;
    for (int k = 0; k < bm->K; k++) {
        bm->rows[k] = par[k < live ? k : 0];
        bm->ids[k] = tok[k < live ? k : 0];
    }
    double *swap = bm->cum;
    bm->cum = bm->next;
    bm->next = swap;
}

/* Runs the beam over one sentence, filling bm->pool. */
static rc_status search(rc_seq2seq *m, rc_graph *g, const rc_seq2seq_source *one, beam *bm)
{
    int K = bm->K;
    rc_s2s_memory mem;
    rc_s2s_state st;
    rc_status s = start(m, g, one, bm, &mem, &st);
    for (int t = 0, live = 1; s == RC_OK && t < bm->max_len; t++) {
        rc_s2s_step step;
        s = rc_s2s_decoder_step(m, g, bm->ids, &mem, &st, &step);
        if (s != RC_OK) break;
        if (bm->att)
            memcpy(bm->att + (size_t)t * K * bm->S, step.weights->data, (size_t)K * bm->S * sizeof(rc_real));
        int n = select_candidates(bm, step.logits->data, live), next = 0;
        int *tok = bm->tok + (size_t)t * K, *par = bm->par + (size_t)t * K;
        for (int r = 0; r < n && next < K; r++) {
            const cand *c = &bm->cands[r];
            if (c->tok == bm->eos) {
                if (r < K) end_hypothesis(bm, t, c->row, c->tok, c->score);
                continue;
            }
            tok[next] = c->tok;
            par[next] = c->row;
            bm->next[next++] = c->score;
        }
        if (bm->n_pool >= K || next == 0) break;
        if (t == bm->max_len - 1) {
            for (int k = 0; k < next; k++) end_hypothesis(bm, t, par[k], tok[k], bm->next[k]);
            break;
        }
        live = next;
        advance(bm, t, live);
        rc_s2s_gather_state(g, &st, bm->rows, K);
    }
    return s;
}

rc_status rc_s2s_beam(rc_seq2seq *m, rc_graph *g, const rc_seq2seq_source *src, const rc_seq2seq_decode_config *cfg,
                      rc_seq2seq_output *out)
{
    beam bm;
    rc_status s = beam_alloc(&bm, m, src, cfg, out->attention != NULL);
    rc_seq2seq_decode_config greedy = *cfg;
    greedy.search = RC_SEQ2SEQ_GREEDY;
    greedy.n_best = 1;
    for (int b = 0; s == RC_OK && b < src->batch; b++) {
        rc_seq2seq_source one = {.batch = 1, .len = src->len, .ids = src->ids + (size_t)b * src->len,
                                 .lengths = src->lengths + b};
        rc_graph_reset(g);
        s = rc_s2s_greedy(m, g, &one, &greedy, &bm.greedy);
        if (s == RC_OK) s = search(m, g, &one, &bm);
        if (s == RC_OK) put_best(&bm, out, b);
    }
    beam_free(&bm);
    return s;
}
