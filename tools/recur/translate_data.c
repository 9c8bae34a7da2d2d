/*
 * Texts as token ids, and padded batches of them for the seq2seq library.
 */
#include <stdlib.h>
#include <string.h>

#include "translate.h"

rc_status tr_texts_encode(tr_texts *out, const tr_vocab *v, tr_token_mode mode, const char *const *texts, size_t n,
                          size_t stride, const char *name, const size_t *lines)
{
    memset(out, 0, sizeof *out);
    size_t total = 0;
    for (size_t i = 0; i < n; i++) {
        size_t k = tr_tokenize(texts[i * stride], mode, NULL, 0);
        if (k == 0 || k > TR_MAX_TOKENS)
            return rc_error(RC_E_INVALID, "%s: line %zu: %s (%zu tokens; 1 to %d are allowed)", name, lines[i],
                            k ? "too many tokens" : "no tokens", k, TR_MAX_TOKENS);
        total += k;
    }
    out->seqs = malloc((n ? n : 1) * sizeof *out->seqs);
    out->ids = malloc((total ? total : 1) * sizeof *out->ids);
    tr_span *spans = malloc(TR_MAX_TOKENS * sizeof *spans);
    if (!out->seqs || !out->ids || !spans) {
        free(spans);
        tr_texts_free(out);
        return rc_error(RC_E_NOMEM, "%s: out of memory for %zu texts", name, n);
    }
    int *ids = out->ids;
    for (size_t i = 0; i < n; i++) {
        const char *text = texts[i * stride];
        int k = (int)tr_tokenize(text, mode, spans, TR_MAX_TOKENS);
        for (int j = 0; j < k; j++) {
            ids[j] = tr_vocab_id(v, text + spans[j].start, spans[j].len);
            out->unknown += ids[j] == TR_UNK;
        }
        out->seqs[i] = (tr_seq){ids, k};
        out->tokens += (size_t)k;
        if (k > out->longest) out->longest = k;
        ids += k;
    }
    out->n = n;
    free(spans);
    return RC_OK;
}

void tr_texts_free(tr_texts *t)
{
    free(t->seqs);
    free(t->ids);
    memset(t, 0, sizeof *t);
}

/* Makes *buf hold at least n ints (*cap so far). */
static rc_status reserve(int **buf, size_t *cap, size_t n)
{
    if (n <= *cap) return RC_OK;
    int *grown = realloc(*buf, n * sizeof *grown);
    if (!grown) return rc_error(RC_E_NOMEM, "out of memory for a batch of %zu tokens", n);
    *buf = grown;
    *cap = n;
    return RC_OK;
}

rc_status tr_batch_fill(tr_batch *b, const tr_texts *src, const tr_texts *tgt, const size_t *rows, int n)
{
    int S = 1, T = 1;
    for (int i = 0; i < n; i++) {
        if (src->seqs[rows[i]].len > S) S = src->seqs[rows[i]].len;
        if (tgt && tgt->seqs[rows[i]].len + 1 > T) T = tgt->seqs[rows[i]].len + 1;
    }
    rc_status s = reserve(&b->src, &b->cap_src, (size_t)n * S);
    if (s == RC_OK) s = reserve(&b->lengths, &b->cap_lengths, (size_t)n);
    if (s == RC_OK && tgt) s = reserve(&b->tgt, &b->cap_tgt, (size_t)n * T);
    if (s != RC_OK) return s;
    b->B = n;
    b->S = S;
    b->T = tgt ? T : 0;
    for (int i = 0; i < n; i++) {
        const tr_seq *x = &src->seqs[rows[i]];
        int *row = b->src + (size_t)i * S;
        memcpy(row, x->ids, (size_t)x->len * sizeof *row);
        for (int j = x->len; j < S; j++) row[j] = TR_PAD;
        b->lengths[i] = x->len;
        if (!tgt) continue;
        const tr_seq *y = &tgt->seqs[rows[i]];
        row = b->tgt + (size_t)i * T;
        memcpy(row, y->ids, (size_t)y->len * sizeof *row);
        row[y->len] = TR_EOS;
        for (int j = y->len + 1; j < T; j++) row[j] = TR_PAD;
    }
    return RC_OK;
}

void tr_batch_free(tr_batch *b)
{
    free(b->src);
    free(b->lengths);
    free(b->tgt);
    memset(b, 0, sizeof *b);
}
