/*
 * Elementwise add and multiply with trailing-dimension broadcasting, and
 * scaling by a constant. A broadcast b of C values is applied to each of the
 * R rows of a (R = 1 when the shapes are equal), so its gradient is summed
 * over the rows.
 */
#include "core/tape.h"
#include "ops/check.h"
#include "recur/ops.h"

/* a (R, C), b (C), y (R, C) */
/* y = a + b */
static void add_forward(rc_real *y, const rc_real *a, const rc_real *b, size_t R, size_t C)
{
    for (size_t r = 0; r < R; r++)
        for (size_t c = 0; c < C; c++) y[r * C + c] = a[r * C + c] + b[c];
}

/* forward was y = a + b, so da += dy and db += Σ_r dy[r]; NULL grads are skipped */
static void add_backward(rc_real *da, rc_real *db, const rc_real *dy, size_t R, size_t C)
{
    for (size_t r = 0; r < R; r++)
        for (size_t c = 0; c < C; c++) {
            if (da) da[r * C + c] += dy[r * C + c];
            if (db) db[c] += dy[r * C + c];
        }
}

/* y = a ⊙ b */
static void mul_forward(rc_real *y, const rc_real *a, const rc_real *b, size_t R, size_t C)
{
    for (size_t r = 0; r < R; r++)
        for (size_t c = 0; c < C; c++) y[r * C + c] = a[r * C + c] * b[c];
}

/* forward was y = a ⊙ b, so da += dy ⊙ b and db += Σ_r dy[r] ⊙ a[r]; NULL grads are skipped */
static void mul_backward(rc_real *da, rc_real *db, const rc_real *dy, const rc_real *a, const rc_real *b, size_t R,
                         size_t C)
{
    for (size_t r = 0; r < R; r++)
        for (size_t c = 0; c < C; c++) {
            if (da) da[r * C + c] += dy[r * C + c] * b[c];
            if (db) db[c] += dy[r * C + c] * a[r * C + c];
        }
}

/* x (n), y (n) */
/* y = s · x */
static void scale_forward(rc_real *y, const rc_real *x, size_t n, rc_real s)
{
    for (size_t i = 0; i < n; i++) y[i] = s * x[i];
}

/* forward was y = s · x, so dx += s · dy */
static void scale_backward(rc_real *dx, const rc_real *dy, size_t n, rc_real s)
{
    for (size_t i = 0; i < n; i++) dx[i] += s * dy[i];
}

static void add_node_backward(rc_node *n)
{
    rc_tensor *a = n->in[0], *b = n->in[1], *y = n->out[0];
    add_backward(a->grad, b->grad, y->grad, a->numel / b->numel, b->numel);
}

static void mul_node_backward(rc_node *n)
{
    rc_tensor *a = n->in[0], *b = n->in[1], *y = n->out[0];
    mul_backward(a->grad, b->grad, y->grad, a->data, b->data, a->numel / b->numel, b->numel);
}

typedef struct scale_ctx {
    rc_real s;
} scale_ctx;

static void scale_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->out[0];
    const scale_ctx *c = n->ctx;
    if (x->grad) scale_backward(x->grad, y->grad, x->numel, c->s);
}

/* b's shape must be a's trailing dimensions (all of them when equal). */
static bool broadcasts(const rc_tensor *a, const rc_tensor *b)
{
    int lead = a->ndim - b->ndim;
    if (lead < 0) return false;
    for (int i = 0; i < b->ndim; i++)
        if (b->shape[i] != a->shape[lead + i]) return false;
    return true;
}

typedef void (*binary_fn)(rc_real *y, const rc_real *a, const rc_real *b, size_t R, size_t C);

static rc_tensor *binary(rc_graph *g, const char *name, rc_op op, binary_fn forward, rc_backward_fn bw, rc_tensor *a,
                         rc_tensor *b)
{
    rc_tensor *in[2] = {a, b};
    if (!rc_tape_check(g, name, 2, in)) return NULL;
    if (!broadcasts(a, b)) {
        char sa[RC_SHAPE_STR_MAX], sb[RC_SHAPE_STR_MAX];
        return rc_tape_fail(g, RC_E_SHAPE, "%s: b is %s, expected a's shape %s or its trailing dimensions", name,
                            rc_shape_str(b, sb, sizeof sb), rc_shape_str(a, sa, sizeof sa));
    }
    bool rec = rc_tape_needs_grad(g, 2, in);
    rc_tensor *y = rc_tape_tensor(g, a->ndim, a->shape, rec);
    if (!y) return NULL;
    forward(y->data, a->data, b->data, a->numel / b->numel, b->numel);
    if (rec && !rc_tape_record(g, op, bw, 2, in, 1, &y, 0)) return NULL;
    return y;
}

rc_tensor *rc_add(rc_graph *g, rc_tensor *a, rc_tensor *b)
{
    return binary(g, "add", RC_OP_ADD, add_forward, add_node_backward, a, b);
}

rc_tensor *rc_mul(rc_graph *g, rc_tensor *a, rc_tensor *b)
{
    return binary(g, "mul", RC_OP_MUL, mul_forward, mul_node_backward, a, b);
}

rc_tensor *rc_scale(rc_graph *g, rc_tensor *x, rc_real s)
{
    if (!rc_tape_check(g, "scale", 1, &x)) return NULL;
    bool rec = rc_tape_needs_grad(g, 1, &x);
    rc_tensor *y = rc_tape_tensor(g, x->ndim, x->shape, rec);
    if (!y) return NULL;
    scale_forward(y->data, x->data, x->numel, s);
    if (rec) {
        rc_node *n = rc_tape_record(g, RC_OP_SCALE, scale_node_backward, 1, &x, 1, &y, sizeof(scale_ctx));
        if (!n) return NULL;
        ((scale_ctx *)n->ctx)->s = s;
    }
    return y;
}
