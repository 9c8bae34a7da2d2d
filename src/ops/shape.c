/*
 * Ops that move values without arithmetic (concat, slice, transpose, the
 * reshape view) and the full reductions sum and mean.
 *
 * Concat and slice view a tensor along dim as (outer, size · inner) rows,
 * outer = Π sizes before dim, inner = Π sizes after it: each input or output
 * is then a block of columns in every row, copied with one kernel pair.
 */
#include <limits.h>
#include <string.h>

#include "core/tape.h"
#include "ops/check.h"
#include "recur/ops.h"

static size_t outer_size(const rc_tensor *t, int dim) { return rc_shape_numel(dim, t->shape); }

static size_t inner_size(const rc_tensor *t, int dim) { return rc_shape_numel(t->ndim - dim - 1, t->shape + dim + 1); }

/* dst (rows, dst_stride), src (rows, src_stride): columns [0, len) of each src row → dst row */
static void block_copy(rc_real *dst, size_t dst_stride, const rc_real *src, size_t src_stride, size_t rows,
                       size_t len)
{
    for (size_t r = 0; r < rows; r++) memcpy(dst + r * dst_stride, src + r * src_stride, len * sizeof *dst);
}

/* forward was dst = src (block_copy), so dsrc += ddst */
static void block_copy_backward(rc_real *dsrc, size_t src_stride, const rc_real *ddst, size_t dst_stride,
                                size_t rows, size_t len)
{
    for (size_t r = 0; r < rows; r++)
        for (size_t i = 0; i < len; i++) dsrc[r * src_stride + i] += ddst[r * dst_stride + i];
}

typedef struct dim_ctx {
    int dim, start; /* concat: dim only; slice: dim and start */
} dim_ctx;

static void concat_node_backward(rc_node *n)
{
    const dim_ctx *c = n->ctx;
    rc_tensor *y = n->out[0];
    size_t outer = outer_size(y, c->dim), inner = inner_size(y, c->dim);
    size_t y_stride = (size_t)y->shape[c->dim] * inner, offset = 0;
    for (int k = 0; k < n->n_in; k++) {
        rc_tensor *x = n->in[k];
        size_t len = (size_t)x->shape[c->dim] * inner;
        if (x->grad) block_copy_backward(x->grad, len, y->grad + offset, y_stride, outer, len);
        offset += len;
    }
}

rc_tensor *rc_concat(rc_graph *g, int n, rc_tensor *const *xs, int dim)
{
    if (rc_graph_status(g) != RC_OK) return NULL;
    if (n < 1 || !xs)
        return rc_tape_fail(g, RC_E_INVALID, "concat: n = %d and xs %s, expected at least 1 tensor", n,
                            xs ? "given" : "NULL");
    if (!rc_tape_check(g, "concat", n, xs) || !rc_check_dim(g, "concat", "xs[0]", xs[0], dim)) return NULL;
    const rc_tensor *x0 = xs[0];
    int shape[RC_MAX_DIMS];
    memcpy(shape, x0->shape, sizeof shape);
    for (int k = 1; k < n; k++) {
        bool match = xs[k]->ndim == x0->ndim;
        for (int i = 0; match && i < x0->ndim; i++) match = i == dim || xs[k]->shape[i] == x0->shape[i];
        if (!match) {
            char s0[RC_SHAPE_STR_MAX], sk[RC_SHAPE_STR_MAX];
            return rc_tape_fail(g, RC_E_SHAPE, "concat: xs[%d] is %s, expected xs[0]'s shape %s except along dim %d",
                                k, rc_shape_str(xs[k], sk, sizeof sk), rc_shape_str(x0, s0, sizeof s0), dim);
        }
        if (xs[k]->shape[dim] > INT_MAX - shape[dim])
            return rc_tape_fail(g, RC_E_SHAPE, "concat: the joined size along dim %d exceeds %d", dim, INT_MAX);
        shape[dim] += xs[k]->shape[dim];
    }
    bool rec = rc_tape_needs_grad(g, n, xs);
    rc_tensor *y = rc_tape_tensor(g, x0->ndim, shape, rec);
    if (!y) return NULL;
    size_t outer = outer_size(y, dim), inner = inner_size(y, dim);
    size_t y_stride = (size_t)shape[dim] * inner, offset = 0;
    for (int k = 0; k < n; k++) {
        size_t len = (size_t)xs[k]->shape[dim] * inner;
        block_copy(y->data + offset, y_stride, xs[k]->data, len, outer, len);
        offset += len;
    }
    if (rec) {
        rc_node *node = rc_tape_record(g, RC_OP_CONCAT, concat_node_backward, n, xs, 1, &y, sizeof(dim_ctx));
        if (!node) return NULL;
        ((dim_ctx *)node->ctx)->dim = dim;
    }
    return y;
}

static void slice_node_backward(rc_node *n)
{
    const dim_ctx *c = n->ctx;
    rc_tensor *x = n->in[0], *y = n->out[0];
    if (!x->grad) return;
    size_t outer = outer_size(x, c->dim), inner = inner_size(x, c->dim);
    size_t len = (size_t)y->shape[c->dim] * inner;
    block_copy_backward(x->grad + (size_t)c->start * inner, (size_t)x->shape[c->dim] * inner, y->grad, len, outer,
                        len);
}

rc_tensor *rc_slice(rc_graph *g, rc_tensor *x, int dim, int start, int end)
{
    if (!rc_tape_check(g, "slice", 1, &x) || !rc_check_dim(g, "slice", "x", x, dim)) return NULL;
    if (!(start >= 0 && start < end && end <= x->shape[dim])) {
        char s[RC_SHAPE_STR_MAX];
        return rc_tape_fail(g, RC_E_INVALID, "slice: [%d, %d) along dim %d of x %s, expected 0 <= start < end <= %d",
                            start, end, dim, rc_shape_str(x, s, sizeof s), x->shape[dim]);
    }
    int shape[RC_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[dim] = end - start;
    bool rec = rc_tape_needs_grad(g, 1, &x);
    rc_tensor *y = rc_tape_tensor(g, x->ndim, shape, rec);
    if (!y) return NULL;
    size_t outer = outer_size(x, dim), inner = inner_size(x, dim);
    size_t len = (size_t)shape[dim] * inner;
    block_copy(y->data, len, x->data + (size_t)start * inner, (size_t)x->shape[dim] * inner, outer, len);
    if (rec) {
        rc_node *n = rc_tape_record(g, RC_OP_SLICE, slice_node_backward, 1, &x, 1, &y, sizeof(dim_ctx));
        if (!n) return NULL;
        *(dim_ctx *)n->ctx = (dim_ctx){.dim = dim, .start = start};
    }
    return y;
}

rc_tensor *rc_reshape(rc_graph *g, rc_tensor *x, int ndim, const int *shape)
{
    if (!rc_tape_check(g, "reshape", 1, &x)) return NULL;
    char s[RC_SHAPE_STR_MAX];
    if (ndim < 0 || ndim > RC_MAX_DIMS || (ndim && !shape))
        return rc_tape_fail(g, RC_E_SHAPE, "reshape: %d dimensions requested for x %s, expected 0..%d with a shape",
                            ndim, rc_shape_str(x, s, sizeof s), RC_MAX_DIMS);
    rc_tensor view = {.ndim = ndim, .numel = rc_shape_numel(ndim, shape)};
    for (int i = 0; i < RC_MAX_DIMS; i++) view.shape[i] = i < ndim ? shape[i] : 1;
    if (view.numel != x->numel) {
        char sv[RC_SHAPE_STR_MAX];
        return rc_tape_fail(g, RC_E_SHAPE, "reshape: x is %s (%zu elements), cannot view it as %s",
                            rc_shape_str(x, s, sizeof s), x->numel, rc_shape_str(&view, sv, sizeof sv));
    }
    rc_tensor *y = rc_tape_alloc(g, sizeof *y);
    if (!y) return NULL;
    /* Sharing the grad buffer is the whole backward pass: gradients written
     * into the view land in x's. */
    view.data = x->data;
    view.grad = rc_graph_grad_enabled(g) ? x->grad : NULL;
    *y = view;
    return y;
}

/* Row-major strides of a shape padded to RC_MAX_DIMS. */
static void strides_of(const int *shape, size_t *stride)
{
    stride[RC_MAX_DIMS - 1] = 1;
    for (int i = RC_MAX_DIMS - 2; i >= 0; i--) stride[i] = stride[i + 1] * (size_t)shape[i + 1];
}

/* x has shape xs (padded to 4 dims); ys[i] is the stride in y of x's dim i (y's strides with d0, d1 swapped) */
/* y[i with dims d0, d1 swapped] = x[i] */
static void transpose_forward(rc_real *y, const rc_real *x, const int *xs, const size_t *ys)
{
    size_t i = 0;
    for (int a = 0; a < xs[0]; a++)
        for (int b = 0; b < xs[1]; b++)
            for (int c = 0; c < xs[2]; c++)
                for (int d = 0; d < xs[3]; d++) y[a * ys[0] + b * ys[1] + c * ys[2] + d * ys[3]] = x[i++];
}

/* forward was y[i with dims d0, d1 swapped] = x[i], so dx[i] += dy[i swapped] */
static void transpose_backward(rc_real *dx, const rc_real *dy, const int *xs, const size_t *ys)
{
    size_t i = 0;
    for (int a = 0; a < xs[0]; a++)
        for (int b = 0; b < xs[1]; b++)
            for (int c = 0; c < xs[2]; c++)
                for (int d = 0; d < xs[3]; d++) dx[i++] += dy[a * ys[0] + b * ys[1] + c * ys[2] + d * ys[3]];
}

typedef struct transpose_ctx {
    size_t ys[RC_MAX_DIMS];
} transpose_ctx;

static void transpose_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->out[0];
    const transpose_ctx *c = n->ctx;
    if (x->grad) transpose_backward(x->grad, y->grad, x->shape, c->ys);
}

rc_tensor *rc_transpose(rc_graph *g, rc_tensor *x, int d0, int d1)
{
    if (!rc_tape_check(g, "transpose", 1, &x)) return NULL;
    if (!rc_check_dim(g, "transpose", "x", x, d0) || !rc_check_dim(g, "transpose", "x", x, d1)) return NULL;
    int shape[RC_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[d0] = x->shape[d1];
    shape[d1] = x->shape[d0];
    bool rec = rc_tape_needs_grad(g, 1, &x);
    rc_tensor *y = rc_tape_tensor(g, x->ndim, shape, rec);
    if (!y) return NULL;
    transpose_ctx c;
    strides_of(y->shape, c.ys);
    size_t swap = c.ys[d0];
    c.ys[d0] = c.ys[d1];
    c.ys[d1] = swap;
    transpose_forward(y->data, x->data, x->shape, c.ys);
    if (rec) {
        rc_node *n = rc_tape_record(g, RC_OP_TRANSPOSE, transpose_node_backward, 1, &x, 1, &y, sizeof c);
        if (!n) return NULL;
        *(transpose_ctx *)n->ctx = c;
    }
    return y;
}

/* x (n) */
/* y = w Σ x (w = 1 for sum, 1/n for mean), accumulated in double */
static rc_real sum_forward(const rc_real *x, size_t n, double w)
{
    double s = 0;
    for (size_t i = 0; i < n; i++) s += x[i];
    return (rc_real)(s * w);
}

/* forward was y = w Σ x, so dx += w dy */
static void sum_backward(rc_real *dx, rc_real dy, size_t n, double w)
{
    rc_real d = (rc_real)(w * dy);
    for (size_t i = 0; i < n; i++) dx[i] += d;
}

static double mean_weight(rc_op op, size_t n) { return op == RC_OP_MEAN ? 1.0 / (double)n : 1.0; }

static void sum_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->out[0];
    if (x->grad) sum_backward(x->grad, y->grad[0], x->numel, mean_weight(n->op, x->numel));
}

static rc_tensor *reduce_all(rc_graph *g, const char *name, rc_op op, rc_tensor *x)
{
    if (!rc_tape_check(g, name, 1, &x)) return NULL;
    bool rec = rc_tape_needs_grad(g, 1, &x);
    rc_tensor *y = rc_tape_tensor(g, 0, NULL, rec);
    if (!y) return NULL;
    y->data[0] = sum_forward(x->data, x->numel, mean_weight(op, x->numel));
    if (rec && !rc_tape_record(g, op, sum_node_backward, 1, &x, 1, &y, 0)) return NULL;
    return y;
}

rc_tensor *rc_sum(rc_graph *g, rc_tensor *x) { return reduce_all(g, "sum", RC_OP_SUM, x); }

rc_tensor *rc_mean(rc_graph *g, rc_tensor *x) { return reduce_all(g, "mean", RC_OP_MEAN, x); }
