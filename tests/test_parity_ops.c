/*
 * Ops and losses against PyTorch (tests/fixtures/ops.safetensors):
 * F.embedding with padding_idx, cross-entropy and NLL with ignored targets,
 * MSE, BCE with logits (with ±30 logits), nn.Linear with and without bias,
 * softmax and log-softmax (with a row of large values).
 *
 * Tolerances (tests/support/fixture.h): forward max abs error 1e-5;
 * gradients max abs error 1e-4 · max |PyTorch's gradient|.
 */
#include <string.h>

#include "fixture.h"

static rc_reduction reduction(rc_fx *fx)
{
    return strcmp(rc_fx_str(fx, "reduction"), "sum") == 0 ? RC_REDUCTION_SUM : RC_REDUCTION_MEAN;
}

/* Backward from root (a scalar loss), or from the upstream gradients already
 * written into the outputs if root is NULL. */
static bool backward(rc_fx *fx, rc_graph *g, rc_tensor *root)
{
    rc_status s = rc_graph_status(g);
    RC_CHECK(s == RC_OK, "%s: forward: %s", fx->prefix, rc_graph_error(g));
    if (s != RC_OK) return false;
    s = rc_graph_backward(g, root);
    RC_CHECK(s == RC_OK, "%s: backward: %s", fx->prefix, rc_last_error());
    return s == RC_OK;
}

static void embedding(rc_fx *fx, rc_graph *g)
{
    int ids[12], shape[2] = {3, 4};
    rc_tensor *W = rc_fx_input(fx, g, "weight", true);
    if (!W || !rc_fx_read_ints(fx, "ids", ids, 12)) return;
    rc_tensor *y = rc_embedding(g, W, ids, 2, shape, rc_fx_int(fx, "padding_idx"));
    if (!y || !rc_fx_read_grad(fx, "d_out", y) || !backward(fx, g, NULL)) return;
    rc_fx_check(fx, "out", y);
    rc_fx_check_grad(fx, "weight", W);
}

/* Cross-entropy over logits, or NLL over log-probabilities. */
static void class_loss(rc_fx *fx, rc_graph *g, bool nll)
{
    const char *in_name = nll ? "logp" : "logits";
    int target[6];
    rc_tensor *x = rc_fx_input(fx, g, in_name, true);
    if (!x || !rc_fx_read_ints(fx, "target", target, 6)) return;
    RC_CHECK(x->shape[0] == 6, "%s: %d rows", fx->prefix, x->shape[0]);
    int ignore = rc_fx_int(fx, "ignore_index");
    rc_tensor *loss = nll ? rc_nll_loss(g, x, target, ignore, reduction(fx))
                          : rc_cross_entropy(g, x, target, ignore, reduction(fx));
    if (!backward(fx, g, loss)) return;
    rc_fx_check(fx, "loss", loss);
    rc_fx_check_grad(fx, in_name, x);
}

static void cross_entropy(rc_fx *fx, rc_graph *g) { class_loss(fx, g, false); }
static void nll(rc_fx *fx, rc_graph *g) { class_loss(fx, g, true); }

static void mse(rc_fx *fx, rc_graph *g)
{
    rc_tensor *x = rc_fx_input(fx, g, "x", true), *y = rc_fx_input(fx, g, "y", true);
    if (!x || !y) return;
    rc_tensor *loss = rc_mse_loss(g, x, y, reduction(fx));
    if (!backward(fx, g, loss)) return;
    rc_fx_check(fx, "loss", loss);
    rc_fx_check_grad(fx, "x", x);
    rc_fx_check_grad(fx, "y", y);
}

static void bce_with_logits(rc_fx *fx, rc_graph *g)
{
    rc_tensor *x = rc_fx_input(fx, g, "x", true), *y = rc_fx_input(fx, g, "y", false);
    if (!x || !y) return;
    rc_tensor *loss = rc_bce_with_logits(g, x, y, reduction(fx));
    if (!backward(fx, g, loss)) return;
    rc_fx_check(fx, "loss", loss);
    rc_fx_check_grad(fx, "x", x);
}

static void linear(rc_fx *fx, rc_graph *g)
{
    bool bias = rc_fx_bool(fx, "bias");
    rc_tensor *x = rc_fx_input(fx, g, "x", true), *W = rc_fx_input(fx, g, "weight", true);
    rc_tensor *b = bias ? rc_fx_input(fx, g, "bias", true) : NULL;
    if (!x || !W || (bias && !b)) return;
    RC_CHECK(bias || !rc_fx_has(fx, "bias"), "%s: the fixture has a bias", fx->prefix);
    rc_tensor *y = rc_linear(g, x, W, b);
    if (!y || !rc_fx_read_grad(fx, "d_out", y) || !backward(fx, g, NULL)) return;
    rc_fx_check(fx, "out", y);
    rc_fx_check_grad(fx, "x", x);
    rc_fx_check_grad(fx, "weight", W);
    if (b) rc_fx_check_grad(fx, "bias", b);
}

static void softmax_like(rc_fx *fx, rc_graph *g, rc_tensor *(*fn)(rc_graph *, rc_tensor *))
{
    rc_tensor *x = rc_fx_input(fx, g, "x", true);
    if (!x) return;
    rc_tensor *y = fn(g, x);
    if (!y || !rc_fx_read_grad(fx, "d_out", y) || !backward(fx, g, NULL)) return;
    rc_fx_check(fx, "out", y);
    rc_fx_check_grad(fx, "x", x);
}

static void softmax(rc_fx *fx, rc_graph *g) { softmax_like(fx, g, rc_softmax); }
static void log_softmax(rc_fx *fx, rc_graph *g) { softmax_like(fx, g, rc_log_softmax); }

typedef void (*op_case)(rc_fx *fx, rc_graph *g);

static const struct {
    const char *prefix;
    op_case run;
} CASES[] = {
    {"embedding", embedding},
    {"cross_entropy_mean", cross_entropy},
    {"cross_entropy_sum", cross_entropy},
    {"nll_mean", nll},
    {"mse_mean", mse},
    {"mse_sum", mse},
    {"bce_with_logits_mean", bce_with_logits},
    {"bce_with_logits_sum", bce_with_logits},
    {"linear", linear},
    {"linear_nobias", linear},
    {"softmax", softmax},
    {"log_softmax", log_softmax},
};
#define N_CASES (sizeof CASES / sizeof CASES[0])

static void test_ops(void)
{
    rc_fx fx;
    if (!rc_fx_open(&fx, "tests/fixtures/ops.safetensors")) return;
    json_t *configs = rc_fx_configs(&fx);
    RC_CHECK(json_array_size(configs) == N_CASES, "%zu configurations in the fixture, %zu cases here",
             json_array_size(configs), N_CASES);
    for (size_t i = 0; i < N_CASES; i++) {
        if (!rc_fx_begin(&fx, CASES[i].prefix)) continue;
        rc_graph *g = NULL;
        RC_CHECK_OK(rc_graph_create(&g));
        if (g) CASES[i].run(&fx, g);
        rc_fx_end(&fx);
        rc_graph_free(g);
    }
    json_decref(configs);
    rc_fx_close(&fx);
}

int main(void)
{
    RC_RUN(test_ops);
    return rc_test_finish();
}
