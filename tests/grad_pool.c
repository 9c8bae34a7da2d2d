/*
 * Pooling over time (rc_pool_time): the forward values against loops written
 * here from the definition (mean and max over the first lengths[b] steps),
 * padding that never contributes (values, and an exactly zero gradient),
 * length checks, and finite-difference gradients in the double build.
 *
 * Tolerances: the forward comparison is 1e-12 relative in double, 1e-6 in
 * float (sums of at most 5 terms); gradients 1e-6 relative with central
 * differences of step 1e-6 (mean is linear; max is linear around the sampled
 * points, whose entries are distinct by far more than the step).
 */
#include <math.h>
#include <string.h>

#include "harness.h"

#define EPS 1e-6
#define TOL 1e-6

enum { B = 3, T = 5, D = 4 };
static const int lengths[B] = {5, 1, 3};

typedef struct pool_case {
    rc_tensor *x;
    const int *lengths;
    rc_pool kind;
} pool_case;

static rc_tensor *build_pool(rc_graph *g, void *ctx)
{
    pool_case *c = ctx;
    return rc_pool_time(g, c->x, c->lengths, c->kind);
}

/* want (B, D): the pooled values from the definition. */
static void reference(const rc_tensor *x, const int *len, rc_pool kind, rc_real *want)
{
    for (int b = 0; b < B; b++)
        for (int d = 0; d < D; d++) {
            int n = len ? len[b] : T;
            double acc = kind == RC_POOL_MAX ? -INFINITY : 0;
            for (int t = 0; t < n; t++) {
                double v = x->data[(b * T + t) * D + d];
                acc = kind == RC_POOL_MAX ? fmax(acc, v) : acc + v / n;
            }
            want[b * D + d] = (rc_real)acc;
        }
}

static void test_forward(void)
{
    int shape[3] = {B, T, D};
    rc_tensor *x;
    rc_graph *g;
    RC_CHECK_OK(rc_tensor_new(&x, 3, shape, false));
    RC_CHECK_OK(rc_graph_create(&g));
    if (!x || !g) return;
    rc_test_fill(x, 3, -2, 2);
    double tol = sizeof(rc_real) == sizeof(double) ? 1e-12 : 1e-6;
    const char *names[2][2] = {{"mean, lengths", "mean, all steps"}, {"max, lengths", "max, all steps"}};
    for (int k = 0; k < 2; k++)
        for (int l = 0; l < 2; l++) {
            rc_pool kind = k ? RC_POOL_MAX : RC_POOL_MEAN;
            const int *len = l ? NULL : lengths;
            rc_real want[B * D];
            reference(x, len, kind, want);
            rc_graph_reset(g);
            rc_tensor *y = rc_pool_time(g, x, len, kind);
            RC_CHECK(y && y->ndim == 2 && y->shape[0] == B && y->shape[1] == D, "shape");
            if (y) rc_test_close(names[k][l], y->data, want, B * D, 0, tol);
        }
    /* padding never counts: huge values past each length change nothing */
    rc_real before[2][B * D];
    for (int k = 0; k < 2; k++) {
        rc_graph_reset(g);
        rc_tensor *y = rc_pool_time(g, x, lengths, k ? RC_POOL_MAX : RC_POOL_MEAN);
        if (y) memcpy(before[k], y->data, sizeof before[k]);
    }
    for (int b = 0; b < B; b++)
        for (int t = lengths[b]; t < T; t++)
            for (int d = 0; d < D; d++) x->data[(b * T + t) * D + d] = 1e6f;
    for (int k = 0; k < 2; k++) {
        rc_graph_reset(g);
        rc_tensor *y = rc_pool_time(g, x, lengths, k ? RC_POOL_MAX : RC_POOL_MEAN);
        RC_CHECK(y && memcmp(y->data, before[k], sizeof before[k]) == 0, "padding changed the %s", k ? "max" : "mean");
    }
    rc_graph_free(g);
    rc_tensor_free(x);
}

static void test_errors(void)
{
    int shape[3] = {B, T, D}, flat[2] = {B, D};
    rc_tensor *x, *y2;
    rc_graph *g;
    RC_CHECK_OK(rc_tensor_new(&x, 3, shape, false));
    RC_CHECK_OK(rc_tensor_new(&y2, 2, flat, false));
    RC_CHECK_OK(rc_graph_create(&g));
    if (!x || !y2 || !g) return;
    const int zero[B] = {5, 0, 1}, long_[B] = {5, 6, 1};
    RC_CHECK(!rc_pool_time(g, x, zero, RC_POOL_MEAN) && rc_graph_status(g) == RC_E_INVALID &&
                 strstr(rc_graph_error(g), "lengths[1] = 0"),
             "%s", rc_graph_error(g));
    rc_graph_reset(g);
    RC_CHECK(!rc_pool_time(g, x, long_, RC_POOL_MAX) && strstr(rc_graph_error(g), "lengths[1] = 6"), "%s",
             rc_graph_error(g));
    rc_graph_reset(g);
    RC_CHECK(!rc_pool_time(g, y2, NULL, RC_POOL_MAX) && rc_graph_status(g) == RC_E_SHAPE, "%s", rc_graph_error(g));
    rc_graph_free(g);
    rc_tensor_free(x);
    rc_tensor_free(y2);
}

static void test_gradients(void)
{
    int shape[3] = {B, T, D};
    rc_tensor *x;
    RC_CHECK_OK(rc_tensor_new(&x, 3, shape, true));
    if (!x) return;
    /* distinct values, far apart relative to EPS, so that no max is near a tie */
    for (size_t i = 0; i < x->numel; i++) x->data[i] = (rc_real)(((i * 37) % 61) * 0.1 - 3);
    const char *names[2][2] = {{"pool mean, lengths", "pool mean, all steps"}, {"pool max, lengths", "pool max, all steps"}};
    for (int k = 0; k < 2; k++)
        for (int l = 0; l < 2; l++) {
            pool_case c = {x, l ? NULL : lengths, k ? RC_POOL_MAX : RC_POOL_MEAN};
            rc_gradcheck(names[k][l], build_pool, &c, &x, 1, EPS, 0, TOL);
        }
    /* the padding gets exactly zero gradient */
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    for (int k = 0; g && k < 2; k++) {
        rc_graph_reset(g);
        rc_tensor_zero_grad(x);
        rc_tensor *y = rc_sum(g, rc_pool_time(g, x, lengths, k ? RC_POOL_MAX : RC_POOL_MEAN));
        RC_CHECK_OK(rc_graph_backward(g, y));
        int nonzero = 0;
        for (int b = 0; b < B; b++)
            for (int t = lengths[b]; t < T; t++)
                for (int d = 0; d < D; d++) nonzero += x->grad[(b * T + t) * D + d] != 0;
        RC_CHECK(nonzero == 0, "%d padding gradients are not zero", nonzero);
    }
    rc_graph_free(g);
    rc_tensor_free(x);
}

int main(void)
{
    RC_RUN(test_forward);
    RC_RUN(test_errors);
    RC_RUN(test_gradients);
    return rc_test_finish();
}
