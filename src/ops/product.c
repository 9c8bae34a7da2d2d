/*
 * Matrix products, all through rc_gemm: linear (x Wᵀ + b over the flattened
 * leading dimensions of x), matmul and batched matmul. Backward passes read
 * the inputs' data, so nothing extra is saved.
 */
#include <stdio.h>
#include <string.h>

#include "core/gemm.h"
#include "core/tape.h"
#include "ops/check.h"
#include "recur/ops.h"

/* x (N, I), W (O, I), b (O) or NULL, y (N, O) */
/* y = x Wᵀ + b */
static void linear_forward(rc_real *y, const rc_real *x, const rc_real *W, const rc_real *b, int N, int I, int O)
{
    if (b)
        rc_gemm_bias(false, true, N, O, I, x, I, W, I, b, y, O);
    else
        rc_gemm(false, true, N, O, I, 1, x, I, W, I, 0, y, O);
}

/* forward was y = x Wᵀ + b, so dx += dy W, dW += dyᵀ x, db += Σ_n dy[n]; NULL grads are skipped */
static void linear_backward(rc_real *dx, rc_real *dW, rc_real *db, const rc_real *dy, const rc_real *x,
                            const rc_real *W, int N, int I, int O)
{
    if (dx) rc_gemm(false, false, N, I, O, 1, dy, O, W, I, 1, dx, I);
    if (dW) rc_gemm(true, false, O, I, N, 1, dy, O, x, I, 1, dW, I);
    if (db)
        for (int n = 0; n < N; n++)
            for (int o = 0; o < O; o++) db[o] += dy[(size_t)n * O + o];
}

static void linear_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *W = n->in[1], *b = n->in[2], *y = n->out[0];
    int O = W->shape[0], I = W->shape[1];
    linear_backward(x->grad, W->grad, b ? b->grad : NULL, y->grad, x->data, W->data, (int)(x->numel / (size_t)I), I,
                    O);
}

rc_tensor *rc_linear(rc_graph *g, rc_tensor *x, rc_tensor *W, rc_tensor *b)
{
    rc_tensor *in[3] = {x, W, b};
    if (!rc_tape_check(g, "linear", 2, in)) return NULL;
    if (!rc_check_has_dims(g, "linear", "x", x) || !rc_check_ndim(g, "linear", "W", W, 2)) return NULL;
    char sx[RC_SHAPE_STR_MAX], sw[RC_SHAPE_STR_MAX], sb[RC_SHAPE_STR_MAX];
    int O = W->shape[0], I = W->shape[1];
    if (x->shape[x->ndim - 1] != I)
        return rc_tape_fail(g, RC_E_SHAPE, "linear: x is %s, expected (..., %d) to match W %s",
                            rc_shape_str(x, sx, sizeof sx), I, rc_shape_str(W, sw, sizeof sw));
    if (b && !rc_tensor_has_shape(b, 1, &O))
        return rc_tape_fail(g, RC_E_SHAPE, "linear: b is %s, expected (%d,) to match W %s",
                            rc_shape_str(b, sb, sizeof sb), O, rc_shape_str(W, sw, sizeof sw));
    size_t N = x->numel / (size_t)I;
    if (!rc_check_rows(g, "linear", "x", N)) return NULL;
    int shape[RC_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[x->ndim - 1] = O;
    bool rec = rc_tape_needs_grad(g, 3, in);
    rc_tensor *y = rc_tape_tensor(g, x->ndim, shape, rec);
    if (!y) return NULL;
    linear_forward(y->data, x->data, W->data, b ? b->data : NULL, (int)N, I, O);
    if (rec && !rc_tape_record(g, RC_OP_LINEAR, linear_node_backward, 3, in, 1, &y, 0)) return NULL;
    return y;
}

/* a (batch, M, K), b (batch, K, N), y (batch, M, N) */
/* y[i] = a[i] b[i] */
static void bmm_forward(rc_real *y, const rc_real *a, const rc_real *b, int batch, int M, int K, int N)
{
    for (int i = 0; i < batch; i++)
        rc_gemm(false, false, M, N, K, 1, a + (size_t)i * M * K, K, b + (size_t)i * K * N, N, 0,
                y + (size_t)i * M * N, N);
}

/* forward was y[i] = a[i] b[i], so da[i] += dy[i] b[i]ᵀ and db[i] += a[i]ᵀ dy[i]; NULL grads are skipped */
static void bmm_backward(rc_real *da, rc_real *db, const rc_real *dy, const rc_real *a, const rc_real *b, int batch,
                         int M, int K, int N)
{
    for (int i = 0; i < batch; i++) {
        const rc_real *dyi = dy + (size_t)i * M * N;
        if (da) rc_gemm(false, true, M, K, N, 1, dyi, N, b + (size_t)i * K * N, N, 1, da + (size_t)i * M * K, K);
        if (db) rc_gemm(true, false, K, N, M, 1, a + (size_t)i * M * K, K, dyi, N, 1, db + (size_t)i * K * N, N);
    }
}

/* matmul is bmm with one batch entry and no batch dimension. */
typedef struct bmm_dims {
    int batch, M, K, N;
} bmm_dims;

static bmm_dims dims_of(const rc_tensor *a, const rc_tensor *b)
{
    int lead = a->ndim - 2;
    return (bmm_dims){.batch = lead ? a->shape[0] : 1, .M = a->shape[lead], .K = a->shape[lead + 1],
                      .N = b->shape[lead + 1]};
}

static void bmm_node_backward(rc_node *n)
{
    rc_tensor *a = n->in[0], *b = n->in[1], *y = n->out[0];
    bmm_dims d = dims_of(a, b);
    bmm_backward(a->grad, b->grad, y->grad, a->data, b->data, d.batch, d.M, d.K, d.N);
}

/* The shared body of matmul (ndim 2) and bmm (ndim 3). */
static rc_tensor *product(rc_graph *g, const char *name, rc_op op, rc_tensor *a, rc_tensor *b, int ndim)
{
    rc_tensor *in[2] = {a, b};
    if (!rc_tape_check(g, name, 2, in)) return NULL;
    if (!rc_check_ndim(g, name, "a", a, ndim) || !rc_check_ndim(g, name, "b", b, ndim)) return NULL;
    int lead = ndim - 2;
    if ((lead && a->shape[0] != b->shape[0]) || a->shape[lead + 1] != b->shape[lead]) {
        char sa[RC_SHAPE_STR_MAX], sb[RC_SHAPE_STR_MAX], batch[16] = "";
        if (lead) snprintf(batch, sizeof batch, "%d, ", a->shape[0]);
        return rc_tape_fail(g, RC_E_SHAPE, "%s: a is %s and b is %s, expected b (%s%d, N)", name,
                            rc_shape_str(a, sa, sizeof sa), rc_shape_str(b, sb, sizeof sb), batch,
                            a->shape[lead + 1]);
    }
    bmm_dims d = dims_of(a, b);
    int shape[3] = {d.batch, d.M, d.N};
    bool rec = rc_tape_needs_grad(g, 2, in);
    rc_tensor *y = rc_tape_tensor(g, ndim, shape + (3 - ndim), rec);
    if (!y) return NULL;
    bmm_forward(y->data, a->data, b->data, d.batch, d.M, d.K, d.N);
    if (rec && !rc_tape_record(g, op, bmm_node_backward, 2, in, 1, &y, 0)) return NULL;
    return y;
}

rc_tensor *rc_matmul(rc_graph *g, rc_tensor *a, rc_tensor *b) { return product(g, "matmul", RC_OP_MATMUL, a, b, 2); }

rc_tensor *rc_bmm(rc_graph *g, rc_tensor *a, rc_tensor *b) { return product(g, "bmm", RC_OP_BMM, a, b, 3); }
