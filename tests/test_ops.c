/*
 * Behaviour of the ops and nn modules in the float build: forward values
 * against independent double-precision loops, argument errors (message names
 * the op and both shapes), the edge cases of softmax and the losses, no-grad
 * mode, module initialisation and dropout.
 *
 * Forward tolerance: 1e-5 absolute + 1e-5 relative. Each value is a float
 * sum of at most a few dozen terms of size <= ~3, so float rounding stays
 * below ~1e-6; a wrong index or formula is off by O(0.1).
 */
#include <math.h>
#include <string.h>

#include "harness.h"

#define ATOL 1e-5
#define RTOL 1e-5

static rc_tensor *filled(rc_graph *g, int ndim, const int *shape, uint64_t seed, bool grad)
{
    rc_tensor *t = rc_graph_tensor(g, ndim, shape, grad);
    RC_CHECK(t != NULL, "%s", rc_graph_error(g));
    if (t) rc_test_fill(t, seed, -1, 1);
    return t;
}

/* Compares y against want (double) converted to rc_real. */
static void check_values(const char *name, const rc_tensor *y, const double *want, size_t n)
{
    RC_CHECK(y != NULL && y->numel == n, "%s: output missing or of wrong size", name);
    if (!y || y->numel != n) return;
    rc_real w[256];
    RC_CHECK(n <= 256, "test buffer too small");
    for (size_t i = 0; i < n && i < 256; i++) w[i] = (rc_real)want[i];
    rc_test_close(name, y->data, w, n, ATOL, RTOL);
}

/* ---- forward values ---- */

static void test_products_values(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int xs[3] = {2, 3, 4}, ws[2] = {5, 4}, bs[1] = {5};
    rc_tensor *x = filled(g, 3, xs, 1, false), *W = filled(g, 2, ws, 2, false), *b = filled(g, 1, bs, 3, false);
    double want[2 * 3 * 5 * 2];
    for (int n = 0; n < 6; n++)
        for (int o = 0; o < 5; o++) {
            double s = 0;
            for (int i = 0; i < 4; i++) s += (double)x->data[n * 4 + i] * W->data[o * 4 + i];
            want[n * 5 + o] = s + b->data[o];
            want[30 + n * 5 + o] = s;
        }
    rc_tensor *y = rc_linear(g, x, W, b);
    RC_CHECK(y && y->ndim == 3 && y->shape[0] == 2 && y->shape[1] == 3 && y->shape[2] == 5, "linear shape");
    check_values("linear with bias", y, want, 30);
    check_values("linear without bias", rc_linear(g, x, W, NULL), want + 30, 30);

    int as[3] = {2, 3, 4}, bbs[3] = {2, 4, 2};
    rc_tensor *a = filled(g, 3, as, 4, false), *bb = filled(g, 3, bbs, 5, false);
    double wb[12];
    for (int k = 0; k < 2; k++)
        for (int m = 0; m < 3; m++)
            for (int n = 0; n < 2; n++) {
                double s = 0;
                for (int i = 0; i < 4; i++) s += (double)a->data[k * 12 + m * 4 + i] * bb->data[k * 8 + i * 2 + n];
                wb[k * 6 + m * 2 + n] = s;
            }
    check_values("bmm", rc_bmm(g, a, bb), wb, 12);
    int a2[2] = {3, 4}, b2[2] = {4, 2};
    /* matmul of the second batch entry, viewed as 2-D. */
    rc_tensor *a1 = rc_reshape(g, rc_slice(g, a, 0, 1, 2), 2, a2), *b1 = rc_reshape(g, rc_slice(g, bb, 0, 1, 2), 2, b2);
    check_values("matmul", rc_matmul(g, a1, b1), wb + 6, 6);
    RC_CHECK(rc_graph_status(g) == RC_OK, "%s", rc_graph_error(g));
    rc_graph_free(g);
}

static void test_elementwise_values(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int as[3] = {2, 3, 4};
    rc_tensor *a = filled(g, 3, as, 6, false), *b1 = filled(g, 1, as + 2, 7, false), *b2 = filled(g, 2, as + 1, 8, false);
    double add1[24], mul2[24], scaled[24];
    for (int i = 0; i < 24; i++) {
        add1[i] = (double)a->data[i] + b1->data[i % 4];
        mul2[i] = (double)a->data[i] * b2->data[i % 12];
        scaled[i] = 2.5 * a->data[i];
    }
    check_values("add, b (4,) broadcast", rc_add(g, a, b1), add1, 24);
    check_values("mul, b (3, 4) broadcast", rc_mul(g, a, b2), mul2, 24);
    check_values("scale", rc_scale(g, a, 2.5), scaled, 24);
    rc_graph_free(g);
}

static void test_softmax_values(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int xs[2] = {3, 5};
    rc_tensor *x = filled(g, 2, xs, 9, false);
    double sm[15], lsm[15];
    for (int r = 0; r < 3; r++) {
        double z = 0;
        for (int c = 0; c < 5; c++) z += exp((double)x->data[r * 5 + c]);
        for (int c = 0; c < 5; c++) {
            sm[r * 5 + c] = exp((double)x->data[r * 5 + c]) / z;
            lsm[r * 5 + c] = x->data[r * 5 + c] - log(z);
        }
    }
    check_values("softmax", rc_softmax(g, x), sm, 15);
    check_values("log_softmax", rc_log_softmax(g, x), lsm, 15);
    rc_graph_free(g);
}

static void test_shape_values(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int s0[3] = {2, 1, 3}, s1[3] = {2, 2, 3};
    rc_tensor *xs[2] = {filled(g, 3, s0, 10, false), filled(g, 3, s1, 11, false)};
    /* concat along dim 1: y[i, j, k] = x0[i, j, k] for j < 1, else x1[i, j - 1, k]. */
    double cat[18], sl[12], tr[18];
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++)
                cat[i * 9 + j * 3 + k] = j < 1 ? xs[0]->data[i * 3 + k] : xs[1]->data[i * 6 + (j - 1) * 3 + k];
    rc_tensor *y = rc_concat(g, 2, xs, 1);
    check_values("concat dim 1", y, cat, 18);
    /* slice y[:, :, 1:3] */
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 2; k++) sl[(i * 3 + j) * 2 + k] = y->data[i * 9 + j * 3 + k + 1];
    check_values("slice dim 2", rc_slice(g, y, 2, 1, 3), sl, 12);
    /* transpose(0, 2): out (3, 3, 2), out[k, j, i] = y[i, j, k] */
    for (int i = 0; i < 2; i++)
        for (int j = 0; j < 3; j++)
            for (int k = 0; k < 3; k++) tr[k * 6 + j * 2 + i] = y->data[i * 9 + j * 3 + k];
    rc_tensor *t = rc_transpose(g, y, 0, 2);
    RC_CHECK(t && t->shape[0] == 3 && t->shape[1] == 3 && t->shape[2] == 2, "transpose shape");
    check_values("transpose 0 2", t, tr, 18);
    double total = 0;
    for (int i = 0; i < 18; i++) total += y->data[i];
    double mean = total / 18;
    rc_tensor *s = rc_sum(g, y), *m = rc_mean(g, y);
    RC_CHECK(s && s->ndim == 0 && m && m->ndim == 0, "scalar outputs");
    check_values("sum", s, &total, 1);
    check_values("mean", m, &mean, 1);
    RC_CHECK(rc_graph_status(g) == RC_OK, "%s", rc_graph_error(g));
    rc_graph_free(g);
}

static void test_reshape_is_a_view(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int xs[2] = {2, 6}, vs[3] = {3, 2, 2};
    rc_tensor *x = filled(g, 2, xs, 12, true), *c = filled(g, 2, xs, 13, false);
    rc_tensor *v = rc_reshape(g, x, 3, vs);
    RC_CHECK(v && v->data == x->data && v->grad == x->grad && v->numel == 12 && v->shape[0] == 3, "view of x");
    RC_CHECK(rc_reshape(g, c, 3, vs)->grad == NULL, "a view of a tensor without grad has none");
    /* d Σ 3 v / dx = 3 everywhere, delivered through the shared buffer. */
    RC_CHECK_OK(rc_graph_backward(g, rc_sum(g, rc_scale(g, v, 3))));
    for (int i = 0; i < 12; i++) RC_CHECK(x->grad[i] == 3, "x grad %g", x->grad[i]);
    rc_graph_free(g);
}

static void test_embedding_values(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int ws[2] = {4, 3}, is[2] = {2, 2};
    const int ids[4] = {3, 0, 3, 1};
    rc_tensor *W = filled(g, 2, ws, 14, false);
    double want[12];
    for (int i = 0; i < 4; i++)
        for (int e = 0; e < 3; e++) want[i * 3 + e] = W->data[ids[i] * 3 + e];
    rc_tensor *y = rc_embedding(g, W, ids, 2, is, -1);
    RC_CHECK(y && y->ndim == 3 && y->shape[2] == 3, "embedding shape");
    check_values("embedding", y, want, 12);
    rc_graph_free(g);
}

/* ---- losses ---- */

/* log Σ_c e^x[c] by hand, for rows small enough not to overflow. */
static double lse(const double *x, int C)
{
    double s = 0;
    for (int c = 0; c < C; c++) s += exp(x[c]);
    return log(s);
}

static void test_cross_entropy_value(void)
{
    static const double logits[3][3] = {{1, 2, 3}, {0, 0, 0}, {-1, 0.5, 2}};
    static const int target[3] = {2, -100, 0};
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int s[2] = {3, 3};
    rc_tensor *x = rc_graph_tensor(g, 2, s, true);
    for (int i = 0; i < 9; i++) x->data[i] = (rc_real)logits[i / 3][i % 3];
    /* Row 1 is ignored; MEAN divides by the 2 counted rows. */
    double l0 = lse(logits[0], 3) - 3, l2 = lse(logits[2], 3) - (-1);
    double want_mean = (l0 + l2) / 2, want_sum = l0 + l2;
    rc_tensor *mean = rc_cross_entropy(g, x, target, -100, RC_REDUCTION_MEAN);
    check_values("cross_entropy MEAN", mean, &want_mean, 1);
    check_values("cross_entropy SUM", rc_cross_entropy(g, x, target, -100, RC_REDUCTION_SUM), &want_sum, 1);
    /* d mean / d logits = (softmax − onehot) / 2 on counted rows, 0 on the ignored one. */
    double dwant[9] = {0};
    for (int r = 0; r < 3; r += 2) {
        double z = exp(lse(logits[r], 3));
        for (int c = 0; c < 3; c++) dwant[r * 3 + c] = (exp(logits[r][c]) / z - (c == target[r])) / 2;
    }
    RC_CHECK_OK(rc_graph_backward(g, mean));
    rc_real dw[9];
    for (int i = 0; i < 9; i++) dw[i] = (rc_real)dwant[i];
    rc_test_close("cross_entropy MEAN grad", x->grad, dw, 9, ATOL, RTOL);

    /* Huge logits: the max-subtracted form gives exactly 1000 where e^1000 overflows. */
    rc_graph_reset(g);
    int s2[2] = {1, 2};
    rc_tensor *big = rc_graph_tensor(g, 2, s2, false);
    big->data[0] = 1000;
    const int t1 = 1;
    double want_big = 1000 + log1p(exp(-1000.0));
    check_values("cross_entropy, logits (1000, 0)", rc_cross_entropy(g, big, &t1, -100, RC_REDUCTION_MEAN), &want_big,
                 1);
    rc_graph_free(g);
}

static void test_other_loss_values(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int s[2] = {2, 3};
    rc_tensor *x = filled(g, 2, s, 15, false), *y = rc_graph_tensor(g, 2, s, false);
    rc_test_fill(y, 16, 0, 1);
    static const int target[2] = {1, 2};
    double nll = -((double)x->data[1] + x->data[5]) / 2, mse = 0, bce = 0;
    for (int i = 0; i < 6; i++) {
        double d = (double)x->data[i] - y->data[i], p = 1 / (1 + exp(-(double)x->data[i]));
        mse += d * d / 6;
        /* The textbook form, fine for |x| <= 1. */
        bce -= ((double)y->data[i] * log(p) + (1 - (double)y->data[i]) * log(1 - p)) / 6;
    }
    check_values("nll_loss MEAN", rc_nll_loss(g, x, target, -100, RC_REDUCTION_MEAN), &nll, 1);
    check_values("mse_loss MEAN", rc_mse_loss(g, x, y, RC_REDUCTION_MEAN), &mse, 1);
    check_values("bce_with_logits MEAN", rc_bce_with_logits(g, x, y, RC_REDUCTION_MEAN), &bce, 1);
    double mse_sum = mse * 6, bce_sum = bce * 6;
    check_values("mse_loss SUM", rc_mse_loss(g, x, y, RC_REDUCTION_SUM), &mse_sum, 1);
    check_values("bce_with_logits SUM", rc_bce_with_logits(g, x, y, RC_REDUCTION_SUM), &bce_sum, 1);
    /* Stable at |x| = 100 where the textbook form takes log(0): loss = 100 for x = −100, y = 1. */
    int one = 1;
    rc_tensor *xb = rc_graph_tensor(g, 1, &one, false), *yb = rc_graph_tensor(g, 1, &one, false);
    xb->data[0] = -100;
    yb->data[0] = 1;
    double want = 100 + log1p(exp(-100.0));
    check_values("bce_with_logits at x = -100", rc_bce_with_logits(g, xb, yb, RC_REDUCTION_SUM), &want, 1);
    rc_graph_free(g);
}

static void test_all_ignored_gives_zero(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int s[2] = {2, 3};
    rc_tensor *x = filled(g, 2, s, 17, true);
    static const int target[2] = {-1, -1};
    for (int r = 0; r < 2; r++) {
        rc_tensor *ce = rc_cross_entropy(g, x, target, -1, (rc_reduction)r);
        rc_tensor *nll = rc_nll_loss(g, x, target, -1, (rc_reduction)r);
        RC_CHECK(ce && ce->data[0] == 0 && nll && nll->data[0] == 0, "losses are 0");
        /* Upstream gradient 1 into both losses. */
        ce->grad[0] = 1;
        nll->grad[0] = 1;
        RC_CHECK_OK(rc_graph_backward(g, NULL));
        for (int i = 0; i < 6; i++) RC_CHECK(x->grad[i] == 0, "zero grad, got %g", x->grad[i]);
    }
    rc_graph_free(g);
}

/* ---- softmax edge cases ---- */

static void test_softmax_extremes(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int s[2] = {4, 4};
    rc_tensor *x = rc_graph_tensor(g, 2, s, true);
    const rc_real rows[4][4] = {{1e30f, -1e30f, 0, -INFINITY},
                                {-1e30f, -1e30f, -1e30f, -1e30f},
                                {-INFINITY, 0.5f, -INFINITY, 0.5f},
                                {-INFINITY, -INFINITY, -INFINITY, -INFINITY}};
    memcpy(x->data, rows, sizeof rows);
    rc_tensor *p = rc_softmax(g, x), *lp = rc_log_softmax(g, x);
    const rc_real want[16] = {1, 0, 0, 0, 0.25f, 0.25f, 0.25f, 0.25f, 0, 0.5f, 0, 0.5f, 0, 0, 0, 0};
    rc_test_close("softmax of extreme rows", p->data, want, 16, 1e-7, 0);
    for (int r = 0; r < 3; r++) {
        double sum = 0;
        for (int c = 0; c < 4; c++) sum += p->data[r * 4 + c];
        RC_CHECK(fabs(sum - 1) < 1e-6, "row %d sums to %g", r, sum);
    }
    RC_CHECK(lp->data[0] == 0 && lp->data[1] == (rc_real)-2e30f && isinf(lp->data[3]), "log_softmax row 0");
    RC_CHECK(fabs(lp->data[9] - log(0.5)) < 1e-6, "log_softmax row 2");
    for (int c = 0; c < 4; c++) RC_CHECK(isinf(lp->data[12 + c]) && lp->data[12 + c] < 0, "fully masked row is -inf");
    /* Backward through both, upstream gradient 1 on every softmax output and
     * on every finite log-softmax output: no NaN, and the fully masked row gets none. */
    for (int i = 0; i < 16; i++) {
        p->grad[i] = 1;
        lp->grad[i] = isinf(lp->data[i]) ? 0 : 1;
    }
    RC_CHECK_OK(rc_graph_backward(g, NULL));
    for (int i = 0; i < 16; i++) RC_CHECK(!isnan(x->grad[i]), "grad[%d] is NaN", i);
    for (int c = 0; c < 4; c++) RC_CHECK(x->grad[12 + c] == 0, "masked row grad %g", x->grad[12 + c]);
    rc_graph_free(g);
}

/* ---- errors ---- */

/* The graph holds error `s` whose message contains every string in want;
 * then the graph is reset. */
static void expect_error(rc_graph *g, rc_tensor *y, rc_status s, const char *const *want, int n_want)
{
    const char *msg = rc_graph_error(g);
    RC_CHECK(y == NULL, "op returned a tensor");
    RC_CHECK(rc_graph_status(g) == s, "status %s, want %s (%s)", rc_status_str(rc_graph_status(g)), rc_status_str(s),
             msg);
    for (int i = 0; i < n_want; i++) RC_CHECK(strstr(msg, want[i]) != NULL, "'%s' not in '%s'", want[i], msg);
    printf("  refused: %s\n", msg);
    rc_graph_reset(g);
}

#define EXPECT(g, y, s, ...)                                                          \
    do {                                                                              \
        const char *const want_[] = {__VA_ARGS__};                                    \
        expect_error(g, y, s, want_, (int)(sizeof want_ / sizeof want_[0]));          \
    } while (0)

static void test_shape_errors(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int s23[2] = {2, 3}, s45[2] = {4, 5}, s25[2] = {2, 5}, s3[1] = {3}, s2[1] = {2}, s32[2] = {3, 2};
    int s234[3] = {2, 3, 4}, s345[3] = {3, 4, 5}, s256[3] = {2, 5, 6}, s42[2] = {4, 2}, s6[1] = {6};
#define T(shape) rc_graph_tensor(g, (int)(sizeof shape / sizeof shape[0]), shape, false)
    EXPECT(g, rc_linear(g, T(s23), T(s45), NULL), RC_E_SHAPE, "linear", "(2, 3)", "(4, 5)");
    EXPECT(g, rc_linear(g, T(s25), T(s45), T(s3)), RC_E_SHAPE, "linear", "(3,)", "(4, 5)");
    EXPECT(g, rc_linear(g, T(s25), T(s3), NULL), RC_E_SHAPE, "linear", "(3,)");
    EXPECT(g, rc_matmul(g, T(s23), T(s45)), RC_E_SHAPE, "matmul", "(2, 3)", "(4, 5)");
    EXPECT(g, rc_matmul(g, T(s234), T(s45)), RC_E_SHAPE, "matmul", "(2, 3, 4)");
    EXPECT(g, rc_bmm(g, T(s234), T(s345)), RC_E_SHAPE, "bmm", "(2, 3, 4)", "(3, 4, 5)");
    EXPECT(g, rc_bmm(g, T(s234), T(s256)), RC_E_SHAPE, "bmm", "(2, 3, 4)", "(2, 5, 6)");
    EXPECT(g, rc_add(g, T(s23), T(s2)), RC_E_SHAPE, "add", "(2, 3)", "(2,)");
    EXPECT(g, rc_add(g, T(s3), T(s23)), RC_E_SHAPE, "add", "(3,)", "(2, 3)");
    EXPECT(g, rc_mul(g, T(s23), T(s32)), RC_E_SHAPE, "mul", "(2, 3)", "(3, 2)");
    rc_tensor *pair[2] = {T(s23), T(s25)};
    EXPECT(g, rc_concat(g, 2, pair, 0), RC_E_SHAPE, "concat", "(2, 3)", "(2, 5)");
    pair[0] = T(s23);
    pair[1] = T(s234);
    EXPECT(g, rc_concat(g, 2, pair, 1), RC_E_SHAPE, "concat", "(2, 3)", "(2, 3, 4)");
    EXPECT(g, rc_reshape(g, T(s23), 2, s42), RC_E_SHAPE, "reshape", "(2, 3)", "(4, 2)");
    EXPECT(g, rc_mse_loss(g, T(s23), T(s32), RC_REDUCTION_MEAN), RC_E_SHAPE, "mse_loss", "(2, 3)", "(3, 2)");
    EXPECT(g, rc_bce_with_logits(g, T(s23), T(s6), RC_REDUCTION_SUM), RC_E_SHAPE, "bce_with_logits", "(2, 3)",
           "(6,)");
    static const int t[2] = {0, 1};
    EXPECT(g, rc_cross_entropy(g, T(s234), t, -100, RC_REDUCTION_MEAN), RC_E_SHAPE, "cross_entropy", "(2, 3, 4)");
    EXPECT(g, rc_nll_loss(g, T(s3), t, -100, RC_REDUCTION_MEAN), RC_E_SHAPE, "nll_loss", "(3,)");
    EXPECT(g, rc_embedding(g, T(s234), t, 1, s2, -1), RC_E_SHAPE, "embedding", "(2, 3, 4)");
    EXPECT(g, rc_softmax(g, rc_graph_tensor(g, 0, NULL, false)), RC_E_SHAPE, "softmax", "()");
    EXPECT(g, rc_log_softmax(g, rc_graph_tensor(g, 0, NULL, false)), RC_E_SHAPE, "log_softmax", "()");
#undef T
    rc_graph_free(g);
}

static void test_range_errors(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int s23[2] = {2, 3}, s4[1] = {4}, s2[1] = {2};
    rc_tensor *x = rc_graph_tensor(g, 2, s23, false);
    EXPECT(g, rc_slice(g, x, 1, 2, 4), RC_E_INVALID, "slice", "(2, 3)");
    x = rc_graph_tensor(g, 2, s23, false);
    EXPECT(g, rc_slice(g, x, 2, 0, 1), RC_E_INVALID, "slice", "dim 2");
    x = rc_graph_tensor(g, 2, s23, false);
    EXPECT(g, rc_transpose(g, x, 0, 2), RC_E_INVALID, "transpose", "dim 2", "(2, 3)");
    x = rc_graph_tensor(g, 2, s23, false);
    EXPECT(g, rc_concat(g, 1, &x, -1), RC_E_INVALID, "concat", "dim -1");
    EXPECT(g, rc_concat(g, 0, NULL, 0), RC_E_INVALID, "concat");

    /* An id out of range names its position, its value and V. */
    int ws[2] = {5, 3};
    static const int ids[4] = {0, 4, 1, 5};
    rc_tensor *W = rc_graph_tensor(g, 2, ws, false);
    EXPECT(g, rc_embedding(g, W, ids, 1, s4, -1), RC_E_INVALID, "embedding", "ids[3] = 5", "V = 5");
    static const int neg[2] = {0, -1};
    W = rc_graph_tensor(g, 2, ws, false);
    EXPECT(g, rc_embedding(g, W, neg, 1, s2, -1), RC_E_INVALID, "embedding", "ids[1] = -1");
    W = rc_graph_tensor(g, 2, ws, false);
    EXPECT(g, rc_embedding(g, W, ids, 1, s2, 5), RC_E_INVALID, "embedding", "padding_idx = 5");

    /* A target outside [0, C) that is not ignore_index names its position. */
    static const int bad[2] = {1, 3};
    x = rc_graph_tensor(g, 2, s23, false);
    EXPECT(g, rc_cross_entropy(g, x, bad, -100, RC_REDUCTION_MEAN), RC_E_INVALID, "cross_entropy", "target[1] = 3");
    static const int neg_t[2] = {-100, -5};
    x = rc_graph_tensor(g, 2, s23, false);
    EXPECT(g, rc_nll_loss(g, x, neg_t, -100, RC_REDUCTION_MEAN), RC_E_INVALID, "nll_loss", "target[1] = -5");
    x = rc_graph_tensor(g, 2, s23, false);
    EXPECT(g, rc_cross_entropy(g, x, bad, -100, RC_REDUCTION_COUNT), RC_E_INVALID, "cross_entropy", "reduction");
    rc_graph_free(g);
}

static void test_errors_are_sticky(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int s23[2] = {2, 3}, s2[1] = {2};
    rc_tensor *x = rc_graph_tensor(g, 2, s23, true);
    RC_CHECK(rc_add(g, x, rc_graph_tensor(g, 1, s2, false)) == NULL, "mismatch refused");
    char first[256];
    snprintf(first, sizeof first, "%s", rc_graph_error(g));
    RC_CHECK(rc_softmax(g, x) == NULL && rc_sum(g, x) == NULL, "a failed graph refuses valid ops");
    RC_CHECK(strcmp(first, rc_graph_error(g)) == 0, "the first error is kept: %s", rc_graph_error(g));
    RC_CHECK(rc_graph_backward(g, NULL) == RC_E_SHAPE, "backward reports it");
    rc_graph_free(g);
}

/* ---- modes ---- */

static void test_no_grad_records_nothing(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int xs[2] = {2, 4}, ws[2] = {3, 4}, bs[1] = {3}, is[1] = {2};
    rc_tensor *x = filled(g, 2, xs, 18, true), *W = filled(g, 2, ws, 19, true), *b = filled(g, 1, bs, 20, true);
    rc_graph_set_grad_enabled(g, false);
    static const int t[2] = {0, 2};
    rc_tensor *y = rc_linear(g, x, W, b);
    rc_tensor *outs[] = {y,
                         rc_softmax(g, y),
                         rc_add(g, y, b),
                         rc_reshape(g, x, 1, (int[]){8}),
                         rc_transpose(g, x, 0, 1),
                         rc_embedding(g, W, t, 1, is, -1),
                         rc_cross_entropy(g, y, t, -100, RC_REDUCTION_MEAN),
                         rc_mse_loss(g, x, x, RC_REDUCTION_SUM)};
    for (size_t i = 0; i < sizeof outs / sizeof outs[0]; i++)
        RC_CHECK(outs[i] && outs[i]->grad == NULL, "output %zu has a grad buffer", i);
    RC_CHECK_OK(rc_graph_backward(g, NULL));
    for (size_t i = 0; i < W->numel; i++) RC_CHECK(W->grad[i] == 0, "W grad touched");
    rc_graph_free(g);
}

static void test_dropout_modes(void)
{
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    int s[1] = {20000};
    rc_tensor *x = rc_graph_tensor(g, 1, s, false);
    rc_test_fill(x, 21, 1, 2);
    rc_graph_set_training(g, false);
    RC_CHECK(rc_dropout(g, x, 0.3f) == x, "evaluation mode is the identity");
    rc_graph_set_training(g, true);
    rc_tensor *y = rc_dropout(g, x, 0.3f);
    size_t kept = 0;
    double max_err = 0;
    for (int i = 0; i < s[0]; i++) {
        if (y->data[i] == 0) continue;
        kept++;
        double e = fabs((double)y->data[i] - (double)x->data[i] / 0.7) / ((double)x->data[i] / 0.7);
        if (e > max_err) max_err = e;
    }
    double frac = (double)kept / s[0];
    /* Binomial: the kept fraction has std √(0.7·0.3/20000) ≈ 0.0032; 0.02 is ~6σ. */
    printf("  kept fraction %.4f (want 0.7), max rel err of kept values %.2e\n", frac, max_err);
    RC_CHECK(fabs(frac - 0.7) < 0.02, "kept fraction %g", frac);
    /* Kept values are x · (1 / 0.7) in float: a few ulps. */
    RC_CHECK(max_err < 1e-6, "kept values scaled by 1/(1-p): rel err %g", max_err);
    RC_CHECK(rc_dropout(g, x, 1.0f) == NULL && rc_graph_status(g) == RC_E_INVALID, "p = 1 refused");
    rc_graph_free(g);
}

/* ---- modules ---- */

static void test_linear_module(void)
{
    rc_rng rng;
    rc_rng_seed(&rng, 22);
    rc_linear_module m;
    RC_CHECK_OK(rc_linear_init(&m, 16, 10, true, &rng));
    int ws[2] = {10, 16}, bs[1] = {10};
    RC_CHECK(rc_tensor_has_shape(m.weight, 2, ws) && rc_tensor_has_shape(m.bias, 1, bs), "shapes");
    RC_CHECK(m.in_features == 16 && m.out_features == 10 && m.weight->grad && m.bias->grad, "fields and grads");
    /* U(-1/√16, 1/√16) = U(-0.25, 0.25): all within, and spread over the range. */
    double lo = 1, hi = -1;
    for (size_t i = 0; i < m.weight->numel; i++) {
        lo = fmin(lo, m.weight->data[i]);
        hi = fmax(hi, m.weight->data[i]);
    }
    for (size_t i = 0; i < m.bias->numel; i++) {
        lo = fmin(lo, m.bias->data[i]);
        hi = fmax(hi, m.bias->data[i]);
    }
    printf("  linear init range [%g, %g], bound 0.25\n", lo, hi);
    RC_CHECK(lo >= -0.25 && hi <= 0.25 && lo < -0.2 && hi > 0.2, "init range [%g, %g]", lo, hi);
    rc_params *ps;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_linear_add_params(&m, ps, "head"));
    RC_CHECK(rc_params_count(ps) == 2 && rc_params_find(ps, "head.weight") == m.weight &&
                 rc_params_find(ps, "head.bias") == m.bias,
             "param names");
    rc_params_free(ps);
    rc_linear_destroy(&m);
    RC_CHECK(m.weight == NULL && m.bias == NULL, "destroy clears the module");

    RC_CHECK_OK(rc_linear_init(&m, 3, 2, false, &rng));
    RC_CHECK(m.bias == NULL, "no bias");
    rc_linear_destroy(&m);
    RC_CHECK(rc_linear_init(&m, 0, 2, true, &rng) == RC_E_INVALID && strstr(rc_last_error(), "in_features = 0"),
             "%s", rc_last_error());
    RC_CHECK(rc_linear_init(&m, 2, -3, true, &rng) == RC_E_INVALID && strstr(rc_last_error(), "out_features = -3"),
             "%s", rc_last_error());
}

static void test_embedding_module(void)
{
    rc_rng rng;
    rc_rng_seed(&rng, 23);
    rc_embedding_module m;
    RC_CHECK_OK(rc_embedding_init(&m, 100, 50, 7, &rng));
    int ws[2] = {100, 50};
    RC_CHECK(rc_tensor_has_shape(m.weight, 2, ws) && m.weight->grad && m.padding_idx == 7, "shape");
    double mean = 0, sq = 0;
    for (size_t i = 0; i < m.weight->numel; i++) {
        if (i / 50 == 7) {
            RC_CHECK(m.weight->data[i] == 0, "padding row is zero");
            continue;
        }
        mean += m.weight->data[i];
        sq += (double)m.weight->data[i] * m.weight->data[i];
    }
    size_t n = m.weight->numel - 50;
    mean /= (double)n;
    double var = sq / (double)n - mean * mean;
    /* N(0, 1) over 4950 samples: std of the mean ≈ 0.014, of the variance ≈ 0.02; 0.1 is ≥ 5σ. */
    printf("  embedding init mean %.4f var %.4f\n", mean, var);
    RC_CHECK(fabs(mean) < 0.1 && fabs(var - 1) < 0.1, "N(0,1): mean %g var %g", mean, var);
    rc_params *ps;
    RC_CHECK_OK(rc_params_create(&ps));
    RC_CHECK_OK(rc_embedding_add_params(&m, ps, "embed"));
    RC_CHECK(rc_params_find(ps, "embed.weight") == m.weight, "param name");
    rc_params_free(ps);

    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    static const int ids[3] = {7, 1, 99};
    int is[1] = {3};
    rc_tensor *y = rc_embedding_forward(&m, g, ids, 1, is);
    RC_CHECK(y && y->shape[0] == 3 && y->shape[1] == 50 && y->data[0] == 0 && y->data[50] == m.weight->data[50],
             "lookup");
    rc_graph_free(g);
    rc_embedding_destroy(&m);
    RC_CHECK(m.weight == NULL, "destroy clears the module");

    RC_CHECK(rc_embedding_init(&m, 0, 4, -1, &rng) == RC_E_INVALID && strstr(rc_last_error(), "num_embeddings = 0"),
             "%s", rc_last_error());
    RC_CHECK(rc_embedding_init(&m, 4, 0, -1, &rng) == RC_E_INVALID && strstr(rc_last_error(), "embedding_dim = 0"),
             "%s", rc_last_error());
    RC_CHECK(rc_embedding_init(&m, 4, 2, 4, &rng) == RC_E_INVALID && strstr(rc_last_error(), "padding_idx = 4"),
             "%s", rc_last_error());
}

int main(void)
{
    RC_RUN(test_products_values);
    RC_RUN(test_elementwise_values);
    RC_RUN(test_softmax_values);
    RC_RUN(test_shape_values);
    RC_RUN(test_reshape_is_a_view);
    RC_RUN(test_embedding_values);
    RC_RUN(test_cross_entropy_value);
    RC_RUN(test_other_loss_values);
    RC_RUN(test_all_ignored_gives_zero);
    RC_RUN(test_softmax_extremes);
    RC_RUN(test_shape_errors);
    RC_RUN(test_range_errors);
    RC_RUN(test_errors_are_sticky);
    RC_RUN(test_no_grad_records_nothing);
    RC_RUN(test_dropout_modes);
    RC_RUN(test_linear_module);
    RC_RUN(test_embedding_module);
    return rc_test_finish();
}
