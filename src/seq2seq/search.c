/* Helpers shared by the greedy, sampling and beam searches. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "seq2seq/search.h"

double rc_s2s_log_norm(const rc_real *l, int V)
{
    double mx = l[0], sum = 0;
    for (int v = 1; v < V; v++)
        if (l[v] > mx) mx = l[v];
    for (int v = 0; v < V; v++) sum += exp((double)l[v] - mx);
    return mx + log(sum);
}

int rc_s2s_argmax(const rc_real *l, int V)
{
    int best = 0;
    for (int v = 1; v < V; v++)
        if (l[v] > l[best]) best = v;
    return best;
}

/* Larger value first, then lower id. */
static int by_rank(const void *pa, const void *pb)
{
    const rc_s2s_ranked *a = pa, *b = pb;
    if (a->value != b->value) return a->value > b->value ? -1 : 1;
    return (a->id > b->id) - (a->id < b->id);
}

int rc_s2s_sample(const rc_real *l, int V, double temperature, int top_k, rc_rng *rng, rc_s2s_ranked *scratch)
{
    for (int v = 0; v < V; v++) scratch[v] = (rc_s2s_ranked){l[v], v};
    int n = V;
    if (top_k > 0 && top_k < V) {
        qsort(scratch, (size_t)V, sizeof *scratch, by_rank);
        n = top_k;
    }
    double mx = scratch[0].value, total = 0;
    for (int i = 1; i < n; i++)
        if (scratch[i].value > mx) mx = scratch[i].value;
    /* p_i ∝ e^{(l_i − max) / temperature} */
    for (int i = 0; i < n; i++) total += exp(((double)scratch[i].value - mx) / temperature);
    double u = rc_rng_uniform(rng) * total;
    for (int i = 0; i < n; i++) {
        u -= exp(((double)scratch[i].value - mx) / temperature);
        if (u < 0) return scratch[i].id;
    }
    return scratch[n - 1].id; /* u ran past the total by rounding */
}

rc_tensor *rc_s2s_gather_rows(rc_graph *g, const rc_tensor *t, const int *rows, int n)
{
    int shape[RC_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    shape[0] = n;
    rc_tensor *y = rc_graph_tensor(g, t->ndim, shape, false);
    if (!y) return NULL;
    size_t w = t->numel / (size_t)t->shape[0];
    for (int i = 0; i < n; i++) memcpy(y->data + (size_t)i * w, t->data + (size_t)rows[i] * w, w * sizeof(rc_real));
    return y;
}

void rc_s2s_gather_state(rc_graph *g, rc_s2s_state *st, const int *rows, int n)
{
    rc_tensor **ts[3] = {&st->h, &st->c, &st->feed};
    for (int i = 0; i < 3; i++)
        if (*ts[i]) *ts[i] = rc_s2s_gather_rows(g, *ts[i], rows, n);
}

void rc_s2s_put_score(rc_seq2seq_output *out, int r, int len, double score, double alpha)
{
    out->lengths[r] = len;
    out->scores[r] = score;
    out->norm_scores[r] = score / pow((double)len, alpha);
}

void rc_seq2seq_output_free(rc_seq2seq_output *out)
{
    free(out->ids);
    free(out->lengths);
    free(out->scores);
    free(out->norm_scores);
    free(out->attention);
    *out = (rc_seq2seq_output){0};
}

rc_status rc_s2s_output_alloc(rc_seq2seq_output *out, int batch, int n_best, int max_len, int src_len, bool attention,
                              int pad)
{
    size_t rows = (size_t)batch * n_best, slots = rows * max_len;
    *out = (rc_seq2seq_output){.batch = batch, .n_best = n_best, .max_len = max_len, .src_len = src_len};
    out->ids = malloc(slots * sizeof *out->ids);
    out->lengths = calloc(rows, sizeof *out->lengths);
    out->scores = calloc(rows, sizeof *out->scores);
    out->norm_scores = calloc(rows, sizeof *out->norm_scores);
    if (attention) out->attention = calloc(slots * src_len, sizeof *out->attention);
    if (!out->ids || !out->lengths || !out->scores || !out->norm_scores || (attention && !out->attention)) {
        rc_seq2seq_output_free(out);
        return rc_error(RC_E_NOMEM, "seq2seq decode: out of memory for %zu hypotheses of %d tokens", rows, max_len);
    }
    for (size_t i = 0; i < slots; i++) out->ids[i] = pad;
    return RC_OK;
}
