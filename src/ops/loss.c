/*
 * Losses, each reduced to a scalar: loss = w · Σ (per-element loss), with
 * w = 1 / (number of counted elements) for MEAN and 1 for SUM. Sums are
 * accumulated in double. Backward passes scale by s = w · dloss.
 *
 * Class losses (cross-entropy, NLL) take targets (N) of class ids; targets
 * equal to ignore_index count for nothing; MEAN over zero counted targets
 * gives loss 0 and zero gradients (w = 0).
 */
#include <math.h>
#include <string.h>

#include "core/tape.h"
#include "ops/check.h"
#include "ops/softmax.h"
#include "recur/ops.h"

/* logp (N, C), target (N) */
/* loss = −Σ_{counted n} logp[n, t_n] */
static double nll_forward(const rc_real *logp, const int *target, int N, int C, int ignore_index)
{
    double s = 0;
    for (int n = 0; n < N; n++)
        if (target[n] != ignore_index) s -= logp[(size_t)n * C + target[n]];
    return s;
}

/* forward was loss = −w Σ logp[n, t_n], so dlogp[n, t_n] −= s */
static void nll_backward(rc_real *dlogp, const int *target, int N, int C, int ignore_index, rc_real s)
{
    for (int n = 0; n < N; n++)
        if (target[n] != ignore_index) dlogp[(size_t)n * C + target[n]] -= s;
}

/* forward was loss = −w Σ logp[n, t_n] with logp = log_softmax(x), so dx[n] += s (e^logp[n] − onehot(t_n)) */
static void cross_entropy_backward(rc_real *dx, const rc_real *logp, const int *target, int N, int C,
                                   int ignore_index, rc_real s)
{
    for (int n = 0; n < N; n++) {
        if (target[n] == ignore_index) continue;
        rc_real *dxn = dx + (size_t)n * C;
        const rc_real *lp = logp + (size_t)n * C;
        for (int c = 0; c < C; c++) dxn[c] += s * (rc_real)exp((double)lp[c]);
        dxn[target[n]] -= s;
    }
}

/* x (n), y (n) */
/* loss = Σ (x − y)² */
static double mse_forward(const rc_real *x, const rc_real *y, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)x[i] - (double)y[i];
        s += d * d;
    }
    return s;
}

/* forward was loss = w Σ (x − y)², so dx += 2s (x − y) and dy −= 2s (x − y); NULL grads are skipped */
static void mse_backward(rc_real *dx, rc_real *dy, const rc_real *x, const rc_real *y, size_t n, rc_real s)
{
    for (size_t i = 0; i < n; i++) {
        rc_real d = 2 * s * (x[i] - y[i]);
        if (dx) dx[i] += d;
        if (dy) dy[i] -= d;
    }
}

/* loss = Σ max(x, 0) − x y + log(1 + e^−|x|), which never overflows */
static double bce_with_logits_forward(const rc_real *x, const rc_real *y, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) {
        double xi = x[i];
        s += (xi > 0 ? xi : 0) - xi * (double)y[i] + log1p(exp(-fabs(xi)));
    }
    return s;
}

/* forward was loss = w Σ max(x, 0) − x y + log(1 + e^−|x|), so dx += s (σ(x) − y) and dy −= s x,
 * with σ(x) = 1 / (1 + e^−|x|) for x >= 0 and e^−|x| / (1 + e^−|x|) otherwise */
static void bce_with_logits_backward(rc_real *dx, rc_real *dy, const rc_real *x, const rc_real *y, size_t n,
                                     rc_real s)
{
    for (size_t i = 0; i < n; i++) {
        double e = exp(-fabs((double)x[i]));
        double sigma = x[i] >= 0 ? 1 / (1 + e) : e / (1 + e);
        if (dx) dx[i] += s * (rc_real)(sigma - (double)y[i]);
        if (dy) dy[i] -= s * x[i];
    }
}

typedef struct loss_ctx {
    rc_real w;         /* the reduction's weight */
    int *target;       /* class losses: a copy of the targets */
    int ignore_index;  /* class losses */
    rc_real *logp;     /* cross-entropy: log_softmax(logits) (N, C) */
} loss_ctx;

static void cross_entropy_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *loss = n->out[0];
    const loss_ctx *c = n->ctx;
    if (x->grad)
        cross_entropy_backward(x->grad, c->logp, c->target, x->shape[0], x->shape[1], c->ignore_index,
                               c->w * loss->grad[0]);
}

static void nll_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *loss = n->out[0];
    const loss_ctx *c = n->ctx;
    if (x->grad) nll_backward(x->grad, c->target, x->shape[0], x->shape[1], c->ignore_index, c->w * loss->grad[0]);
}

static void mse_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->in[1], *loss = n->out[0];
    const loss_ctx *c = n->ctx;
    mse_backward(x->grad, y->grad, x->data, y->data, x->numel, c->w * loss->grad[0]);
}

static void bce_with_logits_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->in[1], *loss = n->out[0];
    const loss_ctx *c = n->ctx;
    bce_with_logits_backward(x->grad, y->grad, x->data, y->data, x->numel, c->w * loss->grad[0]);
}

static rc_real reduction_weight(rc_reduction red, size_t count)
{
    if (red == RC_REDUCTION_SUM) return 1;
    return count ? (rc_real)(1.0 / (double)count) : 0;
}

/* The shared tail of every loss: the scalar output w · sum and, when
 * recording, the node with its ctx (filled in by the caller). */
static rc_tensor *finish(rc_graph *g, rc_op op, rc_backward_fn bw, int n_in, rc_tensor *const *in, double sum,
                         rc_real w, loss_ctx **ctx)
{
    bool rec = rc_tape_needs_grad(g, n_in, in);
    rc_tensor *loss = rc_tape_tensor(g, 0, NULL, rec);
    if (!loss) return NULL;
    loss->data[0] = (rc_real)(sum * (double)w);
    *ctx = NULL;
    if (rec) {
        rc_node *n = rc_tape_record(g, op, bw, n_in, in, 1, &loss, sizeof(loss_ctx));
        if (!n) return NULL;
        *ctx = n->ctx;
        (*ctx)->w = w;
    }
    return loss;
}

/* Checks x (N, C), the targets and the reduction; counts the targets that
 * are not ignore_index. */
static bool check_class_loss(rc_graph *g, const char *op, rc_tensor *x, const char *x_name, const int *target,
                             int ignore_index, rc_reduction red, size_t *count)
{
    if (!rc_tape_check(g, op, 1, &x) || !rc_check_ndim(g, op, x_name, x, 2) || !rc_check_reduction(g, op, red))
        return false;
    int N = x->shape[0], C = x->shape[1];
    if (!target) {
        rc_tape_fail(g, RC_E_INVALID, "%s: target is NULL, expected %d class ids", op, N);
        return false;
    }
    *count = 0;
    for (int n = 0; n < N; n++) {
        if (target[n] == ignore_index) continue;
        if (target[n] < 0 || target[n] >= C) {
            rc_tape_fail(g, RC_E_INVALID, "%s: target[%d] = %d is outside [0, %d) and is not ignore_index (%d)", op,
                         n, target[n], C, ignore_index);
            return false;
        }
        (*count)++;
    }
    return true;
}

/* Saves a copy of the targets in the node's ctx (nothing when not recording). */
static bool save_targets(rc_graph *g, loss_ctx *c, const int *target, int N, int ignore_index)
{
    if (!c) return true;
    c->target = rc_tape_alloc(g, (size_t)N * sizeof *c->target);
    if (!c->target) return false;
    memcpy(c->target, target, (size_t)N * sizeof *c->target);
    c->ignore_index = ignore_index;
    return true;
}

rc_tensor *rc_cross_entropy(rc_graph *g, rc_tensor *logits, const int *target, int ignore_index, rc_reduction red)
{
    size_t count;
    if (!check_class_loss(g, "cross_entropy", logits, "logits", target, ignore_index, red, &count)) return NULL;
    int N = logits->shape[0], C = logits->shape[1];
    rc_real *logp = rc_tape_alloc(g, logits->numel * sizeof *logp);
    if (!logp) return NULL;
    rc_log_softmax_rows(logp, logits->data, (size_t)N, C);
    loss_ctx *c;
    rc_tensor *loss = finish(g, RC_OP_CROSS_ENTROPY, cross_entropy_node_backward, 1, &logits,
                             nll_forward(logp, target, N, C, ignore_index), reduction_weight(red, count), &c);
    if (!loss || !save_targets(g, c, target, N, ignore_index)) return NULL;
    if (c) c->logp = logp;
    return loss;
}

rc_tensor *rc_nll_loss(rc_graph *g, rc_tensor *logp, const int *target, int ignore_index, rc_reduction red)
{
    size_t count;
    if (!check_class_loss(g, "nll_loss", logp, "logp", target, ignore_index, red, &count)) return NULL;
    int N = logp->shape[0], C = logp->shape[1];
    loss_ctx *c;
    rc_tensor *loss = finish(g, RC_OP_NLL, nll_node_backward, 1, &logp,
                             nll_forward(logp->data, target, N, C, ignore_index), reduction_weight(red, count), &c);
    if (!loss || !save_targets(g, c, target, N, ignore_index)) return NULL;
    return loss;
}

/* Checks x, y (equal shapes) and the reduction of an elementwise loss. */
static bool check_pair_loss(rc_graph *g, const char *op, rc_tensor *const *in, rc_reduction red)
{
    return rc_tape_check(g, op, 2, in) && rc_check_same_shape(g, op, "x", in[0], "y", in[1]) &&
           rc_check_reduction(g, op, red);
}

rc_tensor *rc_mse_loss(rc_graph *g, rc_tensor *x, rc_tensor *y, rc_reduction red)
{
    rc_tensor *in[2] = {x, y};
    if (!check_pair_loss(g, "mse_loss", in, red)) return NULL;
    loss_ctx *c;
    return finish(g, RC_OP_MSE, mse_node_backward, 2, in, mse_forward(x->data, y->data, x->numel),
                  reduction_weight(red, x->numel), &c);
}

rc_tensor *rc_bce_with_logits(rc_graph *g, rc_tensor *x, rc_tensor *y, rc_reduction red)
{
    rc_tensor *in[2] = {x, y};
    if (!check_pair_loss(g, "bce_with_logits", in, red)) return NULL;
    loss_ctx *c;
    return finish(g, RC_OP_BCE_LOGITS, bce_with_logits_node_backward, 2, in,
                  bce_with_logits_forward(x->data, y->data, x->numel), reduction_weight(red, x->numel), &c);
}
