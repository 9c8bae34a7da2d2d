/*
 * Decoding many texts: sources sorted by length into batches (less padding),
 * greedy or beam search per batch, and each hypothesis copied out with its
 * attention rows; and scoring hypotheses against references.
 */
#include <stdlib.h>
#include <string.h>

#include "translate.h"

void tr_add_decode_command(cli_table *t, cli_common *c, tr_decode_opts *o)
{
    cli_add_common_as(t, c, "model", NULL, "the model file (written by recur translate train)", true);
    cli_add(t, (cli_opt){.name = "beam", .type = CLI_INT, .field = &o->beam, .meta = "K", .min = 1, .max = 1000,
                         .help = "beam search with K hypotheses (1: greedy decoding)"});
    cli_add(t, (cli_opt){.name = "max-len", .type = CLI_INT, .field = &o->max_len, .meta = "N", .min = 0,
                         .max = TR_MAX_TOKENS,
                         .help = "at most N output tokens (0: twice the batch's longest source plus 10)"});
    cli_add_common_as(t, c, "batch", NULL, "sentences decoded together", false);
}

typedef struct keyed_len {
    int len;
    size_t i;
} keyed_len;

static int cmp_len(const void *a, const void *b)
{
    const keyed_len *x = a, *y = b;
    if (x->len != y->len) return x->len < y->len ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

rc_status tr_order_by_length(const tr_texts *t, size_t *order)
{
    keyed_len *k = malloc((t->n ? t->n : 1) * sizeof *k);
    if (!k) return rc_error(RC_E_NOMEM, "out of memory sorting %zu texts", t->n);
    for (size_t i = 0; i < t->n; i++) k[i] = (keyed_len){t->seqs[i].len, i};
    qsort(k, t->n, sizeof *k, cmp_len);
    for (size_t i = 0; i < t->n; i++) order[i] = k[i].i;
    free(k);
    return RC_OK;
}

/* Copies row b of out (one hypothesis per sentence) into h. */
static rc_status take(tr_hyp *h, const rc_seq2seq_output *out, int b, int src_len, int eos)
{
    const int *ids = out->ids + (size_t)b * out->max_len;
    int n = out->lengths[b];
    h->ended = n > 0 && ids[n - 1] == eos;
    h->len = n - h->ended;
    h->score = out->scores[b];
    h->src_len = src_len;
    h->ids = malloc((size_t)(n ? n : 1) * sizeof *h->ids);
    if (!h->ids) return rc_error(RC_E_NOMEM, "out of memory for a hypothesis");
    memcpy(h->ids, ids, (size_t)h->len * sizeof *h->ids);
    if (!out->attention) return RC_OK;
    h->attention = malloc((size_t)(n ? n : 1) * (size_t)src_len * sizeof *h->attention);
    if (!h->attention) return rc_error(RC_E_NOMEM, "out of memory for attention weights");
    for (int t = 0; t < n; t++)
        memcpy(h->attention + (size_t)t * src_len, out->attention + ((size_t)b * out->max_len + t) * out->src_len,
               (size_t)src_len * sizeof *h->attention);
    return RC_OK;
}

rc_status tr_decode_all(tr_model *m, const tr_texts *src, const tr_decode_opts *o, tr_hyp *hyps)
{
    memset(hyps, 0, src->n * sizeof *hyps);
    size_t *order = malloc((src->n ? src->n : 1) * sizeof *order);
    tr_batch b = {0};
    rc_status s = order ? tr_order_by_length(src, order) : rc_error(RC_E_NOMEM, "out of memory");
    for (size_t at = 0; s == RC_OK && at < src->n; at += (size_t)o->batch) {
        int n = src->n - at < (size_t)o->batch ? (int)(src->n - at) : o->batch;
        s = tr_batch_fill(&b, src, NULL, order + at, n);
        if (s != RC_OK) break;
        rc_seq2seq_decode_config dc =
            rc_seq2seq_decode_config_default(o->beam > 1 ? RC_SEQ2SEQ_BEAM : RC_SEQ2SEQ_GREEDY,
                                             o->max_len > 0 ? o->max_len : 2 * b.S + 10);
        dc.beam_size = o->beam;
        dc.attention = o->attention;
        rc_seq2seq_source source = {b.B, b.S, b.src, b.lengths};
        rc_seq2seq_output out;
        s = rc_seq2seq_decode(m->net, &source, &dc, &out);
        for (int i = 0; s == RC_OK && i < n; i++) s = take(&hyps[order[at + (size_t)i]], &out, i, b.lengths[i], TR_EOS);
        rc_seq2seq_output_free(&out);
    }
    tr_batch_free(&b);
    free(order);
    if (s != RC_OK) tr_hyps_free(hyps, src->n);
    return s;
}

void tr_hyps_free(tr_hyp *hyps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(hyps[i].ids);
        free(hyps[i].attention);
        hyps[i].ids = NULL;
        hyps[i].attention = NULL;
    }
}

void tr_write_tokens(FILE *fp, const tr_vocab *v, tr_token_mode mode, const int *ids, int n)
{
    for (int i = 0; i < n; i++) {
        if (mode == TR_WORDS && i > 0) fputc(' ', fp);
        fputs(v->tokens[ids[i]], fp);
    }
}

/* ---- scores ------------------------------------------------------------ */

rc_status tr_score_add(tr_score *sc, const tr_hyp *h, const tr_seq *ref)
{
    size_t m = (size_t)ref->len;
    size_t *row = malloc((m + 1) * sizeof *row);
    int *known = malloc((m ? m : 1) * sizeof *known);
    if (!row || !known) {
        free(row);
        free(known);
        return rc_error(RC_E_NOMEM, "out of memory scoring a hypothesis");
    }
    /* a reference token outside the vocabulary matches nothing, not even <unk> */
    for (size_t j = 0; j < m; j++) known[j] = ref->ids[j] == TR_UNK ? -1 : ref->ids[j];
    size_t d = cli_edit_distance(h->ids, (size_t)h->len, known, m, row);
    sc->sentences++;
    sc->exact += d == 0;
    sc->edits += d;
    sc->ref_tokens += m;
    rc_status s = cli_bleu_add(&sc->bleu, h->ids, (size_t)h->len, known, m);
    free(row);
    free(known);
    return s;
}

double tr_score_exact(const tr_score *sc) { return sc->sentences ? (double)sc->exact / (double)sc->sentences : 0; }

double tr_score_ter(const tr_score *sc) { return sc->ref_tokens ? (double)sc->edits / (double)sc->ref_tokens : 0; }
