/*
 * Pooling over the time steps of padded batch-first sequences: the mean or
 * the maximum over the first lengths[b] steps of each sequence b.
 */
#include <string.h>

#include "core/tape.h"
#include "ops/check.h"
#include "recur/ops.h"

/* x (B, T, D), len (B) in [1, T], y (B, D) */
/* y[b] = (1 / len[b]) Σ_{t < len[b]} x[b, t] */
static void pool_mean_forward(rc_real *y, const rc_real *x, const int *len, int B, int T, int D)
{
    for (int b = 0; b < B; b++) {
        rc_real *yb = y + (size_t)b * D;
        memset(yb, 0, (size_t)D * sizeof *yb);
        for (int t = 0; t < len[b]; t++) {
            const rc_real *xt = x + ((size_t)b * T + (size_t)t) * D;
            for (int d = 0; d < D; d++) yb[d] += xt[d];
        }
        rc_real inv = (rc_real)1 / (rc_real)len[b];
        for (int d = 0; d < D; d++) yb[d] *= inv;
    }
}

/* forward was y[b] = (1 / len[b]) Σ_{t < len[b]} x[b, t], so dx[b, t] += dy[b] / len[b] for t < len[b] */
static void pool_mean_backward(rc_real *dx, const rc_real *dy, const int *len, int B, int T, int D)
{
    for (int b = 0; b < B; b++) {
        const rc_real *dyb = dy + (size_t)b * D;
        rc_real inv = (rc_real)1 / (rc_real)len[b];
        for (int t = 0; t < len[b]; t++) {
            rc_real *dxt = dx + ((size_t)b * T + (size_t)t) * D;
            for (int d = 0; d < D; d++) dxt[d] += dyb[d] * inv;
        }
    }
}

/* x (B, T, D), len (B) in [1, T], y (B, D), arg (B, D) the step of each maximum */
/* y[b, d] = max_{t < len[b]} x[b, t, d] */
static void pool_max_forward(rc_real *y, int *arg, const rc_real *x, const int *len, int B, int T, int D)
{
    for (int b = 0; b < B; b++) {
        rc_real *yb = y + (size_t)b * D;
        int *ab = arg + (size_t)b * D;
        memcpy(yb, x + (size_t)b * T * D, (size_t)D * sizeof *yb);
        memset(ab, 0, (size_t)D * sizeof *ab);
        for (int t = 1; t < len[b]; t++) {
            const rc_real *xt = x + ((size_t)b * T + (size_t)t) * D;
            for (int d = 0; d < D; d++)
                if (xt[d] > yb[d]) {
                    yb[d] = xt[d];
                    ab[d] = t;
                }
        }
    }
}

/* forward was y[b, d] = x[b, arg[b, d], d], so dx[b, arg[b, d], d] += dy[b, d] */
static void pool_max_backward(rc_real *dx, const rc_real *dy, const int *arg, int B, int T, int D)
{
    for (int b = 0; b < B; b++)
        for (int d = 0; d < D; d++) {
            size_t i = (size_t)b * D + (size_t)d;
            dx[((size_t)b * T + (size_t)arg[i]) * D + (size_t)d] += dy[i];
        }
}

typedef struct pool_ctx {
    int *len; /* B lengths */
    int *arg; /* max only: (B, D) */
} pool_ctx;

static void pool_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->out[0];
    const pool_ctx *c = n->ctx;
    int B = x->shape[0], T = x->shape[1], D = x->shape[2];
    if (!x->grad) return;
    if (c->arg) pool_max_backward(x->grad, y->grad, c->arg, B, T, D);
    else pool_mean_backward(x->grad, y->grad, c->len, B, T, D);
}

rc_tensor *rc_pool_time(rc_graph *g, rc_tensor *x, const int *lengths, rc_pool kind)
{
    const char *name = kind == RC_POOL_MAX ? "pool_time(max)" : "pool_time(mean)";
    if (!rc_tape_check(g, name, 1, &x) || !rc_check_ndim(g, name, "x (B, T, D)", x, 3)) return NULL;
    if (kind != RC_POOL_MEAN && kind != RC_POOL_MAX)
        return rc_tape_fail(g, RC_E_INVALID, "pool_time: kind %d, expected RC_POOL_MEAN or RC_POOL_MAX", (int)kind);
    int B = x->shape[0], T = x->shape[1], D = x->shape[2];
    for (int b = 0; lengths && b < B; b++)
        if (lengths[b] < 1 || lengths[b] > T)
            return rc_tape_fail(g, RC_E_INVALID, "%s: lengths[%d] = %d, expected 1 <= length <= T = %d", name, b,
                                lengths[b], T);
    bool rec = rc_tape_needs_grad(g, 1, &x);
    int shape[2] = {B, D};
    rc_tensor *y = rc_tape_tensor(g, 2, shape, rec);
    int *len = y ? rc_tape_alloc(g, (size_t)B * sizeof *len) : NULL;
    int *arg = len && kind == RC_POOL_MAX ? rc_tape_alloc(g, (size_t)B * D * sizeof *arg) : NULL;
    if (!len || (kind == RC_POOL_MAX && !arg)) return NULL;
    for (int b = 0; b < B; b++) len[b] = lengths ? lengths[b] : T;
    if (arg) pool_max_forward(y->data, arg, x->data, len, B, T, D);
    else pool_mean_forward(y->data, x->data, len, B, T, D);
    if (rec) {
        rc_op op = kind == RC_POOL_MAX ? RC_OP_POOL_MAX : RC_OP_POOL_MEAN;
        rc_node *n = rc_tape_record(g, op, pool_node_backward, 1, &x, 1, &y, sizeof(pool_ctx));
        if (!n) return NULL;
        *(pool_ctx *)n->ctx = (pool_ctx){.len = len, .arg = arg};
    }
    return y;
}
