/*
 * Softmax and log-softmax over the last dimension: the row kernels declared
 * in softmax.h and the two ops built on them. Both ops save their output y,
 * from which each backward pass is cheapest.
 */
#include "ops/softmax.h"

#include <math.h>

#include "core/tape.h"
#include "ops/check.h"
#include "recur/ops.h"

static rc_real row_max(const rc_real *x, int C)
{
    rc_real m = x[0];
    for (int c = 1; c < C; c++)
        if (x[c] > m) m = x[c];
    return m;
}

/* Σ e^(x − m), in double so that long rows lose nothing to rounding. */
static double sum_exp(const rc_real *x, int C, rc_real m)
{
    double s = 0;
    for (int c = 0; c < C; c++) s += exp((double)(x[c] - m));
    return s;
}

void rc_softmax_rows(rc_real *y, const rc_real *x, size_t rows, int C)
{
    for (size_t r = 0; r < rows; r++) {
        const rc_real *xr = x + r * (size_t)C;
        rc_real *yr = y + r * (size_t)C;
        rc_real m = row_max(xr, C);
        /* Every entry is −∞: x − m would be NaN; the masked row weighs nothing. */
        if (m == -INFINITY) {
            for (int c = 0; c < C; c++) yr[c] = 0;
            continue;
        }
        double inv = 1 / sum_exp(xr, C, m);
        for (int c = 0; c < C; c++) yr[c] = (rc_real)(exp((double)(xr[c] - m)) * inv);
    }
}

void rc_softmax_rows_backward(rc_real *dx, const rc_real *dy, const rc_real *y, size_t rows, int C)
{
    for (size_t r = 0; r < rows; r++) {
        const rc_real *dyr = dy + r * (size_t)C, *yr = y + r * (size_t)C;
        rc_real *dxr = dx + r * (size_t)C;
        double dot = 0;
        for (int c = 0; c < C; c++) dot += (double)dyr[c] * yr[c];
        for (int c = 0; c < C; c++) dxr[c] += yr[c] * (rc_real)(dyr[c] - dot);
    }
}

void rc_log_softmax_rows(rc_real *y, const rc_real *x, size_t rows, int C)
{
    for (size_t r = 0; r < rows; r++) {
        const rc_real *xr = x + r * (size_t)C;
        rc_real *yr = y + r * (size_t)C;
        rc_real m = row_max(xr, C);
        if (m == -INFINITY) {
            for (int c = 0; c < C; c++) yr[c] = -INFINITY;
            continue;
        }
        rc_real lse = (rc_real)log(sum_exp(xr, C, m));
        for (int c = 0; c < C; c++) yr[c] = xr[c] - m - lse;
    }
}

void rc_log_softmax_rows_backward(rc_real *dx, const rc_real *dy, const rc_real *y, size_t rows, int C)
{
    for (size_t r = 0; r < rows; r++) {
        const rc_real *dyr = dy + r * (size_t)C, *yr = y + r * (size_t)C;
        rc_real *dxr = dx + r * (size_t)C;
        /* A fully masked row's output is the constant −∞: nothing flows back. */
        if (row_max(yr, C) == -INFINITY) continue;
        double sum = 0;
        for (int c = 0; c < C; c++) sum += dyr[c];
        for (int c = 0; c < C; c++) dxr[c] += dyr[c] - (rc_real)(exp((double)yr[c]) * sum);
    }
}

static void softmax_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->out[0];
    int C = x->shape[x->ndim - 1];
    if (x->grad) rc_softmax_rows_backward(x->grad, y->grad, y->data, x->numel / (size_t)C, C);
}

static void log_softmax_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->out[0];
    int C = x->shape[x->ndim - 1];
    if (x->grad) rc_log_softmax_rows_backward(x->grad, y->grad, y->data, x->numel / (size_t)C, C);
}

typedef void (*rows_fn)(rc_real *y, const rc_real *x, size_t rows, int C);

static rc_tensor *over_last_dim(rc_graph *g, const char *name, rc_op op, rows_fn forward, rc_backward_fn bw,
                                rc_tensor *x)
{
    if (!rc_tape_check(g, name, 1, &x) || !rc_check_has_dims(g, name, "x", x)) return NULL;
    bool rec = rc_tape_needs_grad(g, 1, &x);
    rc_tensor *y = rc_tape_tensor(g, x->ndim, x->shape, rec);
    if (!y) return NULL;
    int C = x->shape[x->ndim - 1];
    forward(y->data, x->data, x->numel / (size_t)C, C);
    if (rec && !rc_tape_record(g, op, bw, 1, &x, 1, &y, 0)) return NULL;
    return y;
}

rc_tensor *rc_softmax(rc_graph *g, rc_tensor *x)
{
    return over_last_dim(g, "softmax", RC_OP_SOFTMAX, rc_softmax_rows, softmax_node_backward, x);
}

rc_tensor *rc_log_softmax(rc_graph *g, rc_tensor *x)
{
    return over_last_dim(g, "log_softmax", RC_OP_LOG_SOFTMAX, rc_log_softmax_rows, log_softmax_node_backward, x);
}
