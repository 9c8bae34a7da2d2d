#include "batch.h"

#include <stdlib.h>
#include <string.h>

#include "recur/rng.h"

/* Batches per length-sorted pool of the training order. */
enum { BATCH_POOL = 50, NO_TARGET = -100 };

rc_status seq_batch_alloc(seq_batch *b, const seq_data *d, int max_b, bool per_token)
{
    memset(b, 0, sizeof *b);
    size_t cells = (size_t)max_b * (size_t)(d->max_length > 0 ? d->max_length : 1);
    b->ids = malloc(cells * sizeof *b->ids);
    b->lengths = malloc((size_t)max_b * sizeof *b->lengths);
    b->targets = malloc((per_token ? cells : (size_t)max_b) * sizeof *b->targets);
    bool ok = b->ids && b->lengths && b->targets;
    if (d->types) {
        b->chars = malloc(cells * SEQ_WORD_CHARS * sizeof *b->chars);
        b->word_of = malloc(cells * sizeof *b->word_of);
        b->listed = malloc(cells * sizeof *b->listed);
        b->stamp = calloc(d->n_types + 1, sizeof *b->stamp);
        b->slot = malloc((d->n_types + 1) * sizeof *b->slot);
        ok = ok && b->chars && b->word_of && b->listed && b->stamp && b->slot;
    }
    if (!ok) {
        seq_batch_free(b);
        return rc_error(RC_E_NOMEM, "out of memory for batches of %d sequences of up to %d tokens", max_b,
                        d->max_length);
    }
    return RC_OK;
}

void seq_batch_free(seq_batch *b)
{
    free(b->ids);
    free(b->lengths);
    free(b->targets);
    free(b->chars);
    free(b->word_of);
    free(b->listed);
    free(b->stamp);
    free(b->slot);
    memset(b, 0, sizeof *b);
}

static int type_length(const seq_data *d, int type) { return (int)(d->type_start[type + 1] - d->type_start[type]); }

/* Lists each distinct word of the batch once, grouped by length, and
 * points its positions at it. */
static void fill_chars(seq_batch *b, const seq_data *d, const size_t *idx)
{
    int stamp = ++b->count, U = 0, count[SEQ_WORD_CHARS + 1] = {0};
    for (int i = 0; i < b->B; i++)
        for (int t = 0; t < b->lengths[i]; t++) {
            int type = d->types[d->start[idx[i]] + (size_t)t];
            if (b->stamp[type] == stamp) continue;
            b->stamp[type] = stamp;
            b->listed[U++] = type;
            count[type_length(d, type)]++;
        }
    /* the rows and chars offsets where each length's group starts */
    int row[SEQ_WORD_CHARS + 1], g = 0;
    size_t at[SEQ_WORD_CHARS + 1], off = 0;
    for (int len = 1, r = 0; len <= SEQ_WORD_CHARS; len++) {
        row[len] = r;
        at[len] = off;
        r += count[len];
        off += (size_t)count[len] * (size_t)len;
        if (count[len] == 0) continue;
        b->group_size[g] = count[len];
        b->group_len[g++] = len;
    }
    b->U = U;
    b->groups = g;
    for (int k = 0; k < U; k++) {
        int type = b->listed[k], len = type_length(d, type);
        b->slot[type] = row[len]++;
        memcpy(b->chars + at[len], d->type_chars + d->type_start[type], (size_t)len * sizeof *b->chars);
        at[len] += (size_t)len;
    }
    memset(b->word_of, 0, (size_t)b->B * b->T * sizeof *b->word_of);
    for (int i = 0; i < b->B; i++)
        for (int t = 0; t < b->lengths[i]; t++) b->word_of[i * b->T + t] = b->slot[d->types[d->start[idx[i]] + (size_t)t]];
}

void seq_batch_fill(seq_batch *b, const seq_data *d, const size_t *idx, int n, bool per_token)
{
    int T = 1;
    for (int i = 0; i < n; i++)
        if (seq_length(d, idx[i]) > T) T = seq_length(d, idx[i]);
    b->B = n;
    b->T = T;
    for (int i = 0; i < n; i++) {
        size_t s = d->start[idx[i]];
        int len = seq_length(d, idx[i]);
        b->lengths[i] = len;
        for (int t = 0; t < T; t++) {
            b->ids[i * T + t] = t < len ? d->ids[s + (size_t)t] : RC_TOKEN_PAD;
            if (per_token) b->targets[i * T + t] = t < len ? d->targets[s + (size_t)t] : NO_TARGET;
        }
        if (!per_token) b->targets[i] = d->targets[idx[i]];
    }
    if (d->types) fill_chars(b, d, idx);
}

rc_status seq_plan_alloc(seq_plan *p, size_t n, int B)
{
    RC_ASSERT(n <= UINT32_MAX);
    memset(p, 0, sizeof *p);
    p->n = n;
    p->n_batches = (n + (size_t)B - 1) / (size_t)B;
    size_t m = n ? n : 1;
    p->order = malloc(m * sizeof *p->order);
    p->bounds = malloc((p->n_batches + 1) * sizeof *p->bounds);
    p->keys = malloc(m * sizeof *p->keys);
    p->perm = malloc((p->n_batches ? p->n_batches : 1) * sizeof *p->perm);
    p->copy = malloc(m * sizeof *p->copy);
    if (!p->order || !p->bounds || !p->keys || !p->perm || !p->copy) {
        seq_plan_free(p);
        return rc_error(RC_E_NOMEM, "out of memory for the batch order");
    }
    return RC_OK;
}

void seq_plan_free(seq_plan *p)
{
    free(p->order);
    free(p->bounds);
    free(p->keys);
    free(p->perm);
    free(p->copy);
    memset(p, 0, sizeof *p);
}

static void shuffle(size_t *a, size_t n, rc_rng *r)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rc_rng_below(r, i), t = a[i - 1];
        a[i - 1] = a[j];
        a[j] = t;
    }
}

/* Sorting by length needs the data; qsort passes none. Lengths are packed
 * with the index instead: (length << 32 | index) sorts by length, then index. */
static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void sort_by_length(size_t *idx, size_t n, const seq_data *d, uint64_t *keys)
{
    for (size_t i = 0; i < n; i++) keys[i] = (uint64_t)seq_length(d, idx[i]) << 32 | (uint64_t)idx[i];
    qsort(keys, n, sizeof *keys, cmp_u64);
    for (size_t i = 0; i < n; i++) idx[i] = (size_t)(keys[i] & 0xFFFFFFFFu);
}

/* Cuts order into batches of B: bounds k·B, the last one n. */
static void cut(seq_plan *p, int B)
{
    for (size_t k = 0; k < p->n_batches; k++) p->bounds[k] = k * (size_t)B;
    p->bounds[p->n_batches] = p->n;
}

void seq_plan_sorted(seq_plan *p, const seq_data *d, int B)
{
    RC_ASSERT(d->n == p->n);
    for (size_t i = 0; i < p->n; i++) p->order[i] = i;
    sort_by_length(p->order, p->n, d, p->keys);
    cut(p, B);
}

void seq_plan_epoch(seq_plan *p, const seq_data *d, int B, uint64_t seed, int64_t epoch)
{
    RC_ASSERT(d->n == p->n);
    size_t n = p->n, pool = (size_t)B * BATCH_POOL, nb = p->n_batches;
    rc_rng r;
    rc_rng_seed(&r, seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(epoch + 1)));
    for (size_t i = 0; i < n; i++) p->order[i] = i;
    shuffle(p->order, n, &r);
    for (size_t a = 0; a < n; a += pool) sort_by_length(p->order + a, a + pool < n ? pool : n - a, d, p->keys);
    /* the batches in random order: shuffle their numbers, then move them */
    for (size_t k = 0; k < nb; k++) p->perm[k] = k;
    shuffle(p->perm, nb, &r);
    memcpy(p->copy, p->order, n * sizeof *p->copy);
    size_t at = 0;
    for (size_t k = 0; k < nb; k++) {
        size_t a = p->perm[k] * (size_t)B, e = a + (size_t)B < n ? a + (size_t)B : n;
        p->bounds[k] = at;
        memcpy(p->order + at, p->copy + a, (e - a) * sizeof *p->copy);
        at += e - a;
    }
    p->bounds[nb] = n;
}
