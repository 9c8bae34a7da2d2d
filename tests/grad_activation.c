/* Finite-difference checks (double build) for the activations and dropout. */
#include "harness.h"

typedef rc_tensor *(*unary_fn)(rc_graph *, rc_tensor *);

static rc_tensor *apply(rc_graph *g, void *ctx)
{
    rc_tensor **x = ctx;
    return rc_tanh(g, rc_sigmoid(g, rc_leaky_relu(g, rc_relu(g, x[0]), 0.1)));
}

static rc_tensor *apply_leaky(rc_graph *g, void *ctx)
{
    rc_tensor **x = ctx;
    return rc_leaky_relu(g, x[0], 0.1);
}

static rc_tensor *apply_dropout(rc_graph *g, void *ctx)
{
    rc_tensor **x = ctx;
    return rc_dropout(g, rc_tanh(g, x[0]), 0.3);
}

/* Inputs kept away from 0, where relu's derivative jumps. */
static void away_from_zero(rc_tensor *x)
{
    for (size_t i = 0; i < x->numel; i++)
        if (x->data[i] > -0.05 && x->data[i] < 0.05) x->data[i] = 0.3;
}

static void test_grad_activations(void)
{
    int shape[2] = {3, 7};
    rc_tensor *x;
    RC_CHECK_OK(rc_tensor_new(&x, 2, shape, true));
    rc_test_fill(x, 1, -3, 3);
    away_from_zero(x);
    rc_gradcheck("relu-leaky-sigmoid-tanh", apply, &x, &x, 1, 1e-6, 0, 1e-6);
    rc_gradcheck("leaky_relu", apply_leaky, &x, &x, 1, 1e-6, 0, 1e-6);
    rc_gradcheck("dropout", apply_dropout, &x, &x, 1, 1e-6, 0, 1e-6);
    rc_tensor_free(x);
}

int main(void)
{
    RC_RUN(test_grad_activations);
    return rc_test_finish();
}
