/*
 * Elementwise activations. Each kernel pair works on n contiguous values;
 * backward kernels add into dx. The saved tensor is the output y where the
 * derivative is cheapest in terms of it (sigmoid, tanh), the input x otherwise.
 */
#include <math.h>

#include "core/tape.h"
#include "recur/ops.h"

/* y = 1 / (1 + e^-x), written so that neither branch overflows. */
static rc_real sigmoid1(rc_real x)
{
    if (x >= 0) return 1 / (1 + exp(-x));
    rc_real e = exp(x);
    return e / (1 + e);
}

/* x (n), y (n) */
static void sigmoid_forward(rc_real *y, const rc_real *x, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = sigmoid1(x[i]);
}

/* forward was y = σ(x), so dx += dy · y (1 − y) */
static void sigmoid_backward(rc_real *dx, const rc_real *dy, const rc_real *y, size_t n)
{
    for (size_t i = 0; i < n; i++) dx[i] += dy[i] * y[i] * (1 - y[i]);
}

static void tanh_forward(rc_real *y, const rc_real *x, size_t n)
{
    for (size_t i = 0; i < n; i++) y[i] = tanh(x[i]);
}

/* forward was y = tanh(x), so dx += dy · (1 − y²) */
static void tanh_backward(rc_real *dx, const rc_real *dy, const rc_real *y, size_t n)
{
    for (size_t i = 0; i < n; i++) dx[i] += dy[i] * (1 - y[i] * y[i]);
}

/* y = x if x > 0 else slope·x (relu is slope 0) */
static void leaky_relu_forward(rc_real *y, const rc_real *x, size_t n, rc_real slope)
{
    for (size_t i = 0; i < n; i++) y[i] = x[i] > 0 ? x[i] : slope * x[i];
}

/* dx += dy if x > 0 else slope·dy (the derivative at 0 is taken as slope, as PyTorch does) */
static void leaky_relu_backward(rc_real *dx, const rc_real *dy, const rc_real *x, size_t n, rc_real slope)
{
    for (size_t i = 0; i < n; i++) dx[i] += x[i] > 0 ? dy[i] : slope * dy[i];
}

typedef struct slope_ctx {
    rc_real slope;
} slope_ctx;

static void sigmoid_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->out[0];
    if (x->grad) sigmoid_backward(x->grad, y->grad, y->data, x->numel);
}

static void tanh_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->out[0];
    if (x->grad) tanh_backward(x->grad, y->grad, y->data, x->numel);
}

static void leaky_relu_node_backward(rc_node *n)
{
    rc_tensor *x = n->in[0], *y = n->out[0];
    const slope_ctx *c = n->ctx;
    if (x->grad) leaky_relu_backward(x->grad, y->grad, x->data, x->numel, c->slope);
}

/* The shared first half of the four ops: y gets x's shape. */
static rc_tensor *unary(rc_graph *g, rc_tensor *x, const char *name, rc_tensor **y, bool *rec)
{
    if (!rc_tape_check(g, name, 1, &x)) return NULL;
    *rec = rc_tape_needs_grad(g, 1, &x);
    *y = rc_tape_tensor(g, x->ndim, x->shape, *rec);
    return *y;
}

/* The shared second half: record the node (with the slope for the relus). */
static rc_tensor *finish(rc_graph *g, rc_op op, rc_backward_fn bw, rc_tensor *x, rc_tensor *y, bool rec,
                         rc_real slope)
{
    if (!rec) return y;
    rc_node *n = rc_tape_record(g, op, bw, 1, &x, 1, &y, op == RC_OP_SIGMOID || op == RC_OP_TANH ? 0 : sizeof(slope_ctx));
    if (!n) return NULL;
    if (n->ctx) ((slope_ctx *)n->ctx)->slope = slope;
    return y;
}

rc_tensor *rc_sigmoid(rc_graph *g, rc_tensor *x)
{
    rc_tensor *y;
    bool rec;
    if (!unary(g, x, "sigmoid", &y, &rec)) return NULL;
    sigmoid_forward(y->data, x->data, x->numel);
    return finish(g, RC_OP_SIGMOID, sigmoid_node_backward, x, y, rec, 0);
}

rc_tensor *rc_tanh(rc_graph *g, rc_tensor *x)
{
    rc_tensor *y;
    bool rec;
    if (!unary(g, x, "tanh", &y, &rec)) return NULL;
    tanh_forward(y->data, x->data, x->numel);
    return finish(g, RC_OP_TANH, tanh_node_backward, x, y, rec, 0);
}

rc_tensor *rc_leaky_relu(rc_graph *g, rc_tensor *x, rc_real slope)
{
    rc_tensor *y;
    bool rec;
    if (!unary(g, x, "leaky_relu", &y, &rec)) return NULL;
    leaky_relu_forward(y->data, x->data, x->numel, slope);
    return finish(g, RC_OP_LEAKY_RELU, leaky_relu_node_backward, x, y, rec, slope);
}

rc_tensor *rc_relu(rc_graph *g, rc_tensor *x)
{
    rc_tensor *y;
    bool rec;
    if (!unary(g, x, "relu", &y, &rec)) return NULL;
    leaky_relu_forward(y->data, x->data, x->numel, 0);
    return finish(g, RC_OP_RELU, leaky_relu_node_backward, x, y, rec, 0);
}
