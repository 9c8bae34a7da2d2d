/*
 * Finite-difference checks (double build) of every op in ops.h and the nn.h
 * modules, with respect to every differentiable input.
 *
 * Tolerance: 1e-6 relative with central differences of step 1e-6. Every op
 * here is smooth at the sampled points, so the truncation error is ~eps² and
 * the rounding error ~1e-16 / eps = 1e-10: both far below the tolerance.
 */
#include <math.h>

#include "harness.h"

#define EPS 1e-6
#define TOL 1e-6

/* What a build function reads: up to four tensors and the scalar arguments
 * of the op under test. */
typedef struct gc_case {
    rc_tensor *t[4];
    const int *ids;
    int ndim, shape[3];
    int a, b, c;
    rc_reduction red;
    const rc_linear_module *lin;
    const rc_embedding_module *emb;
} gc_case;

static rc_tensor *new_filled(int ndim, const int *shape, uint64_t seed, double lo, double hi)
{
    rc_tensor *t;
    RC_CHECK_OK(rc_tensor_new(&t, ndim, shape, true));
    if (t) rc_test_fill(t, seed, lo, hi);
    return t;
}

static void free_all(rc_tensor **ts, int n)
{
    for (int i = 0; i < n; i++) rc_tensor_free(ts[i]);
}

/* ---- products ---- */

static rc_tensor *build_linear(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_linear(g, c->t[0], c->t[1], c->t[2]);
}

static void test_grad_linear(void)
{
    int xs[3] = {2, 3, 4}, ws[2] = {5, 4}, bs[1] = {5};
    gc_case c = {.t = {new_filled(3, xs, 1, -1, 1), new_filled(2, ws, 2, -1, 1), new_filled(1, bs, 3, -1, 1)}};
    rc_gradcheck("linear 3-D with bias", build_linear, &c, c.t, 3, EPS, 0, TOL);
    rc_tensor *b = c.t[2];
    c.t[2] = NULL;
    rc_gradcheck("linear 3-D without bias", build_linear, &c, c.t, 2, EPS, 0, TOL);
    c.t[2] = b;
    free_all(c.t, 3);
}

static rc_tensor *build_matmul(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_matmul(g, c->t[0], c->t[1]);
}

static rc_tensor *build_bmm(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_bmm(g, c->t[0], c->t[1]);
}

static void test_grad_matmul_bmm(void)
{
    int as[2] = {3, 4}, bs[2] = {4, 2};
    gc_case c = {.t = {new_filled(2, as, 4, -1, 1), new_filled(2, bs, 5, -1, 1)}};
    rc_gradcheck("matmul", build_matmul, &c, c.t, 2, EPS, 0, TOL);
    free_all(c.t, 2);
    int as3[3] = {2, 3, 4}, bs3[3] = {2, 4, 5};
    gc_case d = {.t = {new_filled(3, as3, 6, -1, 1), new_filled(3, bs3, 7, -1, 1)}};
    rc_gradcheck("bmm", build_bmm, &d, d.t, 2, EPS, 0, TOL);
    free_all(d.t, 2);
}

/* ---- elementwise ---- */

static rc_tensor *build_add(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_add(g, c->t[0], c->t[1]);
}

static rc_tensor *build_mul(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_mul(g, c->t[0], c->t[1]);
}

static rc_tensor *build_scale(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_scale(g, c->t[0], -1.7);
}

static void test_grad_elementwise(void)
{
    int as[3] = {3, 2, 4};
    /* b with a's full shape, its last dimension, its last two, and a scalar. */
    for (int bd = 3; bd >= 0; bd--) {
        gc_case c = {.t = {new_filled(3, as, 8, -1, 1), new_filled(bd, as + 3 - bd, 9, -1, 1)}};
        char name[64];
        snprintf(name, sizeof name, "add, b with %d trailing dims", bd);
        rc_gradcheck(name, build_add, &c, c.t, 2, EPS, 0, TOL);
        snprintf(name, sizeof name, "mul, b with %d trailing dims", bd);
        rc_gradcheck(name, build_mul, &c, c.t, 2, EPS, 0, TOL);
        free_all(c.t, 2);
    }
    /* x ⊙ x: both gradients land in the same buffer. */
    gc_case sq = {.t = {new_filled(3, as, 10, -1, 1)}};
    sq.t[1] = sq.t[0];
    rc_gradcheck("mul x * x", build_mul, &sq, sq.t, 1, EPS, 0, TOL);
    rc_gradcheck("scale", build_scale, &sq, sq.t, 1, EPS, 0, TOL);
    rc_tensor_free(sq.t[0]);
}

/* ---- softmax ---- */

static rc_tensor *build_softmax(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_softmax(g, c->t[0]);
}

static rc_tensor *build_log_softmax(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_log_softmax(g, c->t[0]);
}

static void test_grad_softmax(void)
{
    int xs[3] = {2, 3, 5};
    gc_case c = {.t = {new_filled(3, xs, 11, -3, 3)}};
    rc_gradcheck("softmax", build_softmax, &c, c.t, 1, EPS, 0, TOL);
    rc_gradcheck("log_softmax", build_log_softmax, &c, c.t, 1, EPS, 0, TOL);
    rc_tensor_free(c.t[0]);
}

/* ---- shape ---- */

static rc_tensor *build_concat(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_concat(g, 3, c->t, c->a);
}

static void test_grad_concat(void)
{
    for (int dim = 0; dim < 3; dim++) {
        gc_case c = {.a = dim};
        for (int k = 0; k < 3; k++) {
            int s[3] = {2, 3, 2};
            s[dim] = k + 1; /* sizes 1, 2, 3 along dim */
            c.t[k] = new_filled(3, s, 12 + (uint64_t)k, -1, 1);
        }
        char name[32];
        snprintf(name, sizeof name, "concat dim %d", dim);
        rc_gradcheck(name, build_concat, &c, c.t, 3, EPS, 0, TOL);
        free_all(c.t, 3);
    }
}

static rc_tensor *build_slice(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_slice(g, c->t[0], c->a, c->b, c->c);
}

static rc_tensor *build_transpose(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_transpose(g, c->t[0], c->a, c->b);
}

static void test_grad_slice_transpose(void)
{
    int xs[3] = {3, 4, 5};
    gc_case c = {.t = {new_filled(3, xs, 15, -1, 1)}};
    for (int dim = 0; dim < 3; dim++) {
        c.a = dim;
        c.b = 1;
        c.c = xs[dim] - 1;
        char name[32];
        snprintf(name, sizeof name, "slice dim %d", dim);
        rc_gradcheck(name, build_slice, &c, c.t, 1, EPS, 0, TOL);
    }
    int pairs[4][2] = {{0, 1}, {1, 2}, {0, 2}, {2, 0}};
    for (int p = 0; p < 4; p++) {
        c.a = pairs[p][0];
        c.b = pairs[p][1];
        char name[32];
        snprintf(name, sizeof name, "transpose %d %d", c.a, c.b);
        rc_gradcheck(name, build_transpose, &c, c.t, 1, EPS, 0, TOL);
    }
    rc_tensor_free(c.t[0]);
    int x4[4] = {2, 3, 2, 3};
    gc_case d = {.t = {new_filled(4, x4, 16, -1, 1)}, .a = 1, .b = 3};
    rc_gradcheck("transpose 4-D 1 3", build_transpose, &d, d.t, 1, EPS, 0, TOL);
    rc_tensor_free(d.t[0]);
}

/* reshape of an input and of an op output, each feeding another op. */
static rc_tensor *build_reshape(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    int flat[2] = {6, 4}, back[3] = {2, 3, 4};
    rc_tensor *v = rc_reshape(g, c->t[0], 2, flat);
    rc_tensor *h = rc_tanh(g, rc_linear(g, v, c->t[1], NULL));
    return rc_softmax(g, rc_reshape(g, h, 3, back));
}

static rc_tensor *build_sum(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_sum(g, rc_tanh(g, c->t[0]));
}

static rc_tensor *build_mean(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_mean(g, rc_tanh(g, c->t[0]));
}

static void test_grad_reshape_sum_mean(void)
{
    int xs[3] = {2, 3, 4}, ws[2] = {4, 4};
    gc_case c = {.t = {new_filled(3, xs, 17, -1, 1), new_filled(2, ws, 18, -1, 1)}};
    rc_gradcheck("reshape -> linear -> reshape", build_reshape, &c, c.t, 2, EPS, 0, TOL);
    rc_gradcheck("sum", build_sum, &c, c.t, 1, EPS, 0, TOL);
    rc_gradcheck("mean", build_mean, &c, c.t, 1, EPS, 0, TOL);
    free_all(c.t, 2);
}

/* ---- embedding ---- */

enum { PAD = 2 };

/* The padding row deliberately gets no gradient although the output depends
 * on it, so positions holding PAD are multiplied by 0 (t[1]) to make the
 * numerical gradient agree; test_embedding_padding_row checks the row itself. */
static rc_tensor *build_embedding(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    rc_tensor *y = c->emb ? rc_embedding_forward(c->emb, g, c->ids, c->ndim, c->shape)
                          : rc_embedding(g, c->t[0], c->ids, c->ndim, c->shape, PAD);
    return rc_mul(g, y, c->t[1]);
}

static const int emb_ids[6] = {1, PAD, 4, 4, 0, PAD};

static rc_tensor *pad_mask(int E)
{
    int ms[3] = {2, 3, E};
    rc_tensor *m;
    RC_CHECK_OK(rc_tensor_new(&m, 3, ms, false));
    for (int i = 0; i < 6; i++)
        for (int e = 0; e < E; e++) m->data[i * E + e] = emb_ids[i] == PAD ? 0 : 1;
    return m;
}

static void test_grad_embedding(void)
{
    int ws[2] = {5, 3};
    gc_case c = {.t = {new_filled(2, ws, 19, -1, 1), pad_mask(3)}, .ids = emb_ids, .ndim = 2, .shape = {2, 3}};
    rc_gradcheck("embedding, padding_idx masked", build_embedding, &c, c.t, 1, EPS, 0, TOL);
    for (int e = 0; e < 3; e++) RC_CHECK(c.t[0]->grad[PAD * 3 + e] == 0, "padding row grad %g", c.t[0]->grad[PAD * 3 + e]);
    free_all(c.t, 2);
}

/* Unmasked: every looked-up row but the padding one gets gradient. */
static void test_embedding_padding_row(void)
{
    int ws[2] = {5, 3}, is[2] = {2, 3};
    rc_tensor *W = new_filled(2, ws, 20, -1, 1);
    rc_graph *g;
    RC_CHECK_OK(rc_graph_create(&g));
    rc_tensor *loss = rc_sum(g, rc_embedding(g, W, emb_ids, 2, is, PAD));
    RC_CHECK_OK(rc_graph_backward(g, loss));
    for (int v = 0; v < 5; v++) {
        double want = 0;
        for (int i = 0; i < 6; i++) want += emb_ids[i] == v && v != PAD;
        for (int e = 0; e < 3; e++)
            RC_CHECK(W->grad[v * 3 + e] == want, "row %d grad %g, want %g", v, W->grad[v * 3 + e], want);
    }
    rc_graph_free(g);
    rc_tensor_free(W);
}

/* ---- losses ---- */

static rc_tensor *build_cross_entropy(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_cross_entropy(g, c->t[0], c->ids, c->a, c->red);
}

static rc_tensor *build_nll(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_nll_loss(g, rc_log_softmax(g, c->t[0]), c->ids, c->a, c->red);
}

static rc_tensor *build_mse(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_mse_loss(g, c->t[0], c->t[1], c->red);
}

static rc_tensor *build_bce(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_bce_with_logits(g, c->t[0], c->t[1], c->red);
}

static void test_grad_class_losses(void)
{
    int xs[2] = {5, 4};
    /* -100 is ignored with ignore_index -100; 3 is a valid class. */
    static const int t_default[5] = {1, -100, 3, 0, -100};
    /* ignore_index may be a real class id: 2 is then skipped. */
    static const int t_class[5] = {2, 0, 3, 2, 1};
    gc_case c = {.t = {new_filled(2, xs, 21, -2, 2)}};
    const char *red_name[2] = {"MEAN", "SUM"};
    for (int r = 0; r < 2; r++) {
        c.red = (rc_reduction)r;
        char name[64];
        c.ids = t_default;
        c.a = -100;
        snprintf(name, sizeof name, "cross_entropy %s, 2 ignored", red_name[r]);
        rc_gradcheck(name, build_cross_entropy, &c, c.t, 1, EPS, 0, TOL);
        snprintf(name, sizeof name, "nll(log_softmax) %s, 2 ignored", red_name[r]);
        rc_gradcheck(name, build_nll, &c, c.t, 1, EPS, 0, TOL);
        c.ids = t_class;
        c.a = 2;
        snprintf(name, sizeof name, "cross_entropy %s, ignore class 2", red_name[r]);
        rc_gradcheck(name, build_cross_entropy, &c, c.t, 1, EPS, 0, TOL);
        snprintf(name, sizeof name, "nll %s, ignore class 2", red_name[r]);
        rc_gradcheck(name, build_nll, &c, c.t, 1, EPS, 0, TOL);
    }
    rc_tensor_free(c.t[0]);
}

static void test_grad_pair_losses(void)
{
    int xs[2] = {3, 4};
    gc_case c = {.t = {new_filled(2, xs, 22, -3, 3), new_filled(2, xs, 23, 0, 1)}};
    /* max(x, 0) has a kink at 0. */
    for (size_t i = 0; i < c.t[0]->numel; i++)
        if (fabs(c.t[0]->data[i]) < 0.05) c.t[0]->data[i] = 0.5;
    for (int r = 0; r < 2; r++) {
        c.red = (rc_reduction)r;
        rc_gradcheck(r ? "mse SUM" : "mse MEAN", build_mse, &c, c.t, 2, EPS, 0, TOL);
        rc_gradcheck(r ? "bce_with_logits SUM" : "bce_with_logits MEAN", build_bce, &c, c.t, 2, EPS, 0, TOL);
    }
    free_all(c.t, 2);
}

/* ---- modules ---- */

static rc_tensor *build_linear_module(rc_graph *g, void *ctx)
{
    gc_case *c = ctx;
    return rc_linear_forward(c->lin, g, c->t[0]);
}

static void test_grad_modules(void)
{
    rc_rng rng;
    rc_rng_seed(&rng, 24);
    rc_linear_module lin;
    RC_CHECK_OK(rc_linear_init(&lin, 4, 3, true, &rng));
    int xs[3] = {2, 2, 4};
    gc_case c = {.t = {new_filled(3, xs, 25, -1, 1), lin.weight, lin.bias}, .lin = &lin};
    rc_gradcheck("nn linear forward", build_linear_module, &c, c.t, 3, EPS, 0, TOL);
    rc_tensor_free(c.t[0]);
    rc_linear_destroy(&lin);

    rc_embedding_module emb;
    RC_CHECK_OK(rc_embedding_init(&emb, 5, 3, PAD, &rng));
    gc_case d = {.t = {emb.weight, pad_mask(3)}, .ids = emb_ids, .ndim = 2, .shape = {2, 3}, .emb = &emb};
    rc_gradcheck("nn embedding forward", build_embedding, &d, d.t, 1, EPS, 0, TOL);
    for (int e = 0; e < 3; e++) RC_CHECK(emb.weight->grad[PAD * 3 + e] == 0, "padding row grad");
    rc_tensor_free(d.t[1]);
    rc_embedding_destroy(&emb);
}

int main(void)
{
    RC_RUN(test_grad_linear);
    RC_RUN(test_grad_matmul_bmm);
    RC_RUN(test_grad_elementwise);
    RC_RUN(test_grad_softmax);
    RC_RUN(test_grad_concat);
    RC_RUN(test_grad_slice_transpose);
    RC_RUN(test_grad_reshape_sum_mean);
    RC_RUN(test_grad_embedding);
    RC_RUN(test_embedding_padding_row);
    RC_RUN(test_grad_class_losses);
    RC_RUN(test_grad_pair_losses);
    RC_RUN(test_grad_modules);
    return rc_test_finish();
}
