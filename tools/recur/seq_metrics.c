/*
 * Edit distance by the two-row dynamic programme, and BLEU's clipped n-gram
 * counts by sorting the n-grams of both sequences and merging the runs, so
 * that long sentences cost O(L log L) rather than O(L²).
 */
#include "seq_metrics.h"

#include <math.h>
#include <stdlib.h>

size_t cli_edit_distance(const int *a, size_t n, const int *b, size_t m, size_t *row)
{
    /* row[j] = distance(a[0..i), b[0..j)) for the current i */
    for (size_t j = 0; j <= m; j++) row[j] = j;
    for (size_t i = 1; i <= n; i++) {
        size_t diag = row[0];
        row[0] = i;
        for (size_t j = 1; j <= m; j++) {
            size_t up = row[j];
            size_t best = diag + (a[i - 1] != b[j - 1]);
            if (up + 1 < best) best = up + 1;
            if (row[j - 1] + 1 < best) best = row[j - 1] + 1;
            row[j] = best;
            diag = up;
        }
    }
    return row[m];
}

/* An n-gram: n tokens starting at s. */
typedef struct ngram {
    const int *s;
    int n;
} ngram;

/* Lexicographic order of two n-grams of the same n. */
static int cmp_ngram(const void *x, const void *y)
{
    const ngram *a = x, *b = y;
    for (int k = 0; k < a->n; k++)
        if (a->s[k] != b->s[k]) return (a->s[k] > b->s[k]) - (a->s[k] < b->s[k]);
    return 0;
}

/* The n-grams of seq (len tokens) into g, sorted; returns their count. */
static size_t sorted_ngrams(const int *seq, size_t len, int n, ngram *g)
{
    if (len < (size_t)n) return 0;
    size_t k = len - (size_t)n + 1;
    for (size_t i = 0; i < k; i++) g[i] = (ngram){seq + i, n};
    qsort(g, k, sizeof *g, cmp_ngram);
    return k;
}

/* Σ over distinct n-grams of min(count in h, count in r), both sorted. */
static uint64_t clipped_matches(const ngram *h, size_t nh, const ngram *r, size_t nr)
{
    uint64_t matches = 0;
    size_t i = 0, j = 0;
    while (i < nh && j < nr) {
        int c = cmp_ngram(&h[i], &r[j]);
        if (c < 0) i++;
        else if (c > 0) j++;
        else {
            size_t ci = 0, cj = 0;
            const ngram key = h[i];
            for (; i < nh && cmp_ngram(&h[i], &key) == 0; i++) ci++;
            for (; j < nr && cmp_ngram(&r[j], &key) == 0; j++) cj++;
            matches += ci < cj ? ci : cj;
        }
    }
    return matches;
}

rc_status cli_bleu_add(cli_bleu *b, const int *hyp, size_t n, const int *ref, size_t m)
{
    ngram *gh = malloc((n ? n : 1) * sizeof *gh), *gr = malloc((m ? m : 1) * sizeof *gr);
    if (!gh || !gr) {
        free(gh);
        free(gr);
        return rc_error(RC_E_NOMEM, "out of memory counting n-grams of %zu and %zu tokens", n, m);
    }
    for (int k = 1; k <= CLI_BLEU_ORDER; k++) {
        size_t nh = sorted_ngrams(hyp, n, k, gh), nr = sorted_ngrams(ref, m, k, gr);
        b->matches[k - 1] += clipped_matches(gh, nh, gr, nr);
        b->totals[k - 1] += nh;
    }
    b->hyp_len += n;
    b->ref_len += m;
    free(gh);
    free(gr);
    return RC_OK;
}

double cli_bleu_score(const cli_bleu *b)
{
    double log_p = 0;
    for (int k = 0; k < CLI_BLEU_ORDER; k++) {
        if (b->matches[k] == 0) return 0;
        log_p += log((double)b->matches[k] / (double)b->totals[k]) / CLI_BLEU_ORDER;
    }
    double c = (double)b->hyp_len, r = (double)b->ref_len;
    double bp = c > r ? 1 : exp(1 - r / c);
    return bp * exp(log_p);
}
