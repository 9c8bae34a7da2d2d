/*
 * Inverted dropout: y = x ⊙ m / (1 − p) with m ~ Bernoulli(1 − p), drawn from
 * the graph's generator. The scaled mask is saved for the backward pass.
 */

#include "core/tape.h"
#include "recur/ops.h"

/* x (n), mask (n) holding 0 or 1/(1−p) */
static void dropout_forward(rc_real *y, rc_real *mask, const rc_real *x, size_t n, rc_real p, rc_rng *rng)
{
    rc_real scale = 1 / (1 - p);
    for (size_t i = 0; i < n; i++) {
        mask[i] = rc_rng_uniform(rng) < (double)p ? 0 : scale;
        y[i] = x[i] * mask[i];
    }
}

/* forward was y = x ⊙ mask, so dx += dy ⊙ mask */
static void dropout_backward(rc_real *dx, const rc_real *dy, const rc_real *mask, size_t n)
{
    for (size_t i = 0; i < n; i++) dx[i] += dy[i] * mask[i];
}

typedef struct dropout_ctx {
    rc_real *mask;
} dropout_ctx;

static void dropout_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->out[0];
    const dropout_ctx *c = n->ctx;
    if (x->grad) dropout_backward(x->grad, y->grad, c->mask, x->numel);
}

rc_tensor *rc_dropout(rc_graph *g, rc_tensor *x, rc_real p)
{
    if (!rc_tape_check(g, "dropout", 1, &x)) return NULL;
    if (!(p >= 0 && p < 1)) return rc_tape_fail(g, RC_E_INVALID, "dropout: p = %g, expected 0 <= p < 1", (double)p);
    if (!rc_graph_is_training(g) || p == 0) return x;
    bool rec = rc_tape_needs_grad(g, 1, &x);
    rc_tensor *y = rc_tape_tensor(g, x->ndim, x->shape, rec);
    rc_real *mask = y ? rc_tape_alloc(g, x->numel * sizeof(rc_real)) : NULL;
    if (!mask) return NULL;
    dropout_forward(y->data, mask, x->data, x->numel, p, rc_graph_rng(g));
    if (rec) {
        rc_node *n = rc_tape_record(g, RC_OP_DROPOUT, dropout_node_backward, 1, &x, 1, &y, sizeof(dropout_ctx));
        if (!n) return NULL;
        ((dropout_ctx *)n->ctx)->mask = mask;
    }
    return y;
}
